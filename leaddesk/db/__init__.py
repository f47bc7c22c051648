"""Database access: engine set-up, typed ORM models and migrations."""

from leaddesk.db.engine import Database, resolve_database_url

__all__ = ["Database", "resolve_database_url"]
