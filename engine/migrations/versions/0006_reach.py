"""reach: duplicate links, 一键直达 codes and reports, Open311 clients and requests

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('other_case_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['other_case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'other_case_id')
    )
    op.create_index(op.f('ix_case_links_case_id'), 'case_links', ['case_id'], unique=False)
    op.create_index(op.f('ix_case_links_other_case_id'), 'case_links', ['other_case_id'], unique=False)
    op.create_table('direct_codes',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('target_url', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('token')
    )
    op.create_table('direct_reports',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code_token', sa.String(length=32), nullable=True),
    sa.Column('accused_unit', sa.String(length=50), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['code_token'], ['direct_codes.token'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index(op.f('ix_direct_reports_accused_unit'), 'direct_reports', ['accused_unit'], unique=False)
    op.create_index(op.f('ix_direct_reports_code_token'), 'direct_reports', ['code_token'], unique=False)
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash'),
    sa.UniqueConstraint('name')
    )
    op.create_table('open311_requests',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index(op.f('ix_open311_requests_client_id'), 'open311_requests', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_open311_requests_client_id'), table_name='open311_requests')
    op.drop_table('open311_requests')
    op.drop_table('api_clients')
    op.drop_index(op.f('ix_direct_reports_code_token'), table_name='direct_reports')
    op.drop_index(op.f('ix_direct_reports_accused_unit'), table_name='direct_reports')
    op.drop_table('direct_reports')
    op.drop_table('direct_codes')
    op.drop_index(op.f('ix_case_links_other_case_id'), table_name='case_links')
    op.drop_index(op.f('ix_case_links_case_id'), table_name='case_links')
    op.drop_table('case_links')
