"""an index on who acted in which case (the case list's "cases I worked on")

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_case_events_actor', 'case_events', ['actor', 'case_id'])


def downgrade() -> None:
    op.drop_index('ix_case_events_actor', table_name='case_events')
