"""Machine hits: link scanners, proxies, bots and previews are told from people reading a page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from leaddesk.visits.access_log import Hit
from leaddesk.visits.machine_hits import MACHINE_AGENTS, agent_label, is_page_view, machine_reason

SENT = datetime(2026, 10, 10, 9, 0, 0, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
PERSON = Hit(
    1, "access.log", "203.0.113.7", SENT + timedelta(hours=1), "GET", "/pricing?ld=abc",
    "/pricing", 200, "", FIREFOX,
)  # fmt: skip


def test_ordinary_browser_an_hour_later_is_a_person() -> None:
    """A browser opening the link an hour after delivery is not a machine."""
    assert machine_reason(PERSON, sent_at=SENT) is None
    assert machine_reason(PERSON, sent_at=None) is None


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_head_and_options_requests(method: str) -> None:
    """HEAD and OPTIONS requests only probe the link."""
    assert machine_reason(replace(PERSON, method=method), sent_at=SENT) == f"{method} request"


def test_within_seconds_of_delivery() -> None:
    """A click in the first seconds after delivery is the mail gateway checking the link."""
    soon = replace(PERSON, at=SENT + timedelta(seconds=4))
    assert machine_reason(soon, sent_at=SENT) == "within 120 s of delivery"
    assert machine_reason(soon, sent_at=SENT, scanner_seconds=3) is None
    later = replace(PERSON, at=SENT + timedelta(seconds=120))
    assert machine_reason(later, sent_at=SENT) is None
    before = replace(PERSON, at=SENT - timedelta(seconds=5))  # a clock skew, not a scanner
    assert machine_reason(before, sent_at=SENT) is None


def test_naive_sent_at_is_taken_as_utc() -> None:
    """A send time stored without a zone (SQLite) counts as UTC."""
    soon = replace(PERSON, at=SENT + timedelta(seconds=10))
    assert machine_reason(soon, sent_at=SENT.replace(tzinfo=None)) == "within 120 s of delivery"


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        ("Mozilla/5.0 (compatible; Microsoft Office 365 ATP SafeLinks)", "Microsoft Safe Links"),
        ("Mimecast-URL-Protect/1.0", "Mimecast"),
        ("Proofpoint URL Defense", "Proofpoint"),
        ("Mozilla/5.0 Barracuda Sentinel", "Barracuda"),
        ("Cisco IronPort URL scanner", "Cisco Secure Email"),
        ("Sophos Email Appliance", "Sophos"),
        ("TrendMicro ScanMail", "Trend Micro"),
        ("Symantec MessageLabs link check", "Symantec"),
        ("FireEye ETP", "FireEye"),
        ("Forcepoint Email Security", "Forcepoint"),
        ("Mozilla/5.0 (Windows NT 5.1) Firefox/11.0 (via ggpht.com GoogleImageProxy)", "Gmail"),
        ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "Yahoo"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0)", "bot"),
        ("SomeCrawler/1.0", "bot"),
        ("Baiduspider/2.0", "bot"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "Python"),
        ("Go-http-client/1.1", "Go"),
        ("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0.0.0 Safari/537.36", "headless"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Facebook"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slack"),
        ("WhatsApp/2.23.20.0 A", "WhatsApp"),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) BingPreview/1.0b", "link preview"),
    ],
)
def test_known_machine_agents(agent: str, label: str) -> None:
    """Scanner, proxy, bot, script and preview user agents are named, whatever their case."""
    for variant in (agent, agent.upper(), agent.lower()):
        reason = machine_reason(replace(PERSON, user_agent=variant), sent_at=SENT)
        assert reason is not None and label in reason, (variant, reason)


def test_empty_user_agent() -> None:
    """A request without a user agent is a machine."""
    assert machine_reason(replace(PERSON, user_agent=""), sent_at=None) == "no user agent"


def test_phones_and_browsers_are_not_bots() -> None:
    """Real browsers, including a Cubot phone and Outlook's own browser, are people."""
    for agent in (
        "Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 Chrome/120 Mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0.0.0 Safari/537.36 Edg/126.0",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
    ):
        assert agent_label(agent) is None, agent


def test_table_labels_are_unique() -> None:
    """Every row of the agent table has its own label."""
    labels = [label for label, _ in MACHINE_AGENTS]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    ("path", "status", "page"),
    [
        ("/pricing", 200, True),
        ("/", 304, True),
        ("/whitepapers/Guide.PDF", 200, True),
        ("/blog/2026/10/hello.html", 200, True),
        ("/static/app.css", 200, False),
        ("/static/app.js", 200, False),
        ("/img/logo.svg", 200, False),
        ("/img/photo.JPEG", 200, False),
        ("/fonts/inter.woff2", 200, False),
        ("/favicon.ico", 200, False),
        ("/robots.txt", 200, False),
        ("/.well-known/security.txt", 200, False),
        ("/pricing", 404, False),
        ("/pricing", 301, False),
        ("/pricing", 500, False),
    ],
)
def test_page_views(path: str, status: int, page: bool) -> None:
    """A page view is a successful GET of a page or a PDF, not an asset, robots or an error."""
    assert is_page_view(replace(PERSON, path=path, target=path, status=status)) is page


def test_only_get_is_a_page_view() -> None:
    """A POST or HEAD of a page is not someone reading it."""
    assert not is_page_view(replace(PERSON, method="POST"))
    assert not is_page_view(replace(PERSON, method="HEAD"))
