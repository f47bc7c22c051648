"""The optional open-tracking image: a 1×1 picture on the team's own site, read from its logs.

Off by default and approximate everywhere it is shown: image proxies (Gmail's, Apple Mail
Privacy Protection) fetch it for the reader or ahead of them, and many readers block images.
Reports count clicks, not opens, as the engagement figure.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:  # planning (every tick) imports this module: the log reader is not needed
    from leaddesk.visits.access_log import Hit


def open_image_url(pixel: str, token: str) -> str:
    """The image's URL for one email: the configured URL with ``ld=<token>`` added."""
    parts = urlsplit(pixel)
    query = "&".join(q for q in (parts.query, urlencode({"ld": token})) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def with_open_image(markup: str, pixel: str, token: str) -> str:
    """``markup`` with the invisible image just before ``</body>``."""
    tag = (
        f'<img src="{html.escape(open_image_url(pixel, token))}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px">'
    )
    head, body_end, tail = markup.rpartition("</body>")
    return f"{head}{tag}{body_end}{tail}" if body_end else markup + tag


def prefetch_reason(hit: Hit, sent_at: datetime | None, seconds: int) -> str | None:
    """Why a fetch of the image is not an open: a HEAD request, or a fetch within ``seconds``
    of delivery (a filter or privacy proxy fetching ahead of the reader). Image proxies that
    fetch when the reader opens (Gmail's) do count: that is what "approximate" means."""
    from leaddesk.visits.machine_hits import request_or_timing_reason

    reason = request_or_timing_reason(hit, sent_at, seconds)
    return f"image fetched {reason}" if reason and reason.startswith("within") else reason
