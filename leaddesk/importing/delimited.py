"""Reading CSV/TSV/TXT files: delimiter sniffing and rows with their line numbers."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from leaddesk.importing.encoding import decode_errors

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50
csv.field_size_limit(16 * 1024 * 1024)


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    raw = path.open("rb")
    return io.TextIOWrapper(raw, encoding=encoding, errors=decode_errors(encoding), newline="")


# Encodings in which a NUL character is a 0 byte: the file's bytes tell whether it has any.
_BYTE_PER_ASCII = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1", "ascii"})


def _may_hold_nul(path: Path, encoding: str) -> bool:
    """False when the file certainly decodes without NUL characters (checked on its bytes)."""
    if codecs.lookup(encoding).name not in _BYTE_PER_ASCII:
        return True
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            if b"\x00" in block:
                return True
    return False


def _without_nul(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        yield line.replace("\x00", "") if "\x00" in line else line


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The most consistent of ``,`` ``;`` tab ``|`` over the first non-blank lines.

    Each candidate is scored by how many lines share its most common (non-zero) count; ties go
    to the candidate with more fields per line, then to the order above.
    """
    lines: list[str] = []
    with _open_text(path, encoding) as handle:
        for line in _without_nul(iter(handle)):
            if line.strip():
                lines.append(line)
            if len(lines) >= SNIFF_LINES:
                break
    best = ","
    best_score: tuple[int, int] = (0, 0)
    for delimiter in DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in lines]
        nonzero = Counter(c for c in counts if c > 0)
        if not nonzero:
            continue
        common, agreeing = nonzero.most_common(1)[0]
        score = (agreeing, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Every record as ``(line number where it starts, cells)``; quoted newlines stay inside.

    Handles CRLF, LF and CR line ends, NUL bytes (dropped) and ragged rows (left as they are).
    """
    with _open_text(path, encoding) as handle:
        lines = _without_nul(iter(handle)) if _may_hold_nul(path, encoding) else handle
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        line = 1
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
