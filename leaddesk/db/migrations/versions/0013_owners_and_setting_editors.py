"""owners_and_setting_editors: sender_accounts.member_id, app_settings.updated_by

A sending account (with its limits and mailbox) can belong to one team member: only that
member's copy of LeadDesk sends from it and reads its mailbox; an account without an owner
is the team's, sent by any copy. Settings forms save with a compare-and-set, and a save that
lost the race names who saved last (``updated_by``). Added in place.

Revision ID: 0013_owners_and_setting_editors
Revises: 0012_sequence_updated_by
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_owners_and_setting_editors'
down_revision = '0012_sequence_updated_by'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'app_settings',
        sa.Column('updated_by', sa.String(length=200), nullable=False, server_default=''),
    )
    with op.batch_alter_table('sender_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_sender_accounts_member_id_team_members'),
            'team_members',
            ['member_id'],
            ['id'],
            ondelete='SET NULL',
        )
    op.create_index(
        op.f('ix_sender_accounts_member_id'), 'sender_accounts', ['member_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_sender_accounts_member_id'), table_name='sender_accounts')
    with op.batch_alter_table('sender_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_sender_accounts_member_id_team_members'), type_='foreignkey'
        )
        batch_op.drop_column('member_id')
    with op.batch_alter_table('app_settings', schema=None) as batch_op:
        batch_op.drop_column('updated_by')
