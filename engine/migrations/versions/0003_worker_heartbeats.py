"""worker heartbeats (read by /readyz)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('interval_seconds', sa.Float(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('worker_heartbeats')
