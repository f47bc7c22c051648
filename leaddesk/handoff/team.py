"""The team: who can own leads, their role, their hours, and how much they can take on.

Every way of changing the team goes through here — Settings → Team, ``leaddesk team …`` and the
sample data — so the checks are the same everywhere: a valid, unique email, a known role and
time zone, working hours that make sense, and no open hand-off left without an owner when a
member stops working on leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Handoff, HandoffState, Lead, TeamMember, TeamRole
from leaddesk.handoff.schedule import (
    WEEKDAYS,
    ScheduleError,
    WorkSchedule,
    format_days,
    local_zone_name,
    parse_days,
)
from leaddesk.leads.emails import check_email, email_key

ROLE_LABELS: dict[str, str] = {
    TeamRole.MARKETING: "Marketing",
    TeamRole.SALES_REP: "Sales rep",
    TeamRole.SALES_MANAGER: "Sales manager",
}
#: Roles that follow up on leads (routing picks among these).
SALES_ROLES = (TeamRole.SALES_REP, TeamRole.SALES_MANAGER)
_ROLE_ALIASES = {"rep": "sales_rep", "sales": "sales_rep", "manager": "sales_manager"}


class TeamError(ValueError):
    """A team change that cannot be made; the message says what to do instead."""


@dataclass(frozen=True)
class MemberValues:
    """The editable fields of a team member (None in an edit: leave as it is)."""

    name: str | None = None
    email: str | None = None
    role: str | None = None
    timezone: str | None = None
    work_days: str | None = None
    work_start: str | None = None
    work_end: str | None = None
    capacity: int | None = None
    clear_capacity: bool = False


@dataclass(frozen=True)
class MemberInfo:
    """A team member as plain data, with how many open hand-offs and leads they own."""

    id: int
    name: str
    email: str
    role: str
    active: bool
    timezone: str
    work_days: str
    work_start: str
    work_end: str
    capacity: int | None
    open_handoffs: int = 0
    owned_leads: int = 0

    @property
    def role_label(self) -> str:
        """The role as people read it ("Sales rep")."""
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def hours_label(self) -> str:
        """Working days and hours in one line: "mon–fri 09:00–17:00 (Europe/Berlin)"."""
        days = self.work_days.replace(",", ", ") if self.work_days != WEEKDAYS else "mon–fri"
        return f"{days} {self.work_start}–{self.work_end} ({self.timezone or 'UTC'})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def member_schedule(member: TeamMember | MemberInfo) -> WorkSchedule:
    """The member's working schedule (a broken stored one falls back to Mon–Fri 9–17 UTC)."""
    try:
        return WorkSchedule.parse(
            member.timezone, member.work_days, member.work_start, member.work_end
        )
    except ScheduleError:
        return WorkSchedule.parse("UTC")


def normal_role(role: str) -> str:
    """A role name as stored; raises :class:`TeamError` for one LeadDesk does not know."""
    value = (role or "").strip().lower().replace(" ", "_").replace("-", "_")
    value = _ROLE_ALIASES.get(value, value)
    if value not in ROLE_LABELS:
        raise TeamError(f"unknown role {role!r}: use marketing, sales_rep or sales_manager")
    return value


def _checked(session: Session, values: MemberValues, member: TeamMember | None) -> MemberValues:
    """``values`` validated and normalised (raises :class:`TeamError` naming the problem)."""
    changes: dict[str, Any] = {}
    if values.name is not None:
        name = " ".join(values.name.split())
        if not name:
            raise TeamError("a team member needs a name")
        changes["name"] = name[:200]
    if values.email is not None:
        problem = check_email(values.email)
        if problem:
            raise TeamError(f"{values.email!r} is not a valid email address: {problem}")
        key = email_key(values.email)
        clash = session.scalar(select(TeamMember).where(func.lower(TeamMember.email) == key))
        if clash is not None and clash is not member:
            raise TeamError(f"{clash.name} already uses {key}")
        changes["email"] = key
    if values.role is not None:
        changes["role"] = normal_role(values.role)
    try:
        if values.timezone is not None:
            WorkSchedule.parse(values.timezone)
            changes["timezone"] = values.timezone.strip()
        if values.work_days is not None:
            changes["work_days"] = format_days(parse_days(values.work_days))
        start = values.work_start or (member.work_start if member else "09:00")
        end = values.work_end or (member.work_end if member else "17:00")
        schedule = WorkSchedule.parse("UTC", WEEKDAYS, start, end)
        if values.work_start is not None:
            changes["work_start"] = schedule.start.strftime("%H:%M")
        if values.work_end is not None:
            changes["work_end"] = schedule.end.strftime("%H:%M")
    except ScheduleError as error:
        raise TeamError(str(error)) from error
    if values.capacity is not None and values.capacity < 1:
        raise TeamError("capacity is the most open hand-offs at once: 1 or more (or no limit)")
    return replace(values, **changes)


