"""inbox_changes: an action's inbox change as one statement on SQLite (issue 9)

PostgreSQL writes the change (gone rows out with their spans kept, new rows and their
candidates in) as one data-modifying WITH (`engine/inbox_sql.py`). SQLite has none, so
it gets a view whose INSTEAD OF INSERT trigger runs the same four statements in order:
one INSERT from the engine, four writes inside the database. Nothing on PostgreSQL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:30:00
"""

from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COLUMNS = ('id', 'case_id', 'process_version_id', 'task_spec', 'name', 'process_id', 'lane',
           'assignee', 'claimed_by', 'due_at', 'priority', 'created_at')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        "CREATE VIEW inbox_changes AS SELECT NULL AS gone, NULL AS closing, NULL AS closed_at, "
        "NULL AS completed, NULL AS rows, NULL AS offered"
    )
    fields = ', '.join(f"json_extract(value, '$.{name}')" for name in COLUMNS)
    op.execute(f"""
        CREATE TRIGGER inbox_changes_apply INSTEAD OF INSERT ON inbox_changes BEGIN
            INSERT INTO task_spans (task_id, case_id, process_version_id, task_spec, opened_at,
                                    due_at, closed_at, completed)
            SELECT id, case_id, process_version_id, task_spec, created_at, due_at,
                   NEW.closed_at, CASE WHEN id = NEW.completed THEN 1 ELSE 0 END
            FROM human_tasks WHERE id IN (SELECT value FROM json_each(NEW.closing));
            DELETE FROM human_tasks WHERE id IN (SELECT value FROM json_each(NEW.gone));
            INSERT INTO human_tasks ({', '.join(COLUMNS)})
            SELECT {fields} FROM json_each(NEW.rows);
            INSERT INTO human_task_candidates (task_id, kind, name)
            SELECT json_extract(value, '$.task_id'), json_extract(value, '$.kind'),
                   json_extract(value, '$.name')
            FROM json_each(NEW.offered);
        END
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute("DROP TRIGGER inbox_changes_apply")
    op.execute("DROP VIEW inbox_changes")
