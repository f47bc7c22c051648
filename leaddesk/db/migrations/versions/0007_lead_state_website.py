"""lead_state_website: leads.state (state, province or region) and leads.website

Common CRM exports (HubSpot, Salesforce, Pipedrive, Zoho, LinkedIn Lead Gen, Eventbrite, Zoom)
carry both; they used to land in custom fields, where no filter or fit rule could use them.
Added in place with an empty default, so the upgrade does not rewrite the table.

Revision ID: 0007_lead_state_website
Revises: 0006_activity_kind_lead
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_lead_state_website'
down_revision = '0006_activity_kind_lead'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('leads', sa.Column('state', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('leads', sa.Column('website', sa.String(length=500), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('website')
        batch_op.drop_column('state')
