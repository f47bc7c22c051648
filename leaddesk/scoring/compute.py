"""The score of one lead from its profile and activities — pure Python, no database.

There is exactly one implementation of the arithmetic (:func:`evaluate`); the bulk re-score and
the itemised breakdown both call it, so the stored score is always the breakdown's total.

The maths: a fit rule that matches adds its points once. An engagement rule adds
``points × 0.5 ** (age_days / half_life_days)`` for each of the most recent ``max_count`` matching
activities (no decay: factor 1; activities dated in the future count as age 0). Each contribution
is kept unrounded (display rounds). A part above its cap is brought down by a "cap" item, and the
total is kept within 0–100 by a "floor"/"ceiling" item, so the items always add up to the total.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from leaddesk.db.models import ScorePart
from leaddesk.scoring.rules import (
    CUSTOM_PREFIX,
    FIT_FIELDS,
    Matcher,
    Rule,
    ScoringConfig,
    make_matcher,
)

FIT_CACHE_SIZE = 200_000
SECONDS_PER_DAY = 86_400.0
CAP = "cap"


class ActivityFact(NamedTuple):
    """One activity as the engine sees it; every list of them is newest first.

    ``age_days`` is measured from the moment being scored (the database computes it in bulk);
    ``occurred_at`` and ``activity_id`` are only needed for the breakdown's wording.
    """

    kind: str
    age_days: float
    payload: Mapping[str, Any] | str | None = None
    activity_id: int | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class BreakdownItem:
    """One line of a breakdown: a rule that fired (or a cap), why, and what it is worth now."""

    part: str
    rule: str
    reason: str
    points: float
    decay_factor: float
    points_now: float
    counted: bool = True
    rule_index: int | None = None
    activity_id: int | None = None
    occurred_at: datetime | None = None
    half_life_days: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO strings)."""
        return {
            "part": self.part,
            "rule": self.rule,
            "reason": self.reason,
            "points": self.points,
            "decay_factor": self.decay_factor,
            "points_now": self.points_now,
            "counted": self.counted,
            "rule_index": self.rule_index,
            "activity_id": self.activity_id,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "half_life_days": self.half_life_days,
        }


class ScoreResult(NamedTuple):
    """The figures stored on the lead: the capped parts, the total and its band."""

    fit: float
    engagement: float
    total: float
    band: str


class FitGroup:
    """The fit rules that test one field, with a cache: field text -> (points, rules that hit)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.plain = not name.startswith(CUSTOM_PREFIX)
        self.rules: list[tuple[int, Rule, Matcher]] = []
        self.cache: dict[str, tuple[float, tuple[tuple[int, Rule], ...]]] = {}

    def score(self, text: str) -> tuple[float, tuple[tuple[int, Rule], ...]]:
        """The points the rules of this field give ``text`` (summed in rule order) and the hits."""
        known = self.cache.get(text)
        if known is not None:
            return known
        points = 0.0
        hits: list[tuple[int, Rule]] = []
        for index, rule, matcher in self.rules:
            if matcher(text):
                points += rule.points
                hits.append((index, rule))
        if len(self.cache) > FIT_CACHE_SIZE:
            self.cache.clear()
        known = self.cache[text] = (points, tuple(hits))
        return known


class CompiledConfig:
    """A scoring model prepared for fast evaluation (matchers built, rules grouped)."""

    def __init__(self, config: ScoringConfig) -> None:
        self.config = config
        groups: dict[str, FitGroup] = {}
        self.by_kind: dict[str, list[tuple[int, Rule, Matcher | None]]] = {}
        for index, rule in enumerate(config.rules):
            if not rule.enabled:
                continue
            matcher = make_matcher(rule.operator, rule.value)
            if rule.is_fit:
                groups.setdefault(rule.field, FitGroup(rule.field)).rules.append(
                    (index, rule, matcher)
                )
            else:
                payload_matcher = matcher if rule.field else None
                self.by_kind.setdefault(rule.activity_kind, []).append(
                    (index, rule, payload_matcher)
                )
        # The same rules with what the engagement loop reads unpacked (one tuple per rule).
        self.engagement_rules = {
            kind: tuple(
                (index, rule, matcher, rule.points, rule.max_count, rule.half_life_days)
                for index, rule, matcher in rules
            )
            for kind, rules in self.by_kind.items()
        }
        self.fit_groups = tuple(groups.values())
        self.fit_fields = frozenset(groups)
        self.kinds = frozenset(self.by_kind)
        self.payload_kinds = frozenset(
            kind for kind, rules in self.by_kind.items() if any(m for _i, _r, m in rules)
        )
        self.needs: Any = None  # what the database must load; filled by scoring.facts


def field_text(fields: Mapping[str, Any], name: str) -> str:
    """The text of a lead field as rules see it (custom fields via ``custom:<name>``)."""
    if name.startswith(CUSTOM_PREFIX):
        custom = fields.get("custom_fields") or {}
        value = custom.get(name[len(CUSTOM_PREFIX) :], "")
    else:
        value = fields.get(name, "")
    return "" if value is None else str(value)


def payload_text(payload: Mapping[str, Any] | str | None, name: str) -> str:
    """The text of one payload entry; ``payload`` may still be the stored JSON text."""
    if not payload:
        return ""
    if isinstance(payload, str):
        return _json_entry(payload, name)
    value = payload.get(name, "")
    return "" if value is None else str(value)


@lru_cache(maxsize=8192)
def _json_entry(text: str, name: str) -> str:
    # Payloads repeat a lot ({"page": "/pricing"}), so decoded entries are cached.
    try:
        payload = json.loads(text)
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    value = payload.get(name, "")
    return "" if value is None else str(value)


def age_days(occurred_at: datetime, now: datetime) -> float:
    """Days between the activity and ``now`` (negative for activities dated in the future)."""
    return (now - occurred_at).total_seconds() / SECONDS_PER_DAY


def decay_factor(age: float, half_life_days: float | None) -> float:
    """How much of a contribution is left after ``age`` days (1.0 without decay or age <= 0)."""
    if half_life_days is None or age <= 0:
        return 1.0
    return float(0.5 ** (age / half_life_days))


def evaluate(
    compiled: CompiledConfig,
    fields: Mapping[str, Any],
    activities: Sequence[ActivityFact],
    items: list[BreakdownItem] | None = None,
) -> ScoreResult:
    """Score one lead; when ``items`` is a list, append one item per contribution to it."""
    fit_raw = _fit(compiled, fields, items)
    engagement_raw = engagement_points(compiled, activities, items)
    return combine(compiled, fit_raw, engagement_raw, items)


def engagement_points(
    compiled: CompiledConfig,
    activities: Sequence[ActivityFact],
    items: list[BreakdownItem] | None = None,
) -> float:
    """The engagement rules' raw points for ``activities`` (before the cap)."""
    if activities and compiled.by_kind:
        return _engagement(compiled, activities, items)
    return 0.0


