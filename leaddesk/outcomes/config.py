"""Team-wide settings of the way back: currency, reasons, recycle policies, re-engagement.

Stored in ``app_settings`` like the hand-off settings, so every laptop on a team database uses
the same list of reasons and the same policies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Sequence
from leaddesk.settings import get_setting, set_setting

CURRENCY_KEY = "currency"
REASONS_KEY = "outcome_reasons"
POLICIES_KEY = "recycle_policies"
REENGAGEMENT_KEY = "reengagement"
DEFAULT_CURRENCY = "EUR"
#: Why a lead goes back to marketing, lost or handed back ("other" needs a note).
DEFAULT_REASONS = (
    "not ready yet",
    "no budget",
    "bad timing",
    "chose a competitor",
    "no decision",
    "unresponsive",
    "not a fit",
    "other",
)
SCORE_RESET, SCORE_KEEP = "reset", "keep"


class OutcomeSettingsError(ValueError):
    """A setting that cannot be used; the message says what is allowed."""


@dataclass(frozen=True)
class RecyclePolicy:
    """What happens to a lead lost or handed back for one reason.

    After ``delay_days`` it is "recycled" and enrolled in ``sequence_id`` (None: back to
    nurture without a sequence). ``score`` "reset" makes earlier engagement stop counting, so
    it does not re-qualify the same minute; "keep" lets it fade by decay. ``disqualify`` ends
    nurture instead (the lead is disqualified, no sequence).
    """

    reason: str
    sequence_id: int | None = None
    delay_days: int = 0
    score: str = SCORE_RESET
    disqualify: bool = False

    def describe(self, sequence_names: dict[int, str]) -> str:
        """In words: "after 60 days → Check back in 3 months; engagement starts over"."""
        if self.disqualify:
            return "disqualified: no nurture"
        if self.sequence_id is None:
            where = "no sequence"
        else:
            where = sequence_names.get(self.sequence_id, "a deleted sequence")
        when = f"after {self.delay_days} days" if self.delay_days else "at once"
        score = "engagement starts over" if self.score == SCORE_RESET else "score kept (decays)"
        return f"{when} → {where}; {score}"


#: The policies a new database starts with (no sequence: none exists yet).
DEFAULT_POLICIES: dict[str, RecyclePolicy] = {
    "not ready yet": RecyclePolicy("not ready yet", delay_days=30),
    "no budget": RecyclePolicy("no budget", delay_days=30),
    "bad timing": RecyclePolicy("bad timing", delay_days=60),
    "chose a competitor": RecyclePolicy("chose a competitor", delay_days=180),
    "no decision": RecyclePolicy("no decision", delay_days=60),
    "unresponsive": RecyclePolicy("unresponsive", delay_days=90),
    "not a fit": RecyclePolicy("not a fit", disqualify=True),
    "other": RecyclePolicy("other", delay_days=30),
}


@dataclass(frozen=True)
class ReengagementSettings:
    """The "waking the dead" rule: off until someone switches it on."""

    enabled: bool = False
    inactive_days: int = 90
    every_days: int = 180
    sequence_id: int | None = None
    unresponsive_days: int = 365

    def validate(self) -> ReengagementSettings:
        """Return self, or raise :class:`OutcomeSettingsError` naming the bad value."""
        for name in ("inactive_days", "every_days", "unresponsive_days"):
            if not 1 <= int(getattr(self, name)) <= 3650:
                label = name.replace("_", " ")
                raise OutcomeSettingsError(f"{label} must be between 1 and 3650 days")
        if self.enabled and self.sequence_id is None:
            raise OutcomeSettingsError("choose the re-engagement sequence before switching it on")
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (also the stored form)."""
        return asdict(self)


@dataclass(frozen=True)
class OutcomeSettings:
    """Currency, the reasons people pick from, and one recycle policy per reason."""

    currency: str = DEFAULT_CURRENCY
    reasons: tuple[str, ...] = DEFAULT_REASONS
    policies: dict[str, RecyclePolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))

    def policy(self, reason: str) -> RecyclePolicy:
        """The policy for ``reason`` (a reason without one goes back to nurture at once)."""
        return self.policies.get(reason) or RecyclePolicy(reason)


def _reason(text: str) -> str:
    """A reason as stored: words separated by one space, lower case."""
    return " ".join(text.split()).lower()


def _currency(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise OutcomeSettingsError(f"{value!r} is not a currency code: use three letters like EUR")
    return code


def load_outcome_settings(session: Session) -> OutcomeSettings:
    """The settings in force (defaults until saved)."""
    reasons = get_setting(session, REASONS_KEY, None)
    stored = get_setting(session, POLICIES_KEY, None)
    policies = dict(DEFAULT_POLICIES)
    if isinstance(stored, dict):
        policies = {
            str(reason): RecyclePolicy(**{**data, "reason": str(reason)})
            for reason, data in stored.items()
        }
    return OutcomeSettings(
        currency=str(get_setting(session, CURRENCY_KEY, DEFAULT_CURRENCY) or DEFAULT_CURRENCY),
        reasons=tuple(reasons) if isinstance(reasons, list) and reasons else DEFAULT_REASONS,
        policies=policies,
    )


def save_outcome_settings(session: Session, settings: OutcomeSettings) -> OutcomeSettings:
    """Validate and store ``settings`` (every policy's sequence must exist)."""
    currency = _currency(settings.currency)
    reasons = tuple(dict.fromkeys(_reason(r) for r in settings.reasons if r.strip()))
    if not reasons:
        raise OutcomeSettingsError("keep at least one reason to choose from")
    sequences = set(session.scalars(select(Sequence.id)))
    for policy in settings.policies.values():
        if policy.sequence_id is not None and policy.sequence_id not in sequences:
            raise OutcomeSettingsError(
                f"the policy for {policy.reason!r} names a sequence that was deleted: "
                "choose another one"
            )
        if policy.delay_days < 0 or policy.delay_days > 3650:
            raise OutcomeSettingsError(f"the delay for {policy.reason!r} must be 0–3650 days")
        if policy.score not in (SCORE_RESET, SCORE_KEEP):
            raise OutcomeSettingsError(f"the score rule for {policy.reason!r}: reset or keep")
    set_setting(session, CURRENCY_KEY, currency)
    set_setting(session, REASONS_KEY, list(reasons))
    stored = {
        _reason(reason): {k: v for k, v in asdict(p).items() if k != "reason"}
        for reason, p in settings.policies.items()
    }
    set_setting(session, POLICIES_KEY, stored)
    return replace(settings, currency=currency, reasons=reasons)


def load_reengagement(session: Session) -> ReengagementSettings:
    """The re-engagement rule in force (off until someone switches it on)."""
    stored = get_setting(session, REENGAGEMENT_KEY, None)
    if not isinstance(stored, dict):
        return ReengagementSettings()
    known = {k: v for k, v in stored.items() if k in ReengagementSettings.__dataclass_fields__}
    return ReengagementSettings(**known)


def save_reengagement(session: Session, settings: ReengagementSettings) -> ReengagementSettings:
    """Validate and store the re-engagement rule (its sequence must exist)."""
    settings.validate()
    if settings.sequence_id is not None and session.get(Sequence, settings.sequence_id) is None:
        raise OutcomeSettingsError("the re-engagement sequence was deleted: choose another one")
    set_setting(session, REENGAGEMENT_KEY, settings.to_dict())
    return settings
