"""Reading XLSX workbooks safely: hostile-file guards, sheets, merged cells, Excel's floats.

Guards run before any part is parsed: the zip's entry sizes and compression ratios are checked
(zip bombs), every XML part's prolog is parsed with defusedxml so a DTD or entity declaration
is refused (entity expansion), the sheet's size and row count and the shared strings' size are
checked before a row is read (budgets), and rows/columns beyond Excel's limits or far beyond the
data are refused while streaming (absurd dimensions). Rows are read by
:mod:`leaddesk.importing.xlsx_stream`.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from leaddesk.importing.xlsx_stream import SheetTooBig, Workbook

MAX_TOTAL_UNCOMPRESSED = 1 << 30  # 1 GiB of XML is far beyond any lead list
MAX_ENTRY_UNCOMPRESSED = 512 << 20
MAX_RATIO = 200  # real sheets compress 5-30x; bombs 1000x+
RATIO_APPLIES_ABOVE = 8 << 20
MAX_COLUMNS = 1000
MAX_ROWS = 1_048_576
MAX_EMPTY_ROW_GAP = 100_000
MAX_MERGED_CELLS = 2_000_000
# What a workbook may hold so that its import finishes within 30 s and 300 MB on a laptop
# (measured: 150,000 rows of eight columns in 10.5 s and 255 MB): larger workbooks are
# refused before a row is read, with the advice to save them as CSV (no such limit).
MAX_SHEET_BYTES = 160 << 20
MAX_WORKBOOK_ROWS = 150_000
_TITLE_ROWS = 100  # a header and the title lines some exports put above it
_AS_CSV = "save the sheet as CSV in Excel or LibreOffice and import that (CSV has no such limit)"
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


class HostileFileError(ValueError):
    """The workbook looks built to exhaust memory or time; it is refused, not read."""


def check_zip(path: Path) -> None:
    """Refuse a workbook whose zip entries are too big or too compressed, or not a zip at all."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{path.name} is not a valid .xlsx file ({error})") from error
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > MAX_ENTRY_UNCOMPRESSED:
                raise HostileFileError(
                    f"{path.name}: part {info.filename} would unpack to "
                    f"{info.file_size >> 20} MB; refused as a possible zip bomb"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_APPLIES_ABOVE and ratio > MAX_RATIO:
                raise HostileFileError(
                    f"{path.name}: part {info.filename} is compressed {ratio:.0f}:1; "
                    "refused as a possible zip bomb"
                )
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise HostileFileError(
                f"{path.name} would unpack to {total >> 20} MB; refused as a possible zip bomb"
            )
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels", ".vml")):
                _check_xml_prolog(archive, info.filename, path.name)


def _check_xml_prolog(archive: zipfile.ZipFile, member: str, filename: str) -> None:
    """Parse up to the root element with defusedxml: any DTD or entity declaration is refused."""
    from defusedxml import DefusedXmlException  # only XLSX files need it: keeps start-up short
    from defusedxml.ElementTree import iterparse as safe_iterparse

    try:
        with archive.open(member) as stream:
            for _event, _element in safe_iterparse(stream, events=("start",), forbid_dtd=True):
                break
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _damaged(Path(filename), error) from error
    except DefusedXmlException as error:
        raise HostileFileError(
            f"{filename}: part {member} declares a DTD or entities ({type(error).__name__}); "
            "refused"
        ) from error
    except Exception as error:  # malformed XML: openpyxl would fail too, say it clearly
        raise ValueError(f"{filename}: part {member} is not valid XML ({error})") from error


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index


def merged_ranges(path: Path, member: str) -> list[tuple[int, int, int, int]]:
    """``(min_row, min_col, max_row, max_col)`` of every merged range in one sheet part."""
    ranges: list[tuple[int, int, int, int]] = []
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            last_end = 0
            for match in _MERGE.finditer(data):
                c1, r1, c2, r2 = match.groups()
                c2, r2 = c2 or c1, r2 or r1
                ranges.append((int(r1), _column_index(c1), int(r2), _column_index(c2)))
                last_end = match.end()
            tail = data[max(last_end, len(data) - 200) :]
    return sorted(set(ranges))


def cell_text(value: Any) -> str:
    """An Excel cell value as the text LeadDesk stores.

    Integral floats lose their ``.0`` (phone numbers Excel made numbers), dates become ISO dates
    (with the time only when it is not midnight), booleans ``TRUE``/``FALSE``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's worksheets, in order (after the hostile-file guards)."""
    check_zip(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return [name for name, _part in Workbook(archive).sheets]
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ParseError) as error:
        raise _damaged(path, error) from error


def read_sheet(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """Rows of one sheet as ``(row number, cell texts)``, streamed, merged cells filled.

    A merged range's value is copied into every cell of the range, so a company merged over
    three rows belongs to all three leads.
    """
    check_zip(path)
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = Workbook(archive)
            parts = dict(workbook.sheets)
            if sheet is not None and sheet not in parts:
                raise ValueError(f"{path.name} has no sheet named {sheet!r}")
            if not workbook.sheets:
                raise ValueError(f"{path.name} has no worksheet")
            member = parts[sheet] if sheet is not None else workbook.sheets[0][1]
            check_sheet_size(path, archive, member)
            workbook.load()
            merges = merged_ranges(path, member)
            yield from _rows_with_merges(workbook.rows(member), merges)
    except SheetTooBig as error:
        raise HostileFileError(f"{path.name}: {error}") from error
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ParseError) as error:
        # A zip whose headers lie (sizes, CRC) fails only when the part is read.
        raise _damaged(path, error) from error


def check_sheet_size(path: Path, archive: zipfile.ZipFile, member: str) -> None:
    """Refuse, before reading a row, a sheet that cannot be read within the import's budget:
    its XML larger than :data:`MAX_SHEET_BYTES`, or more than :data:`MAX_WORKBOOK_ROWS` rows
    (counted on the decompressed bytes: about a second for the largest sheet allowed)."""
    size = archive.getinfo(member).file_size
    if size > MAX_SHEET_BYTES:
        raise HostileFileError(
            f"{path.name}: the sheet is {size >> 20} MB of XML, more than LeadDesk reads from "
            f"a workbook ({MAX_SHEET_BYTES >> 20} MB); {_AS_CSV}"
        )
    rows = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(4 << 20):
            data = tail + chunk
            cut = max(0, len(data) - 64)  # a tag split across chunks is counted next time
            rows += sum(1 for _ in _ROW_TAG.finditer(data, 0, cut))
            tail = data[cut:]
            if rows > MAX_WORKBOOK_ROWS + _TITLE_ROWS:
                raise HostileFileError(
                    f"{path.name}: the sheet has more than {MAX_WORKBOOK_ROWS:,} rows, more "
                    f"than LeadDesk imports from a workbook; {_AS_CSV}"
                )


def _damaged(path: Path, error: BaseException) -> ValueError:
    return ValueError(
        f"{path.name} is damaged and cannot be read ({error}); save it again from Excel or "
        "LibreOffice (or export it as CSV) and import that file"
    )


def _rows_with_merges(
    rows: Iterator[tuple[Any, ...]], merges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, list[str]]]:
    covered = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in merges)
    if covered > MAX_MERGED_CELLS:
        raise HostileFileError(f"merged ranges cover {covered:,} cells; refused")
    starts: dict[int, list[tuple[int, int, int, int]]] = {}
    for merge in merges:
        starts.setdefault(merge[0], []).append(merge)
    active: list[tuple[int, int, int, str]] = []  # (last row, first col, last col, value)
    gap = 0
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise HostileFileError(f"the sheet has more than {MAX_ROWS:,} rows; refused")
        if len(values) > MAX_COLUMNS:
            raise HostileFileError(
                f"row {number} has {len(values):,} columns (more than {MAX_COLUMNS:,}); refused"
            )
        cells = [cell_text(v) for v in values]
        for _r1, c1, r2, c2 in starts.pop(number, ()):
            anchor = cells[c1 - 1] if c1 - 1 < len(cells) else ""
            active.append((r2, c1, c2, anchor))
        if active:
            active = [entry for entry in active if entry[0] >= number]
            for _r2, c1, c2, anchor in active:
                if len(cells) < c2:
                    cells.extend([""] * (c2 - len(cells)))
                for column in range(c1 - 1, c2):
                    if not cells[column]:
                        cells[column] = anchor
        if any(cells):
            gap = 0
        else:
            gap += 1
            if gap > MAX_EMPTY_ROW_GAP and not active and not starts:
                raise HostileFileError(
                    f"more than {MAX_EMPTY_ROW_GAP:,} empty rows in a row; refused"
                )
        yield number, cells
