"""The hash-chained case history: what it records, and that tampering is found.

Cases run at UTC instants here: see `test_verify__event_recorded_at_a_local_offset_is_intact`
for what happens with another offset. Tampering goes through raw SQL, as an attacker
with database access would do it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, bindparam, select, text

from engine import cli
from engine.calendar import SHANGHAI
from engine.history import EVENT_KINDS, GENESIS, chain_hash
from engine.models import Case, CaseEvent
from engine.recording import event_content
from engine.service import Engine

T0 = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
REGISTER = {
    "title": "楼道灯坏了",
    "kind": "coordination",
    "people": 3,
    "contact_phone": "13812345678",
}
REPLY = {"reply": "已安排物业维修"}
_MISSING = object()


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def run_two_step(engine: Engine, key: str, *, finish: bool = True) -> None:
    """start -> claim register -> complete register -> claim handle [-> complete handle]."""
    with engine.transaction() as s:
        case = s.cases.start("two_step", key=key, data={"source": "12345热线"}, actor="li", at=T0)
        register = case.tasks[0].id
        s.tasks.claim(register, "li", at=minutes(1))
        case = s.tasks.complete(register, "li", REGISTER, at=minutes(5))
        handle = case.tasks[0].id
        s.tasks.claim(handle, "wang", at=minutes(60))
        if finish:
            s.tasks.complete(handle, "wang", REPLY, at=minutes(120))


@pytest.fixture
def two_cases(deployed: Engine) -> Engine:
    """H1 and H2, each with five events: started, claimed, completed, claimed, completed."""
    run_two_step(deployed, "H1")
    run_two_step(deployed, "H2")
    return deployed


def execute(engine: Engine, sql: str, **params: Any) -> None:
    """Run raw SQL in its own transaction (the attacker's tool)."""
    statement = text(sql)
    if "inputs" in params:
        statement = statement.bindparams(bindparam("inputs", type_=JSON))
    with engine.sql.begin() as connection:
        connection.execute(statement, params)


OF_EVENT = "case_id = (SELECT id FROM cases WHERE business_key = :key) AND seq = :seq"


def findings(engine: Engine) -> list:
    with engine.transaction() as s:
        return s.chain.verify()


def chain_rows(engine: Engine, key: str) -> list[tuple[int, str, str]]:
    """(seq, prev_hash, hash) of a case's events in seq order, read directly."""
    with engine.sql.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT seq, prev_hash, hash FROM case_events "
                "WHERE case_id = (SELECT id FROM cases WHERE business_key = :key) ORDER BY seq"
            ),
            {"key": key},
        )
        return [(row[0], row[1], row[2]) for row in rows]


# --- an intact history ------------------------------------------------------------------


def test_verify__intact_history_has_no_findings(two_cases):
    assert findings(two_cases) == []
    with two_cases.transaction() as s:
        assert [e.kind for e in s.cases.history("H1")] == [
            "started",
            "claimed",
            "task_completed",
            "claimed",
            "task_completed",
        ]
        assert s.chain.verify("H1") == []


def test_history__data_before_and_after_hold_only_changed_keys(two_cases):
    with two_cases.transaction() as s:
        events = s.cases.history("H1")
        final = s.cases.get("H1").data

    for event in events:
        for key in set(event.data_before) | set(event.data_after):
            before = event.data_before.get(key, _MISSING)
            after = event.data_after.get(key, _MISSING)
            assert before != after, f"event {event.seq} lists unchanged key {key!r}"

    started, claimed, registered, claimed_again, handled = events
    assert (started.data_before, started.data_after) == (
        {},
        {"case_key": "H1", "source": "12345热线"},
    )
    assert claimed.data_before == claimed.data_after == {}
    assert claimed_again.data_before == claimed_again.data_after == {}
    assert registered.data_before == {}
    assert registered.data_after == {**REGISTER, "level": 1}
    assert (handled.data_before, handled.data_after) == ({}, REPLY)

    # Folding the changes over each other rebuilds the case's data.
    data: dict[str, Any] = {}
    for event in events:
        for key in set(event.data_before) - set(event.data_after):
            del data[key]
        data.update(event.data_after)
    assert data == final


