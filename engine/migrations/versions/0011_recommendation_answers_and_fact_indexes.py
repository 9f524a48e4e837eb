"""answers to recommendations made upward; indexes for the 三率 aggregate over case_facts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('knowledge_entries') as batch:
        batch.add_column(sa.Column('recommended_to', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('answer_text', sa.Text(), nullable=True))
        batch.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('answered_by', sa.String(length=100), nullable=True))
    op.create_index('ix_case_facts_received_at', 'case_facts', ['received_at'])
    op.create_index('ix_case_facts_unit', 'case_facts', ['unit'])
    op.create_index('ix_case_facts_replied_at', 'case_facts', ['replied_at'])
    op.create_index('ix_cases_version_id_seq', 'cases', ['process_version_id', 'id', 'last_seq'])


def downgrade() -> None:
    op.drop_index('ix_cases_version_id_seq', table_name='cases')
    op.drop_index('ix_case_facts_replied_at', table_name='case_facts')
    op.drop_index('ix_case_facts_unit', table_name='case_facts')
    op.drop_index('ix_case_facts_received_at', table_name='case_facts')
    with op.batch_alter_table('knowledge_entries') as batch:
        batch.drop_column('answered_by')
        batch.drop_column('answered_at')
        batch.drop_column('answer_text')
        batch.drop_column('recommended_to')
