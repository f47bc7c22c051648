"""The team's link-tracking and visit settings: own domains, UTM, the link-scanner filter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leaddesk.settings import get_setting
from leaddesk.visits.tracked_links import LinkTracking

LINK_DOMAINS = "link_domains"
LINK_TRACKING = "link_tracking"
LINK_UTM = "link_utm"
MACHINE_SECONDS = "machine_click_seconds"

#: Link scanners (Safe Links, Mimecast, Proofpoint…) open links within seconds of delivery.
DEFAULT_MACHINE_SECONDS = 60
#: Further page views by the same visitor within this many minutes belong to the same lead.
STITCH_MINUTES = 30


@dataclass(frozen=True)
class VisitSettings:
    """What planning and the log import need to know, read once."""

    tracking: LinkTracking
    machine_seconds: int = DEFAULT_MACHINE_SECONDS

    @property
    def active(self) -> bool:
        """True when links to the user's own sites get a token."""
        return self.tracking.enabled and bool(self.tracking.domains)


def load_visit_settings(session: Session) -> VisitSettings:
    """The stored settings (tracking is on by default but does nothing until domains are set)."""
    domains = str(get_setting(session, LINK_DOMAINS, "") or "")
    try:
        tracking = LinkTracking.from_text(
            domains,
            utm=bool(get_setting(session, LINK_UTM, True)),
            enabled=bool(get_setting(session, LINK_TRACKING, True)),
        )
    except ValueError:  # checked when saved; a hand-edited value tracks nothing
        tracking = LinkTracking((), enabled=False)
    seconds = get_setting(session, MACHINE_SECONDS, DEFAULT_MACHINE_SECONDS)
    return VisitSettings(
        tracking=tracking,
        machine_seconds=int(seconds if seconds is not None else DEFAULT_MACHINE_SECONDS),
    )
