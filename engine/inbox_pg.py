"""An action's whole inbox change as one PostgreSQL statement.

The gone rows are deleted (their candidates cascade) and keep a span (`task_spans`), the
new rows and their candidates are inserted: four data-modifying parts of one `WITH`, so
the write path pays one round trip instead of three. The new rows travel as one JSON
parameter each (`json_populate_recordset` over the table's own row type), so the
statement text never changes and SQLAlchemy compiles it once per process.

The parts of one statement run against one snapshot in no set order, so a change that
deletes and re-inserts the same task id (a case migration re-adding a task) must not
come here: `applies` says whether one does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from .models import HumanTask

_ROW_KEYS = tuple(column.key for column in HumanTask.__table__.columns)

_CHANGE = text("""
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


def applies(session: Session, gone: set[str], rows: list[HumanTask]) -> bool:
    """Whether this change can be the one statement: PostgreSQL, and no id both gone and new."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return not gone.intersection(row.id for row in rows)


def write(
    session: Session, gone: set[str], closing: set[str], at: datetime, completed: str | None,
    rows: list[HumanTask], offered: list[dict[str, str]],
) -> None:  # fmt: skip
    """Delete `gone` (a span for each of `closing`), insert `rows` and `offered`."""
    session.execute(_CHANGE, {
        "gone": sorted(gone), "closing": sorted(closing & gone), "at": at,
        "completed": completed,
        "rows": json.dumps([_plain(row) for row in rows]), "offered": json.dumps(offered),
    })  # fmt: skip


def _plain(row: HumanTask) -> dict[str, Any]:
    """A row as JSON values (instants in ISO 8601 with their offset)."""
    values = {key: getattr(row, key) for key in _ROW_KEYS}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