def test_history__changed_value_keeps_old_and_new(deployed):
    with deployed.transaction() as s:
        s.cases.start("sla_timer", key="R1", actor="li", at=T0)
    assert deployed.fire_due_timers(now=T0 + timedelta(hours=3)) == 1
    with deployed.transaction() as s:
        fired = s.cases.history("R1")[-1]
    assert fired.kind == "timer_fired"
    assert (fired.data_before, fired.data_after) == ({"reminders": 0}, {"reminders": 1})


def test_history__kinds_are_known_and_events_chain(deployed):
    run_two_step(deployed, "K1")
    with deployed.transaction() as s:
        s.cases.start("sla_timer", key="K2", actor="li", at=T0)
    deployed.fire_due_timers(now=T0 + timedelta(hours=3))
    with deployed.transaction() as s:
        respond = s.cases.get("K2").tasks[0].id
        s.tasks.claim(respond, "zhao", at=T0 + timedelta(hours=4))
        s.tasks.unclaim(respond, "zhao", at=T0 + timedelta(hours=5))
        s.cases.start("await_message", key="K3", actor="li", at=T0)
        s.cases.deliver_message("K3", "citizen_reply", {"text": "收到"}, at=T0 + timedelta(hours=1))

    with deployed.transaction() as s:
        kinds = {e.kind for key in ("K1", "K2", "K3") for e in s.cases.history(key)}
        assert s.chain.verify() == []
    assert kinds <= set(EVENT_KINDS)
    assert {
        "started",
        "claimed",
        "unclaimed",
        "task_completed",
        "timer_fired",
        "message_received",
    } <= kinds

    for key in ("K1", "K2", "K3"):
        rows = chain_rows(deployed, key)
        assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
        assert rows[0][1] == GENESIS
        for (_, _, previous), (seq, prev_hash, _) in pairwise(rows):
            assert prev_hash == previous, f"{key} event {seq} does not chain"
        assert len({digest for _, _, digest in rows}) == len(rows)


def test_verify__event_recorded_at_a_local_offset_is_intact(deployed):
    with deployed.transaction() as s:
        s.cases.start(
            "two_step", key="L1", actor="li", at=datetime(2026, 9, 24, 10, tzinfo=SHANGHAI)
        )
    assert findings(deployed) == []


# --- tampering --------------------------------------------------------------------------


def test_verify__edited_actor_is_named(two_cases):
    execute(two_cases, f"UPDATE case_events SET actor = 'zhao' WHERE {OF_EVENT}", key="H1", seq=2)

    [finding] = findings(two_cases)
    assert (finding.case_key, finding.seq) == ("H1", 2)
    assert "edited" in finding.problem
    assert "H1: event 2" in str(finding)


def test_verify__edited_inputs_is_named(two_cases):
    forged = {"data": {**REGISTER, "people": 30}, "details": {"task_spec": "register"}}
    execute(
        two_cases,
        f"UPDATE case_events SET inputs = :inputs WHERE {OF_EVENT}",
        inputs=forged,
        key="H2",
        seq=3,
    )

    [finding] = findings(two_cases)
    assert (finding.case_key, finding.seq) == ("H2", 3)
    assert "edited" in finding.problem


def test_verify__deleted_middle_event_is_named_missing(two_cases):
    execute(two_cases, f"DELETE FROM case_events WHERE {OF_EVENT}", key="H1", seq=3)

    [finding] = findings(two_cases)
    assert (finding.case_key, finding.seq) == ("H1", 3)
    assert "missing" in finding.problem
    assert "deleted" in finding.problem


def test_verify__swapped_events_are_named_at_first_affected_seq(two_cases):
    # (case_id, seq) is unique: move event 2 out of the way first.
    execute(two_cases, f"UPDATE case_events SET seq = -1 WHERE {OF_EVENT}", key="H1", seq=2)
    execute(two_cases, f"UPDATE case_events SET seq = 2 WHERE {OF_EVENT}", key="H1", seq=3)
    execute(two_cases, f"UPDATE case_events SET seq = 3 WHERE {OF_EVENT}", key="H1", seq=-1)

    [finding] = findings(two_cases)
    assert (finding.case_key, finding.seq) == ("H1", 2)


