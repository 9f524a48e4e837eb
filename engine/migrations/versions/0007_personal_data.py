"""personal data outside the hashed history, the access log, request ids on events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('personal_values',
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('case_key', sa.String(length=100), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('salt', sa.String(length=64), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('commitment')
    )
    op.create_index('ix_personal_values_case_key', 'personal_values', ['case_key'])
    op.create_table('personal_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('case_key', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_personal_access_at', 'personal_access', ['at'])
    op.create_index('ix_personal_access_username', 'personal_access', ['username'])
    op.create_index('ix_personal_access_case_key', 'personal_access', ['case_key'])
    with op.batch_alter_table('case_events') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_events') as batch:
        batch.drop_column('request_id')
    op.drop_table('personal_access')
    op.drop_table('personal_values')
