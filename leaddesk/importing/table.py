"""Opening a file as a table: format, encoding, delimiter, sheet and the header row.

:func:`open_table` detects everything once (the user may override any of it, as in the
preview); :meth:`SheetTable.data_rows` re-reads the file lazily each time it is iterated, so a
100,000-row file is never held twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from leaddesk.importing import delimited, xlsx
from leaddesk.importing.encoding import detect_encoding, utf8_damage
from leaddesk.importing.mapping import header_matches

HEADER_SCAN_ROWS = 60
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_EMAIL_LIKE = re.compile(r"\S+@\S+\.\S+")


class UnreadableFileError(ValueError):
    """Nothing could be read from the file (missing, empty, not a table, or refused)."""


@dataclass(frozen=True)
class ReadOptions:
    """What the user chose in the preview; ``None`` means "detect"."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # the file's own row/line number of the header


@dataclass(frozen=True)
class SheetTable:
    """A file opened as a table: what was detected, the header, and a way to read the rows."""

    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: tuple[str, ...] = ()
    header_row: int = 0
    headers: tuple[str, ...] = ()
    # Lines that are not valid UTF-8 in a file read as UTF-8: their rows are rejected.
    damaged_lines: tuple[int, ...] = ()
    sample: tuple[tuple[int, tuple[str, ...]], ...] = field(default=(), repr=False)

    def raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row of the file (or sheet) with its row/line number, before the header too."""
        if self.kind == "xlsx":
            return xlsx.read_sheet(self.path, self.sheet or None)
        return delimited.read_delimited(self.path, self.encoding, self.delimiter)

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """The rows below the header, stripped of surrounding spaces, with their numbers."""
        for number, cells in self.raw_rows():
            if number <= self.header_row:
                continue
            yield number, [c.strip() for c in cells]

    def with_options(self, options: ReadOptions) -> SheetTable:
        """The same file re-opened with different choices (encoding, delimiter, sheet, header)."""
        return open_table(self.path, options)


def detect_header_row(rows: list[tuple[int, list[str]]]) -> int:
    """The row number of the header among the first rows of a file.

    The row with the most known header names wins; without any, the first row that is as wide
    as the rows below it and holds no email address (title rows above it are skipped).
    """
    candidates = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not candidates:
        return 0
    best_number, best_matches = 0, 0
    for number, cells in candidates:
        matches = header_matches(cells)
        if matches > best_matches:
            best_number, best_matches = number, matches
    if best_matches >= 2 or (best_matches == 1 and len(candidates) == 1):
        return best_number
    widths = [sum(1 for c in cells if c.strip()) for _, cells in candidates]
    typical = sorted(widths)[len(widths) // 2]
    for (number, cells), width in zip(candidates, widths, strict=True):
        if width >= typical and not any(_EMAIL_LIKE.fullmatch(c.strip()) for c in cells):
            return number
    return 0  # every wide row holds an address: the file has no header row


def open_table(path: Path | str, options: ReadOptions | None = None) -> SheetTable:
    """Open ``path`` as a table, detecting what ``options`` leaves open.

    Raises :class:`UnreadableFileError` (or :class:`~leaddesk.importing.xlsx.HostileFileError`)
    when nothing can be read.
    """
    path = Path(path)
    options = options or ReadOptions()
    if not path.is_file():
        raise UnreadableFileError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise UnreadableFileError(f"{path.name} is empty")
    if path.suffix.lower() in XLSX_SUFFIXES:
        names = tuple(xlsx.sheet_names(path))
        if options.sheet and options.sheet not in names:
            raise UnreadableFileError(
                f"{path.name} has no sheet named {options.sheet!r} (sheets: {', '.join(names)})"
            )
        table = SheetTable(path, "xlsx", sheet=options.sheet or names[0], sheets=names)
    elif path.suffix.lower() == ".xls":
        raise UnreadableFileError(
            f"{path.name} is an old binary Excel file; save it as .xlsx or .csv and import that"
        )
    else:
        if _looks_binary(path):
            raise UnreadableFileError(f"{path.name} is not a text or .xlsx file")
        encoding = options.encoding or detect_encoding(path)
        delimiter = options.delimiter or delimited.sniff_delimiter(path, encoding)
        table = SheetTable(
            path,
            "csv",
            encoding=encoding,
            delimiter=delimiter,
            damaged_lines=utf8_damage(path, encoding),
        )
    try:
        sample = [(n, cells) for n, cells in islice(table.raw_rows(), HEADER_SCAN_ROWS)]
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"{path.name} cannot be read as {table.encoding}") from error
    header_row = options.header_row or detect_header_row(sample)
    headers: tuple[str, ...] = ()
    for number, cells in sample:
        if number == header_row:
            headers = tuple(c.strip() for c in cells)
    if header_row == 0:  # no header: name the columns by position
        width = max((len(cells) for _, cells in sample), default=0)
        headers = tuple(f"Column {i + 1}" for i in range(width))
    frozen = tuple((n, tuple(cells)) for n, cells in sample)
    return replace(table, header_row=header_row, headers=headers, sample=frozen)


def _looks_binary(path: Path) -> bool:
    """True for zip/ole containers and other binary files that are not UTF-16 text."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG"))
