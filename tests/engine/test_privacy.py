"""Personal data: sealed outside the hashed history, masked by role, logged, purged safely."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import history_check, requestscope
from engine.models import Case, CaseEvent, PersonalValue
from engine.personal import commitment_of, mask
from engine.service import Engine
from tests.auditcase import APPEAL, KEY, STEPS, deploy_demo, escalated_rehandled_case

PHONE = APPEAL["contact"]["phone"]
NAME = APPEAL["contact"]["name"]
CLOSED = datetime.fromisoformat(STEPS[-1][0])
VILLAGE = {**APPEAL, "tier": "village", "intake_unit": "village_a1",
           "contact": {"name": "周桂兰", "phone": "13757112345"}}  # fmt: skip


def _raw_history(engine: Engine, key: str) -> str:
    with engine.reading() as service:
        case = service.session.scalars(select(Case).where(Case.business_key == key)).one()
        events = service.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))
        rows = [(e.inputs, e.data_before, e.data_after) for e in events]
        return json.dumps([rows, case.data, case.state], ensure_ascii=False)


@pytest.fixture
def finished(any_engine: Engine) -> Engine:
    deploy_demo(any_engine)
    escalated_rehandled_case(any_engine)
    return any_engine


def test_mask__keeps_only_what_identifies_nobody() -> None:
    assert mask("phone", "13800000000") == "138****0000"
    assert mask("name", "韩国庆") == "韩**"
    assert mask("id_number", "330106199001011234") == "330***********1234"
    assert mask("email", "hgq@example.cn") == "h***@example.cn"


def test_seal__values_stay_out_of_events_state_and_case_data(finished: Engine) -> None:
    raw = _raw_history(finished, KEY)
    assert PHONE not in raw and NAME not in raw
    with finished.reading() as service:
        rows = service.session.scalars(select(PersonalValue)).all()
        assert {r.field for r in rows} == {"name", "phone"}
        phone = next(r for r in rows if r.field == "phone")
        assert phone.value == PHONE
        assert commitment_of(phone.salt or "", "phone", PHONE) == phone.commitment
        assert phone.commitment in raw


def test_full_view__receiving_window_sees_it_and_the_view_is_logged(finished: Engine) -> None:
    with finished.transaction() as service:
        view, disclosure = service.privacy.case(KEY, "lina", channel="api")
        assert view.data["contact"] == {"name": NAME, "phone": PHONE}
        assert (disclosure.full, disclosure.reason) == (True, "receiving_window")
    with finished.reading() as service:
        log = service.privacy.access_log("shenyi")
    assert [(e.username, e.case_key, e.reason, e.channel) for e in log] == [
        ("lina", KEY, "receiving_window", "api")
    ]
    assert log[0].fields == ("name", "phone")


def test_masked_view__auditor_and_finished_handler_see_masked_values_unlogged(
    finished: Engine,
) -> None:
    with finished.transaction() as service:
        for viewer in ("shenyi", "huangtao", "yuanhua"):
            view, disclosure = service.privacy.case(KEY, viewer)
            assert view.data["contact"] == {"name": "韩**", "phone": "137****2345"}, viewer
            assert not disclosure.full
            events, _ = service.privacy.history(KEY, viewer)
            assert PHONE not in json.dumps([e.inputs for e in events], ensure_ascii=False)
            assert "137****2345" in json.dumps([e.inputs for e in events], ensure_ascii=False)
    with finished.reading() as service:
        assert service.privacy.access_log("xiewen") == []


def _run(engine: Engine, steps: list) -> None:
    """Continue `KEY` through more of the audit case's steps."""
    for when, action, user, values in steps:
        at = datetime.fromisoformat(when)
        if action == "@timers":
            engine.fire_due_timers(now=at)
            continue
        with engine.transaction() as service:
            task = next(t for t in service.tasks.inbox(user) if t.task_spec == action)
            service.tasks.complete(task.id, user, values, at=at)


