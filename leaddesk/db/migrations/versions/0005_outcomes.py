"""outcomes: deals won and lost, recycle plans, and a lead's reason, engagement reset and
re-engagement dates

- ``deals``: amount (whole cents), currency, expected close, won/lost with the reason; a partial
  unique index allows one open deal per lead.
- ``recycle_plans``: when a handed-back or lost lead returns to nurture and into which sequence;
  one pending plan per lead.
- ``leads`` gains ``status_reason`` ("bad timing", "unresponsive"…), ``engagement_since``
  (engagement before it no longer counts), ``reengaged_at`` and ``unresponsive_until``. They are
  added in place (``ALTER TABLE … ADD COLUMN``): copying ``leads`` would drop the triggers that
  keep its search index current.

Revision ID: 0005_outcomes
Revises: 0004_handoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import leaddesk.db.models.base

revision = '0005_outcomes'
down_revision = '0004_handoff'
branch_labels = None
depends_on = None
LEAD_DATES = ('engagement_since', 'reengaged_at', 'unresponsive_until')


def upgrade() -> None:
    op.create_table('recycle_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('sequence_id', sa.Integer(), nullable=True),
    sa.Column('due_at', leaddesk.db.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', leaddesk.db.models.base.UTCDateTime(), nullable=False),
    sa.Column('done_at', leaddesk.db.models.base.UTCDateTime(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_recycle_plans_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sequence_id'], ['sequences.id'], name=op.f('fk_recycle_plans_sequence_id_sequences'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycle_plans'))
    )
    with op.batch_alter_table('recycle_plans', schema=None) as batch_op:
        batch_op.create_index('ix_recycle_plans_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recycle_plans_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index('uq_recycle_plans_one_pending', ['lead_id'], unique=True, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('opened_at', leaddesk.db.models.base.UTCDateTime(), nullable=False),
    sa.Column('closed_at', leaddesk.db.models.base.UTCDateTime(), nullable=True),
    sa.Column('won_on', sa.Date(), nullable=True),
    sa.Column('lost_reason', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', leaddesk.db.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', leaddesk.db.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_member_id'], ['team_members.id'], name=op.f('fk_deals_by_member_id_team_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handoff_id'], ['handoffs.id'], name=op.f('fk_deals_handoff_id_handoffs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_deals_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index('ix_deals_state_closed', ['state', 'closed_at'], unique=False)
        batch_op.create_index('uq_deals_one_open', ['lead_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.add_column('leads', sa.Column('status_reason', sa.String(length=200), nullable=False, server_default=''))
    for name in LEAD_DATES:
        op.add_column('leads', sa.Column(name, leaddesk.db.models.base.UTCDateTime(), nullable=True))



def downgrade() -> None:
    for name in (*LEAD_DATES, 'status_reason'):
        if op.get_bind().dialect.name == 'sqlite':  # in place (SQLite 3.35+), keeping triggers
            op.execute(f'ALTER TABLE leads DROP COLUMN {name}')
        else:
            op.drop_column('leads', name)

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('uq_deals_one_open', sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_index('ix_deals_state_closed')
        batch_op.drop_index(batch_op.f('ix_deals_lead_id'))

    op.drop_table('deals')
    with op.batch_alter_table('recycle_plans', schema=None) as batch_op:
        batch_op.drop_index('uq_recycle_plans_one_pending', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_recycle_plans_lead_id'))
        batch_op.drop_index('ix_recycle_plans_due')

    op.drop_table('recycle_plans')
