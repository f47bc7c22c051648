"""Settings → Website: own domains, tracking switches, the scanner delay, and the web log import."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import ImportBatch
from leaddesk.settings import get_setting, set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.pages.settings import SETTINGS_TABS
from leaddesk.ui.settings.website import (
    NO_DOMAIN_TEXT,
    WebsiteSettingsTab,
    import_summary,
    website_tab,
)
from leaddesk.visits.config import (
    LINK_DOMAINS,
    LINK_TRACKING,
    LINK_UTM,
    MACHINE_SECONDS,
    OPEN_PIXEL_URL,
    load_visit_settings,
)
from tests.ui.inbox_page.helpers import answer_next_dialog

LOG_LINES = [
    '203.0.113.9 - - [02/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    '203.0.113.9 - - [02/Mar/2026:10:00:05 +0000] "GET /pricing HTTP/1.1" 200 2048 "-" '
    '"Mozilla/5.0"',
    '198.51.100.7 - - [02/Mar/2026:10:01:00 +0000] "GET /about HTTP/1.1" 200 900 "-" "curl/8.5"',
    "this is not a log line at all",
]


def _tab(qtbot: QtBot, context: AppContext) -> tuple[QMainWindow, WebsiteSettingsTab]:
    """The tab in a window with a status bar, loaded."""
    window = QMainWindow()
    tab = WebsiteSettingsTab(context)
    window.setCentralWidget(tab)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.stored is not None and not context.runner.busy, timeout=10_000)
    return window, tab


def _idle(qtbot: QtBot, context: AppContext) -> None:
    qtbot.waitUntil(lambda: not context.runner.busy, timeout=10_000)


def _choose_files(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *_args: ([str(p) for p in paths], "")
    )


def test_the_website_tab_follows_sequences_in_settings(context: AppContext) -> None:
    """Settings lists the Website tab right after Sequences."""
    names = [build.__name__ for build in SETTINGS_TABS]
    assert names.index("website_tab") == names.index("sequences_tab") + 1
    title, widget = website_tab(context)
    assert title == "Website" and isinstance(widget, WebsiteSettingsTab)
    widget.deleteLater()


def test_a_new_database_shows_the_defaults_and_asks_for_a_domain(
    qtbot: QtBot, context: AppContext
) -> None:
    """Nothing stored: tracking and UTM on, 60 s, the domain prompt shown, Save disabled."""
    _window, tab = _tab(qtbot, context)
    assert tab.domains_edit.text() == ""
    assert tab.domains_edit.placeholderText() == "acme.example, shop.acme.example"
    assert tab.tracking_check.isChecked() and tab.utm_check.isChecked()
    assert tab.machine_spin.value() == 60 and tab.machine_spin.suffix() == " s"
    assert tab.no_domain_label.isVisible() and tab.no_domain_label.text() == NO_DOMAIN_TEXT
    assert not tab.save_button.isEnabled()


def test_loading_shows_the_stored_values(qtbot: QtBot, db: Database, context: AppContext) -> None:
    """Stored domains, switches and delay appear in the fields; the domain prompt is hidden."""
    with db.write() as session:
        set_setting(session, LINK_DOMAINS, "acme.example, shop.acme.example")
        set_setting(session, LINK_TRACKING, True)
        set_setting(session, LINK_UTM, False)
        set_setting(session, MACHINE_SECONDS, 120)
    _window, tab = _tab(qtbot, context)
    assert tab.domains_edit.text() == "acme.example, shop.acme.example"
    assert tab.tracking_check.isChecked() and not tab.utm_check.isChecked()
    assert tab.machine_spin.value() == 120
    assert not tab.no_domain_label.isVisible()
    assert not tab.save_button.isEnabled()


def test_typed_settings_are_saved_and_the_domains_normalised(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Typing domains, toggling UTM and setting 90 s then Save stores them all."""
    window, tab = _tab(qtbot, context)
    qtbot.keyClicks(tab.domains_edit, "https://www.Acme.example/, shop.acme.example")
    tab.utm_check.setChecked(False)
    tab.machine_spin.setValue(90)
    assert tab.save_button.isEnabled()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    qtbot.waitUntil(lambda: not tab.saving)
    with db.session() as session:
        stored = load_visit_settings(session)
    assert stored.tracking.domains == ("acme.example", "shop.acme.example")
    assert stored.tracking.enabled and not stored.tracking.utm
    assert stored.machine_seconds == 90
    assert tab.domains_edit.text() == "acme.example, shop.acme.example"
    assert not tab.no_domain_label.isVisible() and not tab.save_button.isEnabled()
    assert window.statusBar().currentMessage() == "Settings saved"


def test_turning_tracking_off_greys_out_utm_and_is_stored(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Without click tracking UTM cannot apply: its box is disabled; tracking off is saved."""
    _window, tab = _tab(qtbot, context)
    tab.tracking_check.setChecked(False)
    assert not tab.utm_check.isEnabled()
    tab.save()
    _idle(qtbot, context)
    with db.session() as session:
        assert load_visit_settings(session).tracking.enabled is False


def test_an_invalid_domain_is_explained_and_nothing_is_stored(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """ "not a domain" shows the core's sentence under the field and stores nothing."""
    _window, tab = _tab(qtbot, context)
    qtbot.keyClicks(tab.domains_edit, "not a domain")
    tab.machine_spin.setValue(30)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    assert tab.domains_error.isVisible()
    assert tab.domains_error.text() == "The own-domains list has 'not a domain': not a domain name."
    with db.session() as session:
        assert get_setting(session, LINK_DOMAINS) is None
        assert get_setting(session, MACHINE_SECONDS) is None
    qtbot.keyClicks(tab.domains_edit, ".example")
    assert not tab.domains_error.isVisible()


def test_an_open_image_off_the_teams_sites_is_refused_and_one_on_them_is_saved(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """An open image on someone else's site is explained under its field and not stored; the
    same image on one of the team's own sites is stored."""
    _window, tab = _tab(qtbot, context)
    qtbot.keyClicks(tab.domains_edit, "acme.example")
    qtbot.keyClicks(tab.open_edit, "https://tracker.example/px.gif")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, context)
    assert tab.open_error.isVisible() and "not one of your websites" in tab.open_error.text()
    with db.session() as session:
        assert get_setting(session, OPEN_PIXEL_URL) is None
    tab.open_edit.clear()
    qtbot.keyClicks(tab.open_edit, "https://www.acme.example/px.gif")
    assert not tab.open_error.isVisible()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving and not context.runner.busy, timeout=10_000)
    with db.session() as session:
        assert load_visit_settings(session).pixel == "https://www.acme.example/px.gif"


