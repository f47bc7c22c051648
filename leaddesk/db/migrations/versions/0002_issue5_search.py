"""inbox search index and filter indexes (issue 5)

Composite (filter, score) indexes on ``leads`` so that a filtered inbox sorted by score is
read straight from an index.

Search-as-you-type over name, email, company and title. On SQLite an FTS5 external-content
table ``leads_fts`` mirrors those ``leads`` columns and three triggers keep it in step with every
insert, update and delete. PostgreSQL gets nothing here: the inbox falls back to ILIKE there.

The FTS table and its shadow tables are deliberately NOT in ``Base.metadata`` (they are not
ordinary tables and must never be created on PostgreSQL); the ORM/migration drift test ignores
tables whose names start with ``leads_fts``.

NOTE for later migrations: a ``batch_alter_table("leads")`` on SQLite recreates the table and
drops these triggers. Such a migration must re-run :func:`create_search_index` afterwards.

Revision ID: 0002_issue5
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002_issue5"
down_revision = "0001"
branch_labels = None
depends_on = None

SEARCHED = "first_name, last_name, email, company, title"
OLD_VALUES = "old.first_name, old.last_name, old.email, old.company, old.title"
NEW_VALUES = "new.first_name, new.last_name, new.email, new.company, new.title"

CREATE_STATEMENTS = (
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS leads_fts USING fts5(
        {SEARCHED}, content='leads', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
    f"""CREATE TRIGGER IF NOT EXISTS leads_fts_after_insert AFTER INSERT ON leads BEGIN
        INSERT INTO leads_fts(rowid, {SEARCHED}) VALUES (new.id, {NEW_VALUES});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS leads_fts_after_delete AFTER DELETE ON leads BEGIN
        INSERT INTO leads_fts(leads_fts, rowid, {SEARCHED})
        VALUES ('delete', old.id, {OLD_VALUES});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS leads_fts_after_update
        AFTER UPDATE OF {SEARCHED} ON leads BEGIN
        INSERT INTO leads_fts(leads_fts, rowid, {SEARCHED})
        VALUES ('delete', old.id, {OLD_VALUES});
        INSERT INTO leads_fts(rowid, {SEARCHED}) VALUES (new.id, {NEW_VALUES});
    END""",
    "INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')",
)
DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS leads_fts_after_update",
    "DROP TRIGGER IF EXISTS leads_fts_after_delete",
    "DROP TRIGGER IF EXISTS leads_fts_after_insert",
    "DROP TABLE IF EXISTS leads_fts",
)


def create_search_index() -> None:
    """Create (or repair) the FTS5 table and its triggers, then index every existing lead."""
    for statement in CREATE_STATEMENTS:
        op.execute(statement)


FILTER_SORT_INDEXES = {
    "ix_leads_status_score": ["status", "score"],
    "ix_leads_band_score": ["score_band", "score"],
    "ix_leads_owner_score": ["owner_id", "score"],
    "ix_leads_source_score": ["source", "score"],
}


def upgrade() -> None:
    for name, columns in FILTER_SORT_INDEXES.items():
        op.create_index(name, "leads", columns, unique=False)
    if op.get_bind().dialect.name == "sqlite":
        create_search_index()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_STATEMENTS:
            op.execute(statement)
    for name in FILTER_SORT_INDEXES:
        op.drop_index(name, table_name="leads")
