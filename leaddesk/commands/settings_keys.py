"""Every team-wide setting the Settings page has, by one key the shell can read and change.

Each :class:`Setting` reads its value as text and writes it back after checking it, through
the same store the GUI uses (hand-off settings, outcome settings, the scoring model), so a
value set here is the value the app shows. A bad value raises ``ValueError`` saying what to
type; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.sequences.planner import DEFAULT_TIMEZONE_SETTING
from leaddesk.sequences.timing import is_valid_zone
from leaddesk.settings import POSTAL_ADDRESS, get_setting, set_setting
from leaddesk.visits.config import (
    DEFAULT_MACHINE_SECONDS,
    LINK_DOMAINS,
    LINK_TRACKING,
    LINK_UTM,
    MACHINE_SECONDS,
    OPEN_PIXEL_URL,
)

_ON = ("on", "yes", "true", "1")
_OFF = ("off", "no", "false", "0")


@dataclass(frozen=True)
class Setting:
    """One setting: what it is for, how to read it, how to write it (returns a message)."""

    key: str
    description: str
    read: Callable[[Session], str]
    write: Callable[[Session, str, datetime], str]


# How a setting is read (as text) and written (checked; returns what was done).
Accessors = tuple[Callable[[Session], str], Callable[[Session, str, datetime], str]]


def _on_off(value: str) -> bool:
    word = value.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise ValueError(f"{value!r}: use on or off")


def _hours(value: str, *, allow_off: bool = False) -> float | None:
    word = value.strip().lower()
    if allow_off and word in ("off", "never", ""):
        return None
    try:
        return float(word.removesuffix("h"))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a number of hours" + (" (or off)" if allow_off else "")
        ) from None


def _number(value: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _stored(key: str, check: Callable[[str], str]) -> Accessors:
    def read(session: Session) -> str:
        return str(get_setting(session, key, "") or "")

    def write(session: Session, value: str, _now: datetime) -> str:
        checked = check(value)
        set_setting(session, key, checked)
        return "cleared" if not checked else "saved"

    return read, write


def _postal(value: str) -> str:
    text = "\n".join(line.strip() for line in value.replace("\\n", "\n").splitlines())
    return text.strip()


def _zone(value: str) -> str:
    zone = value.strip()
    if zone and not is_valid_zone(zone):
        raise ValueError(f"{zone!r} is not a time zone: use a name such as Europe/Berlin")
    return zone


def _handoff(field: str, parse: Callable[[str], Any], show: Callable[[Any], str]) -> Accessors:
    def read(session: Session) -> str:
        from leaddesk.handoff.config import load_settings

        return show(getattr(load_settings(session), field))

    def write(session: Session, value: str, _now: datetime) -> str:
        from leaddesk.handoff.config import load_settings, save_settings

        save_settings(session, load_settings(session).with_changes(**{field: parse(value)}))
        return "saved"

    return read, write


def _scoring(field: str) -> Accessors:
    def read(session: Session) -> str:
        from leaddesk.scoring import load_config

        return f"{getattr(load_config(session), field):g}"

    def write(session: Session, value: str, now: datetime) -> str:
        from leaddesk.scoring import apply_config, load_config

        summary = apply_config(
            session, load_config(session).with_changes(**{field: _number(value)}), now
        )
        return f"saved; re-scored {summary.leads:,} leads ({summary.changed:,} changed)"

    return read, write


def _currency() -> Accessors:
    def read(session: Session) -> str:
        from leaddesk.outcomes.config import load_outcome_settings

        return load_outcome_settings(session).currency

    def write(session: Session, value: str, _now: datetime) -> str:
        from dataclasses import replace

        from leaddesk.outcomes.config import load_outcome_settings, save_outcome_settings

        save_outcome_settings(session, replace(load_outcome_settings(session), currency=value))
        return "saved"

    return read, write


def _flag(value: bool) -> str:
    return "on" if value else "off"


def _optional_hours(value: float | None) -> str:
    return "off" if value is None else f"{value:g}"


def _kinds(value: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in value.split(",") if k.strip())


def _domains(value: str) -> str:
    from leaddesk.visits.tracked_links import LinkTracking

    return ", ".join(LinkTracking.from_text(value).domains)  # ValueError says what is wrong


def _stored_flag(key: str) -> Accessors:
    def read(session: Session) -> str:
        return _flag(bool(get_setting(session, key, True)))

    def write(session: Session, value: str, _now: datetime) -> str:
        set_setting(session, key, _on_off(value))
        return "saved"

    return read, write


def _seconds(key: str, default: int) -> Accessors:
    def read(session: Session) -> str:
        return str(get_setting(session, key, default))

    def write(session: Session, value: str, _now: datetime) -> str:
        if not value.strip().isdigit() or int(value) > 3600:
            raise ValueError(f"{value!r}: give a whole number of seconds from 0 to 3600")
        set_setting(session, key, int(value))
        return "saved"

    return read, write


def _open_image() -> Accessors:
    def read(session: Session) -> str:
        return str(get_setting(session, OPEN_PIXEL_URL, "") or "")

    def write(session: Session, value: str, _now: datetime) -> str:
        from leaddesk.visits.config import load_visit_settings, open_image_problem

        url = value.strip()
        problem = open_image_problem(url, load_visit_settings(session).tracking) if url else ""
        if problem:
            raise ValueError(problem)
        set_setting(session, OPEN_PIXEL_URL, url)
        return "saved (opens are approximate)" if url else "cleared: opens are not read"

    return read, write


def _entries() -> list[tuple[str, str, Accessors]]:
    return [
        (POSTAL_ADDRESS, "the sender's postal address, in every email footer",
         _stored(POSTAL_ADDRESS, _postal)),
        (DEFAULT_TIMEZONE_SETTING, "the time zone of leads with none of their own",
         _stored(DEFAULT_TIMEZONE_SETTING, _zone)),
        ("sla_hours", "hours a rep has for the first follow-up of a hand-off",
         _handoff("sla_hours", _hours, lambda v: f"{v:g}")),
        ("sla_working_hours", "count only the rep's working hours toward the deadline (on/off)",
         _handoff("working_hours_only", _on_off, _flag)),
        ("escalate_after_hours", "hours after a missed deadline the lead goes to the next rep "
         "(or off)", _handoff("escalate_after_hours", lambda v: _hours(v, allow_off=True),
                              _optional_hours)),
        ("handoff_on_sales_ready", "hand a lead to sales when it becomes sales-ready (on/off)",
         _handoff("on_threshold", _on_off, _flag)),
        ("hand_raise_kinds", "activities that hand a lead off whatever its score "
         "(comma-separated, e.g. consultation_requested,demo_requested)",
         _handoff("hand_raise_kinds", _kinds, ",".join)),
        ("handoff_on_warm_reply", "hand off a warm lead that replies (on/off)",
         _handoff("reply_from_warm", _on_off, _flag)),
        ("currency", "the currency of deal amounts (three letters, e.g. EUR)", _currency()),
        ("warm_threshold", "the score from which a lead is warm (re-scores every lead)",
         _scoring("warm_threshold")),
        ("sales_ready_threshold", "the score from which a lead is sales-ready (re-scores every "
         "lead)", _scoring("sales_ready_threshold")),
        ("fit_cap", "the most points fit can give (re-scores every lead)", _scoring("fit_cap")),
        ("engagement_cap", "the most points engagement can give (re-scores every lead)",
         _scoring("engagement_cap")),
        (LINK_DOMAINS, "your own websites' domains (comma-separated): links to them in emails "
         "carry a token, so import-visits can tell who clicked", _stored(LINK_DOMAINS, _domains)),
        (LINK_TRACKING, "tokens on links to your own domains (on/off)",
         _stored_flag(LINK_TRACKING)),
        (LINK_UTM, "UTM parameters (source, medium, campaign, content) on those links (on/off)",
         _stored_flag(LINK_UTM)),
        (MACHINE_SECONDS, "hits this many seconds or less after delivery are link scanners, not "
         "people", _seconds(MACHINE_SECONDS, DEFAULT_MACHINE_SECONDS)),
        (OPEN_PIXEL_URL, "an image on your own site (https://…/px.gif) that emails show, to "
         "read approximate opens from its log (empty: off)", _open_image()),
    ]  # fmt: skip


SETTINGS: dict[str, Setting] = {
    key: Setting(key, description, read, write) for key, description, (read, write) in _entries()
}
