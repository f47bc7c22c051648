"""The optional open image: off by default, on the team's own site, read as approximate opens."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.commands.settings_keys import SETTINGS
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
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
from tests.visits.test_visits_end_to_end import FIREFOX, _line

PIXEL = "https://www.acme.example/px.gif"


def _send(db: Database, clock: FixedClock, tls: object, port: int, pixel: str) -> int:
    make_account(db, port, PASSWORD)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol BS1 4XX")
        set_setting(session, LINK_DOMAINS, "acme.example")
        if pixel:
            assert SETTINGS["open_pixel_url"].write(session, pixel, clock.now()).startswith("saved")
        sequence = make_sequence(session, [email("Hello", "Hi {{ first_name }}")], name="Expo")
        lead = new_lead(session, "anna@logistics.example")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        lead_id = lead.id
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    return lead_id


def test_without_an_image_address_emails_carry_no_image(
    db: Database, clock: FixedClock, smtp_server: TestSmtpServer, tls: object
) -> None:
    """Opens are off by default: the received email has no image at all."""
    _send(db, clock, tls, smtp_server.port, "")
    (received,) = smtp_server.received
    html = received.message.get_body(("html",))
    assert html is not None and "<img" not in html.get_content()


def test_image_fetches_are_approximate_opens_once_per_email_and_prefetches_are_left_out(
    db: Database, clock: FixedClock, tmp_path: Path, smtp_server: TestSmtpServer, tls: object
) -> None:
    """A prefetch seconds after delivery and a HEAD request are left out; a proxy's fetch an hour
    later and a second fetch give one approximate open, which moves neither score nor last touch."""
    lead_id = _send(db, clock, tls, smtp_server.port, PIXEL)
    sent_at = clock.now()
    (received,) = smtp_server.received
    html = received.message.get_body(("html",))
    assert html is not None
    (src,) = re.findall(r'<img src="([^"]+)"', html.get_content())
    target = unescape(src).removeprefix("https://www.acme.example")
    assert target.startswith("/px.gif?ld=")
    with db.session() as session:
        before = session.get_one(Lead, lead_id)
        score, touched = before.score, before.last_activity_at
    proxy = (
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    )
    log = tmp_path / "access.log"
    log.write_text(
        _line("17.58.1.1", sent_at + timedelta(seconds=2), target, FIREFOX)  # privacy prefetch
        + _line("52.1.1.1", sent_at + timedelta(minutes=5), target, FIREFOX, method="HEAD")
        + _line("66.102.8.1", sent_at + timedelta(hours=1), target, proxy)
        + _line("66.102.8.2", sent_at + timedelta(hours=3), target, proxy)
        + _line("66.102.8.2", sent_at + timedelta(hours=3, minutes=1), "/pricing", proxy),
        encoding="utf-8",
    )
    clock.advance(timedelta(hours=4))
    report = import_visits(db, [log], now=clock.now())
    assert (report.opens, report.clicks, report.pages) == (1, 0, 0), json.dumps(report.as_json())
    assert sorted(report.machine) == ["HEAD request", "image fetched within 60 s of delivery"]
    with db.session() as session:
        opened = session.scalars(
            select(Activity).where(Activity.lead_id == lead_id, Activity.kind == "email_opened")
        ).all()
        after = session.get_one(Lead, lead_id)
        assert len(opened) == 1 and opened[0].payload["approximate"] is True
        assert (after.score, after.last_activity_at) == (score, touched)
    assert import_visits(db, [log], now=clock.now()).opens == 0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://www.acme.example/px.gif", "not an image address"),
        ("https://tracker.example/px.gif", "not one of your websites"),
    ],
)
def test_an_image_address_that_cannot_work_is_refused_with_what_to_do(
    db: Database, clock: FixedClock, url: str, says: str
) -> None:
    """Plain http and a site that is not one of the team's own are refused, nothing stored."""
    with db.write() as session:
        set_setting(session, LINK_DOMAINS, "acme.example")
        with pytest.raises(ValueError, match=says):
            SETTINGS["open_pixel_url"].write(session, url, clock.now())
        assert SETTINGS["open_pixel_url"].read(session) == ""
