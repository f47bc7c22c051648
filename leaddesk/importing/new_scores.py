"""Scores for the new leads of an import batch, computed a chunk at a time before they are stored.

Every fit rule tests one field; for a chunk of new leads each such field is one column of
texts: a column of the rows being written, a value the whole batch shares (source, status), or
one derived from the record (email domain, tags, a custom field). The columns go to
:meth:`~leaddesk.scoring.fresh.NewLeadScorer.by_fit_columns`, which gives exactly the score a
re-score would store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from leaddesk.db.models import EmailState, Lead, LifecycleStatus
from leaddesk.importing.fold import Record
from leaddesk.importing.mapping import LEAD_FIELDS
from leaddesk.scoring.compute import ActivityFact, ScoreResult, field_text
from leaddesk.scoring.fresh import NewLeadScorer

# The order of a row's field values: the lead table's own column order, so the insert's
# parameters go to the driver as they are built (no per-row reordering in BulkInsert).
_TABLE_ORDER = [column.key for column in Lead.__table__.columns]
STORED_FIELDS = tuple(sorted(LEAD_FIELDS[1:], key=_TABLE_ORDER.index))


class BatchScorer:
    """``score(records, values)``: the scores of a chunk of new leads as they will be stored."""

    def __init__(
        self,
        scorer: NewLeadScorer,
        *,
        source: str,
        started: Sequence[ActivityFact],
        tags_of: Callable[[Record], list[str]],
    ) -> None:
        shared = {
            "source": source,
            "status": LifecycleStatus.NEW.value,
            "email_state": EmailState.OK.value,
        }
        self._columns: list[int | str | Callable[[Record], str]] = []
        for name in scorer.fit_fields:
            if name in STORED_FIELDS:
                self._columns.append(STORED_FIELDS.index(name))
            elif name in shared:
                self._columns.append(shared[name])
            elif name == "email_domain":
                self._columns.append(_email_domain)
            elif name == "tags":
                self._columns.append(lambda record: ", ".join(sorted(tags_of(record))))
            else:
                self._columns.append(_custom_field(name))
        self._score = scorer.by_fit_columns(started)

    def score(self, records: list[Record], values: list[list[str]]) -> list[ScoreResult]:
        """The scores of ``records``; ``values[i]`` is record i's row in ``STORED_FIELDS`` order."""
        columns: list[Sequence[str] | str] = []
        for source in self._columns:
            if isinstance(source, int):
                columns.append([row[source] for row in values])
            elif isinstance(source, str):
                columns.append(source)
            else:
                columns.append(list(map(source, records)))
        return self._score(columns, len(records))


def _email_domain(record: Record) -> str:
    return record.key.rpartition("@")[2]


def _custom_field(name: str) -> Callable[[Record], str]:
    def text(record: Record) -> str:
        return field_text({"custom_fields": record.custom}, name)

    return text