def test_verify__deleted_last_event_is_reported_truncated(two_cases):
    execute(two_cases, f"DELETE FROM case_events WHERE {OF_EVENT}", key="H2", seq=5)

    [finding] = findings(two_cases)
    assert (finding.case_key, finding.seq) == ("H2", 5)
    assert "truncated" in finding.problem
    assert "checkpoint" in finding.problem


# --- exported heads (the CLI) -----------------------------------------------------------


@pytest.fixture
def audit_cli(deployed: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `mashangban audit verify --heads FILE` against the test database."""
    monkeypatch.setenv("DATABASE_URL", deployed.settings.database_url)
    monkeypatch.setenv("MASHANGBAN_INSTANCE", str(tmp_path / "instance"))
    heads = tmp_path / "heads.json"

    def export() -> None:
        with deployed.transaction() as s:
            heads.write_text(json.dumps(s.chain.export_checkpoints(), ensure_ascii=False))

    def verify() -> int:
        return cli.main(["audit", "verify", "--heads", str(heads)])

    return export, verify


def test_audit_cli__intact_history_matches_exported_heads(two_cases, audit_cli, capsys):
    export, verify = audit_cli
    export()
    assert verify() == 0
    assert "ok: 2 case chain(s) intact" in capsys.readouterr().out


def test_audit_cli__truncation_with_rewritten_checkpoint_is_caught_by_exported_heads(
    two_cases, audit_cli, capsys
):
    export, verify = audit_cli
    export()
    [(_, _, head_of_4)] = [row for row in chain_rows(two_cases, "H1") if row[0] == 4]
    execute(two_cases, f"DELETE FROM case_events WHERE {OF_EVENT}", key="H1", seq=5)
    execute(
        two_cases,
        "UPDATE cases SET last_seq = 4, head_hash = :head WHERE business_key = :key",
        head=head_of_4,
        key="H1",
    )
    capsys.readouterr()

    assert verify() == 1
    out = capsys.readouterr().out
    assert "TAMPERED H1: event 5: truncated since the export" in out
    assert "H2" not in out


def test_audit_cli__rewritten_chain_that_grew_past_the_export_is_caught(
    deployed, audit_cli, capsys
):
    export, verify = audit_cli
    run_two_step(deployed, "G1", finish=False)  # four events; `handle` is still open
    export()

    # The attacker edits event 2 and re-hashes the chain and both heads after it.
    with deployed.transaction() as s:
        case_id = s.session.scalar(select(Case.id).where(Case.business_key == "G1"))
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        rows = s.session.scalars(query).all()
        prev, forged = GENESIS, []
        for e in rows:
            actor = "zhao" if e.seq == 2 else e.actor
            content = event_content(
                "G1",
                e.seq,
                e.at,
                actor,
                e.kind,
                e.task_id,
                e.task_spec,
                e.inputs,
                e.data_before,
                e.data_after,
            )
            digest = chain_hash(prev, content)
            forged.append((e.seq, actor, prev, digest))
            prev = digest
    for seq, actor, prev_hash, digest in forged:
        execute(
            deployed,
            "UPDATE case_events SET actor = :actor, prev_hash = :prev, "
            f"hash = :hash WHERE {OF_EVENT}",
            actor=actor,
            prev=prev_hash,
            hash=digest,
            key="G1",
            seq=seq,
        )
    execute(deployed, "UPDATE cases SET head_hash = :head WHERE business_key = 'G1'", head=prev)
    assert findings(deployed) == []

    # The case goes on, so its chain is longer than the exported head.
    with deployed.transaction() as s:
        s.tasks.complete(s.cases.get("G1").tasks[0].id, "wang", REPLY, at=minutes(120))
    assert findings(deployed) == []

    assert verify() == 1
    assert "TAMPERED G1: event 4" in capsys.readouterr().out


def test_verify__case_data_edited_outside_the_engine_is_named(two_cases):
    with two_cases.transaction() as s:
        data = dict(s.cases.get("H1").data)
    data["reply"] = "已办结（被篡改）"
    with two_cases.sql.begin() as connection:
        connection.execute(
            text("UPDATE cases SET data = :data WHERE business_key = 'H1'").bindparams(
                bindparam("data", type_=JSON)
            ),
            {"data": data},
        )
    found = findings(two_cases)
    assert [(f.case_key, f.seq) for f in found] == [("H1", 5)]
    assert "reply" in found[0].problem and "outside the engine" in found[0].problem
