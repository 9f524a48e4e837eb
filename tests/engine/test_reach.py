"""Issue 14 in the engine: duplicates suggested and merged, 一键直达 reports go to discipline."""

from __future__ import annotations

import pytest

from engine.direct import Report
from engine.errors import Conflict, FormInvalid, NotAllowed, NotFound
from engine.service import Engine
from engine.similarity import THRESHOLD, bigrams, jaccard
from tests.reachcase import MARKET_STAFF, STREETLIGHT, STREETLIGHT_AGAIN, UNRELATED, appeal, set_up


@pytest.fixture
def demo(engine: Engine) -> Engine:
    set_up(engine)
    return engine


def _start(engine: Engine, text: tuple[str, str], **extra: object) -> tuple[str, str]:
    with engine.transaction() as service:
        case = service.cases.start("closed_loop", data=appeal(*text, **extra), actor="public",
                                   tracking=True)  # fmt: skip
    assert case.tracking_code
    return case.key, case.tracking_code


def test_similarity__bigram_jaccard_explained_by_shared_pairs() -> None:
    assert bigrams("路灯，坏了") == {"路灯", "灯坏", "坏了"}
    assert jaccard("路灯坏了", "路灯坏了") == 1.0
    assert jaccard("路灯坏了", "入学证明") == 0.0
    assert jaccard(" ".join(STREETLIGHT), " ".join(STREETLIGHT_AGAIN)) >= THRESHOLD
    assert jaccard(" ".join(STREETLIGHT), " ".join(UNRELATED)) < THRESHOLD


def test_duplicates__same_place_kind_and_text_is_suggested(demo: Engine) -> None:
    first, _ = _start(demo, STREETLIGHT)
    _start(demo, UNRELATED)  # same place and kind, other words
    _start(demo, STREETLIGHT_AGAIN, place_unit="village_a2")  # same words, other village
    second, _ = _start(demo, STREETLIGHT_AGAIN)
    with demo.transaction() as service:
        found = service.reach.duplicates.suggest(second, "wangfang")
        assert [s.key for s in found] == [first]
        assert found[0].place == "village_a1" and found[0].score >= THRESHOLD
        with pytest.raises(NotFound):  # another town's clerk does not see the case
            service.reach.duplicates.suggest(second, "liuyang")


def test_duplicates__merge_answers_both_submitters(demo: Engine) -> None:
    main, main_code = _start(demo, STREETLIGHT)
    dup, dup_code = _start(demo, STREETLIGHT_AGAIN)
    with demo.transaction() as service:
        service.reach.duplicates.merge(dup, main, "wangfang")
    with demo.transaction() as service:
        case = service.cases.get(dup)
        assert case.status == "merged" and case.tasks == ()
        assert service.reach.duplicates.merged_into(dup) == main
        assert [m.key for m in service.reach.duplicates.merged_from(main, "wangfang")] == [dup]
        assert service.cases.history(dup)[-1].kind == "merged"
        assert service.cases.history(dup)[-1].inputs == {"into": main}
        assert service.cases.history(main)[-1].inputs == {"duplicate": dup}
        assert service.reach.duplicates.suggest(main, "wangfang") == []
        assert service.chain.verify(dup) == [] and service.chain.verify(main) == []
        task = next(t for t in service.cases.get(main).tasks if t.task_spec == "accept_case")
        service.tasks.complete(task.id, "wangfang", {"kind": "coordination",
                                                     "handling_mode": "on_the_spot"})  # fmt: skip
        task = next(t for t in service.cases.get(main).tasks if t.task_spec == "reply_on_spot")
        reply = "已通知供电所，路灯今天下午修好。"
        service.tasks.complete(task.id, "wangfang", {"public_reply": reply, "outcome": "resolved"})
    with demo.transaction() as service:
        assert service.cases.track(main, main_code).public_reply == reply
        duplicate = service.cases.track(dup, dup_code)
        assert duplicate.public_reply == reply and not duplicate.rating_requested
        assert "并案办理" in [e.step for e in duplicate.timeline]


