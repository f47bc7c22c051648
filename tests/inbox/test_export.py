"""Export: CSV and XLSX read back, with formula-like cells kept as text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from leaddesk.db.engine import Database
from leaddesk.inbox.export import COLUMNS, escape_cell, export_leads
from tests.inbox.sample_inbox import Inbox, make_lead

DANGEROUS = ['=HYPERLINK("http://x")', "+49 30 1234", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def risky(db: Database, inbox: Inbox) -> list[int]:
    """Leads whose fields start with every formula character."""
    with db.write() as s:
        return [
            make_lead(s, f"r{i}@example.org", first_name=value, company=value, phone=value)
            for i, value in enumerate(DANGEROUS)
        ]


def test_csv_escapes_formulas(db: Database, tmp_path: Path, risky: list[int], inbox: Inbox) -> None:
    """Every cell that starts like a formula is written with a leading apostrophe."""
    path = tmp_path / "leads.csv"
    with db.session() as s:
        assert export_leads(s, [*risky, inbox.anna], path) == len(risky) + 1
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [title for _, title in COLUMNS]
    first = rows[0].index("First name")
    for row, value in zip(rows[1:], DANGEROUS, strict=False):
        assert row[first] == "'" + value
        assert row[rows[0].index("Phone")] == "'" + value
    anna = rows[-1]
    assert anna[first] == "Anna" and anna[rows[0].index("Tags")] == "expo, vip"
    assert anna[rows[0].index("Owner")] == "Maya Lindgren"


def test_xlsx_writes_formulas_as_text(
    db: Database, tmp_path: Path, risky: list[int], inbox: Inbox
) -> None:
    """In XLSX the cells are strings (never formulas), with the quote-prefix style."""
    path = tmp_path / "leads.xlsx"
    with db.session() as s:
        export_leads(s, [inbox.anna, *risky], path)
    sheet = load_workbook(path).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("First name") + 1
    assert sheet.cell(2, column).value == "Anna"
    assert sheet.cell(2, header.index("Score") + 1).value == 82.0
    for offset, value in enumerate(DANGEROUS):
        cell = sheet.cell(3 + offset, column)
        assert cell.data_type == "s" and cell.value == value
        assert cell.quotePrefix


def test_export_refuses_unknown_formats(db: Database, tmp_path: Path) -> None:
    """Only .csv and .xlsx are written."""
    with pytest.raises(ValueError, match="csv"), db.session() as s:
        export_leads(s, [], tmp_path / "leads.pdf")


def test_escape_leaves_harmless_values() -> None:
    """Ordinary text and numbers are written unchanged."""
    assert escape_cell("Anna") == "Anna"
    assert escape_cell(-5.0) == -5.0
    assert escape_cell("a=b") == "a=b"
