"""Scoring every lead at once, column-wise: the reader behind the full re-score and decay pass.

:func:`score_everyone` gives exactly the results that :func:`~leaddesk.scoring.facts.stream_leads`
followed by :func:`~leaddesk.scoring.compute.evaluate` gives (the equal-results tests compare
them), with less work per lead:

* the fit part depends only on the fields the fit rules read, and a data set repeats those
  (a few hundred titles × industries × sizes), so it is computed once per distinct set of values,
  by the same additions in the same order as :func:`~leaddesk.scoring.compute.evaluate`;
* the engagement part is :func:`~leaddesk.scoring.compute.engagement_points` over the lead's
  activity rows, which come straight from the driver on SQLite (the selected columns need no
  type conversion there), without a row object each;
* no dictionary of fields is built per lead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from leaddesk.scoring.compute import CompiledConfig, ScoreResult, combine, engagement_points
from leaddesk.scoring.facts import (
    ACTIVITIES,
    DERIVED_FIELDS,
    LEADS,
    Needs,
    StoredScore,
    _activity_select,
    _tags,
)

SECONDS_PER_DAY = 86_400


def score_everyone(
    session: Session, compiled: CompiledConfig, now: datetime
) -> Iterator[tuple[int, StoredScore, ScoreResult]]:
    """``(lead_id, stored score columns, score at now)`` for every lead, in id order."""
    needs = Needs.of(compiled)
    plain = sorted(needs.fields - DERIVED_FIELDS)
    columns = [LEADS.c.id, LEADS.c.fit_score, LEADS.c.engagement_score, LEADS.c.score]
    columns += [LEADS.c.score_band, *(LEADS.c[name] for name in plain)]
    if "email_domain" in needs.fields:
        columns.append(LEADS.c.email_key)
    lead_rows = _rows(session, select(*columns).order_by(LEADS.c.id))
    since = _engagement_since(session)
    custom = _custom_fields(session) if "custom_fields" in needs.fields else {}
    tags = _tags(session, None) if "tags" in needs.fields else {}
    by_lead: dict[int, list[Any]] = {}
    if needs.kinds:
        dialect = session.get_bind().dialect.name
        query = _activity_select(needs, dialect, ACTIVITIES.c.lead_id).order_by(
            ACTIVITIES.c.lead_id, ACTIVITIES.c.occurred_at.desc(), ACTIVITIES.c.id.desc()
        )
        for lead_id, rows in groupby(_rows(session, query, {"now": now}), key=itemgetter(3)):
            by_lead[lead_id] = list(rows)
    fit_key = _fit_key(compiled, plain, "email_domain" in needs.fields)
    fit_of = _fit_texts(compiled, plain, "email_domain" in needs.fields, custom, tags)
    fit_raw_of: dict[Any, float] = {}
    groups = compiled.fit_groups
    no_engagement: dict[float, ScoreResult] = {}
    for row in lead_rows:
        lead_id = row[0]
        key = fit_key(row) if fit_key is not None else fit_of(row)
        fit_raw = fit_raw_of.get(key)
        if fit_raw is None:
            fit_raw = 0.0  # the additions of evaluate(), in its order
            for group, text in zip(groups, fit_of(row), strict=True):
                fit_raw += group.score(text)[0]
            fit_raw_of[key] = fit_raw
        activities = by_lead.get(lead_id)
        if activities and lead_id in since:
            activities = _after(activities, since[lead_id], now)
        stored = StoredScore(row[1], row[2], row[3], row[4])
        if not activities:
            result = no_engagement.get(fit_raw)
            if result is None:
                result = no_engagement[fit_raw] = combine(compiled, fit_raw, 0.0)
        else:
            result = combine(compiled, fit_raw, engagement_points(compiled, activities))
        yield lead_id, stored, result


def _fit_key(compiled: CompiledConfig, plain: list[str], with_domain: bool) -> Any:
    """A cheap key of what the fit part depends on — the plain field values and the email
    domain — or None when a fit rule reads custom fields or tags (then the texts are the key)."""
    if any(not group.plain or group.name == "tags" for group in compiled.fit_groups):
        return None
    end = 5 + len(plain)
    if not with_domain:
        return lambda row: row[5:end]
    return lambda row: (row[5:end], row[end].rpartition("@")[2])


def _fit_texts(
    compiled: CompiledConfig,
    plain: list[str],
    with_domain: bool,
    custom: dict[int, dict[str, Any]],
    tags: dict[int, str],
) -> Any:
    """A function from a lead row to the texts its fit groups test, in group order."""
    position = {name: 5 + index for index, name in enumerate(plain)}
    if with_domain:
        position["email_domain"] = 5 + len(plain)
    getters: list[Any] = []
    for group in compiled.fit_groups:
        name = group.name
        if not group.plain:
            key = name.split(":", 1)[1]
            getters.append(lambda row, key=key: _text((custom.get(row[0]) or {}).get(key, "")))
        elif name == "email_domain":
            at = position[name]
            getters.append(lambda row, at=at: row[at].rpartition("@")[2])
        elif name == "tags":
            getters.append(lambda row: tags.get(row[0], ""))
        elif name in position:
            at = position[name]
            getters.append(lambda row, at=at: _text(row[at]))
        else:  # a field the reader does not know reads empty, as in evaluate()
            getters.append(lambda row: "")

    def texts(row: Sequence[Any]) -> tuple[str, ...]:
        return tuple(getter(row) for getter in getters)

    return texts


def _text(value: Any) -> str:
    return value if type(value) is str else ("" if value is None else str(value))


def _after(activities: list[Any], since: datetime, now: datetime) -> list[Any]:
    """The activities (newest first) after an engagement reset at ``since`` (as stream_leads)."""
    oldest = (now - since).total_seconds() / SECONDS_PER_DAY
    return [activity for activity in activities if activity[1] < oldest - 1e-9]


def _engagement_since(session: Session) -> dict[int, datetime]:
    query = select(LEADS.c.id, LEADS.c.engagement_since).where(
        LEADS.c.engagement_since.is_not(None)
    )
    return {row.id: row.engagement_since for row in session.execute(query)}


def _custom_fields(session: Session) -> dict[int, dict[str, Any]]:
    query = select(LEADS.c.id, LEADS.c.custom_fields)
    return {row.id: row.custom_fields for row in session.execute(query) if row.custom_fields}


def _rows(session: Session, query: Any, params: dict[str, Any] | None = None) -> list[Any]:
    """All rows of ``query``: plain driver tuples on SQLite, where the columns the scoring reader
    selects (text, numbers, JSON text) need no conversion; result rows elsewhere."""
    result = session.connection().execute(query, params or {})
    if session.get_bind().dialect.name == "sqlite" and isinstance(result, CursorResult):
        rows = list(result.cursor.fetchall())
        result.close()
        return rows
    return list(result.all())
