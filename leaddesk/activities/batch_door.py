"""The event door's form for the leads an import batch has just created.

An import of 100,000 new leads records one "imported" event for each. Building a row per lead
in Python and sending it back to the database costs more than letting the database copy the
ids itself: :func:`append_activity_for_batch_leads` writes the same rows as
:func:`~leaddesk.activities.door.append_activity_for_leads` would with one ``INSERT … SELECT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import DERIVED_KINDS
from leaddesk.clock import utcnow
from leaddesk.db.models import Activity, Lead

_ACTIVITIES = cast(Table, Activity.__table__)
_LEADS = cast(Table, Lead.__table__)


def append_activity_for_batch_leads(
    session: Session,
    import_batch_id: int,
    kind: str,
    *,
    payload: Mapping[str, Any],
    origin: str,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Append one ``kind`` event for every lead whose ``import_batch_id`` is this batch.

    The rows are those :func:`~leaddesk.activities.door.append_activity_for_leads` appends for
    the batch's leads in id order, and ``last_activity_at`` moves forward the same way (never
    backwards). No reactions: the caller MUST call
    :func:`~leaddesk.activities.door.leads_changed` afterwards. Returns the rows appended.
    """
    moment = now or utcnow()
    occurred = occurred_at or moment
    column = _ACTIVITIES.c
    created = (
        select(
            _LEADS.c.id,
            literal(str(kind), column.kind.type),
            literal(occurred, column.occurred_at.type),
            literal(moment, column.recorded_at.type),
            literal(origin, column.origin.type),
            literal(dict(payload), column.payload.type),
            _LEADS.c.import_batch_id,
        )
        .where(_LEADS.c.import_batch_id == import_batch_id)
        .order_by(_LEADS.c.id)
    )
    columns = ["lead_id", "kind", "occurred_at", "recorded_at", "origin", "payload"]
    result = cast(
        CursorResult[Any],
        session.execute(insert(_ACTIVITIES).from_select([*columns, "import_batch_id"], created)),
    )
    if str(kind) not in DERIVED_KINDS:
        session.execute(
            update(_LEADS)
            .where(
                _LEADS.c.import_batch_id == import_batch_id,
                or_(_LEADS.c.last_activity_at.is_(None), _LEADS.c.last_activity_at < occurred),
            )
            .values(last_activity_at=occurred)
        )
    return int(result.rowcount or 0)
