"""staff_revision: a number that changes with every change to the staff (issue 9)

The write path used to read every active staff member with their preferences on each
action that offered a task, to find whom to notify. Workers now keep the staff in memory
(`engine/notifying/directory.py`) and re-read it only when this number moved; triggers
keep it moving, whichever way `users` or `notify_preferences` change.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('users', 'notify_preferences')


def upgrade() -> None:
    op.create_table('staff_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO staff_revision (id, n) VALUES (1, 1)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION bump_staff_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE staff_revision SET n = floor(random() * 9e15)::bigint + 2; "
            "RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_staff_revision AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_staff_revision()"
            )
        return
    for table in TABLES:
        for change in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER {table}_staff_revision_{change.lower()} AFTER {change} "
                f"ON {table} BEGIN UPDATE staff_revision SET n = abs(random() % 9000000000000000) + 2; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_staff_revision ON {table}")
        op.execute("DROP FUNCTION bump_staff_revision()")
    else:
        for table in TABLES:
            for change in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_staff_revision_{change}")
    op.drop_table('staff_revision')