def test_full_view__handler_of_an_active_task_then_masked_when_done(any_engine: Engine) -> None:
    deploy_demo(any_engine)
    escalated_rehandled_case(any_engine, upto=2)  # dispatched to housing: dh_sign is open
    with any_engine.transaction() as service:
        view, disclosure = service.privacy.case(KEY, "huangtao")
        assert disclosure.reason == "active_task" and view.data["contact"]["phone"] == PHONE
    _run(any_engine, STEPS[2:6])  # signed, escalated, resolved by the chief representative
    with any_engine.transaction() as service:
        view, disclosure = service.privacy.case(KEY, "huangtao")
        assert not [t for t in view.tasks if t.task_spec.startswith("dh_")]
        assert view.data["contact"]["phone"] == "137****2345" and not disclosure.full
        events, _ = service.privacy.history(KEY, "huangtao")
        assert PHONE not in json.dumps([e.inputs for e in events], ensure_ascii=False)


def test_masked_view__clerk_of_another_unit(any_engine: Engine) -> None:
    deploy_demo(any_engine)
    with any_engine.transaction() as service:
        service.cases.start("closed_loop", key="V1", data=VILLAGE, actor="zhaolei")
    with any_engine.transaction() as service:
        mine, full = service.privacy.case("V1", "zhaolei")  # the receiving village station
        theirs, masked = service.privacy.case("V1", "wangfang")  # the town above it
        discipline, _ = service.privacy.case("V1", "xiewen")
    assert mine.data["contact"]["phone"] == "13757112345" and full.full
    assert theirs.data["contact"] == {"name": "周**", "phone": "137****2345"} and not masked.full
    assert discipline.data["contact"]["phone"] == "13757112345"


def test_request_id__is_stored_beside_the_events_it_caused(any_engine: Engine) -> None:
    deploy_demo(any_engine)
    token = requestscope.bind("req-0123456789")
    try:
        with any_engine.transaction() as service:
            service.cases.start("closed_loop", key="R1", data=VILLAGE, actor="zhaolei")
    finally:
        requestscope.release(token)
    with any_engine.transaction() as service:
        service.privacy.case("R1", "zhaolei")
        ids = service.session.scalars(select(CaseEvent.request_id)).all()
    assert ids and set(ids) == {"req-0123456789"}
    with any_engine.reading() as service:
        assert service.privacy.access_log("shenyi")[0].request_id is None  # outside a request
        assert service.chain.verify() == []


def test_purge__erases_old_values_and_the_case_still_verifies_and_replays(
    finished: Engine, tmp_path: Path
) -> None:
    with finished.reading() as service:
        heads = service.chain.export_checkpoints()
    with finished.transaction() as service:
        early = service.privacy.purge("qianjin", now=CLOSED + timedelta(days=1094))
        assert early.purged == ()
        dry = service.privacy.purge("qianjin", now=CLOSED + timedelta(days=1096), dry_run=True)
        assert dry.purged == (KEY,) and dry.values == 2
    with finished.transaction() as service:
        report = service.privacy.purge("qianjin", now=CLOSED + timedelta(days=1096))
        assert (report.purged, report.values, report.legacy) == ((KEY,), 2, ())
    with finished.reading() as service:
        rows = service.session.scalars(select(PersonalValue)).all()
        assert all(r.value is None and r.salt is None and r.erased_by == "qianjin" for r in rows)
        assert service.chain.verify() == []
        assert service.audit.verify(KEY, "shenyi", heads).intact
        replay = service.audit.replay(KEY, "shenyi", with_diagrams=False)
        assert replay.finding is None and replay.steps[-1].kind == "personal_erased"
        assert service.chain.replay(KEY).matches_stored
        erasures = service.privacy.erasures(KEY, "shenyi")
        assert {(e.field, e.erased_by) for e in erasures} == {
            ("name", "qianjin"),
            ("phone", "qianjin"),
        }
        records = service.audit.export(KEY, "shenyi")
    with finished.transaction() as service:
        view, disclosure = service.privacy.case(KEY, "lina")
        assert view.data["contact"] == {"name": None, "phone": None}
        assert disclosure.erased == ("name", "phone")
        assert service.privacy.access_log("shenyi") == []  # nothing was shown in full
    exported = tmp_path / "case.jsonl"
    exported.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    assert history_check.main([str(exported)]) == 0
    erased = [
        r["content"] for r in records if r.get("content", {}).get("kind") == "personal_erased"
    ]
    assert erased[0]["actor"] == "qianjin"
    assert {e["field"] for e in erased[0]["inputs"]["erased"]} == {"name", "phone"}
    assert PHONE not in exported.read_text(encoding="utf-8")


