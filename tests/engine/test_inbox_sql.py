"""The inbox change as one statement (`engine/inbox_sql.py`) stores what separate statements do.

Both paths write the same change for two like cases on the same database: the rows,
their candidates and the closed task's span must read back equal, column by column,
instants to the microsecond (on SQLite they are text, compared as text).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from engine import inbox_sql
from engine import repository as repo
from engine.models import HumanTask, HumanTaskCandidate
from engine.models_spans import TaskSpan
from engine.service import Engine
from engine.task_spans import close_tasks
from tests.conftest import deploy_valid

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
DUE = datetime(2026, 3, 9, 9, 30, 0, 5, tzinfo=UTC)


def _new_row(old: HumanTask, suffix: str) -> HumanTask:
    return HumanTask(
        id=f"new-{suffix}", case_id=old.case_id, process_version_id=old.process_version_id,
        task_spec="handle", name="办理", process_id=old.process_id, lane=None,
        assignee="wang", claimed_by=None, due_at=DUE, priority=70, created_at=AT,
    )  # fmt: skip


def _offered(task_id: str) -> list[dict[str, str]]:
    return [{"task_id": task_id, "kind": "group", "name": "dept_housing"},
            {"task_id": task_id, "kind": "user", "name": "chen"}]  # fmt: skip


def _read(engine: Engine, old_id: str, new_id: str) -> dict[str, Any]:
    """What the change left: the new row, its candidates and the old task's span."""
    own = {"id", "case_id", "task_id", "opened_at"}  # each case's own (opened: its start)
    row_columns = [c.key for c in HumanTask.__table__.columns if c.key not in own]
    span_columns = [c.key for c in TaskSpan.__table__.columns if c.key not in own]
    with engine.transaction() as service:
        session = service.session
        row = session.get(HumanTask, new_id)
        assert row is not None
        span = session.scalars(select(TaskSpan).where(TaskSpan.task_id == old_id)).one()
        query = select(HumanTaskCandidate.kind, HumanTaskCandidate.name)
        offered = session.execute(query.where(HumanTaskCandidate.task_id == new_id)).all()
        stored = text("SELECT due_at, created_at, priority FROM human_tasks WHERE id = :id")
        return {
            "row": {key: getattr(row, key) for key in row_columns},
            "stored": tuple(session.execute(stored, {"id": new_id}).one()),  # as the SQL sees it
            "offered": sorted(tuple(pair) for pair in offered),
            "span": {key: getattr(span, key) for key in span_columns},
            "old_gone": session.get(HumanTask, old_id) is None,
        }


def test_one_statement__stores_what_separate_statements_store(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    with any_engine.transaction() as service:
        one = service.cases.start("two_step", key="S1").tasks[0].id
        other = service.cases.start("two_step", key="S2").tasks[0].id
    with any_engine.transaction() as service:
        old = service.session.get(HumanTask, one)
        assert old is not None
        new = _new_row(old, "one")
        inbox_sql.write(service.session, {one}, {one}, AT, one, [new], _offered(new.id))
    with any_engine.transaction() as service:
        old = service.session.get(HumanTask, other)
        assert old is not None
        new = _new_row(old, "other")
        close_tasks(service.session, {other}, {other}, AT, other)
        values = {c.key: getattr(new, c.key) for c in HumanTask.__table__.columns}
        repo.add_human_tasks(service.session, [values], _offered(new.id))
    written = _read(any_engine, one, "new-one")
    assert written == _read(any_engine, other, "new-other")
    assert written["old_gone"] and written["span"]["completed"] is True
    assert (written["row"]["due_at"], written["span"]["closed_at"]) == (DUE, AT)
