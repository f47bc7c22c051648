"""A web server log dropped on the window (or File → Import web logs…) is imported as visits."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from leaddesk.ui.context import AppContext
from leaddesk.visits.log_import import looks_like_access_log
from tests.ui.inbox_page.helpers import answer_next_dialog

LINE = (
    '203.0.113.9 - - [02/Mar/2026:10:00:{s:02d} +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'
)


def test_an_access_log_is_told_from_a_lead_list(tmp_path: Path) -> None:
    """Lines in combined format read as a log; a CSV lead list and an empty file do not."""
    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(s=n) for n in range(5)), encoding="utf-8")
    leads = tmp_path / "leads.csv"
    leads.write_text("email,first_name\nada@alpha.example,Ada\n", encoding="utf-8")
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert looks_like_access_log(log)
    assert not looks_like_access_log(leads) and not looks_like_access_log(empty)


def test_importing_web_logs_from_the_window_opens_the_website_tab_and_reports(
    qtbot: QtBot, window: object, context: AppContext, tmp_path: Path
) -> None:
    """The window's web-log import shows Settings → Website and the summary of what was read."""
    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(s=n) for n in range(3)), encoding="utf-8")
    seen: list[str] = []
    answer_next_dialog("OK", seen)
    window.import_web_logs([str(log)])  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert "Read 3 lines from 1 file" in seen[0]
    settings = window.page("settings")  # type: ignore[attr-defined]
    assert settings.tabs.currentWidget() is settings.tab_widgets["Website"]


def _answer_message_box(button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` in the next message box (the wizard itself is modal too)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text!r} in {box.windowTitle()!r}")

    QTimer.singleShot(0, click)


def test_a_web_log_opened_in_the_list_import_is_offered_as_visits(
    qtbot: QtBot, window: object, context: AppContext, tmp_path: Path
) -> None:
    """Choosing an access log in File → Import a list… asks, and Yes imports it as visits."""
    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(s=n) for n in range(4)), encoding="utf-8")
    asked: list[str] = []
    _answer_message_box("Yes", asked)
    wizard = window.open_import(str(log))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
    assert "is a web server log or an analytics export, not a list of leads" in asked[0]
    summary: list[str] = []
    _answer_message_box("OK", summary)
    qtbot.waitUntil(lambda: bool(summary), timeout=20_000)
    assert "Read 4 lines from 1 file" in summary[0]
    assert not wizard.isVisible()


def test_a_dropped_log_is_imported_as_visits(
    qtbot: QtBot, window: object, context: AppContext, tmp_path: Path
) -> None:
    """An access log dropped on the window goes to the visits import, not the list wizard."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(s=n) for n in range(2)), encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(log))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    summary: list[str] = []
    answer_next_dialog("OK", summary)
    window.dropEvent(event)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(summary), timeout=20_000)
    assert "Read 2 lines from 1 file" in summary[0]
    assert window.import_wizard is None  # type: ignore[attr-defined]
