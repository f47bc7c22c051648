"""A damaged workbook gets a clear message, and an export cell hiding a formula behind an
invisible character is neutralised."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from leaddesk.importing.xlsx import read_sheet
from leaddesk.inbox.export import escape_cell


def _lying_zip(tmp_path: Path) -> Path:
    """A workbook whose sheet part no longer matches its CRC (its bytes were changed)."""
    path = tmp_path / "book.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Name"])
    for n in range(200):
        sheet.append([f"p{n}@example.com", f"Person {n}"])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    data[offset + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_a_zip_with_a_lying_crc_is_refused_with_a_message(tmp_path: Path) -> None:
    """No BadZipFile traceback: the user is told the file is damaged and what to do."""
    path = _lying_zip(tmp_path)
    with pytest.raises(ValueError, match=r"damaged and cannot be read.*save it again"):
        list(read_sheet(path, None))


@pytest.mark.parametrize("text", ["\ufeff=1+1", '\u200b=HYPERLINK("x")', "\u00a0+1"])
def test_a_formula_behind_an_invisible_character_is_escaped(text: str) -> None:
    """A BOM, zero-width or no-break space before "=" or "+" does not smuggle a formula."""
    assert escape_cell(text) == "'" + text
