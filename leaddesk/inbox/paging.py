"""The inbox read a window at a time: a count, and the ids of rows ``offset`` to ``offset + n``.

At 1,000,000 leads fetching every id of a query up front costs 0.3 s (and 2.6 s for an order
no index gives); a window of 100 rows read in index order costs a millisecond, so the table
asks for the count and the windows it paints. :class:`PagingCache` (owned by the page, cleared
when the data changes) keeps what costs more than a window: the counts by filter (a new sort
does not change them) and, for a search, the FTS match set and the matching ids found so far
while walking the search-less order — a one-letter search matches half the inbox, and finding
its first 100 rows in that order takes a few hundred ids, where SQLite's ``IN (MATCH …)``
joins and re-sorts the whole half.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Lead
from leaddesk.inbox.query import (
    InboxQuery,
    SortField,
    count_leads,
    filter_conditions,
    is_sqlite,
    lead_ids_statement,
    ordered_ids,
)
from leaddesk.inbox.search import has_search_index, matching_ids, search_tokens

FIRST_SCAN = 2_000  # ids of the search-less order read at first; doubled up to MAX_SCAN
MAX_SCAN = 200_000


@dataclass
class _SearchScan:
    """The matches of one search, in display order, as far as the walk has got."""

    matches: set[int]
    found: list[int] = field(default_factory=list)
    scanned: int = 0
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class PagingCache:
    """Counts and search walks reused between windows of the same data (thread-safe)."""

    counts: dict[InboxQuery, int] = field(default_factory=dict)
    scans: dict[InboxQuery, _SearchScan] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forget everything (the data changed)."""
        with self.lock:
            self.counts.clear()
            self.scans.clear()


def _filters_only(query: InboxQuery) -> InboxQuery:
    """The query without its order: what the count depends on."""
    return query.with_changes(sort=SortField.SCORE, descending=True)


def _indexed_search(session: Session, query: InboxQuery) -> bool:
    return bool(search_tokens(query.search)) and has_search_index(session)


def _scan(session: Session, query: InboxQuery, cache: PagingCache) -> _SearchScan:
    with cache.lock:
        scan = cache.scans.get(query)
    if scan is None:
        scan = _SearchScan(matching_ids(session, query.search))
        with cache.lock:
            scan = cache.scans.setdefault(query, scan)
            if len(cache.scans) > 8:  # keep the last few searches (each holds a set of ids)
                del cache.scans[next(iter(cache.scans))]
    return scan


def count_matching(
    session: Session, query: InboxQuery, *, now: datetime, cache: PagingCache
) -> int:
    """How many leads ``query`` lists (cached by its filters: a new sort reuses it)."""
    key = _filters_only(query)
    with cache.lock:
        known = cache.counts.get(key)
    if known is not None:
        return known
    if _indexed_search(session, query):
        matches = _scan(session, query, cache).matches
        base = query.with_changes(search="")
        if base == InboxQuery(sort=base.sort, descending=base.descending):
            total = len(matches)
        else:
            conditions = filter_conditions(base, now=now, use_index=True)
            unordered = select(Lead.id).where(and_(*conditions))
            total = sum(1 for lead_id in ordered_ids(session, unordered) if lead_id in matches)
    else:
        total = count_leads(session, query, now=now)
    with cache.lock:
        cache.counts[key] = total
    return total


def window_ids(
    session: Session,
    query: InboxQuery,
    *,
    now: datetime,
    offset: int,
    limit: int,
    total: int,
    cache: PagingCache,
) -> list[int]:
    """The ids of rows ``offset`` .. ``offset + limit`` of ``query`` (``total`` rows in all).

    A window in the second half is read backwards from the end (the exact reverse order), so
    no window skips more than half of the rows.
    """
    if limit <= 0 or offset >= total:
        return []
    if _indexed_search(session, query):
        return _search_window(session, query, now=now, stop=offset + limit, cache=cache)[offset:]
    nocase = is_sqlite(session)
    use_index = has_search_index(session)
    stop = min(offset + limit, total)
    if offset > total - stop:
        statement = lead_ids_statement(
            query,
            now=now,
            use_index=use_index,
            limit=stop - offset,
            offset=total - stop,
            nocase=nocase,
            reverse=True,
        )
        return list(reversed(session.execute(statement).scalars().all()))
    statement = lead_ids_statement(
        query, now=now, use_index=use_index, limit=limit, offset=offset, nocase=nocase
    )
    return list(session.execute(statement).scalars().all())


def _search_window(
    session: Session, query: InboxQuery, *, now: datetime, stop: int, cache: PagingCache
) -> list[int]:
    """The first ``stop`` matches in display order, walking the search-less order as needed."""
    scan = _scan(session, query, cache)
    base = query.with_changes(search="")
    nocase = is_sqlite(session)
    with scan.lock:
        size = FIRST_SCAN
        while len(scan.found) < stop and not scan.done:
            statement = lead_ids_statement(
                base, now=now, limit=size, offset=scan.scanned, nocase=nocase
            )
            chunk = ordered_ids(session, statement)
            matches = scan.matches
            scan.found.extend(lead_id for lead_id in chunk if lead_id in matches)
            scan.scanned += len(chunk)
            scan.done = len(chunk) < size
            size = min(size * 2, MAX_SCAN)
        return scan.found[:stop]


def all_ids(session: Session, query: InboxQuery, *, now: datetime, cache: PagingCache) -> list[int]:
    """Every id ``query`` lists, in display order (for a selection or "all matching")."""
    if _indexed_search(session, query):
        return _search_window(session, query, now=now, stop=2**62, cache=cache)
    statement = lead_ids_statement(
        query, now=now, use_index=has_search_index(session), nocase=is_sqlite(session)
    )
    return ordered_ids(session, statement)


def positions(
    session: Session,
    query: InboxQuery,
    lead_ids: set[int],
    *,
    now: datetime,
    cache: PagingCache,
) -> tuple[dict[int, int], list[int]]:
    """Where each of ``lead_ids`` is listed now (to select them again), and every id listed."""
    listed = all_ids(session, query, now=now, cache=cache)
    return {lead: row for row, lead in enumerate(listed) if lead in lead_ids}, listed