def add_member(
    session: Session,
    name: str,
    email: str,
    *,
    role: str = TeamRole.SALES_REP,
    timezone: str | None = None,
    work_days: str = WEEKDAYS,
    work_start: str = "09:00",
    work_end: str = "17:00",
    capacity: int | None = None,
) -> TeamMember:
    """Add an active member (time zone: this computer's when not given)."""
    values = _checked(
        session,
        MemberValues(
            name=name,
            email=email,
            role=role,
            timezone=local_zone_name() if timezone is None else timezone,
            work_days=work_days,
            work_start=work_start,
            work_end=work_end,
            capacity=capacity,
        ),
        None,
    )
    member = TeamMember(
        name=values.name,
        email=values.email,
        role=values.role,
        active=True,
        timezone=values.timezone,
        work_days=values.work_days,
        work_start=values.work_start,
        work_end=values.work_end,
        capacity=values.capacity,
    )
    session.add(member)
    session.flush()
    return member


def edit_member(session: Session, member: TeamMember, values: MemberValues) -> TeamMember:
    """Change the given fields of ``member`` (activation changes go through the functions below)."""
    checked = _checked(session, values, member)
    leaving_sales = checked.role == TeamRole.MARKETING and member.role in SALES_ROLES
    open_count = open_handoff_counts(session).get(member.id, 0) if leaving_sales else 0
    if open_count:
        raise TeamError(
            f"{member.name} has {open_count} open hand-off{'s' if open_count != 1 else ''}: "
            "move them first (deactivate with a new owner, or reassign them in the Sales "
            "queue), then make them marketing"
        )
    for field_name in ("name", "email", "role", "timezone", "work_days", "work_start", "work_end"):
        value = getattr(checked, field_name)
        if value is not None:
            setattr(member, field_name, value)
    if checked.clear_capacity:
        member.capacity = None
    elif checked.capacity is not None:
        member.capacity = checked.capacity
    session.flush()
    return member


def find_member(session: Session, reference: str | int) -> TeamMember:
    """The member named by id, email or (unambiguous) name; raises :class:`TeamError`."""
    text = str(reference).strip()
    if text.isdigit():
        found = session.get(TeamMember, int(text))
        if found is not None:
            return found
    by_email = session.scalar(
        select(TeamMember).where(func.lower(TeamMember.email) == text.lower())
    )
    if by_email is not None:
        return by_email
    named = list(
        session.scalars(select(TeamMember).where(func.lower(TeamMember.name) == text.lower()))
    )
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise TeamError(f"{len(named)} members are called {text!r}: use their email instead")
    raise TeamError(f"there is no team member {text!r} (see `leaddesk team list`)")


def open_handoff_counts(session: Session) -> dict[int, int]:
    """Open (not closed) hand-offs per owner id."""
    rows = session.execute(
        select(Handoff.owner_id, func.count(Handoff.id))
        .where(Handoff.state != HandoffState.CLOSED, Handoff.owner_id.is_not(None))
        .group_by(Handoff.owner_id)
    )
    return {int(owner): int(count) for owner, count in rows if owner is not None}


def _owned_counts(session: Session) -> Mapping[int, int]:
    rows = session.execute(
        select(Lead.owner_id, func.count(Lead.id))
        .where(Lead.owner_id.is_not(None))
        .group_by(Lead.owner_id)
    )
    return {int(owner): int(count) for owner, count in rows if owner is not None}


def member_info(member: TeamMember, open_handoffs: int = 0, owned_leads: int = 0) -> MemberInfo:
    """Plain data for one member."""
    return MemberInfo(
        id=member.id,
        name=member.name,
        email=member.email,
        role=member.role,
        active=member.active,
        timezone=member.timezone,
        work_days=member.work_days,
        work_start=member.work_start,
        work_end=member.work_end,
        capacity=member.capacity,
        open_handoffs=open_handoffs,
        owned_leads=owned_leads,
    )