def combine(
    compiled: CompiledConfig,
    fit_raw: float,
    engagement_raw: float,
    items: list[BreakdownItem] | None = None,
) -> ScoreResult:
    """The stored figures from the raw fit and engagement points: caps, 0–100 bounds, band."""
    config = compiled.config
    fit = _capped(ScorePart.FIT, fit_raw, config.fit_cap, items)
    engagement = _capped(ScorePart.ENGAGEMENT, engagement_raw, config.engagement_cap, items)
    total = fit + engagement
    if total < 0 or total > 100:
        bound = 0.0 if total < 0 else 100.0
        if items is not None:
            what = "cannot go below 0" if total < 0 else "cannot exceed 100"
            items.append(
                BreakdownItem(CAP, f"Score {what}", f"the parts add up to {total:.4g}", 0.0, 1.0,
                              bound - total)
            )  # fmt: skip
        total = bound
    return ScoreResult(fit, engagement, total, config.band(total))


def _fit(
    compiled: CompiledConfig, fields: Mapping[str, Any], items: list[BreakdownItem] | None
) -> float:
    fit_raw = 0.0
    found: list[BreakdownItem] = []
    for group in compiled.fit_groups:
        if group.plain:
            value = fields.get(group.name)
            text = value if type(value) is str else ("" if value is None else str(value))
        else:
            text = field_text(fields, group.name)
        points, hits = group.cache.get(text) or group.score(text)
        fit_raw += points
        if items is not None:
            reason = f"{FIT_FIELDS.get(group.name, group.name)} is “{text}”"
            found.extend(
                BreakdownItem(ScorePart.FIT, rule.name, reason, rule.points, 1.0, rule.points,
                              rule_index=index)
                for index, rule in hits
            )  # fmt: skip
    if items is not None:
        items.extend(sorted(found, key=lambda item: item.rule_index or 0))
    return fit_raw


def _engagement(
    compiled: CompiledConfig,
    activities: Sequence[ActivityFact],
    items: list[BreakdownItem] | None,
) -> float:
    by_kind = compiled.engagement_rules
    counts: dict[int, int] = {}
    total = 0.0
    for activity in activities:
        rules = by_kind.get(activity[0])
        if rules is None:
            continue
        age = activity[1]
        for index, rule, payload_matcher, points, max_count, half_life in rules:
            if payload_matcher is not None and not payload_matcher(
                payload_text(activity[2], rule.field)
            ):
                continue
            seen = counts.get(index, 0)
            counted = max_count is None or seen < max_count
            if not counted and items is None:
                continue
            counts[index] = seen + 1
            factor = 1.0 if half_life is None or age <= 0 else 0.5 ** (age / half_life)
            points_now = points * factor if counted else 0.0
            total += points_now
            if items is not None:
                items.append(_activity_item(index, rule, activity, factor, points_now, counted))
    return total


def _activity_item(
    index: int,
    rule: Rule,
    activity: ActivityFact,
    factor: float,
    points_now: float,
    counted: bool,
) -> BreakdownItem:
    from leaddesk.activities.kinds import label

    reason = label(activity.kind)
    if activity.occurred_at is not None:
        reason += " on " + activity.occurred_at.astimezone(UTC).strftime("%Y-%m-%d")
    if rule.field:
        reason += f" ({rule.field}: {payload_text(activity.payload, rule.field)})"
    if not counted:
        reason += f" — not counted, the rule counts at most {rule.max_count}×"
    return BreakdownItem(
        ScorePart.ENGAGEMENT,
        rule.name,
        reason,
        rule.points,
        factor,
        points_now,
        counted=counted,
        rule_index=index,
        activity_id=activity.activity_id,
        occurred_at=activity.occurred_at,
        half_life_days=rule.half_life_days,
    )


def _capped(part: str, raw: float, cap: float, items: list[BreakdownItem] | None) -> float:
    if raw <= cap:
        return raw
    if items is not None:
        name = "Fit" if part == ScorePart.FIT else "Engagement"
        items.append(
            BreakdownItem(
                CAP, f"{name} capped at {cap:g}", f"{name.lower()} rules add up to {raw:.4g}",
                0.0, 1.0, cap - raw,
            )
        )  # fmt: skip
    return cap
