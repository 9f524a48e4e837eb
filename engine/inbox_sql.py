"""An action's whole inbox change as one statement, on either database.

The gone rows are deleted (their candidates cascade) and those that really left keep a
span (`task_spans`); the new rows and their candidates are inserted. As separate
statements that is four (the spans' INSERT … SELECT, the DELETE, two INSERTs); here it
is one round trip into the database, whose own SQL does the four:
- PostgreSQL: four data-modifying parts of one `WITH`. Its parts share one snapshot and
  run in no set order, so a change that deletes and re-inserts the same task id (a case
  migration re-adding a task) must not come here: `applies` says whether one does.
- SQLite, which has no data-modifying `WITH`: one INSERT into the `inbox_changes` view,
  whose INSTEAD OF trigger (migration 0015) runs the four in order.
The rows travel as JSON parameters, so the statement text never changes and SQLAlchemy
compiles it once per process.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from .models import HumanTask
from .tables_base import UtcDateTime

_ROW_KEYS = tuple(column.key for column in HumanTask.__table__.columns)

_POSTGRESQL = text("""
WITH gone AS (
    DELETE FROM human_tasks WHERE id = ANY(CAST(:gone AS varchar[]))
    RETURNING id, case_id, process_version_id, task_spec, created_at, due_at
), spans AS (
    INSERT INTO task_spans (task_id, case_id, process_version_id, task_spec, opened_at,
                            due_at, closed_at, completed)
    SELECT id, case_id, process_version_id, task_spec, created_at, due_at,
           CAST(:at AS timestamptz), COALESCE(id = CAST(:completed AS varchar), false)
    FROM gone WHERE id = ANY(CAST(:closing AS varchar[]))
), added AS (
    INSERT INTO human_tasks
    SELECT * FROM json_populate_recordset(NULL::human_tasks, CAST(:rows AS json))
)
INSERT INTO human_task_candidates (task_id, kind, name)
SELECT task_id, kind, name
FROM json_populate_recordset(NULL::human_task_candidates, CAST(:offered AS json))
""")

_SQLITE = text(
    "INSERT INTO inbox_changes (gone, closing, closed_at, completed, rows, offered) "
    "VALUES (:gone, :closing, :at, :completed, :rows, :offered)"
)


def applies(session: Session, gone: set[str], rows: list[HumanTask]) -> bool:
    """Whether this change can be the one statement (on PostgreSQL: no id both gone and new)."""
    if session.get_bind().dialect.name == "sqlite":
        return True
    return not gone.intersection(row.id for row in rows)


def write(
    session: Session, gone: set[str], closing: set[str], at: datetime | None,
    completed: str | None, rows: list[HumanTask], offered: list[dict[str, str]],
) -> None:  # fmt: skip
    """Delete `gone` (a span closed at `at` for each of `closing`), insert `rows` and
    `offered` (each `{"task_id", "kind", "name"}`)."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        instant: Any = at
        plain = [_plain(row, lambda value: value.isoformat()) for row in rows]
        ids: Any = sorted(gone)
        kept: Any = sorted(closing & gone)
        statement = _POSTGRESQL
    else:  # SQLite: text as SQLAlchemy itself stores an instant there, ids as JSON arrays
        stored = _sqlite_instant(dialect)
        instant = stored(at) if at is not None else None
        plain = [_plain(row, stored) for row in rows]
        ids, kept = json.dumps(sorted(gone)), json.dumps(sorted(closing & gone))
        statement = _SQLITE
    session.execute(statement, {
        "gone": ids, "closing": kept, "at": instant, "completed": completed,
        "rows": json.dumps(plain), "offered": json.dumps(offered),
    })  # fmt: skip


@functools.cache
def _sqlite_instant(dialect: Any) -> Any:
    """How SQLAlchemy writes an instant into a SQLite column (`UtcDateTime`), as a function."""
    return UtcDateTime().dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


def _plain(row: HumanTask, instant: Any) -> dict[str, Any]:
    """A row as JSON values, its instants as `instant` writes them."""
    values = {key: getattr(row, key) for key in _ROW_KEYS}
    return {k: instant(v) if isinstance(v, datetime) else v for k, v in values.items()}
