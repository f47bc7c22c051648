"""The Reports page: every report on the sample data and on an empty database, the period
switch, the cost entry, and CSV, XLSX and PDF exports through the page."""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.demo import load_demo_data
from leaddesk.reports.catalog import REPORTS, make_report
from leaddesk.reports.model import ReportFilter, preset_period
from leaddesk.ui.context import AppContext
from leaddesk.ui.pages.reports import ReportsPage
from leaddesk.ui.reports.formatting import format_value

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def fixed_context(context: AppContext, clock: FixedClock) -> AppContext:
    """The app context with the test's fixed clock."""
    return dataclasses.replace(context, clock=clock)


@pytest.fixture
def open_page(qtbot: QtBot, fixed_context: AppContext) -> Iterator[object]:
    """Build, show and load the page (call it once the data is in place)."""
    pages: list[ReportsPage] = []

    def build() -> ReportsPage:
        page = ReportsPage(fixed_context)
        qtbot.addWidget(page)
        page.resize(1200, 760)
        page.show()
        page.refresh()
        idle(qtbot, page)
        pages.append(page)
        return page

    yield build
    for page in pages:
        page.close()


def idle(qtbot: QtBot, page: ReportsPage) -> None:
    """Wait until the page has loaded and no background job is left."""
    qtbot.waitUntil(lambda: page.loaded and not page.context.runner.busy, timeout=15000)


def card_texts(page: ReportsPage) -> dict[str, str]:
    """Figure label → the value shown on its card."""
    return {card.label.text(): card.value_label.text() for card in page.cards}


@pytest.fixture
def demo(db: Database) -> Database:
    """The sample data, loaded at the test clock's time."""
    load_demo_data(db, now=NOW)
    return db


def test_every_report_renders_the_cores_numbers(qtbot, open_page, demo) -> None:
    """Each of the seven reports shows every figure of the core, formatted, with no "nan"."""
    page = open_page()
    assert not page.showing_empty_state
    flt = ReportFilter(preset_period("30d", NOW))
    for name in REPORTS:
        page.pick(name)
        idle(qtbot, page)
        assert page.report is not None and page.report.name == name
        with demo.session() as session:
            expected = make_report(session, name, flt, NOW)
        shown = card_texts(page)
        for figure in expected.figures:
            assert shown[figure.label] == format_value(figure.value, figure.kind, "EUR")
        texts = " ".join(shown.values())
        assert "nan" not in texts.lower() and "None" not in texts
    page.pick("funnel")
    idle(qtbot, page)
    assert card_texts(page)["New"] == "150"  # the Chicago summit's leads, 25 days ago


def test_an_empty_database_says_what_to_do(qtbot, open_page, db) -> None:
    """With no leads the page shows its empty state with the import and sample-data buttons."""
    page = open_page()
    assert page.showing_empty_state
    assert page.empty_state.title_label.text() == "No numbers yet"
    assert {"Import a tradeshow list", "Load sample data"} <= set(page.empty_state.buttons)


def test_a_report_with_nothing_in_the_period_explains_why(qtbot, open_page, demo) -> None:
    """The follow-up report for last week before any hand-off: a sentence, dashes, no errors."""
    page = open_page()
    page.pick("calibration")
    idle(qtbot, page)
    combo = page.controls.period_combo
    combo.setCurrentIndex(combo.findData("7d"))
    idle(qtbot, page)
    assert page.report is not None
    if page.report.empty:
        assert page.body.findChild(object, "reportEmpty") is not None
    assert "nan" not in " ".join(card_texts(page).values()).lower()


def test_switching_the_period_recomputes(qtbot, open_page, demo) -> None:
    """Last 90 days → the period and its comparison change on screen and in the figures."""
    page = open_page()
    label = page.controls.compare_label
    assert label.text() == "01 Feb 2026 – 02 Mar 2026  ·  compared with 02 Jan 2026 – 31 Jan 2026"
    combo = page.controls.period_combo
    combo.setCurrentIndex(combo.findData("90d"))
    idle(qtbot, page)
    assert label.text().startswith("03 Dec 2025 – 02 Mar 2026")
    assert page.report is not None and page.report.period.days == 90


def test_a_cost_entered_in_the_roi_report_gives_cost_per_lead(qtbot, open_page, demo) -> None:
    """12,000 for the Berlin expo: its row shows the cost and a cost per lead of 80."""
    page = open_page()
    combo = page.controls.period_combo
    combo.setCurrentIndex(combo.findData("90d"))  # the Berlin expo was 60 days ago
    page.pick("outcomes")
    idle(qtbot, page)
    source = "CloudOps Expo Berlin 2026"
    page.cost_source.setCurrentIndex(page.cost_source.findData(source))
    page.cost_amount.setText("12,000")
    page.save_cost()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: page.report is not None and page.report.name == "outcomes")
    idle(qtbot, page)
    table = page.report.tables[0]
    row = next(r for r in table.rows if r[0] == source)
    columns = table.columns
    assert row[columns.index("Cost (EUR)")] == 12_000.0
    assert row[columns.index("Cost per lead")] == pytest.approx(12_000 / 150)
    assert page.last_message == f"Cost of {source} saved."


def test_exports_write_csv_xlsx_and_one_pdf_page_per_report(
    qtbot, open_page, demo, tmp_path: Path
) -> None:
    """CSV and XLSX carry the figures; "all reports" as PDF has seven pages, one report one."""
    page = open_page()
    page.export_to(tmp_path / "funnel.csv")
    idle(qtbot, page)
    with (tmp_path / "funnel.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[2] == ["Figure", "Value", "Previous period", "Definition"]
    assert rows[3][:2] == ["New", "150"]
    page.export_to(tmp_path / "funnel.xlsx")
    idle(qtbot, page)
    sheet = load_workbook(tmp_path / "funnel.xlsx")["Figures"]
    values = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert values["New"] == 150
    page.save_pdf(tmp_path / "all.pdf", all_reports=True)
    idle(qtbot, page)
    qtbot.waitUntil(lambda: (tmp_path / "all.pdf").exists(), timeout=10000)
    pdf = (tmp_path / "all.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 7
    page.save_pdf(tmp_path / "one.pdf", all_reports=False)
    idle(qtbot, page)
    qtbot.waitUntil(lambda: (tmp_path / "one.pdf").exists(), timeout=10000)
    assert len(re.findall(rb"/Type\s*/Page\b", (tmp_path / "one.pdf").read_bytes())) == 1
    assert page.last_message == "Saved one.pdf (1 page)."


def test_qtcharts_loads_only_when_a_chart_is_drawn() -> None:
    """Opening the app's modules (the window, the Reports page) does not import QtCharts."""
    import subprocess
    import sys

    code = (
        "import sys; import leaddesk.ui.main_window, leaddesk.ui.pages.reports; "
        "print('PySide6.QtCharts' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
