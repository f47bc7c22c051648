"""sequence_updated_by: sequences.updated_by, who saved a sequence last

The sequence editor's save is a compare-and-set on ``updated_at``: a save that lost the race
with another person's says who changed the sequence and when. Added in place.

Revision ID: 0012_sequence_updated_by
Revises: 0011_unique_sequence_tasks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_sequence_updated_by'
down_revision = '0011_unique_sequence_tasks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'sequences',
        sa.Column('updated_by', sa.String(length=200), nullable=False, server_default=''),
    )


def downgrade() -> None:
    with op.batch_alter_table('sequences', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
