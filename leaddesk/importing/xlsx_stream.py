"""A streaming XLSX reader: sheets, shared strings, number formats, one row at a time.

openpyxl's read-only mode reads about 60,000 cells a second and keeps every shared string in
memory; a 25 MB workbook can hold ten million cells and 500 MB of strings. This reader parses
the parts with the C expat parser (``xml.etree.ElementTree.iterparse``) and keeps nothing but
the current row, about five times faster. Shared strings are capped before they are read
(:data:`MAX_SHARED_STRINGS_BYTES`). Every part has already passed
:func:`leaddesk.importing.xlsx.check_zip` (sizes, ratios, no DTD or entities).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import IO, Any
from xml.etree.ElementTree import Element, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_SHARED_STRINGS_BYTES = 64 << 20  # 64 MB of XML: over a million distinct values
# Built-in number formats that show a date or time (ECMA-376 18.8.30, and the CJK ones).
DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_CHARS = re.compile(r"[dmyhs]", re.IGNORECASE)
_COLUMN = re.compile(r"[A-Z]+")


class SheetTooBig(ValueError):
    """A part is larger than LeadDesk reads (the message says what to do)."""


def _parse(stream: IO[bytes]) -> Iterator[Element]:
    """Yield elements at their end, discarding each finished one (constant memory)."""
    for _event, element in iterparse(stream, events=("end",)):
        yield element


def _part(archive: zipfile.ZipFile, name: str) -> str | None:
    names = set(archive.namelist())
    if name in names:
        return name
    lowered = {n.lower(): n for n in names}
    return lowered.get(name.lower())


def _targets(archive: zipfile.ZipFile, rels_name: str, base: str) -> dict[str, str]:
    """``{relationship id: part name}`` of one ``.rels`` part."""
    member = _part(archive, rels_name)
    if member is None:
        return {}
    found = {}
    with archive.open(member) as stream:
        for element in _parse(stream):
            if element.tag == PKG_REL + "Relationship":
                target = element.get("Target", "")
                path = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                )
                found[element.get("Id", "")] = posixpath.normpath(path)
    return found


class Workbook:
    """One opened workbook: its sheets, shared strings and date styles."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.sheets: list[tuple[str, str]] = []  # (name, part)
        self.date1904 = False
        rels = _targets(archive, "xl/_rels/workbook.xml.rels", "xl")
        workbook = _part(archive, "xl/workbook.xml")
        if workbook is None:
            raise ValueError("the workbook part (xl/workbook.xml) is missing")
        with archive.open(workbook) as stream:
            for element in _parse(stream):
                if element.tag == MAIN + "sheet":
                    part = rels.get(element.get(REL + "id", ""), "")
                    if part and element.get("state", "visible") != "veryHidden":
                        self.sheets.append((element.get("name", ""), part))
                elif element.tag == MAIN + "workbookPr":
                    self.date1904 = element.get("date1904", "0") in ("1", "true")
        self.strings: list[str] = []
        self.date_styles: frozenset[int] = frozenset()
        self._shared_read = False

    def load(self) -> None:
        """Read the shared strings and styles (once; needed before reading rows)."""
        if self._shared_read:
            return
        self._shared_read = True
        self.date_styles = self._date_styles()
        member = _part(self.archive, "xl/sharedStrings.xml")
        if member is None:
            return
        size = self.archive.getinfo(member).file_size
        if size > MAX_SHARED_STRINGS_BYTES:
            raise SheetTooBig(
                f"its shared text is more than {MAX_SHARED_STRINGS_BYTES >> 20} MB, more than "
                "LeadDesk reads from a workbook; save the sheet as CSV in Excel or LibreOffice "
                "and import that"
            )
        with self.archive.open(member) as stream:
            for element in _parse(stream):
                if element.tag == MAIN + "si":
                    self.strings.append(_text_of(element))
                    element.clear()

    def _date_styles(self) -> frozenset[int]:
        member = _part(self.archive, "xl/styles.xml")
        if member is None:
            return frozenset()
        custom: dict[int, str] = {}
        formats: list[int] = []
        in_cell_xfs = False
        with self.archive.open(member) as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                if element.tag == MAIN + "numFmt" and event == "end":
                    custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
                elif element.tag == MAIN + "cellXfs":
                    in_cell_xfs = event == "start"
                elif element.tag == MAIN + "xf" and event == "end" and in_cell_xfs:
                    formats.append(int(element.get("numFmtId", "0") or 0))
        return frozenset(
            index
            for index, format_id in enumerate(formats)
            if format_id in DATE_FORMAT_IDS
            or (format_id in custom and _is_date_code(custom[format_id]))
        )

    def rows(self, part: str) -> Iterator[tuple[Any, ...]]:
        """Every row of a sheet part, in order, an empty tuple for each missing row."""
        self.load()
        expected = 1
        with self.archive.open(part) as stream:
            sheet_data: Element | None = None
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == MAIN + "sheetData":
                        sheet_data = element
                    continue
                if tag != MAIN + "row":
                    continue
                number = int(element.get("r") or expected)
                while expected < number:
                    yield ()
                    expected += 1
                yield self._row(element)
                expected = number + 1
                element.clear()
                if sheet_data is not None:
                    sheet_data.remove(element)

    def _row(self, row: Element) -> tuple[Any, ...]:
        values: list[Any] = []
        for cell in row:
            if cell.tag != MAIN + "c":
                continue
            ref = cell.get("r")
            if ref:
                column = _column_number(ref)
                if column > len(values) + 1:
                    if column > 20_000:
                        raise SheetTooBig(f"cell {ref} is beyond any real column")
                    values.extend([None] * (column - 1 - len(values)))
            values.append(self._value(cell))
        return tuple(values)

    def _value(self, cell: Element) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(MAIN + "is")
            return _text_of(inline) if inline is not None else ""
        raw = cell.findtext(MAIN + "v")
        if raw is None:
            return None
        if kind == "s":
            index = int(raw)
            return self.strings[index] if 0 <= index < len(self.strings) else ""
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind in ("str", "e", "d"):
            return raw
        try:
            number = float(raw)
        except ValueError:
            return raw
        style = int(cell.get("s", "0") or 0)
        if style in self.date_styles:
            return excel_date(number, self.date1904)
        return int(number) if number.is_integer() and "." not in raw and "E" not in raw else number


