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
