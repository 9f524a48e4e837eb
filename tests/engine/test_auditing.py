"""The auditors' engine operations on a real closed-loop case: step snapshots, verification
(chain, heads, re-execution), the JSON Lines export and its standalone check, search."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from engine.auditsearch import CaseQuery
from engine.errors import NotAllowed, NotFound
from engine.models import Case, CaseEvent
from engine.service import Engine
from tests.auditcase import KEY, deploy_demo, escalated_rehandled_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def audited(engine: Engine) -> Engine:
    """The demo organisation and the finished, escalated and re-handled case."""
    deploy_demo(engine)
    escalated_rehandled_case(engine)
    return engine


def _step(replay, seq):
    return next(s for s in replay.steps if s.seq == seq)


def test_replay_steps__show_elements_inside_called_processes_and_the_data_diff(audited):
    with audited.reading() as service:
        replay = service.audit.replay(KEY, "shenyi")
    assert replay.finding is None and len(replay.steps) == 17
    signed = _step(replay, 4)  # 黄涛 signed: the department handles it now
    assert "dh_sign" in signed.states("department_handling").completed
    assert "dh_handle" in signed.states("department_handling").active
    assert "handle_by_departments" in signed.states("closed_loop").active
    assert {t.element for t in signed.timers} == {"dh_handle_overdue", "remind_before_deadline"}
    escalated = _step(replay, 6)  # the deadline passed: the timer escalated to level 2
    assert "el_level2" in escalated.states("escalation_ladder").active
    assert escalated.data_before["level"] == 1 and escalated.data_after["level"] == 2
    assert "level" in escalated.changed
    rehandled = _step(replay, 11)  # the supervising office sent it back
    assert rehandled.data_after["rehandle_count"] == 1
    waiting = set(rehandled.states("closed_loop").active)  # the meeting may interrupt the step
    assert waiting == {"classify_case", "meeting_decides_classify"}
    assert replay.steps[-1].states("closed_loop").active == ()
    assert replay.fields["rating"].choices["unsatisfied"] == "不满意"
    assert set(replay.diagrams) >= {"closed_loop", "department_handling", "escalation_ladder"}


def test_replay__clerk_in_scope_is_refused_and_outside_scope_sees_nothing(audited):
    with audited.reading() as service:
        with pytest.raises(NotAllowed):
            service.audit.replay(KEY, "lina")  # handled the case, but is no auditor
        with pytest.raises(NotFound):
            service.audit.replay(KEY, "chenjing")  # a town clerk who never saw it
        with pytest.raises(NotAllowed):
            service.audit.verify_all("lina")


def test_verify__intact_case_then_edited_event_is_named(audited):
    with audited.reading() as service:
        assert service.audit.verify(KEY, "shenyi").intact
    with audited.transaction() as service:
        case_id = service.session.scalar(select(Case.id).where(Case.business_key == KEY))
        service.session.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.seq == 8)
            .values(data_after={"public_reply": "已办结", "outcome": "resolved"})
        )
    with audited.reading() as service:
        report = service.audit.verify(KEY, "shenyi")
    assert not report.intact
    assert [(f.case_key, f.seq) for f in report.findings] == [(KEY, 8)]
    assert report.findings[0].code == "event_edited"


def test_verify__last_event_deleted_with_row_fixed_up_is_caught_only_by_the_heads(audited):
    with audited.reading() as service:
        heads = service.chain.export_checkpoints()
    with audited.transaction() as service:
        session = service.session
        case = session.scalars(select(Case).where(Case.business_key == KEY)).one()
        last, previous = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        ).all()[:2]
        session.execute(delete(CaseEvent).where(CaseEvent.id == last.id))
        # A careful tamperer also winds back the case row (the chain's checkpoint).
        session.execute(update(Case).where(Case.id == case.id).values(
            last_seq=previous.seq, head_hash=previous.hash))  # fmt: skip
    with audited.reading() as service:
        without = service.audit.verify(KEY, "shenyi")
        with_heads = service.audit.verify(KEY, "shenyi", heads)
    assert not any(f.code == "truncated_since_export" for f in without.findings)
    assert (17, "truncated_since_export") in [(f.seq, f.code) for f in with_heads.findings]


def test_verify__re_execution_catches_a_consistently_rewritten_event(audited):
    """An edit that keeps the chain valid (hashes recomputed) is caught by re-running it."""
    from engine.history import chain_hash
    from engine.recording import event_content

    with audited.transaction() as service:
        session = service.session
        case = session.scalars(select(Case).where(Case.business_key == KEY)).one()
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        ).all()
        prev = events[0].prev_hash
        for event in events:
            if event.seq == 11:
                event.data_after = {**event.data_after, "review_note": "无需重办"}
            content = event_content(KEY, event.seq, event.at, event.actor, event.kind,
                                    event.task_id, event.task_spec, event.inputs,
                                    event.data_before, event.data_after)  # fmt: skip
            event.prev_hash, event.hash = prev, chain_hash(prev, content)
            prev = event.hash
        case.head_hash = prev
        case.data = {**case.data, "review_note": "无需重办"}
    with audited.reading() as service:
        report = service.audit.verify(KEY, "shenyi")
    assert [f.seq for f in report.findings] == [11]
    assert report.findings[0].code == "data_differs"
    assert report.findings[0].params == {"fields": ["review_note"]}


def test_verify_all__reports_progress_and_does_not_block_a_writer(audited):
    seen: list[tuple[int, int]] = []
    with audited.reading() as service:
        service.cases.get(KEY)  # the read snapshot is open now
        written = threading.Event()

        def write() -> None:
            with audited.transaction() as other:
                other.staff.save_unit("audit_test", "测试单位", "department")
            written.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert written.wait(5), "a clerk's write waited for the audit's read transaction"
        writer.join()
        report = service.audit.verify_all("shenyi", progress=lambda d, t: seen.append((d, t)))
    assert report.intact and report.cases >= 1 and seen[-1][0] == seen[-1][1]


def test_export__rechecks_with_the_standalone_script_and_names_an_edit(audited, tmp_path):
    with audited.reading() as service:
        records = service.audit.export(KEY, "lina")
    assert records[0]["type"] == "case" and records[-1] == {
        "type": "head", "seq": 17, "head": records[-2]["hash"]}  # fmt: skip
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    check = [sys.executable, str(ROOT / "engine" / "history_check.py"), str(path)]
    result = subprocess.run(check, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact: 17 events" in result.stdout
    records[9]["content"]["data_after"]["rating"] = "satisfied"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    result = subprocess.run(check, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "event 9: its content does not match its hash" in result.stdout


def test_search__filters_by_submitter_level_unsatisfied_and_status(audited):
    def keys(**filters) -> list[str]:
        with audited.reading() as service:
            return [r.key for r in service.audit.search("shenyi", CaseQuery(**filters)).rows]

    assert keys(text="韩国庆") == [KEY]
    assert keys(text="13705712345") == [KEY]
    assert keys(text="CL-AU") == [KEY]
    assert keys(level=2, unsatisfied=True, status="completed", unit="housing") == [KEY]
    assert keys(cannot_resolve=True) == []
    assert keys(supervised=True) == []
    assert keys(level=3) == []
    with audited.reading() as service, pytest.raises(NotAllowed):
        service.audit.search("lina", CaseQuery())


@pytest.mark.postgres
def test_verify_all_on_postgres__intact_then_edited_event_named_while_clerks_write(pg_engine):
    deploy_demo(pg_engine)
    escalated_rehandled_case(pg_engine, upto=6)  # escalated, waiting for the chief
    with pg_engine.reading() as service:
        assert service.audit.verify_all("shenyi").intact
        with pg_engine.transaction() as clerk:  # a write while the audit's reads are open
            clerk.staff.save_unit("audit_test", "测试单位", "department")
    with pg_engine.transaction() as service:
        case_id = service.session.scalar(select(Case.id).where(Case.business_key == KEY))
        service.session.execute(update(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.seq == 3).values(actor="someone"))  # fmt: skip
    with pg_engine.reading() as service:
        report = service.audit.verify_all("shenyi")
    assert [(f.case_key, f.seq) for f in report.findings] == [(KEY, 3)]
