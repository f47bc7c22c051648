"""Activity lists: a webinar report or a download list read as events on leads.

A webinar attendee report gives ``webinar_attended`` (with minutes, summed over a person's
join/leave segments) or ``webinar_registered`` for registrants who did not attend; a download
list gives one ``whitepaper_download``/``case_study_download`` per person and piece of content.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum

from leaddesk.activities.kinds import ActivityKind

_YES = frozenset({"yes", "y", "true", "1", "attended", "x", "ja", "oui", "si", "sí"})
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y",
    "%d %b %Y",
)


class ActivityMode(StrEnum):
    """What kind of activity list a file is."""

    WEBINAR = "webinar"  # attendee report: attended (with minutes) or registered only
    REGISTRATIONS = "registrations"  # registration report: everyone registered
    DOWNLOADS = "downloads"


def parse_when(text: str) -> datetime | None:
    """A date/time in a common export format as aware UTC (naive values are taken as UTC)."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_minutes(text: str) -> float | None:
    """Minutes from ``"45"``, ``"45.5"``, ``"1:05:00"`` (h:m:s) or ``"62 min"``."""
    text = text.strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+:\d{1,2}(:\d{1,2})?", text):
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 3:
            return parts[0] * 60 + parts[1] + parts[2] / 60
        return parts[0] + parts[1] / 60
    match = re.match(r"(\d+(?:[.,]\d+)?)", text)
    return float(match.group(1).replace(",", ".")) if match else None


def row_events(
    mode: ActivityMode, values: dict[str, str], events: list[dict[str, object]]
) -> list[dict[str, object]]:
    """The new events one row adds to a person's ``events`` (folding into them where it can)."""
    when = parse_when(values.get("activity_date", ""))
    stamp = when.isoformat() if when else None
    if mode is ActivityMode.REGISTRATIONS:
        registered = ActivityKind.WEBINAR_REGISTERED
        if any(e["kind"] == registered for e in events):
            return []
        return [{"kind": str(registered), "at": stamp}]
    if mode is ActivityMode.WEBINAR:
        minutes = parse_minutes(values.get("minutes", ""))
        attended_text = values.get("attended", "").strip().lower()
        attended = attended_text in _YES if attended_text else (minutes or 0) > 0
        if "attended" not in values and "minutes" not in values:
            attended = True  # a bare attendee list
        kind = ActivityKind.WEBINAR_ATTENDED if attended else ActivityKind.WEBINAR_REGISTERED
        for event in events:
            if event["kind"] == kind:
                if minutes:
                    before = float(str(event.get("minutes") or 0))
                    event["minutes"] = round(before + minutes, 2)
                if stamp and (not event["at"] or stamp < str(event["at"])):
                    event["at"] = stamp
                return []
        if kind == ActivityKind.WEBINAR_ATTENDED:
            # Attending implies a registration was superseded: keep the stronger event only.
            events[:] = [e for e in events if e["kind"] != ActivityKind.WEBINAR_REGISTERED]
        elif any(e["kind"] == ActivityKind.WEBINAR_ATTENDED for e in events):
            return []
        added: dict[str, object] = {"kind": str(kind), "at": stamp}
        if kind == ActivityKind.WEBINAR_ATTENDED:
            added["minutes"] = round(minutes or 0, 2)
        return [added]
    asset = values.get("asset", "").strip()
    kind = (
        ActivityKind.CASE_STUDY_DOWNLOAD
        if "case stud" in asset.lower()
        else ActivityKind.WHITEPAPER_DOWNLOAD
    )
    if any(e["kind"] == kind and e.get("asset") == asset for e in events):
        return []
    return [{"kind": str(kind), "at": stamp, "asset": asset}]
