"""outbox_handed_at: outbound_messages.handed_at, when a message's DATA began

A sender that dies leaves its claimed rows ``sending``. With this moment recorded (durably,
just before the DATA command), the next sender knows which of them may have reached the
server (``handed_at`` set, no ``sent_at``: unknown) and which never did (back to scheduled),
so a crash leaves at most one message per connection in doubt. Added in place (nullable).

Revision ID: 0008_outbox_handed_at
Revises: 0007_lead_state_website
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import leaddesk.db.models.base

revision = '0008_outbox_handed_at'
down_revision = '0007_lead_state_website'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbound_messages', sa.Column('handed_at', leaddesk.db.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('handed_at')
