"""Assignment rules: which rep gets a lead that is handed to sales.

Rules are tried in order; the first whose conditions all hold names the rep — one member, or
several shared round-robin (the one with the fewest open hand-offs, below their capacity, and
among equals the one who got a lead longest ago). After the rules comes the default pool (empty:
every active sales rep, or the managers when there are no reps). A lead whose owner is already
an active member in sales keeps them.

The rules are stored with member ids and exported with member emails (``leaddesk rules export``),
so a file moves between databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Handoff, Lead, ScoreBand, TeamMember, TeamRole
from leaddesk.handoff.team import SALES_ROLES, TeamError, find_member, open_handoff_counts
from leaddesk.scoring.facts import lead_fields
from leaddesk.scoring.rules import CUSTOM_PREFIX, OPERATOR_LABELS, Operator, make_matcher
from leaddesk.settings import get_setting, set_setting

SETTINGS_KEY = "assignment_rules"
EXPORT_FORMAT = "leaddesk-assignment-rules"
EXPORT_VERSION = 1
ROUTING_FIELDS: dict[str, str] = {
    "country": "Country",
    "city": "City",
    "industry": "Industry",
    "company_size": "Company size",
    "source": "Source / event",
    "tags": "Tags",
    "score_band": "Score band",
    "title": "Job title",
    "email_domain": "Email domain",
}


class RoutingError(ValueError):
    """Assignment rules that cannot be used; the message names the rule and the problem."""


@dataclass(frozen=True)
class Condition:
    """``field operator value`` on the lead, tested like a scoring rule's condition."""

    field: str
    operator: str = Operator.IN_LIST
    value: str = ""

    def describe(self) -> str:
        """In words: "Country is one of Germany, Austria"."""
        name = ROUTING_FIELDS.get(self.field, self.field.removeprefix(CUSTOM_PREFIX))
        label = OPERATOR_LABELS.get(self.operator, self.operator)
        if self.operator in (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY):
            return f"{name} {label}"
        return f"{name} {label} {self.value}"


@dataclass(frozen=True)
class AssignmentRule:
    """A named rule: when every condition holds, the lead goes to one of ``members``."""

    name: str
    conditions: tuple[Condition, ...] = ()
    members: tuple[int, ...] = ()
    enabled: bool = True

    def describe(self) -> str:
        """The conditions in words ("every lead" when there are none)."""
        return " and ".join(c.describe() for c in self.conditions) or "every lead"


@dataclass(frozen=True)
class RoutingConfig:
    """The ordered rules and the default pool (empty: every active sales rep)."""

    rules: tuple[AssignmentRule, ...] = ()
    default_members: tuple[int, ...] = ()

    def rules_naming(self, member_id: int) -> list[str]:
        """Names of the rules (and "the default pool") that name ``member_id``."""
        named = [rule.name for rule in self.rules if member_id in rule.members]
        if member_id in self.default_members:
            named.append("the default pool")
        return named

    def to_stored(self) -> dict[str, Any]:
        """The stored form (member ids)."""
        return {
            "rules": [
                {
                    "name": r.name,
                    "enabled": r.enabled,
                    "conditions": [vars(c) for c in r.conditions],
                    "members": list(r.members),
                }
                for r in self.rules
            ],
            "default_members": list(self.default_members),
        }

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> RoutingConfig:
        """Rebuild from :meth:`to_stored` output."""
        return cls(
            rules=tuple(
                AssignmentRule(
                    name=str(item.get("name", "")),
                    enabled=bool(item.get("enabled", True)),
                    conditions=tuple(Condition(**c) for c in item.get("conditions", [])),
                    members=tuple(int(m) for m in item.get("members", [])),
                )
                for item in data.get("rules", [])
            ),
            default_members=tuple(int(m) for m in data.get("default_members", [])),
        )


def load_routing(session: Session) -> RoutingConfig:
    """The rules in force (none until someone saves some)."""
    stored = get_setting(session, SETTINGS_KEY, None)
    return RoutingConfig.from_stored(stored) if isinstance(stored, dict) else RoutingConfig()


def validate_routing(session: Session, config: RoutingConfig) -> RoutingConfig:
    """Return ``config`` or raise :class:`RoutingError` naming the first problem."""
    members = {m.id: m for m in session.scalars(select(TeamMember))}
    names: set[str] = set()

    def check_members(where: str, ids: Sequence[int]) -> None:
        for member_id in ids:
            member = members.get(member_id)
            if member is None:
                raise RoutingError(f"{where} names team member #{member_id}, who does not exist")
            if not member.active:
                raise RoutingError(
                    f"{where} names {member.name}, who is inactive: pick an active member"
                )
            if member.role not in SALES_ROLES:
                raise RoutingError(
                    f"{where} names {member.name}, who works in marketing: pick a sales rep "
                    "or manager"
                )

    for rule in config.rules:
        where = f"rule {rule.name!r}"
        if not rule.name.strip():
            raise RoutingError("every assignment rule needs a name")
        if rule.name.casefold() in names:
            raise RoutingError(f"two rules are called {rule.name!r}: give each its own name")
        names.add(rule.name.casefold())
        if not rule.members:
            raise RoutingError(f"{where} sends leads to nobody: choose at least one member")
        check_members(where, rule.members)
        for condition in rule.conditions:
            if condition.field not in ROUTING_FIELDS and not condition.field.startswith(
                CUSTOM_PREFIX
            ):
                raise RoutingError(
                    f"{where}: unknown field {condition.field!r}; use one of "
                    f"{', '.join(ROUTING_FIELDS)} or custom:<name>"
                )
            if condition.operator not in set(Operator):
                raise RoutingError(f"{where}: unknown operator {condition.operator!r}")
            empty_ok = condition.operator in (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY)
            if not empty_ok and not condition.value.strip():
                raise RoutingError(f"{where}: the condition on {condition.field} needs a value")
    check_members("the default pool", config.default_members)
    return config


