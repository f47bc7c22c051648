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

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from leaddesk.scoring.compute import CompiledConfig, ScoreResult, combine, engagement_points
from leaddesk.scoring.facts import (
    DERIVED_FIELDS,
    LEADS,
    Needs,
    StoredScore,
    _tags,
    activities_by_lead_query,
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
        query = activities_by_lead_query(needs, dialect)
        for lead_id, rows in groupby(_rows(session, query, {"now": now}), key=itemgetter(3)):
            by_lead[lead_id] = list(rows)
    fit_raw_for = _fit_points(compiled, plain, "email_domain" in needs.fields, custom, tags)
    no_engagement: dict[float, ScoreResult] = {}
    for row in lead_rows:
        lead_id = row[0]
        fit_raw = fit_raw_for(row)
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


def _fit_points(
    compiled: CompiledConfig,
    plain: list[str],
    with_domain: bool,
    custom: dict[int, dict[str, Any]],
    tags: dict[int, str],
) -> Callable[[Sequence[Any]], float]:
    """A function from a lead row to its raw fit points, by the additions of evaluate() in its
    order: the leading groups that read plain columns are summed once per distinct set of plain
    values (a data set repeats a few hundred), the rest (email domain, tags, custom fields)
    added on to that sum group by group, each group's points cached by the text it tests."""
    groups = compiled.fit_groups
    getters = _fit_getters(compiled, plain, with_domain, custom, tags)
    lead = 0
    while lead < len(groups) and groups[lead].plain and groups[lead].name in plain:
        lead += 1
    end = 5 + len(plain)
    partial: dict[Any, float] = {}
    rest = list(range(lead, len(groups)))
    points: list[dict[str, float]] = [{} for _ in groups]

    def fit_raw(row: Sequence[Any]) -> float:
        key = row[5:end]
        total = partial.get(key)
        if total is None:
            total = 0.0
            for index in range(lead):
                total += groups[index].score(getters[index](row))[0]
            partial[key] = total
        for index in rest:
            text, known = getters[index](row), points[index]
            value = known.get(text)
            if value is None:
                value = known[text] = groups[index].score(text)[0]
            total += value
        return total

    return fit_raw


def _fit_getters(
    compiled: CompiledConfig,
    plain: list[str],
    with_domain: bool,
    custom: dict[int, dict[str, Any]],
    tags: dict[int, str],
) -> Any:
    """For each fit group in order, a function from a lead row to the text it tests."""
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

    return getters


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
