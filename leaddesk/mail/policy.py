"""What a server reply means for the message and the account: retry, bounce, or pause.

Kept apart from the SMTP code so the rules read as a table and are tested on their own.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from leaddesk.mail.transport import Phase, Reply

DEFAULT_EXPIRY = timedelta(days=4)
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
QUOTA_PAUSE = timedelta(hours=24)

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


class Verdict(StrEnum):
    """What to do after a reply."""

    SENT = "sent"
    RETRY = "retry"  # temporary: deferred with backoff
    BOUNCE = "bounce"  # the recipient does not exist or refuses: failed, lead bounced
    FAIL = "fail"  # this message can never go (too big, content refused): failed, no bounce
    PAUSE_ACCOUNT = "pause_account"  # the account is in trouble: message stays scheduled
    UNKNOWN = "unknown"  # the server may hold the message: never resend automatically
    RELEASE = "release"  # claimed but never attempted (the batch stopped): back to scheduled


@dataclass(frozen=True)
class Decision:
    """A verdict with the reason shown to the user and, for a pause, how long."""

    verdict: Verdict
    reason: str
    cool_down: timedelta = timedelta(0)


def enhanced_status(text: str) -> tuple[int, int, int] | None:
    """The RFC 3463 enhanced status code in a reply text (``5.1.1`` → ``(5, 1, 1)``)."""
    match = _ENHANCED.search(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def account_trouble(code: int, text: str) -> Decision | None:
    """A pause decision when the reply says the *account* (not the recipient) is in trouble."""
    status = enhanced_status(text)
    lowered = text.lower()
    squashed = lowered.replace(" ", "")
    if code in (530, 534, 535):
        return Decision(
            Verdict.PAUSE_ACCOUNT,
            f"login refused ({code} {text}); check the password in Settings → Accounts",
            timedelta(hours=1),
        )
    if status == (5, 4, 5) or "quotaexceeded" in squashed or "sendingquota" in squashed:
        # Providers count the daily quota over a rolling 24 hours: trying again within the
        # hour only hammers them (and risks a longer block).
        return Decision(
            Verdict.PAUSE_ACCOUNT,
            f"daily sending quota reached ({code} {text}); paused until the provider's "
            "24-hour window resets",
            QUOTA_PAUSE,
        )
    if code == 432 or status == (4, 3, 2):
        return Decision(
            Verdict.PAUSE_ACCOUNT, f"server busy ({code} {text})", timedelta(minutes=15)
        )
    if code == 421:
        return Decision(
            Verdict.PAUSE_ACCOUNT,
            f"server asked to slow down ({code} {text})",
            timedelta(minutes=15),
        )
    return None


def decide(reply: Reply) -> Decision:
    """Classify the outcome of one SMTP transaction."""
    if reply.accepted:
        return Decision(Verdict.SENT, reply.describe())
    if reply.dropped:
        if reply.phase is Phase.PAYLOAD:
            return Decision(
                Verdict.UNKNOWN,
                "the connection was lost after the message was sent; the server may have it",
            )
        return Decision(Verdict.RETRY, reply.describe())
    trouble = account_trouble(reply.code, reply.text)
    if trouble is not None:
        return trouble
    if 400 <= reply.code < 500:
        return Decision(Verdict.RETRY, reply.describe())
    status = enhanced_status(reply.text)
    if reply.phase is Phase.MAIL and reply.code != 552:
        return Decision(
            Verdict.PAUSE_ACCOUNT,
            f"the server refused the sender address ({reply.describe()})",
            timedelta(hours=1),
        )
    recipient_status = (status is not None and status[1] == 1) or status in ((5, 2, 1), (5, 2, 2))
    if (
        reply.phase is Phase.RCPT
        or recipient_status
        or (reply.code in (550, 551, 553) and not status)
    ):
        return Decision(Verdict.BOUNCE, reply.describe())
    return Decision(Verdict.FAIL, reply.describe())


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait before attempt ``attempts + 1``: 5 min doubling to 6 h, ±10 % jitter."""
    base = FIRST_RETRY * (2 ** max(0, attempts - 1))
    delay = min(base, LONGEST_RETRY)
    factor = (rng or random).uniform(0.9, 1.1)
    return timedelta(seconds=delay.total_seconds() * factor)