def save_routing(session: Session, config: RoutingConfig) -> RoutingConfig:
    """Validate and store ``config`` as the rules in force."""
    validate_routing(session, config)
    set_setting(session, SETTINGS_KEY, config.to_stored())
    return config


# --- choosing the rep ---------------------------------------------------------------------


@dataclass(frozen=True)
class RouteDecision:
    """Who gets the lead and why (``member_id`` None: nobody could take it)."""

    member_id: int | None
    rule: str
    note: str = ""


@dataclass
class TeamLoad:
    """Open hand-offs and last assignment per member, updated as leads are assigned."""

    members: dict[int, TeamMember]
    open_counts: dict[int, int]
    last_assigned: dict[int, datetime] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session) -> TeamLoad:
        """The team as it stands in the database."""
        members = {m.id: m for m in session.scalars(select(TeamMember))}
        last: dict[int, datetime] = {}
        for member_id in members:  # a few members, each one index lookup (history grows)
            moment = session.scalar(
                select(func.max(Handoff.assigned_at)).where(Handoff.owner_id == member_id)
            )
            if moment is not None:
                last[member_id] = moment
        return cls(members, open_handoff_counts(session), last)

    def in_sales(self, member_id: int) -> bool:
        """Active and in a sales role (capacity aside)."""
        member = self.members.get(member_id)
        return member is not None and member.active and member.role in SALES_ROLES

    def available(self, member_id: int) -> bool:
        """Active, in a sales role, and below capacity."""
        if not self.in_sales(member_id):
            return False
        member = self.members[member_id]
        return member.capacity is None or self.open_counts.get(member_id, 0) < member.capacity

    def pick(self, candidates: Iterable[int], *, ignore_capacity: bool = False) -> int | None:
        """The least-loaded candidate (fewest open hand-offs, then longest since one)."""
        usable = [
            m
            for m in dict.fromkeys(candidates)
            if self.available(m) or (ignore_capacity and self.in_sales(m))
        ]
        if not usable:
            return None
        never = datetime.min.replace(tzinfo=None)

        def load(member_id: int) -> tuple[int, datetime, int]:
            last = self.last_assigned.get(member_id)
            return (
                self.open_counts.get(member_id, 0),
                last.replace(tzinfo=None) if last else never,
                member_id,
            )

        return min(usable, key=load)

    def took(self, member_id: int, now: datetime) -> None:
        """Count a new hand-off for ``member_id``."""
        self.open_counts[member_id] = self.open_counts.get(member_id, 0) + 1
        self.last_assigned[member_id] = now

    def default_pool(self, config: RoutingConfig) -> list[int]:
        """The default pool: the configured one, else every sales rep, else the managers."""
        active = [m for m in self.members.values() if m.active]
        configured = [m for m in config.default_members if m in self.members]
        if any(self.members[m].active for m in configured):
            return configured
        reps = [m.id for m in active if m.role == TeamRole.SALES_REP]
        return sorted(reps) or sorted(m.id for m in active if m.role == TeamRole.SALES_MANAGER)


def _fields(lead: Lead) -> dict[str, Any]:
    values = lead_fields(lead)
    values["score_band"] = lead.score_band
    return values


def _field_text(values: Mapping[str, Any], name: str) -> str:
    if name.startswith(CUSTOM_PREFIX):
        return str((values.get("custom_fields") or {}).get(name[len(CUSTOM_PREFIX) :], "") or "")
    if name == "score_band":
        band = str(values.get("score_band") or "")
        return "sales-ready" if band == ScoreBand.SALES_READY else band
    return str(values.get(name) or "")


def rule_matches(rule: AssignmentRule, values: Mapping[str, Any]) -> bool:
    """True when every condition of ``rule`` holds for the lead's field ``values``."""
    return all(
        make_matcher(c.operator, c.value)(_field_text(values, c.field)) for c in rule.conditions
    )


