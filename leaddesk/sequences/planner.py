"""Where a lead is in a sequence and when its next step may happen.

The :class:`Planner` is shared by the scheduler (which writes messages and tasks) and the
simulator (which only lists them): both ask it for the next actionable step after an anchor
moment and for a send slot that keeps the send window, the account's rate limits and the
sequence's daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import (
    Enrollment,
    Lead,
    OutboundMessage,
    OutboxState,
    SenderAccount,
    SequenceStep,
    SequenceVersion,
    StepKind,
)
from leaddesk.sequences.pacing import DAY, RateBook, earliest_slot
from leaddesk.sequences.timing import ALWAYS, SendWindow, add_wait, fit_window, resolve_zone
from leaddesk.settings import get_setting
from leaddesk.visits.config import VisitSettings, load_visit_settings
from leaddesk.visits.open_image import with_open_image
from leaddesk.visits.tracked_links import new_link_token, track_links

DEFAULT_TIMEZONE_SETTING = "default_timezone"
BOOKED_STATES = (
    OutboxState.SCHEDULED,
    OutboxState.SENDING,
    OutboxState.SENT,
    OutboxState.DEFERRED,
    OutboxState.UNKNOWN,
)
ACTIONABLE = (StepKind.EMAIL, StepKind.TASK)


def window_of(version: SequenceVersion) -> SendWindow:
    """The version's send window (any time, any day, when its settings are broken)."""
    try:
        return SendWindow.parse(version.send_days, version.window_start, version.window_end)
    except ValueError:
        return ALWAYS


def next_actionable(
    steps: list[SequenceStep],
    position: int,
    anchor: datetime,
    *,
    zone: ZoneInfo,
    window: SendWindow,
) -> tuple[int, datetime] | None:
    """The first email/task step at or after ``position`` and its due moment.

    Waits (wait steps and the step's own delay) count from ``anchor``, the moment the
    previous step happened; the result is moved into the send window in ``zone``.
    """
    moment = anchor
    for index in range(position, len(steps)):
        step = steps[index]
        if step.wait_days or step.wait_hours:
            moment = add_wait(
                moment,
                days=step.wait_days,
                hours=step.wait_hours,
                business_days=step.business_days,
                zone=zone,
            )
        if step.kind in ACTIONABLE:
            return index, fit_window(moment, window, zone)
    return None


def only_account(session: Session) -> SenderAccount | None:
    """The sender account when exactly one exists (the default for sequences without one)."""
    accounts = list(session.scalars(select(SenderAccount).limit(2)))
    return accounts[0] if len(accounts) == 1 else None


# Rendering time one step may spend in one scheduler pass, all its leads together.
STEP_RENDER_SECONDS = 1.0


