"""The lead inbox core (Qt-free): what the Inbox page, ``leaddesk leads/export/forget`` use.

- :mod:`query` — :class:`InboxQuery` (search, filters, sort) → ordered lead ids, in SQL.
- :mod:`paging` — a count and windows of those ids (what the table reads at 1M leads).
- :mod:`search` — FTS5 prefix search on SQLite (``leads_fts``, migration 0002), ILIKE elsewhere.
- :mod:`rows` — :class:`LeadRow` for a block of ids (what one screen of the table paints).
- :mod:`profile` — add a lead by hand, edit a profile (validated; recorded via the event door).
- :mod:`bulk` — owner, status, tags and delete on a selection.
- :mod:`forget` — erase a person everywhere, keep only the hash on the suppression list.
- :mod:`merge` — fold a duplicate lead into a survivor.
- :mod:`export` — CSV/XLSX with formula-injection escaping.
- :mod:`views` — saved views; :mod:`timeline` — timeline, quick log, tasks, detail data.
"""

from leaddesk.inbox.query import InboxQuery, SequenceFilter, SortField, query_lead_ids
from leaddesk.inbox.rows import LeadRow, fetch_rows

__all__ = [
    "InboxQuery",
    "LeadRow",
    "SequenceFilter",
    "SortField",
    "fetch_rows",
    "query_lead_ids",
]
