"""The team's link-tracking and visit settings: own domains, UTM, scanners, the open image."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from leaddesk.settings import get_setting
from leaddesk.visits.tracked_links import LinkTracking

LINK_DOMAINS = "link_domains"
LINK_TRACKING = "link_tracking"
LINK_UTM = "link_utm"
MACHINE_SECONDS = "machine_click_seconds"
#: An image on the team's own site that emails show, to read (approximate) opens from the
#: same logs; empty = off (the default).
OPEN_PIXEL_URL = "open_pixel_url"

#: Link scanners (Safe Links, Mimecast, Proofpoint…) open links within seconds of delivery.
DEFAULT_MACHINE_SECONDS = 60
#: Further page views by the same visitor within this many minutes belong to the same lead.
STITCH_MINUTES = 30


@dataclass(frozen=True)
class VisitSettings:
    """What planning and the log import need to know, read once."""

    tracking: LinkTracking
    machine_seconds: int = DEFAULT_MACHINE_SECONDS
    open_pixel_url: str = ""

    @property
    def active(self) -> bool:
        """True when links to the user's own sites get a token."""
        return self.tracking.enabled and bool(self.tracking.domains)

    @property
    def pixel(self) -> str:
        """The open-tracking image's URL when opens are read (tracking on, an own domain)."""
        url = self.open_pixel_url
        if not url or not self.tracking.enabled:
            return ""
        return url if self.tracking.own_domain(urlsplit(url).hostname or "") else ""

    @property
    def pixel_path(self) -> str:
        """The path of the open-tracking image (what the web log shows), "" when off."""
        return urlsplit(self.pixel).path if self.pixel else ""


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
        open_pixel_url=str(get_setting(session, OPEN_PIXEL_URL, "") or "").strip(),
    )


def open_image_problem(url: str, tracking: LinkTracking) -> str:
    """Why ``url`` cannot be the open-tracking image ("" when it can)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or not parts.path.strip("/"):
        return f"{url!r} is not an image address: write it as https://www.your-site/px.gif"
    if tracking.own_domain(parts.hostname) is None:
        return (
            f"{parts.hostname} is not one of your websites: add it to link_domains first "
            "(the image is read from your own site's logs)"
        )
    return ""
