"""The `case_facts` table kept with each event gives the same facts as folding the log."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from engine import factstore
from engine.reporting import RatesQuery
from engine.service import Engine

from .rates_scenario import NOW, Driver, drive

pytestmark = pytest.mark.slow
LATER = datetime.fromisoformat("2026-11-20T12:00:00+08:00")


def _heads(engine: Engine) -> dict[int, int]:
    with engine.sql.connect() as connection:
        rows = connection.execute(text("SELECT id, last_seq FROM cases")).all()
    return {case_id: seq for case_id, seq in rows}


def _stored_and_folded(engine: Engine) -> tuple[dict, dict]:
    heads = _heads(engine)
    with engine.transaction() as service:
        stored = factstore.load(service.session, heads)
        folded = factstore.fold_log(service.session, heads)
    return stored, {case_id: facts for case_id, (_seq, facts) in folded.items()}


def test_case_facts__kept_with_every_event_equal_the_log_fold(any_engine: Engine) -> None:
    drive(any_engine)
    Driver(any_engine).complete(  # a re-handling: rehandle_count and a second deadline
        "C04", "review_unsatisfied", "weiming", "10-12T11:30",
        {"review_decision": "rehandle", "review_note": "请重新研究答复口径。"},
    )  # fmt: skip
    any_engine.fire_due_timers(LATER)  # reminders and escalations up the ladder
    stored, folded = _stored_and_folded(any_engine)
    assert len(stored) == len(_heads(any_engine)) >= 10  # every case current, none repaired
    assert stored == folded
    assert any(facts.rehandled for facts in stored.values())
    assert any(facts.levels for facts in stored.values())
    assert sum(1 for facts in stored.values() if facts.replied_at is not None) >= 8


def test_case_facts__missing_rows_are_folded_from_the_log_and_stored(any_engine: Engine) -> None:
    drive(any_engine)
    with any_engine.transaction() as service:
        expected = service.reports().rates("yuanhua", RatesQuery(group_by="unit"), now=NOW)
    with any_engine.sql.begin() as connection:  # as after a restore of an old backup
        connection.execute(text("DELETE FROM case_facts WHERE case_id % 2 = 0"))
        connection.execute(text("UPDATE case_facts SET seq = seq - 1, replied_at = NULL"))
    fresh = Engine(any_engine.settings)  # no facts in memory: a cold start
    try:
        with fresh.transaction() as service:
            again = service.reports().rates("yuanhua", RatesQuery(group_by="unit"), now=NOW)
    finally:
        fresh.close()
    assert [row.as_dict() for row in again] == [row.as_dict() for row in expected]
    stored, folded = _stored_and_folded(any_engine)
    assert stored == folded and len(stored) == len(_heads(any_engine))
