"""hand-off to sales: the team's hours, hand-offs, new statuses, internal alerts

- ``team_members`` gains a time zone, working days and hours, and an optional capacity; the
  roles become marketing / sales_rep / sales_manager (``rep`` and ``admin`` are renamed).
- ``handoffs``: one row per qualification episode; a partial unique index allows one that is not
  closed per lead, so two processes can never hand the same lead off twice.
- ``outbound_messages`` gains ``purpose`` (lead or alert), ``alert_key`` (unique: each alert is
  queued once) and ``about_lead_id`` (the table is copied on SQLite to add its foreign key;
  ``leaddesk.db.migrate`` runs migrations with foreign keys off, so no ``ON DELETE`` fires).
- ``sequences`` gains ``on_handoff`` (exit, pause or keep the enrollment on a hand-off).
- The lifecycle statuses handed_off, accepted, opportunity, lost and recycled are plain values
  of ``leads.status`` and need no schema change.

Revision ID: 0004_handoff
Revises: 0003_lighter_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import leaddesk.db.models.base

revision = '0004_handoff'
down_revision = '0003_lighter_indexes'
branch_labels = None
depends_on = None

UTC = leaddesk.db.models.base.UTCDateTime
ROLE_RENAMES = {"rep": "sales_rep", "admin": "sales_manager", "manager": "sales_manager"}


def upgrade() -> None:
    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('trigger_activity_id', sa.Integer(), nullable=True),
    sa.Column('by_member_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('tried', sa.JSON(), nullable=False),
    sa.Column('handed_off_at', UTC(), nullable=False),
    sa.Column('assigned_at', UTC(), nullable=True),
    sa.Column('sla_hours', sa.Double(), nullable=False),
    sa.Column('working_hours', sa.Boolean(), nullable=False),
    sa.Column('sla_due_at', UTC(), nullable=True),
    sa.Column('due_at', UTC(), nullable=True),
    sa.Column('sla_state', sa.String(length=20), nullable=False),
    sa.Column('breached_at', UTC(), nullable=True),
    sa.Column('first_attempt_at', UTC(), nullable=True),
    sa.Column('escalate_at', UTC(), nullable=True),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', UTC(), nullable=True),
    sa.Column('closed_at', UTC(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('outcome_reason', sa.Text(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['by_member_id'], ['team_members.id'], name=op.f('fk_handoffs_by_member_id_team_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_handoffs_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['team_members.id'], name=op.f('fk_handoffs_owner_id_team_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_handoffs_task_id_tasks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trigger_activity_id'], ['activities.id'], name=op.f('fk_handoffs_trigger_activity_id_activities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    op.create_index(op.f('ix_handoffs_escalate_at'), 'handoffs', ['escalate_at'], unique=False)
    op.create_index(op.f('ix_handoffs_lead_id'), 'handoffs', ['lead_id'], unique=False)
    op.create_index('ix_handoffs_owner_state', 'handoffs', ['owner_id', 'state'], unique=False)
    op.create_index('ix_handoffs_owner_assigned', 'handoffs', ['owner_id', 'assigned_at'], unique=False)
    op.create_index('ix_handoffs_sla', 'handoffs', ['sla_state', 'sla_due_at'], unique=False)
    op.create_index('uq_handoffs_one_open', 'handoffs', ['lead_id'], unique=True, sqlite_where=sa.text("state != 'closed'"), postgresql_where=sa.text("state != 'closed'"))

    op.add_column('outbound_messages', sa.Column('purpose', sa.String(length=10), nullable=False, server_default='lead'))
    op.add_column('outbound_messages', sa.Column('alert_key', sa.String(length=200), nullable=True))
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_lead_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbound_messages_about_lead_id_leads'), 'leads', ['about_lead_id'], ['id'], ondelete='CASCADE')
    op.create_index(op.f('ix_outbound_messages_about_lead_id'), 'outbound_messages', ['about_lead_id'], unique=False)
    op.create_index('uq_outbound_messages_alert_key', 'outbound_messages', ['alert_key'], unique=True)

    op.add_column('sequences', sa.Column('on_handoff', sa.String(length=10), nullable=False, server_default='exit'))

    op.add_column('team_members', sa.Column('timezone', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('team_members', sa.Column('work_days', sa.String(length=40), nullable=False, server_default='mon,tue,wed,thu,fri'))
    op.add_column('team_members', sa.Column('work_start', sa.String(length=5), nullable=False, server_default='09:00'))
    op.add_column('team_members', sa.Column('work_end', sa.String(length=5), nullable=False, server_default='17:00'))
    op.add_column('team_members', sa.Column('capacity', sa.Integer(), nullable=True))
    members = sa.table('team_members', sa.column('role', sa.String()))
    for old, new in ROLE_RENAMES.items():
        op.execute(members.update().where(members.c.role == old).values(role=new))


def downgrade() -> None:
    members = sa.table('team_members', sa.column('role', sa.String()))
    op.execute(members.update().where(members.c.role == 'sales_rep').values(role='rep'))
    op.execute(members.update().where(members.c.role == 'sales_manager').values(role='admin'))
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_column('capacity')
        batch_op.drop_column('work_end')
        batch_op.drop_column('work_start')
        batch_op.drop_column('work_days')
        batch_op.drop_column('timezone')
    with op.batch_alter_table('sequences', schema=None) as batch_op:
        batch_op.drop_column('on_handoff')
    op.drop_index('uq_outbound_messages_alert_key', table_name='outbound_messages')
    op.drop_index(op.f('ix_outbound_messages_about_lead_id'), table_name='outbound_messages')
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbound_messages_about_lead_id_leads'), type_='foreignkey')
        batch_op.drop_column('about_lead_id')
        batch_op.drop_column('alert_key')
        batch_op.drop_column('purpose')
    op.drop_table('handoffs')