def test_importing_a_web_log_reports_lines_and_the_unreadable_one(
    qtbot: QtBot,
    db: Database,
    context: AppContext,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Import web logs reads the chosen file for real and says 4 lines, 1 of them unreadable."""
    log = tmp_path / "access.log"
    log.write_text("\n".join(LOG_LINES) + "\n", encoding="utf-8")
    _choose_files(monkeypatch, log)
    context.clock = clock
    _window, tab = _tab(qtbot, context)
    seen: list[str] = []
    answer_next_dialog("OK", seen)
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    _idle(qtbot, context)
    assert seen[0].startswith("Read 4 lines from 1 file: no clicks")
    assert "1 line could not be read and was skipped:" in seen[0]
    assert "access.log line 4:" in seen[0]
    assert tab.import_button.isEnabled()
    with db.session() as session:
        batch = session.scalars(select(ImportBatch).where(ImportBatch.kind == "visits")).one()
        assert (batch.rows, batch.rejected, batch.imported) == (4, 1, 0)


def test_an_unreadable_log_file_is_named_in_a_warning(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log file that has gone is named in the warning, which says nothing was imported."""
    _choose_files(monkeypatch, tmp_path / "gone.log")
    _window, tab = _tab(qtbot, context)
    seen: list[str] = []
    answer_next_dialog("OK", seen)
    tab.import_logs()
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    _idle(qtbot, context)
    assert "gone.log" in seen[0] and "Nothing was imported" in seen[0]
    assert tab.import_button.isEnabled()


def _long_log(tmp_path: Path) -> Path:
    """20,001 lines: long enough for one progress report (every 20,000 lines)."""
    log = tmp_path / "access.log.1"
    log.write_text((LOG_LINES[0] + "\n") * 20_001, encoding="utf-8")
    return log


def test_a_long_import_reports_progress_in_lines(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status bar's progress says how many lines have been read so far."""
    _choose_files(monkeypatch, _long_log(tmp_path))
    _window, tab = _tab(qtbot, context)
    texts: list[str] = []
    context.runner.progressed.connect(lambda _job, _done, _total, text: texts.append(text))
    seen: list[str] = []
    answer_next_dialog("OK", seen)
    tab.import_logs()
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    _idle(qtbot, context)
    assert texts == ["Importing web logs: 20,000 lines read"]
    assert seen[0].startswith("Read 20,001 lines from 1 file")


def test_a_cancelled_import_writes_nothing_and_says_so(
    qtbot: QtBot,
    db: Database,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancel (the status bar's button) stops the import: no batch, a status-bar message."""
    _choose_files(monkeypatch, _long_log(tmp_path))
    window, tab = _tab(qtbot, context)
    release = threading.Event()
    context.runner.run(lambda _progress: release.wait(10), label="Holding the writer")
    tab.import_logs()  # queued behind the held writer, so cancelled before it reads a line
    assert not tab.import_button.isEnabled()
    next(job for job in context.runner.jobs() if job.label == "Importing web logs").cancel()
    release.set()
    _idle(qtbot, context)
    qtbot.waitUntil(lambda: tab.import_button.isEnabled())
    assert window.statusBar().currentMessage() == "Web log import cancelled: nothing was imported"
    with db.session() as session:
        assert session.scalars(select(ImportBatch)).first() is None


def test_the_summary_names_machines_repeats_unknown_links_and_the_first_bad_lines() -> None:
    """The message box text: counts with thousands, reasons, five bad lines, and where to undo."""
    from leaddesk.visits.access_log import BadLine
    from leaddesk.visits.log_import import VisitImportReport

    bad = [BadLine("access.log", n, "x", "not an access log line") for n in range(1, 8)]
    machine = Counter({"within 60 s of delivery": 4, "link scanner (Mimecast)": 1})
    report = VisitImportReport(
        files=["access.log", "access.log.1.gz"], lines=12_345, bad_lines=7, bad=bad, clicks=3,
        pages=5, machine=machine, unknown_tokens=1, already_imported=2, leads=2, batch_id=9,
        opens=4,
    )  # fmt: skip
    assert import_summary(report).splitlines() == [
        "Read 12,345 lines from 2 files: 3 clicks and 5 page views of 2 leads.",
        "4 emails opened (approximate: image proxies and privacy protection fetch images for "
        "readers).",
        "Left out 5 hits by link scanners and bots: 4 within 60 s of delivery, "
        "1 link scanner (Mimecast).",
        "2 hits had been imported before.",
        "1 tracked hit came from emails not in this database (copied links?).",
        "7 lines could not be read and were skipped:",
        *[f"  access.log line {n}: not an access log line" for n in range(1, 6)],
        "  … and 2 more.",
        "Undo it in Settings → Imports.",
    ]
