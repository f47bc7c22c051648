"""From a sent email to scored clicks: the message the SMTP server received, its links, an nginx
log of what people and machines did with them, and the import that reads it (twice)."""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead, TeamMember, WebVisit
from leaddesk.handoff.service import hand_off
from leaddesk.importing.undo import undo_batch
from leaddesk.scoring.explain import explain_lead
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.tick import run_tick
from leaddesk.visits.config import LINK_DOMAINS
from leaddesk.visits.log_import import import_visits
from tests.handoff.conftest import new_lead
from tests.mail.mailtest_data import make_account
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.mailtest_support import TestSmtpServer
from tests.sequences.sequence_helpers import email, make_sequence

BODY = (
    "Hi {{ first_name }},\n\nOur team pricing: https://www.acme.example/pricing?plan=team\n"
    "The partner docs: https://partner.example/docs.\n"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OUTLOOK = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537"


def _line(ip: str, at: datetime, target: str, agent: str, method: str = "GET") -> str:
    stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" 200 5120 "-" "{agent}"\n'


def _links(server: TestSmtpServer) -> list[str]:
    """The links of the one received email's HTML part; the text part has the same ones."""
    (received,) = server.received
    html, text = received.message.get_body(("html",)), received.message.get_body(("plain",))
    assert html is not None and text is not None
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', html.get_content())]
    assert re.findall(r"https://\S+?(?=[.]?\s)", text.get_content()) == links
    return links


def _send_first_step(db: Database, clock: FixedClock, tls: object, port: int) -> int:
    make_account(db, port, PASSWORD)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol BS1 4XX")
        set_setting(session, LINK_DOMAINS, "acme.example")
        sequence = make_sequence(session, [email("Pricing for {{ company }}", BODY)], name="Expo")
        lead = new_lead(session, "anna@logistics.example")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        lead_id = lead.id
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    return lead_id


def test_clicks_from_the_web_log_become_scored_activity_once_with_one_owner_alert(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    smtp_server: TestSmtpServer,
    tls: object,
    team: dict[str, int],
) -> None:
    """Own-domain link tokenised, partner link untouched; scanner, HEAD and bots left out; the
    click and the stitched pages scored; one "back on your site" alert; a re-import adds nothing."""
    lead_id = _send_first_step(db, clock, tls, smtp_server.port)
    sent_at = clock.now()
    own, partner = _links(smtp_server)
    assert partner == "https://partner.example/docs"
    parts = urlsplit(own)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path, query["plan"]) == ("www.acme.example", "/pricing", ["team"])
    assert query["utm_source"] == ["leaddesk"] and query["utm_medium"] == ["email"]
    assert query["utm_campaign"] == ["expo"] and query["utm_content"] == ["step-1"]
    token = query["ld"][0]
    assert "anna" not in token and str(lead_id) != token
    target = own.removeprefix("https://www.acme.example")

    clock.advance(timedelta(hours=1))
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        tom = session.get_one(TeamMember, team["tom"])
        hand_off(session, lead, trigger="manual", now=clock.now(), to=tom)
    person = "2001:db8::7"
    log = tmp_path / "access.log"
    log.write_text(
        _line("40.94.1.1", sent_at + timedelta(seconds=3), target, OUTLOOK)  # Safe Links
        + _line("52.1.1.1", sent_at + timedelta(minutes=9), target, FIREFOX, method="HEAD")
        + _line("66.249.66.1", sent_at + timedelta(minutes=20), target, "Googlebot/2.1")
        + _line("198.51.100.4", sent_at + timedelta(minutes=30), "/", FIREFOX)  # someone else
        + _line(person, sent_at + timedelta(hours=2), target, FIREFOX)
        + _line(person, sent_at + timedelta(hours=2, seconds=1), "/static/app.css", FIREFOX)
        + _line(person, sent_at + timedelta(hours=2, minutes=5), "/pricing/enterprise", FIREFOX)
        + "this is not a log line\n"
        + _line(person, sent_at + timedelta(hours=2, minutes=30), "/careers", FIREFOX)
        + _line(person, sent_at + timedelta(hours=4), "/blog", FIREFOX),  # a new visit: unknown
        encoding="utf-8",
    )
    older = tmp_path / "access.log.1.gz"  # the rotated file: only unrelated traffic
    older.write_bytes(gzip.compress(_line("198.51.100.9", sent_at, "/about", FIREFOX).encode()))
    clock.set(sent_at + timedelta(hours=5))

    report = import_visits(db, [log, older], now=clock.now())
    assert (report.lines, report.bad_lines, report.bad[0].line_no) == (11, 1, 8)
    assert (report.clicks, report.pages, report.leads) == (1, 2, 1)
    assert sum(report.machine.values()) == 3 and report.unknown_tokens == 0
    with db.session() as session:
        kinds = session.execute(
            select(Activity.kind, Activity.payload)
            .where(Activity.lead_id == lead_id, Activity.kind.in_(("clicked_link", "visited_page")))
            .order_by(Activity.occurred_at, Activity.id)
        ).all()
        score = explain_lead(session, lead_id, clock.now())
    assert [(k, p["path"]) for k, p in kinds] == [
        ("clicked_link", "/pricing"),
        ("visited_page", "/pricing"),
        ("visited_page", "/pricing/enterprise"),
        ("visited_page", "/careers"),
    ]
    assert kinds[0][1]["step"] == "Expo, step 1" and kinds[0][1]["url"] == "/pricing?plan=team"
    reasons = {item.rule for item in score.items if item.counted}
    assert {"Clicked a link in an email", "Viewed your pricing", "Viewed your careers pages"} <= (
        reasons
    )
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    back = [r for r in smtp_server.received if "back on your website" in str(r.message["Subject"])]
    assert len(back) == 1 and back[0].recipients == ["tom@team.example"]

    again = import_visits(db, [log, older], now=clock.now())
    assert (again.clicks, again.pages, again.already_imported) == (0, 0, report.clicks + 2 + 3)
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    with db.session() as session:
        assert session.scalar(select(func.count(WebVisit.id))) == 6
    assert len([r for r in smtp_server.received if "back on" in str(r.message["Subject"])]) == 1

    with db.write() as session:
        undo_batch(session, report.batch_id or 0, clock.now())
    with db.session() as session:
        assert session.scalar(select(func.count(WebVisit.id))) == 0
        left = session.scalar(
            select(func.count(Activity.id)).where(Activity.kind.in_(("clicked_link",)))
        )
    assert left == 0
