"""The scoring model as plain data: rules, caps and thresholds, and how a condition is tested.

A :class:`ScoringConfig` is what the engine computes with, what the editor edits and what
``leaddesk scoring export`` writes. It is independent of the database rows it is stored in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from leaddesk.activities.kinds import ActivityKind
from leaddesk.db.models import ScoreBand, ScorePart

EXPORT_FORMAT = "leaddesk-scoring-model"
EXPORT_VERSION = 1

#: Activity kinds that the score itself produces; rules may not count them (no feedback loops).
BAND_KINDS = frozenset(
    {ActivityKind.BECAME_WARM, ActivityKind.BECAME_SALES_READY, ActivityKind.BECAME_COLD}
)

#: Lead fields a fit rule can test (``custom:<name>`` reads a custom field).
FIT_FIELDS: dict[str, str] = {
    "title": "Job title",
    "industry": "Industry",
    "company_size": "Company size",
    "country": "Country",
    "city": "City",
    "state": "State / region",
    "website": "Website",
    "source": "Source / event",
    "company": "Company",
    "email_domain": "Email domain",
    "email_state": "Email state",
    "status": "Lifecycle status",
    "tags": "Tags",
}
CUSTOM_PREFIX = "custom:"


class Operator(StrEnum):
    """How a rule compares a field with its value."""

    CONTAINS_ANY = "contains_any"
    CONTAINS_NONE = "contains_none"
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN_LIST = "in_list"
    NOT_IN_LIST = "not_in_list"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


OPERATOR_LABELS: dict[str, str] = {
    Operator.CONTAINS_ANY: "contains any of the words",
    Operator.CONTAINS_NONE: "contains none of the words",
    Operator.EQUALS: "equals",
    Operator.NOT_EQUALS: "does not equal",
    Operator.IN_LIST: "is one of",
    Operator.NOT_IN_LIST: "is none of",
    Operator.IS_EMPTY: "is empty",
    Operator.IS_NOT_EMPTY: "is not empty",
}


class ScoringModelError(ValueError):
    """A scoring model that cannot be used (bad field, operator, figure); the message says why."""


@dataclass(frozen=True)
class Rule:
    """One scoring rule.

    Fit rules (``part="fit"``) test ``field operator value`` on the lead's profile and count once.
    Engagement rules count activities of ``activity_kind`` (optionally only those whose payload
    ``field`` matches ``operator value``), ``points`` each, at most ``max_count`` times (None:
    unlimited), fading by half every ``half_life_days`` (None: no decay).
    """

    part: str
    name: str
    points: float
    field: str = ""
    operator: str = Operator.CONTAINS_ANY
    value: str = ""
    activity_kind: str = ""
    max_count: int | None = 1
    half_life_days: float | None = None
    enabled: bool = True

    @property
    def is_fit(self) -> bool:
        """True for a profile rule, False for an activity rule."""
        return self.part == ScorePart.FIT

    def describe(self) -> str:
        """The rule's condition in words, e.g. ``title contains any of the words VP, Director``."""
        if self.is_fit:
            return _describe_condition(self.field, self.operator, self.value)
        text = f"activity {self.activity_kind}"
        if self.field:
            text += " where " + _describe_condition(self.field, self.operator, self.value)
        return text

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class ScoringConfig:
    """A whole scoring model: ordered rules, the cap of each part and the band thresholds."""

    rules: tuple[Rule, ...] = ()
    fit_cap: float = 40.0
    engagement_cap: float = 60.0
    warm_threshold: float = 40.0
    sales_ready_threshold: float = 70.0

    def band(self, score: float) -> str:
        """The band a score falls in under these thresholds."""
        if score >= self.sales_ready_threshold:
            return ScoreBand.SALES_READY
        if score >= self.warm_threshold:
            return ScoreBand.WARM
        return ScoreBand.COLD

    def with_changes(self, **changes: Any) -> ScoringConfig:
        """A copy with some fields replaced (``rules`` may be any iterable of rules)."""
        if "rules" in changes:
            changes["rules"] = tuple(changes["rules"])
        return replace(self, **changes)

    def to_document(self) -> dict[str, Any]:
        """The model as the JSON document ``leaddesk scoring export`` writes."""
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "caps": {"fit": self.fit_cap, "engagement": self.engagement_cap},
            "thresholds": {
                "warm": self.warm_threshold,
                "sales_ready": self.sales_ready_threshold,
            },
            "rules": [rule.to_dict() for rule in self.rules],
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ScoringConfig:
        """Read (and validate) a document written by :meth:`to_document`."""
        if not isinstance(document, Mapping) or document.get("format") != EXPORT_FORMAT:
            raise ScoringModelError("this file is not a LeadDesk scoring model")
        if document.get("version") != EXPORT_VERSION:
            raise ScoringModelError(f"unsupported scoring model version {document.get('version')}")
        try:
            caps, thresholds = document["caps"], document["thresholds"]
            rules = [_rule_from_dict(item) for item in document["rules"]]
            config = cls(
                rules=tuple(rules),
                fit_cap=float(caps["fit"]),
                engagement_cap=float(caps["engagement"]),
                warm_threshold=float(thresholds["warm"]),
                sales_ready_threshold=float(thresholds["sales_ready"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, ScoringModelError):
                raise
            raise ScoringModelError(f"the scoring model is incomplete: {error}") from error
        validate_config(config)
        return config


def _rule_from_dict(item: Mapping[str, Any]) -> Rule:
    known = set(Rule.__dataclass_fields__)
    unknown = set(item) - known
    if unknown:
        raise ScoringModelError(f"unknown rule settings: {', '.join(sorted(unknown))}")
    data = dict(item)
    data["points"] = float(data["points"])
    if data.get("half_life_days") is not None:
        data["half_life_days"] = float(data["half_life_days"])
    if data.get("max_count") is not None:
        data["max_count"] = int(data["max_count"])
    return Rule(**data)


def validate_rule(rule: Rule) -> None:
    """Raise :class:`ScoringModelError` when ``rule`` cannot be evaluated."""
    where = f"rule {rule.name!r}"
    if not rule.name.strip():
        raise ScoringModelError("every rule needs a name")
    if rule.part not in (ScorePart.FIT, ScorePart.ENGAGEMENT):
        raise ScoringModelError(f"{where}: part must be 'fit' or 'engagement'")
    if rule.field and rule.operator not in set(Operator):
        raise ScoringModelError(f"{where}: unknown operator {rule.operator!r}")
    if rule.is_fit:
        if not rule.field:
            raise ScoringModelError(f"{where}: a fit rule needs a field")
        if rule.field not in FIT_FIELDS and not rule.field.startswith(CUSTOM_PREFIX):
            raise ScoringModelError(f"{where}: unknown field {rule.field!r}")
    else:
        if not rule.activity_kind:
            raise ScoringModelError(f"{where}: an engagement rule needs an activity kind")
        if rule.activity_kind in BAND_KINDS:
            raise ScoringModelError(f"{where}: band changes cannot be scored")
    if rule.max_count is not None and rule.max_count < 1:
        raise ScoringModelError(f"{where}: it must count at least once (or without limit)")
    if rule.half_life_days is not None and rule.half_life_days <= 0:
        raise ScoringModelError(f"{where}: the half-life must be positive days (or no decay)")


def validate_config(config: ScoringConfig) -> None:
    """Raise :class:`ScoringModelError` when the model is unusable (caps, thresholds, rules)."""
    for rule in config.rules:
        validate_rule(rule)
    if config.fit_cap < 0 or config.engagement_cap < 0:
        raise ScoringModelError("caps cannot be negative")
    if config.fit_cap + config.engagement_cap > 100:
        raise ScoringModelError("the fit and engagement caps together must not exceed 100")
    if not 0 < config.warm_threshold < config.sales_ready_threshold <= 100:
        raise ScoringModelError("thresholds must satisfy 0 < warm < sales-ready <= 100")


def split_words(value: str) -> list[str]:
    """The comma-separated entries of a rule value, trimmed, empty ones dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _describe_condition(field_name: str, operator: str, value: str) -> str:
    label = OPERATOR_LABELS.get(operator, operator)
    if operator in (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY):
        return f"{field_name} {label}"
    return f"{field_name} {label} {value}"


Matcher = Callable[[str], bool]


def make_matcher(operator: str, value: str) -> Matcher:
    """A case-insensitive test of one field value; keywords match whole words only.

    ``contains_any`` with ``CTO`` matches "CTO, Acme" but not "Director" — substring matching
    would give every director C-level points.
    """
    words = split_words(value)
    lowered = {word.casefold() for word in words}
    target = value.strip().casefold()
    if operator in (Operator.CONTAINS_ANY, Operator.CONTAINS_NONE):
        if not words:
            pattern = None
        else:
            alternatives = "|".join(re.escape(word) for word in words)
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        found: Matcher = (lambda text: bool(pattern.search(text))) if pattern else _never
        if operator == Operator.CONTAINS_ANY:
            return found
        return lambda text: not found(text)
    table: dict[str, Matcher] = {
        Operator.EQUALS: lambda text: text.strip().casefold() == target,
        Operator.NOT_EQUALS: lambda text: text.strip().casefold() != target,
        Operator.IN_LIST: lambda text: text.strip().casefold() in lowered,
        Operator.NOT_IN_LIST: lambda text: text.strip().casefold() not in lowered,
        Operator.IS_EMPTY: lambda text: not text.strip(),
        Operator.IS_NOT_EMPTY: lambda text: bool(text.strip()),
    }
    if operator not in table:
        raise ScoringModelError(f"unknown operator {operator!r}")
    return table[operator]


def _never(_text: str) -> bool:
    return False


def kinds_counted(rules: Iterable[Rule]) -> set[str]:
    """The activity kinds the enabled engagement rules look at."""
    return {rule.activity_kind for rule in rules if rule.enabled and not rule.is_fit}


def new_rule(part: str, **values: Any) -> Rule:
    """A rule with sensible defaults for its part (used by the editor's "Add")."""
    if part == ScorePart.FIT:
        base = Rule(part=part, name="New fit rule", points=5, field="title")
    else:
        base = Rule(
            part=part,
            name="New engagement rule",
            points=5,
            activity_kind=ActivityKind.WEBSITE_VISIT,
            operator=Operator.CONTAINS_ANY,
            max_count=3,
            half_life_days=30,
        )
    return replace(base, **values)


__all__ = [
    "BAND_KINDS",
    "CUSTOM_PREFIX",
    "FIT_FIELDS",
    "OPERATOR_LABELS",
    "Operator",
    "Rule",
    "ScoringConfig",
    "ScoringModelError",
    "kinds_counted",
    "make_matcher",
    "new_rule",
    "split_words",
    "validate_config",
    "validate_rule",
]
