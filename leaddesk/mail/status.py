"""The sender's status line: "Next send 10:30 · 37 sent today · paused: quota"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import SenderAccount
from leaddesk.mail.actions import count_by_state, sent_since
from leaddesk.mail.outbox import sending_paused
from leaddesk.mail.sender import next_due_at


@dataclass(frozen=True)
class SenderStatus:
    """What the sender is doing, as plain data (the GUI formats it with :meth:`text`)."""

    next_send_at: datetime | None
    sent_today: int
    paused_all: bool
    paused: tuple[str, ...]
    unknown: int
    needs_password: tuple[str, ...] = ()

    def text(self, local_now: datetime) -> str:
        """The status-bar sentence, times in the user's local zone."""
        parts = []
        if self.paused_all:
            parts.append("Sending paused")
        elif self.next_send_at is not None:
            moment = self.next_send_at.astimezone(local_now.tzinfo)
            if moment <= local_now:
                parts.append("Sending now")
            elif moment.date() == local_now.date():
                parts.append(f"Next send {moment:%H:%M}")
            else:
                parts.append(f"Next send {moment:%a %H:%M}")
        parts.append(f"{self.sent_today} sent today")
        parts.extend(f"paused: {reason}" for reason in self.paused)
        parts.extend(f"{name}: password needed" for name in self.needs_password)
        if self.unknown:
            parts.append(f"{self.unknown} to check")
        return " · ".join(parts)


def short_reason(reason: str) -> str:
    """A one- or two-word label for a pause reason ("quota", "login", "server busy")."""
    lowered = reason.lower()
    for needle, label in (
        ("quota", "quota"),
        ("login", "login"),
        ("slow down", "rate limit"),
        ("busy", "server busy"),
        ("reach", "offline"),
        ("sender address", "sender refused"),
    ):
        if needle in lowered:
            return label
    return reason[:30]


def sender_status(
    session: Session, now: datetime, *, needs_password: tuple[str, ...] = ()
) -> SenderStatus:
    """Read the sender's status from the database."""
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    paused = tuple(
        short_reason(account.pause_reason)
        for account in session.scalars(
            select(SenderAccount).where(SenderAccount.paused_until > now)
        )
    )
    return SenderStatus(
        next_send_at=next_due_at(session, now),
        sent_today=sent_since(session, midnight),
        paused_all=sending_paused(session),
        paused=paused,
        unknown=count_by_state(session).get("unknown", 0),
        needs_password=needs_password,
    )