def test_access_log__only_auditors_discipline_and_admins_read_it(finished: Engine) -> None:
    from engine.errors import NotAllowed

    with finished.reading() as service, pytest.raises(NotAllowed):
        service.privacy.access_log("lina")


def test_search__finds_a_case_by_its_sealed_name_or_phone(finished: Engine) -> None:
    from engine.auditsearch import CaseQuery

    with finished.reading() as service:
        assert [r.key for r in service.audit.search("shenyi", CaseQuery(text=NAME)).rows] == [KEY]
        assert [r.key for r in service.audit.search("shenyi", CaseQuery(text="2345")).rows] == [KEY]


def test_old_cases__are_masked_kept_by_purge_and_still_verify(tmp_path: Path) -> None:
    from engine.database import upgrade
    from engine.settings import Settings

    path = tmp_path / "mashangban.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0.db", path)
    upgrade(f"sqlite:///{path}")
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    try:
        with engine.transaction() as service:
            report = service.privacy.purge("qianjin", now=datetime.now(UTC) + timedelta(days=4000))
            view, disclosure = service.privacy.case("LJ-DEMO-001", "shenyi")
            assert service.chain.verify() == []
        assert report.purged == () and report.legacy
        phone = view.data["contact"]["phone"]
        assert "****" in phone and not disclosure.full
    finally:
        engine.close()


@pytest.mark.postgres
def test_purge__concurrent_purges_erase_once_on_postgres(pg_engine: Engine) -> None:
    from tests.engine.test_races import race

    deploy_demo(pg_engine)
    escalated_rehandled_case(pg_engine)
    later = CLOSED + timedelta(days=1096)
    url = pg_engine.settings.database_url
    results = race(url, lambda service, i: service.privacy.purge(f"ops{i}", now=later), KEY)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.values for r in results) == [0] * 7 + [2]
    with pg_engine.reading() as service:
        kinds = service.session.scalars(select(CaseEvent.kind)).all()
        assert kinds.count("personal_erased") == 1
        assert service.chain.verify() == []
        assert service.audit.replay(KEY, "shenyi", with_diagrams=False).finding is None


def test_cli__privacy_purge_with_the_retention_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main
    from engine.settings import Settings

    monkeypatch.setenv("MASHANGBAN_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MASHANGBAN_PERSONAL_DATA_RETENTION_DAYS", "30")
    assert main(["init"]) == 0
    engine = Engine(Settings.from_env())
    try:
        deploy_demo(engine)
        escalated_rehandled_case(engine)
    finally:
        engine.close()
    capsys.readouterr()
    soon = (CLOSED + timedelta(days=29)).isoformat()
    assert main(["privacy", "purge", "--now", soon]) == 0
    assert "erased 0 personal value(s) of 0 case(s)" in capsys.readouterr().out
    later = (CLOSED + timedelta(days=31)).isoformat()
    assert main(["privacy", "purge", "--now", later, "--dry-run"]) == 0
    assert "would erase 2 personal value(s) of 1 case(s)" in capsys.readouterr().out
    assert main(["privacy", "purge", "--now", later, "--user", "qianjin"]) == 0
    assert "erased 2 personal value(s) of 1 case(s)" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert main(["privacy", "purge", "--days", "0"]) == 1
    assert "--days must be a whole number above 0" in capsys.readouterr().err
    assert main(["privacy", "access-log", "--user", "lina"]) == 1
    assert main(["privacy", "access-log", "--user", "shenyi"]) == 0
    assert "0 full view(s)" in capsys.readouterr().out
