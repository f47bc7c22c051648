"""The first hour, end to end: a fresh database walked through the setup checklist to a first
drip email received on loopback — once through a relay that needs no login, once through
STARTTLS+AUTH — with the Outbox banner and `leaddesk doctor` checked at each step."""

from __future__ import annotations

import dataclasses
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from leaddesk.cli import main
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.leads.emails import email_key
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.ui.context import AppContext
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.outbox.status import install_sender
from leaddesk.ui.pages.outbox import OutboxPage
from tests.mail.mailtest_data import states
from tests.mail.mailtest_keyring import PASSWORD

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # a Tuesday, inside the preset's 9–17 window
LEAD = "wei.chen@customer.example"


@pytest.fixture
def window(qtbot: QtBot, qapp: object, db: Database) -> Iterator[MainWindow]:
    """The app on the test database at NOW, its background sender installed (not started)."""
    from leaddesk.app import application

    application()
    context = dataclasses.replace(AppContext.create(db), clock=FixedClock(NOW))
    main_window = MainWindow(context)
    qtbot.addWidget(main_window)
    install_sender(main_window, start=False)
    main_window.show()
    yield main_window
    main_window.background_sender.stop()
    main_window.close()
    context.runner.shutdown()


def _doctor(capsys: Any, monkeypatch: Any, db_path: Any) -> tuple[int, str]:
    return _cli(capsys, monkeypatch, db_path, "doctor")[:2]


def _cli(capsys: Any, monkeypatch: Any, db_path: Any, *argv: str, stdin: str = "") -> tuple:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    return status, out, err


def _enrol_one_lead(db: Database) -> None:
    """Wei, met at the booth, enrolled in the tradeshow sequence: day 1 is due now."""
    with db.write() as session:
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        lead = Lead(email=LEAD, email_key=email_key(LEAD), first_name="Wei")
        lead.company, lead.timezone = "Chen Robotics", "Europe/London"
        session.add(lead)
        session.flush()
        enroll_leads(session, sequence, [lead.id], now=NOW)


def _outbox(qtbot: QtBot, window: MainWindow) -> OutboxPage:
    page = window.show_page("outbox")
    assert isinstance(page, OutboxPage)
    page.refresh()
    qtbot.waitUntil(lambda: page.loaded and not window.context.runner.busy, timeout=10000)
    return page


def _missing(qtbot: QtBot, window: MainWindow) -> str:
    """What the Outbox says blocks sending: its checklist while empty, else its banner."""
    page = _outbox(qtbot, window)
    if page.showing_empty_state:
        title = page.empty_state.title_label.text()
        if title.startswith("Set up sending first"):
            return f"{title}\n{page.empty_state.body_label.text()}"
        return ""
    return page.banner.label.text() if page.banner.isVisible() else ""


def _walk(qtbot, window, db, db_path, capsys, monkeypatch, add_account: list[str], stdin: str):  # type: ignore[no-untyped-def]
    _enrol_one_lead(db)
    status, out = _doctor(capsys, monkeypatch, db_path)
    assert status == 3
    assert "Who you are: nobody is in the team yet" in out
    assert "run: leaddesk account add" in out and "run: leaddesk settings set postal_address" in out
    text = _missing(qtbot, window)  # nothing sent yet: the empty Outbox shows the checklist
    assert text.startswith("Set up sending first: 1 email is due")
    assert "✗</span> <b>A sender account</b>" in text and "✗</span> <b>Your postal address" in text

    assert (
        _cli(capsys, monkeypatch, db_path, "team", "add", "Ada Admin", "ada@company.example")[0]
        == 0
    )
    status, out = _doctor(capsys, monkeypatch, db_path)
    assert status == 3 and "Who you are: Ada Admin (ada@company.example)" in out

    status, _, err = _cli(capsys, monkeypatch, db_path, "account", "add", *add_account, stdin=stdin)
    assert status == 0, err
    status, out = _doctor(capsys, monkeypatch, db_path)
    assert status == 3 and "run: leaddesk account add" not in out
    text = _missing(qtbot, window)
    assert "✓</span> <b>A sender account</b>" in text and "✗</span> <b>Your postal address" in text

    status, out, _ = _cli(capsys, monkeypatch, db_path, "settings", "set", "postal_address",
                          "Chen Robotics Ltd, 1 Dock Road, London E16 1AA")  # fmt: skip
    assert status == 0
    status, out = _doctor(capsys, monkeypatch, db_path)
    assert status == 0 and out.rstrip().endswith("Ready: LeadDesk can send.")
    assert _missing(qtbot, window) == ""

    assert window.background_sender.send_now()
    qtbot.waitUntil(
        lambda: not window.context.runner.busy and not window.background_sender.running,
        timeout=20000,
    )
    assert states(db) == {"sent": 1}


def test_a_fresh_install_sends_its_first_email_through_a_no_login_relay(
    qtbot, window, db, db_path, capsys, monkeypatch, relay
) -> None:
    """Checklist to first email with a relay that needs no login: received once, with EHLO."""
    controller, handler = relay
    _walk(qtbot, window, db, db_path, capsys, monkeypatch,
          ["Relay", "--from", "ada@company.example", "--host", "127.0.0.1", "--port",
           str(controller.port), "--security", "none", "--no-password"], "")  # fmt: skip
    assert [r.recipients for r in handler.received] == [[LEAD]]
    message = handler.received[0].message
    assert message["Subject"] == "Thanks for stopping by our booth, Wei"
    assert "1 Dock Road" in message.get_body(("plain",)).get_content()
    assert handler.greetings and handler.auth_attempts == []


def test_a_fresh_install_sends_its_first_email_through_starttls_and_login(
    qtbot, window, db, db_path, capsys, monkeypatch, smtp_server
) -> None:
    """Checklist to first email with STARTTLS and a password in the keyring: received once."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    _walk(qtbot, window, db, db_path, capsys, monkeypatch,
          ["Sales", "--from", "ada@company.example", "--host", "127.0.0.1", "--port",
           str(smtp_server.port), "--security", "starttls", "--username", "sender@example.com",
           "--password-stdin"], PASSWORD + "\n")  # fmt: skip
    assert [r.recipients for r in smtp_server.received] == [[LEAD]]
    assert smtp_server.received[0].message["Subject"] == "Thanks for stopping by our booth, Wei"
