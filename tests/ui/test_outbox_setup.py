"""The Outbox says what blocks sending: a banner with a button per missing item, and the setup
checklist in the empty Outbox; both go away once sending is set up."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from leaddesk.demo import load_demo_data
from leaddesk.handoff.team import add_member
from leaddesk.mail.accounts import add_account
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.ui.pages.outbox import OutboxPage

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _page(qtbot, context, clock) -> OutboxPage:
    page = OutboxPage(dataclasses.replace(context, clock=clock))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.loaded and not page.context.runner.busy, timeout=10000)
    return page


def test_the_banner_names_what_blocks_sending_until_it_is_set_up(qtbot, context, db, clock):
    """Sample data, nothing set up: the banner counts the due emails and names both missing
    items; with an account and a postal address it is gone."""
    load_demo_data(db, now=NOW)
    page = _page(qtbot, context, clock)
    assert not page.showing_empty_state  # the sample's sent history
    assert page.banner.isVisible()
    text = page.banner.label.text()
    assert text.startswith("Sending is blocked: ") and "emails are due" in text
    assert "a sender account, your postal address" in text
    assert [b.text() for b in page.banner.buttons] == ["Settings → Accounts", "Settings → General"]
    with db.write() as session:
        add_account(session, {"name": "Relay", "from_address": "maya@leaddesk.example",
                              "smtp_host": "127.0.0.1", "smtp_port": 2525,
                              "smtp_security": "none", "smtp_username": ""})  # fmt: skip
        set_setting(session, POSTAL_ADDRESS, "Hafenstraße 1, 20095 Hamburg")
    page.refresh()
    qtbot.waitUntil(lambda: not page.context.runner.busy, timeout=10000)
    assert not page.banner.isVisible()


def test_an_empty_outbox_shows_the_checklist(qtbot, context, db, clock):
    """No email yet and nothing set up: "Set up sending first" with a ✓/✗ line per item."""
    with db.write() as session:
        add_member(session, "Ada Admin", "ada@company.example")
    page = _page(qtbot, context, clock)
    assert page.showing_empty_state
    state = page.empty_state
    assert state.title_label.text() == "Set up sending first"
    body = state.body_label.text()
    assert "✗</span> <b>A sender account</b>" in body
    assert "✗</span> <b>Your postal address</b>" in body
    assert "<b>The mailbox for replies</b> (optional)" in body
    assert not state.buttons["Open Settings"].isHidden()
