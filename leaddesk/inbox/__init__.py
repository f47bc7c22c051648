"""The lead inbox core (Qt-free): query, rows, search, edits, bulk actions, export, forget."""

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
