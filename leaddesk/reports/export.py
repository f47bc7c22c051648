"""Reports as CSV and XLSX files, formula-safe like the lead export.

The figures come first (label, value, previous period, definition), then every table.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from leaddesk.inbox.export import escape_cell, needs_escaping
from leaddesk.reports.model import Report

FIGURE_COLUMNS = ["Figure", "Value", "Previous period", "Definition"]


def _figure_rows(report: Report) -> list[list[Any]]:
    return [[f.label, f.value, f.previous, f.definition] for f in report.figures]


def export_csv(report: Report, path: Path) -> Path:
    """Write ``report`` as a UTF-8 CSV (with BOM for Excel), sections separated by a blank line."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([report.title, report.period.label()])
        writer.writerow([])
        writer.writerow(FIGURE_COLUMNS)
        for row in _figure_rows(report):
            writer.writerow([escape_cell(v) for v in row])
        for table in report.tables:
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow([escape_cell(v) for v in row])
    return path


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, number = clean, 2
    while name in taken:
        name = f"{clean[:28]} {number}"
        number += 1
    taken.add(name)
    return name


def export_xlsx(report: Report, path: Path) -> Path:
    """Write ``report`` as an XLSX workbook: a "Figures" sheet and one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    taken: set[str] = set()

    def cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
        if not isinstance(value, str) and not bold:
            return value
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # never a formula
            if needs_escaping(value):
                written.quotePrefix = True
        if bold:
            written.font = Font(bold=True)
        return written

    sheets = [("Figures", FIGURE_COLUMNS, _figure_rows(report))]
    sheets += [(t.title, t.columns, t.rows) for t in report.tables]
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, taken))
        sheet.append([cell(sheet, c, bold=True) for c in columns])
        for row in rows:
            sheet.append([cell(sheet, v) for v in row])
    workbook.save(path)
    return path


def export_report(report: Report, path: Path) -> Path:
    """CSV or XLSX by the file's suffix."""
    if path.suffix.lower() == ".xlsx":
        return export_xlsx(report, path)
    return export_csv(report, path)
