"""Search-as-you-type: FTS5 prefix queries on SQLite, ILIKE on PostgreSQL."""

from __future__ import annotations

import json
import re
import weakref
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, literal_column, or_, select, text
from sqlalchemy.orm import Session

from leaddesk.db.models import Lead

FTS_TABLE = "leads_fts"
SEARCHED_COLUMNS = (Lead.first_name, Lead.last_name, Lead.email, Lead.company, Lead.title)
_TOKEN = re.compile(r"\w+", re.UNICODE)
_fts_known: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def search_tokens(search: str) -> list[str]:
    """The words of a search box text (punctuation such as ``@`` and ``.`` separates words)."""
    return _TOKEN.findall(search.casefold())


def fts_match_expression(search: str) -> str:
    """An FTS5 MATCH expression where every word must match the start of a word, in any column.

    ``"jo smi"`` becomes ``"jo"* AND "smi"*``; each word is quoted so FTS syntax typed by the
    user (``OR``, ``-``, ``:``) is searched for as plain text.
    """
    return " AND ".join(f'"{token}"*' for token in search_tokens(search))


def has_search_index(session: Session) -> bool:
    """True when the database has the FTS5 table (SQLite migrated to 0002 or later)."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine not in _fts_known:
        found = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": FTS_TABLE},
        ).first()
        _fts_known[engine] = found is not None
    return _fts_known[engine]


def search_condition(search: str, *, use_index: bool) -> ColumnElement[bool] | None:
    """A WHERE condition on ``leads`` for the search text, or None when it has no words."""
    tokens = search_tokens(search)
    if not tokens:
        return None
    if use_index:
        matching: Any = (
            select(literal_column("rowid"))
            .select_from(text(FTS_TABLE))
            .where(
                text(f"{FTS_TABLE} MATCH :fts_query").bindparams(
                    fts_query=fts_match_expression(search)
                )
            )
        )
        return Lead.id.in_(matching)
    return and_(
        *(
            or_(
                *(
                    column.ilike(f"%{_escape_like(token)}%", escape="\\")
                    for column in SEARCHED_COLUMNS
                )
            )
            for token in tokens
        )
    )


def _escape_like(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_ids(session: Session, search: str) -> set[int]:
    """The ids of the leads the FTS index matches for ``search`` (needs the index)."""
    expression = fts_match_expression(search)
    if not expression:
        return set()
    packed = session.execute(
        text(f"SELECT json_group_array(rowid) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
        {"q": expression},
    ).scalar()
    return set(json.loads(packed or "[]"))


def rebuild_search_index(session: Session) -> None:
    """Re-index every lead from the ``leads`` table (repair after a bulk load without triggers)."""
    if has_search_index(session):
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


def optimize_search_index(session: Session) -> None:
    """Merge the index segments, which also drops the remains of deleted leads' words."""
    if has_search_index(session):
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
