"""Loading what the engine needs — lead fields and counted activities — set-based, with Core.

The bulk reader streams every lead in id order next to the activities ordered by lead and time
(newest first), so 100,000 leads with 500,000 activities are scored in one pass without an ORM
object per row. Only the columns and activity kinds that the rules use are read; payloads only for
kinds whose rules test the payload.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Float, String, bindparam, case, func, null, or_, select, type_coerce
from sqlalchemy.orm import Session

from leaddesk.db.models import Activity, Lead, LeadTag, UTCDateTime
from leaddesk.scoring.compute import ActivityFact, CompiledConfig

LEADS = Lead.__table__
ACTIVITIES = Activity.__table__
TAGS = LeadTag.__table__
DERIVED_FIELDS = frozenset({"email_domain", "tags", "custom_fields"})
MS = 86_400_000


@dataclass
class Needs:
    """The union of what a set of models reads: fields, activity kinds, payload kinds."""

    fields: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    payload_kinds: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, *models: CompiledConfig) -> Needs:
        """What evaluating every model in ``models`` requires (remembered for one model)."""
        if len(models) == 1 and isinstance(models[0].needs, Needs):
            return models[0].needs
        needs = cls()
        for model in models:
            for name in model.fit_fields:
                needs.fields.add("custom_fields" if name.startswith("custom:") else name)
            needs.kinds |= model.kinds
            needs.payload_kinds |= model.payload_kinds
        if len(models) == 1:
            models[0].needs = needs
        return needs


class StoredScore(NamedTuple):
    """A lead's stored score columns, to tell whether a re-score changed anything."""

    fit: float
    engagement: float
    total: float
    band: str


def lead_fields(lead: Lead) -> dict[str, Any]:
    """The fields rules can test, from a loaded lead."""
    values: dict[str, Any] = {
        column: getattr(lead, column)
        for column in (
            "title",
            "industry",
            "company_size",
            "country",
            "city",
            "state",
            "website",
            "source",
        )
    }
    values.update(
        company=lead.company,
        email_state=lead.email_state,
        status=lead.status,
        custom_fields=lead.custom_fields or {},
        email_domain=lead.email_key.rpartition("@")[2],
        tags=", ".join(sorted(tag.tag for tag in lead.tags)),
    )
    return values


def _age_days(dialect: str) -> Any:
    """SQL for the age of an activity in days at ``:now`` (millisecond precision)."""
    now = bindparam("now", type_=UTCDateTime())
    if dialect == "sqlite":
        millis = func.round((func.julianday(now) - func.julianday(ACTIVITIES.c.occurred_at)) * MS)
        return type_coerce(millis / float(MS), Float)
    return type_coerce(func.extract("epoch", now - ACTIVITIES.c.occurred_at) / 86_400.0, Float)


def _activity_select(needs: Needs, dialect: str, *extra: Any) -> Any:
    payload = (
        case((ACTIVITIES.c.kind.in_(sorted(needs.payload_kinds)), ACTIVITIES.c.payload))
        if needs.payload_kinds
        else null()
    )
    return select(
        ACTIVITIES.c.kind,
        _age_days(dialect).label("age_days"),
        type_coerce(payload, String).label("payload"),  # JSON text, decoded only when tested
        *extra,
    ).where(ACTIVITIES.c.kind.in_(sorted(needs.kinds)))


def activities_by_lead_query(needs: Needs, dialect: str) -> Any:
    """Every lead's counted activities (kind, age, payload, lead id), lead by lead, each
    lead's newest first — the order the every-lead readers group them in."""
    return _activity_select(needs, dialect, ACTIVITIES.c.lead_id).order_by(
        ACTIVITIES.c.lead_id, ACTIVITIES.c.occurred_at.desc(), ACTIVITIES.c.id.desc()
    )


_ONE_LEAD_QUERIES: dict[tuple[str, frozenset[str], frozenset[str]], Any] = {}


