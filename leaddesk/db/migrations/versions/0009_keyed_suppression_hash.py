"""keyed_suppression_hash: suppressions hashed with a per-database secret, by mailbox

A plain SHA-256 of an address lets anyone holding a list of addresses test the database for a
forgotten person. From here on a suppression's hash is an HMAC-SHA256, keyed by a secret created
once here and kept in ``app_settings`` (so every copy of the app on a team database shares it),
of the address's *mailbox* (``+tags`` dropped; Gmail's dots too): forgetting
``person@example.com`` also keeps out ``person+promo@example.com``.

Rows whose address is kept are re-hashed; two rows that now name one mailbox become one (the
oldest stays). Rows of forgotten people keep their old hash (nothing else is left to re-hash
from), which the app still matches.

Revision ID: 0009_keyed_suppression_hash
Revises: 0008_outbox_handed_at
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from leaddesk.leads.emails import email_hash

revision = '0009_keyed_suppression_hash'
down_revision = '0008_outbox_handed_at'
branch_labels = None
depends_on = None

SECRET_SETTING = 'suppression_secret'


def upgrade() -> None:
    connection = op.get_bind()
    settings = sa.table(
        'app_settings',
        sa.column('key'),
        sa.column('value', sa.JSON()),
        sa.column('updated_at', sa.DateTime()),
    )
    existing = connection.execute(
        sa.select(settings.c.value).where(settings.c.key == SECRET_SETTING)
    ).scalar()
    if existing is None:
        secret = secrets.token_hex(32)
        connection.execute(
            settings.insert().values(
                key=SECRET_SETTING,
                value={'value': secret},
                updated_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    else:
        secret = existing['value']
    table = sa.table(
        'suppressions', sa.column('id'), sa.column('email_key'), sa.column('email_hash')
    )
    rows = connection.execute(
        sa.select(table.c.id, table.c.email_key).where(table.c.email_key.is_not(None))
        .order_by(table.c.id)
    ).all()
    seen: dict[str, int] = {}
    drop: list[int] = []
    for row_id, key in rows:
        digest = email_hash(key, bytes.fromhex(secret))
        if digest in seen:
            drop.append(row_id)
        else:
            seen[digest] = row_id
    if drop:
        connection.execute(table.delete().where(table.c.id.in_(drop)))
    # Two steps, so no new hash collides with an old one on the unique index mid-way.
    for digest, row_id in seen.items():
        connection.execute(
            table.update().where(table.c.id == row_id).values(email_hash='~' + digest[:63])
        )
    for digest, row_id in seen.items():
        connection.execute(table.update().where(table.c.id == row_id).values(email_hash=digest))


def downgrade() -> None:
    import hashlib

    connection = op.get_bind()
    table = sa.table(
        'suppressions', sa.column('id'), sa.column('email_key'), sa.column('email_hash')
    )
    rows = connection.execute(
        sa.select(table.c.id, table.c.email_key).where(table.c.email_key.is_not(None))
    ).all()
    for row_id, key in rows:
        digest = hashlib.sha256(key.encode('utf-8')).hexdigest()
        connection.execute(table.update().where(table.c.id == row_id).values(email_hash=digest))
    settings = sa.table('app_settings', sa.column('key'))
    connection.execute(settings.delete().where(settings.c.key == SECRET_SETTING))
