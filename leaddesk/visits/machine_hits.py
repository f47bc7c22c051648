"""Machines and people among access-log hits: mail link scanners, image proxies, bots, previews.

A link in an email is often fetched by the recipient's mail security gateway within seconds of
delivery, and a page drags in its CSS, scripts and images. Neither is a person reading the page;
`machine_reason` and `is_page_view` tell them apart so that only real visits are counted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from leaddesk.visits.access_log import Hit

# Which user agents are machines, with the label shown to the user; matched case-insensitively
# anywhere in the user agent, first match wins (so the specific rows come before "bot").
MACHINE_AGENTS: tuple[tuple[str, str], ...] = (
    ("link scanner (Microsoft Safe Links)", r"safe ?links|office ?365 ?atp|defender for office"),
    ("link scanner (Mimecast)", r"mimecast"),
    ("link scanner (Proofpoint)", r"proofpoint|urldefense"),
    ("link scanner (Barracuda)", r"barracuda"),
    ("link scanner (Cisco Secure Email)", r"ironport|cisco secure email"),
    ("link scanner (Sophos)", r"sophos"),
    ("link scanner (Trend Micro)", r"trend ?micro"),
    ("link scanner (Symantec)", r"symantec|broadcom|messagelabs"),
    ("link scanner (FireEye)", r"fireeye|trellix"),
    ("link scanner (Forcepoint)", r"forcepoint|websense"),
    ("image proxy (Gmail)", r"googleimageproxy"),
    ("image proxy (Yahoo Mail)", r"yahoomailproxy"),
    ("link preview (Facebook)", r"facebookexternalhit|facebookcatalog"),
    ("link preview (Slack)", r"slackbot|slack-imgproxy"),
    ("link preview (WhatsApp)", r"whatsapp"),
    ("link preview", r"preview"),
    ("headless browser", r"headlesschrome|phantomjs"),
    ("script (curl)", r"\bcurl/"),
    ("script (wget)", r"\bwget/"),
    ("script (Python)", r"python-requests|python-urllib|aiohttp|httpx"),
    ("script (Go)", r"go-http-client"),
    ("bot", r"(?<!cu)bot\b|\bbot|crawler|spider"),  # Googlebot, bingbot, but not a Cubot phone
)
_AGENT = re.compile(
    "|".join(f"(?P<m{n}>{pattern})" for n, (_, pattern) in enumerate(MACHINE_AGENTS)),
    re.IGNORECASE,
)
_ASSETS = {"css", "js", "mjs", "png", "jpg", "jpeg", "gif", "svg", "ico", "bmp", "webp", "avif"}
_ASSETS |= {"woff", "woff2", "ttf", "otf", "eot", "map", "mp4", "webm", "mp3", "json", "xml"}
_NOT_PAGES = ("/favicon.ico", "/robots.txt", "/.well-known/")


@lru_cache(maxsize=8192)
def agent_label(user_agent: str) -> str | None:
    """The label of the first `MACHINE_AGENTS` row that matches the user agent, else None."""
    match = _AGENT.search(user_agent)
    return MACHINE_AGENTS[int(match.lastgroup[1:])][0] if match and match.lastgroup else None


def request_or_timing_reason(hit: Hit, sent_at: datetime | None, seconds: int) -> str | None:
    """A HEAD/OPTIONS request, or a hit within ``seconds`` after delivery (naive ``sent_at``
    means UTC): the checks that hold for links and for the open image alike."""
    if hit.method in ("HEAD", "OPTIONS"):
        return f"{hit.method} request"
    if sent_at is not None:
        sent = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
        if 0 <= (hit.at - sent).total_seconds() < seconds:
            return f"within {seconds} s of delivery"
    return None


def machine_reason(hit: Hit, *, sent_at: datetime | None, scanner_seconds: int = 120) -> str | None:
    """Why the hit was made by a machine rather than a person, in plain English; None if a person.

    `sent_at` is when the email with the link was delivered (naive means UTC): a click within
    `scanner_seconds` after it is taken for the recipient's mail gateway checking the link.
    """
    timing = request_or_timing_reason(hit, sent_at, scanner_seconds)
    if timing is not None:
        return timing
    if not hit.user_agent:
        return "no user agent"
    return agent_label(hit.user_agent)


def is_page_view(hit: Hit) -> bool:
    """Whether the hit is a page being read: a successful GET of a page, not an asset or a probe.

    PDFs count as pages (whitepapers are PDFs); stylesheets, scripts, images, fonts, media,
    `/favicon.ico`, `/robots.txt` and `/.well-known/` do not.
    """
    if hit.method != "GET" or not (200 <= hit.status < 300 or hit.status == 304):
        return False
    path = hit.path.lower()
    if path.startswith(_NOT_PAGES):
        return False
    name = path.rpartition("/")[2]
    return "." not in name or name.rpartition(".")[2] not in _ASSETS