def test_duplicates__second_merge_and_wrong_roles_are_refused(demo: Engine) -> None:
    main, _ = _start(demo, STREETLIGHT)
    dup, _ = _start(demo, STREETLIGHT_AGAIN)
    with demo.transaction() as service, pytest.raises(NotAllowed):
        service.reach.duplicates.merge(dup, main, "guoming")
    with demo.transaction() as service:
        service.reach.duplicates.merge(dup, main, "wangfang")
    with demo.transaction() as service, pytest.raises(Conflict):
        service.reach.duplicates.merge(main, dup, "wangfang")


def test_duplicates__marked_distinct_is_not_suggested_again(demo: Engine) -> None:
    first, _ = _start(demo, STREETLIGHT)
    second, _ = _start(demo, STREETLIGHT_AGAIN)
    with demo.transaction() as service:
        service.reach.duplicates.mark_distinct(second, first, "wangfang")
    with demo.transaction() as service:
        assert service.reach.duplicates.suggest(second, "wangfang") == []
        assert service.reach.duplicates.suggest(first, "wangfang") == []
        assert service.cases.history(second)[-1].kind == "marked_distinct"
        assert service.cases.get(second).status == "running"


def _report(engine: Engine, anonymous: bool = True) -> str:
    report = Report(title="市场监管所检查人员索要好处",
                    description="检查时暗示要请吃饭，否则下次再来查。", accused_unit="market",
                    enterprise_name="临江鲜丰食品有限公司",
                    anonymous=anonymous, contact={"phone": "13900001111"})  # fmt: skip
    with engine.transaction() as service:
        code = service.reach.direct.create_code("enterprise", "临江鲜丰食品有限公司",
                                                "http://example.test", "xiewen")  # fmt: skip
        case = service.reach.direct.report(code.token, report)
    assert case.process_id == "discipline_supervision" and case.tracking_code
    assert case.status == "running", case.error
    return case.key


def test_direct__report_reaches_discipline_inbox_not_the_accused(demo: Engine) -> None:
    key = _report(demo)
    with demo.transaction() as service:
        tasks = [t for t in service.tasks.inbox("xiewen") if t.case_key == key]
        assert [t.task_spec for t in tasks] == ["ds_three_checks"]
        case = service.cases.get(key, viewer="xiewen")
        assert case.owner_unit == "discipline" and case.data["accused_unit"] == "market"
        assert "contact" not in case.data  # kept apart, not in the hash-chained data
        for username in MARKET_STAFF:
            assert [t for t in service.tasks.inbox(username) if t.case_key == key] == []
            assert key not in [c.key for c in service.cases.recent(username)]
            with pytest.raises(NotFound):
                service.cases.get(key, viewer=username)
            with pytest.raises(NotFound):
                service.reach.direct.report_of(key, username)


def test_direct__contact_only_for_discipline(demo: Engine) -> None:
    key = _report(demo)
    with demo.transaction() as service:
        private = service.reach.direct.report_of(key, "xiewen")
        assert private is not None and private.contact == {"phone": "13900001111"}
        assert private.anonymous and private.code_label == "临江鲜丰食品有限公司"
        seen_by_auditor = service.reach.direct.report_of(key, "shenyi")
        assert seen_by_auditor is not None and seen_by_auditor.contact is None


def test_direct__codes_need_the_discipline_office_and_a_real_unit(demo: Engine) -> None:
    with demo.transaction() as service:
        with pytest.raises(NotAllowed):
            service.reach.direct.create_code("district", "临江区", "http://x", "wangfang")
        with pytest.raises(FormInvalid):
            service.reach.direct.create_code("planet", "", "http://x", "xiewen")
        with pytest.raises(FormInvalid):
            service.reach.direct.report(None, Report("t", "d", accused_unit="discipline"))
        with pytest.raises(NotFound):
            service.reach.direct.code("no-such-token")