def list_members(session: Session, *, include_inactive: bool = True) -> list[MemberInfo]:
    """Every member (active first, then by name) with their open hand-offs and leads."""
    statement = select(TeamMember)
    if not include_inactive:
        statement = statement.where(TeamMember.active.is_(True))
    opened, owned = open_handoff_counts(session), _owned_counts(session)
    members = sorted(session.scalars(statement), key=lambda m: (not m.active, m.name.lower()))
    return [member_info(m, opened.get(m.id, 0), owned.get(m.id, 0)) for m in members]


def active_sales_members(session: Session) -> list[TeamMember]:
    """Active members whose role follows up on leads, by id."""
    return list(
        session.scalars(
            select(TeamMember)
            .where(TeamMember.active.is_(True), TeamMember.role.in_(list(SALES_ROLES)))
            .order_by(TeamMember.id)
        )
    )


def managers(session: Session) -> list[TeamMember]:
    """Active sales managers (they hear about every breach)."""
    return list(
        session.scalars(
            select(TeamMember)
            .where(TeamMember.active.is_(True), TeamMember.role == TeamRole.SALES_MANAGER)
            .order_by(TeamMember.id)
        )
    )


@dataclass(frozen=True)
class Handover:
    """What happened to a member's work when they were deactivated or removed."""

    member: str
    handoffs_moved: int
    moved_to: dict[str, int]
    leads_moved: int
    leads_unowned: int
    rules: tuple[str, ...] = ()  # assignment rules that still name them (leads go elsewhere)


def _rules_naming(session: Session, member_id: int) -> list[str]:
    from leaddesk.handoff.routing import load_routing  # routing reads the team, not vice versa

    return load_routing(session).rules_naming(member_id)


def deactivate_member(
    session: Session,
    member: TeamMember,
    *,
    reassign_to: TeamMember | None = None,
    automatic: bool = False,
    by: TeamMember | None = None,
    now: datetime,
) -> Handover:
    """Stop ``member`` receiving leads; their open hand-offs go to ``reassign_to`` (or, with
    ``automatic``, by the assignment rules). Refuses to leave an open hand-off ownerless."""
    from leaddesk.handoff.service import move_open_handoffs  # the service imports the team

    open_count = open_handoff_counts(session).get(member.id, 0)
    if open_count and reassign_to is None and not automatic:
        raise TeamError(
            f"{member.name} has {open_count} open hand-off{'s' if open_count != 1 else ''}: "
            "choose who takes them over (a member, or the assignment rules)"
        )
    if reassign_to is not None and (reassign_to.id == member.id or not reassign_to.active):
        raise TeamError(f"{reassign_to.name} cannot take them over: choose another active member")
    member.active = False
    session.flush()
    moved = move_open_handoffs(
        session, member, to=reassign_to, by=by, now=now, reason=f"{member.name} was deactivated"
    )
    rules = tuple(_rules_naming(session, member.id))
    return Handover(member.name, sum(moved.values()), moved, 0, 0, rules)


def reactivate_member(session: Session, member: TeamMember) -> None:
    """Let ``member`` receive leads again."""
    member.active = True
    session.flush()


def remove_member(
    session: Session,
    member: TeamMember,
    *,
    reassign_to: TeamMember | None = None,
    automatic: bool = False,
    by: TeamMember | None = None,
    now: datetime,
) -> Handover:
    """Delete ``member``: open hand-offs move as for deactivation, their leads go to
    ``reassign_to`` (or lose their owner, and the result says how many). Refused while an
    assignment rule names them."""
    rules = _rules_naming(session, member.id)
    if rules:
        raise TeamError(
            f"{member.name} is named in the assignment rule{'s' if len(rules) > 1 else ''} "
            f"{', '.join(repr(r) for r in rules)}: change those rules first, or deactivate "
            f"{member.name} instead"
        )
    handover = deactivate_member(
        session, member, reassign_to=reassign_to, automatic=automatic, by=by, now=now
    )
    from leaddesk.inbox.bulk import assign_owner  # records each owner change through the door

    owned = list(session.scalars(select(Lead.id).where(Lead.owner_id == member.id)))
    assign_owner(session, owned, reassign_to.id if reassign_to is not None else None, now=now)
    session.delete(member)
    session.flush()
    moved = len(owned) if reassign_to is not None else 0
    return replace(handover, leads_moved=moved, leads_unowned=len(owned) - moved)
