"""Reading XLSX: sheets, header detection, merged cells, dates, floats, hostile files."""

from __future__ import annotations

import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from leaddesk.importing import HostileFileError, ReadOptions, open_table


def _workbook(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Summary"
    sheet.append(["Nothing here"])
    scans = workbook.create_sheet("Badge scans")
    scans.append(["Lead retrieval export — Expo 2026"])
    scans.merge_cells("A1:E1")
    scans.append([])
    scans.append(["First Name", "Last Name", "Email", "Company", "Phone", "Scanned"])
    scans.append(
        [
            "Ada",
            "Lovelace",
            "ada@example.com",
            "Analytical",
            4155550123.0,
            datetime(2026, 3, 1, 0, 0),
        ]
    )
    scans.append(
        [
            "Alan",
            "Turing",
            "alan@example.com",
            "Bletchley",
            4155550124,
            datetime(2026, 3, 1, 14, 30),
        ]
    )
    scans.append(["Joan", "Clarke", "joan@example.com", None, None, None])
    scans.merge_cells("D5:D6")  # Bletchley for Alan and Joan
    scans.append(["Total", None, None, None, None, 3])
    workbook.save(path)
    return path


def test_sheet_picker_header_merged_dates_floats(tmp_path: Path) -> None:
    """The chosen sheet's header is found under a title; merged cells, dates, floats are right."""
    path = _workbook(tmp_path / "expo.xlsx")
    table = open_table(path, ReadOptions(sheet="Badge scans"))
    assert table.sheets == ("Summary", "Badge scans")
    assert table.header_row == 3
    rows = dict(table.data_rows())
    assert rows[4] == [
        "Ada",
        "Lovelace",
        "ada@example.com",
        "Analytical",
        "4155550123",
        "2026-03-01",
    ]
    assert rows[5][3:] == ["Bletchley", "4155550124", "2026-03-01 14:30:00"]
    assert rows[6][3] == "Bletchley"
    assert rows[7][0] == "Total"


def test_first_sheet_by_default(tmp_path: Path) -> None:
    """Without a sheet choice the first sheet is read."""
    table = open_table(_workbook(tmp_path / "expo.xlsx"))
    assert table.sheet == "Summary"


def _rewrite_member(path: Path, member: str, change) -> None:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    """A workbook whose XML declares entities (billion laughs) is refused before parsing."""
    path = _workbook(tmp_path / "laughs.xlsx")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    _rewrite_member(path, "xl/workbook.xml", lambda data: bomb + data.split(b"?>")[-1])
    with pytest.raises(HostileFileError, match="DTD or entities"):
        open_table(path)


def test_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A sheet part that inflates hugely is refused from the zip directory, within a second."""
    path = _workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.xml", b"<a>" + b" " * (40 << 20) + b"</a>")
    started = time.perf_counter()
    with pytest.raises(HostileFileError, match="zip bomb"):
        open_table(path)
    assert time.perf_counter() - started < 2


def test_absurd_dimensions_are_refused(tmp_path: Path) -> None:
    """A cell in column XFD (16,384 columns wide) is refused instead of padded in memory."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Email", "Name"])
    sheet.append(["a@example.com", "A"])
    sheet.cell(row=3, column=16384, value="far away")
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    with pytest.raises(HostileFileError, match="columns"):
        list(open_table(path).data_rows())


def test_not_a_zip_is_unreadable(tmp_path: Path) -> None:
    """A text file named .xlsx gets a clear error."""
    path = tmp_path / "fake.xlsx"
    path.write_text("Email\na@example.com\n")
    with pytest.raises(ValueError, match=r"not a valid \.xlsx"):
        open_table(path)


def test_xlsx_import_via_cli(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`leaddesk import book.xlsx --sheet` imports the sheet; the totals row is ignored."""
    import json

    from leaddesk.cli import main

    path = _workbook(tmp_path / "expo.xlsx")
    status = main(["--db", str(db_path), "import", str(path), "--sheet", "Badge scans", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (data["rows"], data["imported"], data["rejected"], data["ignored"]) == (3, 3, 0, 1)
    alan = next(p for p in data["preview"] if p["email"] == "alan@example.com")
    assert (alan["company"], alan["phone"]) == ("Bletchley", "4155550124")