def test_open311__keys_are_stored_hashed(demo: Engine) -> None:
    with demo.transaction() as service:
        key = service.reach.open311.issue_key("12345热线")
        with pytest.raises(Conflict):
            service.reach.open311.issue_key("12345热线")
    with demo.transaction() as service:
        client = service.reach.open311.client(key)
        assert client is not None and client.name == "12345热线"
        assert service.reach.open311.client(key + "x") is None
        assert key not in str(service.session.execute(
            __import__("sqlalchemy").text("SELECT key_hash FROM api_clients")).all())  # fmt: skip


def test_cli__open311_key_prints_a_working_key_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main
    from engine.settings import Settings

    monkeypatch.setenv("MASHANGBAN_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["open311", "key", "12345热线"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]  # after what `init` printed
    assert main(["open311", "key", "12345热线"]) == 3  # the name is taken: Conflict
    engine = Engine(Settings.from_env())
    try:
        with engine.transaction() as service:
            client = service.reach.open311.client(key)
            assert client is not None and client.name == "12345热线"
    finally:
        engine.close()


def test_place__clerk_corrects_it_and_hot_spots_count_by_village(demo: Engine) -> None:
    from engine.reporting import RatesQuery

    first, _ = _start(demo, STREETLIGHT)
    _start(demo, UNRELATED)
    other, _ = _start(demo, STREETLIGHT_AGAIN, place_unit="village_a2")
    with demo.transaction() as service:
        task = next(t for t in service.cases.get(other).tasks if t.task_spec == "accept_case")
        assert "place_unit" in [f.id for f in task.form]
        service.tasks.complete(task.id, "wangfang", {"kind": "coordination",
                                                     "handling_mode": "dispatch",
                                                     "place_unit": "village_a1"})  # fmt: skip
    with demo.transaction() as service:
        assert service.cases.get(other).data["place_unit"] == "village_a1"
        assert [s.key for s in service.reach.duplicates.suggest(other, "wangfang")] == [first]
        board = service.reports().dashboard("yuanhua", RatesQuery())
        assert dict(board.hot_spots["places"]) == {"village_a1": 3}


def test_direct__a_district_wide_office_accused_does_not_see_the_report(demo: Engine) -> None:
    with demo.transaction() as service:
        report = Report("督办人员索要好处", "督办时暗示送礼。", accused_unit="supervising_office")
        case = service.reach.direct.report(None, report)
    with demo.transaction() as service:
        with pytest.raises(NotFound):  # 魏明 of the supervising office would otherwise see all
            service.cases.get(case.key, viewer="weiming")
        assert case.key not in [c.key for c in service.cases.recent("weiming")]
        assert case.key in [c.key for c in service.cases.recent("yuanhua")]
        assert service.cases.get(case.key, viewer="xiewen").key == case.key


def test_direct__an_accused_auditing_office_does_not_find_it_in_audit_search(
    demo: Engine,
) -> None:
    from engine.auditsearch import CaseQuery

    with demo.transaction() as service:
        report = Report("办公室人员吃拿卡要", "协调时索要礼品。", accused_unit="leading_office")
        key = service.reach.direct.report(None, report).key
    with demo.transaction() as service:
        found = service.audit.search("yuanhua", CaseQuery(text=key))
        assert key not in [row.key for row in found.rows]  # 袁华 is of the accused office
        found = service.audit.search("xiewen", CaseQuery(text=key))
        assert key in [row.key for row in found.rows]


def test_rates__a_merged_duplicate_is_counted_with_its_main_case_only(demo: Engine) -> None:
    from engine.reporting import RatesQuery

    main, _ = _start(demo, STREETLIGHT)
    dup, _ = _start(demo, STREETLIGHT_AGAIN)
    with demo.transaction() as service:
        before = service.reports().rates("yuanhua", RatesQuery())[0].received
        service.reach.duplicates.merge(dup, main, "wangfang")
    with demo.transaction() as service:
        assert service.reports().rates("yuanhua", RatesQuery())[0].received == before - 1
