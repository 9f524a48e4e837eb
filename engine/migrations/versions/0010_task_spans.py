"""task spans: closed human tasks with their opened, due and closed instants (SLA heatmap)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('task_spans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('task_spec', sa.String(length=255), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_task_spans_case_id', 'task_spans', ['case_id'])
    op.create_index('ix_task_spans_version_opened', 'task_spans',
                    ['process_version_id', 'opened_at'])


def downgrade() -> None:
    op.drop_index('ix_task_spans_version_opened', table_name='task_spans')
    op.drop_index('ix_task_spans_case_id', table_name='task_spans')
    op.drop_table('task_spans')