def route(
    lead: Lead,
    config: RoutingConfig,
    load: TeamLoad,
    *,
    exclude: Iterable[int] = (),
    keep_owner: bool = True,
) -> RouteDecision:
    """Choose the rep for ``lead`` (members in ``exclude`` are never chosen)."""
    excluded = set(exclude)
    owner = lead.owner_id
    if keep_owner and owner is not None and owner not in excluded and load.available(owner):
        return RouteDecision(owner, "", "already their lead")
    values = _fields(lead)
    for rule in config.rules:
        if not rule.enabled or not rule_matches(rule, values):
            continue
        chosen = load.pick(m for m in rule.members if m not in excluded)
        if chosen is not None:
            return RouteDecision(chosen, rule.name)
    pool = [m for m in load.default_pool(config) if m not in excluded]
    chosen = load.pick(pool)
    if chosen is not None:
        return RouteDecision(chosen, "default pool")
    chosen = load.pick(pool, ignore_capacity=True)
    if chosen is not None:
        return RouteDecision(chosen, "default pool", "everyone is at capacity")
    return RouteDecision(None, "", "no active sales rep")


# --- documents and preview ----------------------------------------------------------------


def export_document(session: Session, config: RoutingConfig) -> dict[str, Any]:
    """The rules as a JSON document, members by email."""
    emails = {m.id: m.email for m in session.scalars(select(TeamMember))}
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "rules": [
            {
                "name": r.name,
                "enabled": r.enabled,
                "conditions": [vars(c) for c in r.conditions],
                "assign_to": [emails.get(m, f"#{m}") for m in r.members],
            }
            for r in config.rules
        ],
        "default": [emails.get(m, f"#{m}") for m in config.default_members],
    }


def read_document(session: Session, document: Any) -> RoutingConfig:
    """Rules from an exported JSON document (members matched by email, id or name)."""
    if not isinstance(document, Mapping) or document.get("format") != EXPORT_FORMAT:
        raise RoutingError("this file is not a LeadDesk assignment-rules file")
    if document.get("version") != EXPORT_VERSION:
        raise RoutingError(f"unsupported assignment-rules version {document.get('version')}")

    def member_ids(where: str, references: Any) -> tuple[int, ...]:
        ids = []
        for reference in references or []:
            try:
                ids.append(find_member(session, str(reference).lstrip("#")).id)
            except TeamError as error:
                raise RoutingError(f"{where}: {error}") from error
        return tuple(ids)

    try:
        rules = []
        for item in document.get("rules", []):
            name = str(item["name"])
            conditions = []
            for raw in item.get("conditions", []):
                unknown = set(raw) - {"field", "operator", "value"}
                if unknown:
                    raise RoutingError(f"rule {name!r}: unknown condition settings {unknown}")
                conditions.append(Condition(**{k: str(v) for k, v in raw.items()}))
            rules.append(
                AssignmentRule(
                    name=name,
                    enabled=bool(item.get("enabled", True)),
                    conditions=tuple(conditions),
                    members=member_ids(f"rule {name!r}", item.get("assign_to")),
                )
            )
        default = member_ids("the default pool", document.get("default", []))
    except (KeyError, TypeError, AttributeError) as error:
        raise RoutingError(f"the assignment rules are incomplete: {error}") from error
    return validate_routing(session, RoutingConfig(tuple(rules), default))


@dataclass(frozen=True)
class PreviewRow:
    """One lead of a preview and who it would go to."""

    lead_id: int
    name: str
    company: str
    country: str
    band: str
    member: str
    rule: str
    note: str


def preview_assignments(
    session: Session, config: RoutingConfig, now: datetime, *, limit: int = 20
) -> tuple[list[PreviewRow], dict[str, int]]:
    """Who the next ``limit`` leads for sales would go to under ``config`` (writes nothing).

    The leads are those not yet in sales' hands with the highest scores. The counts are per
    member over those leads, each assignment counted as the rules would (round-robin included).
    """
    from leaddesk.handoff.service import AUTO_STATUSES  # the service builds on routing

    validate_routing(session, config)
    load = TeamLoad.read(session)
    leads = session.scalars(
        select(Lead)
        .where(Lead.status.in_(list(AUTO_STATUSES)))
        .order_by(Lead.score.desc(), Lead.id)
        .limit(limit)
    )
    rows: list[PreviewRow] = []
    counts: dict[str, int] = {}
    for lead in leads:
        decision = route(lead, config, load)
        member = load.members.get(decision.member_id) if decision.member_id else None
        name = member.name if member else "nobody"
        if decision.member_id is not None:
            load.took(decision.member_id, now)
        counts[name] = counts.get(name, 0) + 1
        rows.append(
            PreviewRow(
                lead.id,
                lead.full_name,
                lead.company,
                lead.country,
                lead.score_band,
                name,
                decision.rule or "—",
                decision.note,
            )
        )
    return rows, counts


def with_rule(
    config: RoutingConfig, rule: AssignmentRule, index: int | None = None
) -> RoutingConfig:
    """A copy with ``rule`` put at ``index`` (replacing the one there) or added at the end."""
    rules = list(config.rules)
    if index is None:
        rules.append(rule)
    else:
        rules[index] = rule
    return replace(config, rules=tuple(rules))
