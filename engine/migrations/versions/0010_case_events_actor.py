"""an index on who acted in which case (the case list's "cases I worked on")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:00:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_case_events_actor', 'case_events', ['actor', 'case_id'])


def downgrade() -> None:
    op.drop_index('ix_case_events_actor', table_name='case_events')
