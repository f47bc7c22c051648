"""web_visits: clicks and page views from the user's own web logs; outbound_messages.link_token

Links to the user's own sites in an email carry an opaque token (``ld=…``), stored on the
outbox row (unique, None when the email has no such link). Importing a web server's access
log turns the hits on those links, and the same visitor's further page views, into
``web_visits`` rows tied to the lead (and to the email and step for a click). Added in place:
a new column with a unique index and a new table, no table is rebuilt.

Revision ID: 0014_web_visits
Revises: 0013_owners_and_setting_editors
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leaddesk.db.models.base import UTCDateTime

revision = '0014_web_visits'
down_revision = '0013_owners_and_setting_editors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbound_messages', sa.Column('link_token', sa.String(length=40), nullable=True))
    op.create_index(
        'uq_outbound_messages_link_token', 'outbound_messages', ['link_token'], unique=True
    )
    op.create_table(
        'web_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('outbound_id', sa.Integer(), nullable=True),
        sa.Column('step_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('path', sa.String(length=1000), nullable=False),
        sa.Column('visitor', sa.String(length=64), nullable=False),
        sa.Column('occurred_at', UTCDateTime(), nullable=False),
        sa.Column('machine', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('import_batch_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['import_batch_id'], ['import_batches.id'],
            name=op.f('fk_web_visits_import_batch_id_import_batches'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['lead_id'], ['leads.id'], name=op.f('fk_web_visits_lead_id_leads'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['outbound_id'], ['outbound_messages.id'],
            name=op.f('fk_web_visits_outbound_id_outbound_messages'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['step_id'], ['sequence_steps.id'],
            name=op.f('fk_web_visits_step_id_sequence_steps'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_visits')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_web_visits_fingerprint')),
    )  # fmt: skip
    op.create_index(op.f('ix_web_visits_lead_id'), 'web_visits', ['lead_id'], unique=False)
    op.create_index(op.f('ix_web_visits_outbound_id'), 'web_visits', ['outbound_id'], unique=False)
    op.create_index(
        op.f('ix_web_visits_import_batch_id'), 'web_visits', ['import_batch_id'], unique=False
    )
    op.create_index(
        'ix_web_visits_visitor_time', 'web_visits', ['visitor', 'occurred_at'], unique=False
    )


def downgrade() -> None:
    op.drop_table('web_visits')
    op.drop_index('uq_outbound_messages_link_token', table_name='outbound_messages')
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('link_token')