def _text_of(element: Element) -> str:
    """The text of a shared or inline string: its ``t`` and rich-text runs, without the
    phonetic hints (``rPh``) some East Asian workbooks carry."""
    parts: list[str] = []
    for node in element:
        if node.tag == MAIN + "t":
            parts.append(node.text or "")
        elif node.tag == MAIN + "r":
            parts.extend(t.text or "" for t in node.findall(MAIN + "t"))
    return "".join(parts)


def _column_number(ref: str) -> int:
    match = _COLUMN.match(ref)
    index = 0
    for char in match.group(0) if match else "":
        index = index * 26 + (ord(char) - 64)
    return index


def _is_date_code(code: str) -> bool:
    """True when a number format shows a date or time (quoted text and colours ignored)."""
    bare = _QUOTED.sub("", code.split(";")[0])
    return bool(_DATE_CHARS.search(bare)) and "General" not in bare


def excel_date(serial: float, date1904: bool = False) -> datetime | time | float:
    """An Excel date serial as a date-time (a fraction under one day: a time of day)."""
    if serial < 0:
        return serial
    if not date1904 and 0 <= serial < 1:
        moment = datetime(1900, 1, 1) + timedelta(days=serial)
        return moment.time()
    if date1904:
        base = datetime(1904, 1, 1)
    else:
        base = datetime(1899, 12, 30) if serial >= 61 else datetime(1899, 12, 31)
    try:
        moment = base + timedelta(days=serial)
    except OverflowError:
        return serial
    # Excel stores times to the millisecond; round away float noise.
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
