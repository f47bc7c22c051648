"""Team-wide hand-off settings: the SLA, escalation, what triggers a hand-off, who sends alerts.

Stored in the database (``app_settings``), so every laptop on a team database keeps the same
promise to sales.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind
from leaddesk.settings import get_setting, set_setting

SETTINGS_KEY = "handoff"
DEFAULT_HAND_RAISE = (ActivityKind.CONSULTATION_REQUESTED.value, ActivityKind.DEMO_REQUESTED.value)
MAX_SLA_HOURS = 24 * 30


class HandoffSettingsError(ValueError):
    """A setting that cannot be used; the message says what is allowed."""


@dataclass(frozen=True)
class HandoffSettings:
    """How hand-offs behave for the whole team.

    ``escalate_after_hours`` is how long after a missed deadline the lead goes to the next rep
    (None: never). ``hand_raise_kinds`` are activities that hand a lead off whatever its score.
    ``alert_account_id`` is the sender account internal alerts go out from (None: the first
    account).
    """

    sla_hours: float = 24.0
    working_hours_only: bool = False
    escalate_after_hours: float | None = 24.0
    on_threshold: bool = True
    hand_raise_kinds: tuple[str, ...] = field(default=DEFAULT_HAND_RAISE)
    reply_from_warm: bool = False
    alert_account_id: int | None = None

    def validate(self) -> HandoffSettings:
        """Return self, or raise :class:`HandoffSettingsError` naming the bad value."""
        if not 0 < self.sla_hours <= MAX_SLA_HOURS:
            raise HandoffSettingsError(
                f"the follow-up deadline must be more than 0 and at most {MAX_SLA_HOURS} hours "
                f"(got {self.sla_hours:g})"
            )
        if self.escalate_after_hours is not None and not (
            0 < self.escalate_after_hours <= MAX_SLA_HOURS
        ):
            raise HandoffSettingsError(
                "escalation must come more than 0 and at most "
                f"{MAX_SLA_HOURS} hours after a missed deadline, or be off"
            )
        known = {kind.value for kind in ActivityKind}
        unknown = [kind for kind in self.hand_raise_kinds if kind not in known]
        if unknown:
            raise HandoffSettingsError(
                f"unknown activity kind {unknown[0]!r} for a hand-raise; "
                "use e.g. consultation_requested or demo_requested"
            )
        return self

    def with_changes(self, **changes: Any) -> HandoffSettings:
        """A copy with some settings changed (validated)."""
        if "hand_raise_kinds" in changes:
            changes["hand_raise_kinds"] = tuple(changes["hand_raise_kinds"])
        return replace(self, **changes).validate()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (also the stored form)."""
        data = asdict(self)
        data["hand_raise_kinds"] = list(self.hand_raise_kinds)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HandoffSettings:
        """Rebuild from :meth:`to_dict` output, ignoring keys it does not know."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "hand_raise_kinds" in known:
            known["hand_raise_kinds"] = tuple(known["hand_raise_kinds"] or ())
        return cls(**known)


_CACHE_KEY = "leaddesk.handoff_settings"


def load_settings(session: Session) -> HandoffSettings:
    """The settings in force (the defaults until someone saves them); cached per session."""
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, HandoffSettings):
        return cached
    stored = get_setting(session, SETTINGS_KEY, None)
    settings = HandoffSettings.from_dict(stored) if isinstance(stored, dict) else HandoffSettings()
    session.info[_CACHE_KEY] = settings
    return settings


def save_settings(session: Session, settings: HandoffSettings) -> HandoffSettings:
    """Validate and store ``settings``."""
    settings.validate()
    set_setting(session, SETTINGS_KEY, settings.to_dict())
    session.info[_CACHE_KEY] = settings
    return settings