def lead_activities(
    session: Session, needs: Needs, lead_id: int, now: datetime
) -> list[ActivityFact]:
    """One lead's counted activities, newest first, with their age at ``now``."""
    if not needs.kinds:
        return []
    dialect = session.get_bind().dialect.name
    key = (dialect, frozenset(needs.kinds), frozenset(needs.payload_kinds))
    query = _ONE_LEAD_QUERIES.get(key)
    if query is None:
        if len(_ONE_LEAD_QUERIES) > 32:
            _ONE_LEAD_QUERIES.clear()
        since = (
            select(LEADS.c.engagement_since)
            .where(LEADS.c.id == bindparam("lead_id"))
            .scalar_subquery()
        )
        query = _ONE_LEAD_QUERIES[key] = (
            _activity_select(needs, dialect, ACTIVITIES.c.id, ACTIVITIES.c.occurred_at)
            .where(ACTIVITIES.c.lead_id == bindparam("lead_id"))
            .where(or_(since.is_(None), ACTIVITIES.c.occurred_at > since))  # after a reset
            .order_by(ACTIVITIES.c.occurred_at.desc(), ACTIVITIES.c.id.desc())
        )
    return [ActivityFact(*row) for row in session.execute(query, {"lead_id": lead_id, "now": now})]


def stream_leads(
    session: Session, needs: Needs, now: datetime, lead_ids: Collection[int] | None = None
) -> Iterator[tuple[int, Mapping[str, Any], StoredScore, Sequence[ActivityFact]]]:
    """``(lead_id, fields, stored score, activities newest first)`` for every lead, by id.

    ``lead_ids=None`` reads every lead; otherwise only those (keep batches to a few thousand).
    Activities come as database rows shaped like :class:`ActivityFact` (kind, age, payload).
    """
    plain = sorted(needs.fields - DERIVED_FIELDS)
    columns = [LEADS.c.id, LEADS.c.fit_score, LEADS.c.engagement_score, LEADS.c.score]
    columns += [LEADS.c.score_band, *(LEADS.c[name] for name in plain)]
    columns.append(LEADS.c.engagement_since)
    if "email_domain" in needs.fields:
        columns.append(LEADS.c.email_key)
    if "custom_fields" in needs.fields:
        columns.append(LEADS.c.custom_fields)
    lead_query = select(*columns).order_by(LEADS.c.id)
    if lead_ids is not None:
        lead_query = lead_query.where(LEADS.c.id.in_(sorted(lead_ids)))
    lead_rows = session.execute(lead_query).all()
    tags = _tags(session, lead_ids) if "tags" in needs.fields else {}
    by_lead: dict[int, list[Any]] = {}
    if needs.kinds:
        dialect = session.get_bind().dialect.name
        query = activities_by_lead_query(needs, dialect)
        if lead_ids is not None:
            query = query.where(ACTIVITIES.c.lead_id.in_(sorted(lead_ids)))
        rows_by_lead = session.execute(query, {"now": now}).all()
        for lead_id, rows in groupby(rows_by_lead, key=itemgetter(3)):
            by_lead[lead_id] = list(rows)
    no_activities: list[Any] = []
    width = 5 + len(plain)
    for row in lead_rows:
        fields: dict[str, Any] = dict(zip(plain, row[5:width], strict=True))
        if "email_domain" in needs.fields:
            fields["email_domain"] = row.email_key.rpartition("@")[2]
        if "custom_fields" in needs.fields:
            fields["custom_fields"] = row.custom_fields or {}
        if tags:
            fields["tags"] = tags.get(row.id, "")
        activities = by_lead.get(row[0], no_activities)
        if row.engagement_since is not None and activities:
            activities = _since(activities, row.engagement_since, now)
        yield row[0], fields, StoredScore(*row[1:5]), activities


def _since(activities: Sequence[Any], since: datetime, now: datetime) -> list[Any]:
    """The activities (newest first) that happened after ``since``: an engagement reset."""
    oldest = (now - since).total_seconds() / 86_400
    return [a for a in activities if a.age_days < oldest - 1e-9]


def _tags(session: Session, lead_ids: Collection[int] | None) -> dict[int, str]:
    query = select(TAGS.c.lead_id, TAGS.c.tag).order_by(TAGS.c.lead_id, TAGS.c.tag)
    if lead_ids is not None:
        query = query.where(TAGS.c.lead_id.in_(sorted(lead_ids)))
    return {
        lead_id: ", ".join(row.tag for row in rows)
        for lead_id, rows in groupby(session.execute(query), key=attrgetter("lead_id"))
    }
