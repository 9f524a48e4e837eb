"""the case row's head is the chain checkpoint: drop chain_checkpoints (issue 9)

Every action wrote the same (seq, head hash) to `cases` and to `chain_checkpoints`; the
audit already took the further of the two. Truncation is now checked against the case row
alone, and exported heads (`audit export` / `verify --heads`) catch a rewound row.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('chain_checkpoints')


def downgrade() -> None:
    op.create_table('chain_checkpoints',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.execute(
        "INSERT INTO chain_checkpoints (case_id, seq, head_hash) "
        "SELECT id, last_seq, head_hash FROM cases WHERE last_seq > 0"
    )
