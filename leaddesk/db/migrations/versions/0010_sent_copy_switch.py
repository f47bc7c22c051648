"""sent_copy_switch: sender_accounts.append_to_sent, file a copy of each sent email in Sent

On by default: with a mailbox set up and a provider that does not file SMTP submissions itself,
the sender appends each accepted message to the Sent folder, as mail clients do.

Revision ID: 0010_sent_copy_switch
Revises: 0009_keyed_suppression_hash
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_sent_copy_switch'
down_revision = '0009_keyed_suppression_hash'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'sender_accounts',
        sa.Column('append_to_sent', sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table('sender_accounts', schema=None) as batch_op:
        batch_op.drop_column('append_to_sent')
