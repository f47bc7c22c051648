"""What schema comparisons (autogenerate, the drift test) leave out."""

from __future__ import annotations


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Leave the inbox's SQL-only FTS5 search table and its shadow tables out of comparisons."""
    return not (type_ == "table" and (name or "").startswith("leads_fts"))
