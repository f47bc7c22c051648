"""Export leads to CSV or XLSX, safe to open in a spreadsheet program.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be run as
a formula by Excel, LibreOffice or Google Sheets ("CSV injection"). In CSV such a cell gets a
leading apostrophe, the convention spreadsheets show as text; in XLSX every text cell is
written with the string type (never as a formula) and such cells also get the apostrophe
("quote prefix") style so the program keeps them as text when the user edits them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Lead, LeadTag, TeamMember

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Lead ID"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("company", "Company"),
    ("title", "Title"),
    ("phone", "Phone"),
    ("industry", "Industry"),
    ("company_size", "Company size"),
    ("country", "Country"),
    ("city", "City"),
    ("state", "State / region"),
    ("website", "Website"),
    ("source", "Source"),
    ("status", "Status"),
    ("score", "Score"),
    ("fit_score", "Fit"),
    ("engagement_score", "Engagement"),
    ("score_band", "Band"),
    ("owner", "Owner"),
    ("tags", "Tags"),
    ("last_activity_at", "Last activity (UTC)"),
    ("created_at", "Created (UTC)"),
)


# Invisible characters a spreadsheet skips before it looks for "=": a BOM, zero-width spaces…
_INVISIBLE_LEAD = "\ufeff\u200b\u200c\u200d\u2060\u00a0 "


def needs_escaping(value: str) -> bool:
    """True when a spreadsheet would treat this text as a formula (after invisible leaders)."""
    return value.startswith(FORMULA_STARTS) or value.lstrip(_INVISIBLE_LEAD).startswith(
        FORMULA_STARTS
    )


def escape_cell(value: Any) -> Any:
    """The value to write to CSV: text that looks like a formula gets a leading apostrophe."""
    if isinstance(value, str) and needs_escaping(value):
        return "'" + value
    return value


def export_rows(session: Session, lead_ids: Sequence[int]) -> Iterator[list[Any]]:
    """The export rows (without header) for ``lead_ids``, in that order."""
    lead_columns = [Lead.__table__.c[f] for f, _ in COLUMNS if f not in ("owner", "tags")]
    for start in range(0, len(lead_ids), CHUNK):
        chunk = list(lead_ids[start : start + CHUNK])
        found = session.execute(
            select(*lead_columns, TeamMember.name.label("owner"))
            .outerjoin(TeamMember, TeamMember.id == Lead.owner_id)
            .where(Lead.id.in_(chunk))
        ).mappings()
        leads = {row["id"]: row for row in found}
        tags: dict[int, list[str]] = {}
        for lead_id, tag in session.execute(
            select(LeadTag.lead_id, LeadTag.tag)
            .where(LeadTag.lead_id.in_(chunk))
            .order_by(LeadTag.tag)
        ):
            tags.setdefault(lead_id, []).append(tag)
        for lead_id in chunk:
            if lead_id in leads:
                yield [_value(leads[lead_id], field, tags.get(lead_id, [])) for field, _ in COLUMNS]


def _value(row: Any, field: str, tags: list[str]) -> Any:
    if field == "owner":
        return row["owner"] or ""
    if field == "tags":
        return ", ".join(tags)
    value = row[field]
    if field.endswith("_at"):
        return value.strftime("%Y-%m-%d %H:%M") if value else ""
    return value


def export_csv(session: Session, lead_ids: Sequence[int], path: Path) -> int:
    """Write the leads to a UTF-8 CSV (with BOM, so Excel reads the accents); returns the count."""
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([title for _, title in COLUMNS])
        for row in export_rows(session, lead_ids):
            writer.writerow([escape_cell(v) for v in row])
            count += 1
    return count


def export_xlsx(session: Session, lead_ids: Sequence[int], path: Path) -> int:
    """Write the leads to an XLSX workbook (streamed, write-only); returns the count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    header = []
    for _, title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in export_rows(session, lead_ids):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        count += 1
    workbook.save(path)
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    if needs_escaping(value):
        cell.quotePrefix = True
    return cell


def export_leads(session: Session, lead_ids: Sequence[int], path: Path) -> int:
    """Export to CSV or XLSX by the file's extension; returns how many leads were written."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return export_xlsx(session, lead_ids, path)
    if suffix in (".csv", ".txt"):
        return export_csv(session, lead_ids, path)
    raise ValueError(f"cannot export to {path.name}: use a .csv or .xlsx file name")