@dataclass
class Planner:
    """Per-run caches of windows, zones, accounts and rate books."""

    session: Session
    now: datetime
    _accounts: dict[int, RateBook] = field(default_factory=dict)
    _sequences: dict[int, RateBook] = field(default_factory=dict)
    _default_zone: str | None = None
    _single_account: SenderAccount | bool | None = False
    # Steps whose template ran over its render budget in this run: the other leads of that
    # step fail with the same problem at once instead of spending the budget again each.
    over_budget: dict[int, Exception] = field(default_factory=dict)
    _render_seconds: dict[int, float] = field(default_factory=dict)
    _visits: VisitSettings | None = None
    _sequence_names: dict[int, str] = field(default_factory=dict)
    _windows: dict[tuple[object, ...], SendWindow] = field(default_factory=dict)

    def window(self, version: SequenceVersion) -> SendWindow:
        """The version's send window (:func:`window_of`), parsed once per run."""
        key = (version.id, version.send_days, version.window_start, version.window_end)
        found = self._windows.get(key)
        if found is None:
            found = self._windows[key] = window_of(version)
        return found

    def track_links(
        self, rendered: dict[str, str], version: SequenceVersion, step: SequenceStep
    ) -> tuple[dict[str, str], str | None]:
        """The rendered email with links to the team's own sites tokenised (and UTM-tagged),
        and the token; the email unchanged and None when it has no such link."""
        if self._visits is None:
            self._visits = load_visit_settings(self.session)
        if not self._visits.active:
            return rendered, None
        if version.sequence_id not in self._sequence_names:
            self._sequence_names[version.sequence_id] = version.sequence.name
        token = new_link_token()
        tracked = track_links(
            rendered,
            self._visits.tracking,
            token=token,
            campaign=self._sequence_names[version.sequence_id],
            content=f"step-{step.position + 1}",
        )
        if self._visits.pixel and "</body>" in tracked.get("html", ""):
            tracked["html"] = with_open_image(tracked["html"], self._visits.pixel, token)
        return (tracked, token) if tracked != rendered else (rendered, None)

    def note_render(self, step_id: int, seconds: float) -> None:
        """Add one render's time; past :data:`STEP_RENDER_SECONDS` in this run, the step's
        other leads fail at once (an ordinary template renders in well under a millisecond)."""
        total = self._render_seconds.get(step_id, 0.0) + seconds
        self._render_seconds[step_id] = total
        if total > STEP_RENDER_SECONDS and step_id not in self.over_budget:
            from leaddesk.sequences.templates import TemplateProblem

            self.over_budget[step_id] = TemplateProblem(
                f"not allowed in an email template (it takes too long to render: over "
                f"{STEP_RENDER_SECONDS:g} s for this step in one pass)",
                fix="simplify the template: merge fields, {% if %} and short loops only",
            )

    def zone_for(self, lead: Lead, version: SequenceVersion) -> ZoneInfo:
        """The lead's zone, else the sequence's fallback, else the team's default, else UTC."""
        if self._default_zone is None:
            self._default_zone = str(get_setting(self.session, DEFAULT_TIMEZONE_SETTING, "") or "")
        return resolve_zone(lead.timezone, version.fallback_timezone, self._default_zone)

    def account_for(self, version: SequenceVersion) -> SenderAccount | None:
        """The version's sender account, or the only account when exactly one exists."""
        if version.sender_account_id is not None:
            return self.session.get(SenderAccount, version.sender_account_id)
        if self._single_account is False:
            self._single_account = only_account(self.session)
        return self._single_account  # type: ignore[return-value]

    def account_book(self, account: SenderAccount) -> RateBook:
        """The booked sends of ``account`` from a day ago onwards, with its limits."""
        if account.id not in self._accounts:
            self._accounts[account.id] = RateBook.for_account(
                account.per_minute,
                account.per_hour,
                account.per_day,
                self._booked(OutboundMessage.account_id == account.id),
            )
        return self._accounts[account.id]

    def sequence_book(self, sequence_id: int, cap: int | None) -> RateBook:
        """The booked sends of one sequence, limited by its daily cap."""
        if sequence_id not in self._sequences:
            in_sequence = OutboundMessage.enrollment_id.in_(
                select(Enrollment.id).where(Enrollment.sequence_id == sequence_id)
            )
            self._sequences[sequence_id] = RateBook.for_daily_cap(cap, self._booked(in_sequence))
        return self._sequences[sequence_id]

    def _booked(self, condition: object) -> list[datetime]:
        moment = func.coalesce(OutboundMessage.sent_at, OutboundMessage.due_at)
        rows = self.session.scalars(
            select(moment).where(
                condition,  # type: ignore[arg-type]
                OutboundMessage.state.in_(BOOKED_STATES),
                moment >= self.now - DAY,
            )
        )
        return [_aware(value) for value in rows]

    def email_slot(
        self,
        due: datetime,
        *,
        version: SequenceVersion,
        sequence_id: int,
        zone: ZoneInfo,
        account: SenderAccount,
        earliest: datetime,
    ) -> datetime:
        """The send moment for an email due at ``due``: in the window, within every limit.

        Nothing is planned before ``earliest`` (now, in the scheduler): missed sends move
        forward into the next windows instead of being sent late in a burst.
        """
        window = self.window(version)
        books = [self.account_book(account), self.sequence_book(sequence_id, version.daily_cap)]
        slot = earliest_slot(max(due, earliest), books, lambda t: fit_window(t, window, zone))
        for book in books:
            book.book(slot)
        return slot


def _aware(value: datetime | str) -> datetime:
    """COALESCE over UTCDateTime loses the type on SQLite; rebuild an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
