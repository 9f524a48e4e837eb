"""organisation as data: closed units, past unit names, the log of admin changes

Revision ID: 0004
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('org_unit_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('org_unit_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_names_unit_code'), ['unit_code'], unique=False)
    op.create_table('org_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('org_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_changes_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('org_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_changes_at'))
    op.drop_table('org_changes')
    with op.batch_alter_table('org_unit_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_names_unit_code'))
    op.drop_table('org_unit_names')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
