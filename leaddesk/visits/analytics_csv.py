"""Visits from analytics exports: CSV files with a page address and a time on each row.

GA4 (BigQuery) exports, Matomo or Plausible tables, a saved spreadsheet: columns are found by header
name (case, spaces, punctuation ignored), encoding and delimiter as for lead lists. A row becomes a
`Hit` like a log line: GET, status 200, the address's path and query, by the row's IP, else its
visitor id (so one visitor's pages are stitched). Times: ISO 8601, ``YYYY-MM-DD…``, Unix seconds,
ms or µs (GA4 ``event_timestamp``), ``02/03/2026`` when the file tells which part is the day (a
first part > 12 anywhere: day first; ``02.03.2026`` always is). Zoneless times are UTC.
"""

from __future__ import annotations

import codecs
import csv
import re
from calendar import month_name
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path
from urllib.parse import unquote

from leaddesk.importing.delimited import DELIMITERS, read_delimited, sniff_delimiter
from leaddesk.importing.encoding import SAMPLE, decode_errors, detect_encoding
from leaddesk.visits.access_log import BadLine, Hit, _Draft, read_hits

# Header names of each field, preferred first; compared by `_key` (so "page_location",
# "Page Location" and "pagePath" match "page location" and "page path").
URL_NAMES: tuple[str, ...] = ("url", "page url", "page location", "full url", "page path", "page",
                              "landing page", "path", "request")  # fmt: skip
TIME_NAMES: tuple[str, ...] = ("event timestamp", "timestamp", "datetime", "event time",
                               "visit time", "hit time", "server time", "server timestamp",
                               "time", "date")  # fmt: skip
VISITOR_NAMES = ("visitor id", "client id", "user pseudo id", "session id", "fingerprint",
                 "visitor")  # fmt: skip
IP_NAMES = ("ip", "ip address", "client ip", "remote addr", "remote address", "visit ip")
AGENT_NAMES = ("user agent", "http user agent", "ua", "browser")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMERIC_DATE = re.compile(
    r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)? ?([AaPp][Mm])?)?"
)


class CsvColumnsError(ValueError):
    """The header has no column for the page address or none for the time."""


class _AmbiguousDate(ValueError):
    """A date like 02/03/2026 where nothing says which part is the day."""


@dataclass(frozen=True)
class CsvMapping:
    """Which column (0-based) holds each field of a visit; None where the file has none."""

    url: int
    time: int
    visitor: int | None = None
    ip: int | None = None
    user_agent: int | None = None
    day_first: bool | None = None  # for 02/03/2026 dates; None: tell from the file


def _key(name: str) -> str:
    return "".join(filter(str.isalnum, name.casefold()))


def _shown(names: tuple[str, ...]) -> str:
    return ", ".join(names[:5]) + " …"


def map_columns(header: list[str]) -> CsvMapping:
    """The columns of a header row; raises `CsvColumnsError` (a ValueError) with a sentence
    naming the header's columns when there is no page address or no time column."""
    keys = [_key(cell) for cell in header]

    def find(names: tuple[str, ...]) -> int | None:
        return next((keys.index(_key(name)) for name in names if _key(name) in keys), None)

    url, time = find(URL_NAMES), find(TIME_NAMES)
    if url is None or time is None:
        missing = [f"the page address (looked for {_shown(URL_NAMES)})"] if url is None else []
        missing += [f"the time (looked for {_shown(TIME_NAMES)})"] if time is None else []
        columns = ", ".join(c.strip(" \ufeff") for c in header if c.strip(" \ufeff")) or "none"
        missed = " and none for ".join(missing)
        raise CsvColumnsError(f"The file has no column for {missed}; its columns are: {columns}")
    return CsvMapping(url, time, find(VISITOR_NAMES), find(IP_NAMES), find(AGENT_NAMES))


def _header_line(lines: Iterable[str]) -> str | None:
    """The first line that is neither blank nor a ``#`` comment (GA4 puts comments first)."""
    found = (line for line in islice(lines, 50) if line.strip() and line.lstrip()[0] != "#")
    return next(found, None)


def _delimiter_of(line: str, order: Iterable[str]) -> tuple[str, CsvMapping] | None:
    """The first delimiter of ``order`` that splits the header into columns that map."""
    for delimiter in order:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if len(cells) >= 2:
                return delimiter, map_columns(cells)
        except (csv.Error, CsvColumnsError):
            continue
    return None


def looks_like_csv(path: Path) -> bool:
    """Whether the file starts with a header row naming a page address and a time column."""
    with Path(path).open("rb") as handle:
        sample = handle.read(SAMPLE)
    if sample[:2] == b"\x1f\x8b":
        return False
    encoding = next((name for bom, name in _BOMS if sample.startswith(bom)), "utf-8")
    header = _header_line(sample.decode(encoding, "replace").splitlines())
    return header is not None and _delimiter_of(header, DELIMITERS) is not None


def _numeric_date(text: str, day_first: bool | None) -> datetime:
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    first, separator, second, year, hour, minute, second_, fraction, noon = match.groups()
    a, b = int(first), int(second)
    day_first = True if separator == "." else day_first  # 02.03.2026 (German...) is day first
    if day_first is None and a != b:
        if 1 <= a <= 12 and 1 <= b <= 12:
            raise _AmbiguousDate(a, b)
        day_first = a > 12  # 13/03/2026 or 03/13/2026 tells by itself
    day, month = (b, a) if day_first is False else (a, b)
    hours = int(hour or 0) % 12 + (12 if noon.lower() == "pm" else 0) if noon else int(hour or 0)
    micro = int((fraction or "").ljust(6, "0"))
    return datetime(int(year), month, day, hours, int(minute or 0), int(second_ or 0), micro, UTC)


def _time_of(value: str, day_first: bool | None) -> datetime | ValueError:
    """A time cell as an aware UTC datetime (naive times are UTC), or why it is not one."""
    text = value.strip()
    try:
        if text[4:5] in ("-", "/") and text[:4].isdigit():  # 2026-03-02…, 2026/03/02…
            text = text.replace("/", "-", 2) if text[4] == "/" else text
            text = text[:-4] + "+00:00" if text.endswith(" UTC") else text  # BigQuery
            at = datetime.fromisoformat(text)
            return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        whole, point, fraction = text.partition(".")
        if whole.isdigit() and (not point or fraction.isdigit()) and len(whole) <= 19:
            digits = len(whole)
            if digits == 8 and not point:  # 20260302, GA4's event_date
                return datetime.fromisoformat(text).replace(tzinfo=UTC)
            if digits <= 11:  # Unix seconds
                micro = int(whole) * 1_000_000 + int(fraction.ljust(6, "0")[:6])
            else:  # milliseconds, microseconds (GA4's event_timestamp), nanoseconds
                scale = 1000 if digits <= 14 else 1 if digits <= 17 else 0
                micro = int(whole) * scale if scale else int(whole) // 1000
            return _EPOCH + timedelta(microseconds=micro)
        return _numeric_date(text, day_first)
    except ValueError as error:
        return error
    except OverflowError:  # an epoch beyond the year 9999
        return ValueError(value)


def _time_reason(value: str, error: ValueError) -> str:
    shown = value.strip()[:40]
    if not shown:
        return "the time is empty"
    if isinstance(error, _AmbiguousDate):
        a, b = error.args
        return (
            f"the date {shown!r} could be {a} {month_name[b]} or {b} {month_name[a]}: no date"
            " in the file says which comes first (export dates as YYYY-MM-DD)"
        )
    return f"the time {shown!r} is not a date and time like 2026-03-02T10:00:00Z or Unix seconds"


def _day_first_in(rows: Iterator[tuple[int, list[str]]], column: int) -> bool | None:
    """Whether the column's dates are day first: a first part > 12, or not: a second one."""
    month_first = None
    for _line, cells in rows:
        match = _NUMERIC_DATE.match(cells[column].strip()) if len(cells) > column else None
        if match and int(match[1]) > 12:
            return True
        month_first = month_first or (match is not None and int(match[3]) > 12) or None
    return False if month_first else None


@lru_cache(maxsize=16384)  # pages repeat
def _split_url(value: str) -> tuple[str, str, str, str]:
    """An address, path or request line as (method, host, target, URL-decoded path)."""
    text, method, host = value.strip(), "GET", ""
    parts = text.split(" ")
    if len(parts) == 3 and parts[0].isalpha() and parts[2].startswith("HTTP/"):
        method, text = parts[0].upper(), parts[1]
    scheme = text.find("://")
    if 0 < scheme < 12 and text[:scheme].isalpha():
        rest = text[scheme + 3 :]
    elif text.startswith("//"):
        rest = text[2:]
    else:  # www.acme.example/pricing without a scheme; "pricing.pdf" is a path
        head, slash, _tail = text.partition("/")
        rest = text if slash and "." in head and not head.startswith(".") else ""
    if rest:
        ends = [at for at in map(rest.find, "/?#") if at >= 0]
        host, text = rest[: min(ends, default=len(rest))], rest[min(ends, default=len(rest)) :]
        host = host.rpartition("@")[2].lower()
        name, colon, port = host.rpartition(":")
        ported = colon and port.isdigit() and (":" not in name or name.endswith("]"))
        host = name if ported else host
    target = text.partition("#")[0]
    target = target if target.startswith("/") else "/" + target
    path = target.partition("?")[0]
    return method, host, target, unquote(path, errors="replace") if "%" in path else path


def _cell(cells: list[str], at: int | None, count: int) -> str:
    """The stripped cell of an optional column; "" where it is missing or "-"."""
    text = cells[at].strip() if at is not None and at < count else ""
    return "" if text == "-" else text


def read_csv_hits(
    path: Path, mapping: CsvMapping | None = None, *, containing: Collection[str] = ()
) -> Iterator[Hit | BadLine]:
    """Every row of an analytics CSV export as a Hit or BadLine (see the module docstring).

    The header is the first row not blank or a ``#`` comment; ``mapping`` overrides its columns,
    else a header that does not map raises `CsvColumnsError`. With ``containing``, only the rows
    of those addresses (visitor ids where there is no IP column) are read.
    """
    path = Path(path)
    source, encoding = path.name, detect_encoding(path)
    with path.open(encoding=encoding, errors=decode_errors(encoding), newline="") as handle:
        header = _header_line(handle)
    if header is None:
        return
    sniffed = sniff_delimiter(path, encoding)
    found = _delimiter_of(header, (sniffed, *DELIMITERS))
    if found is None:  # without a mapping given, map_columns raises, naming the columns
        found = sniffed, mapping or map_columns(next(csv.reader([header], delimiter=sniffed)))
    delimiter, columns = found[0], mapping or found[1]
    rows = read_delimited(path, encoding, delimiter)
    next((1 for _n, c in rows if any(map(str.strip, c)) and c[0].lstrip()[:1] != "#"), 0)  # header
    url_at, time_at, agent_at = columns.url, columns.time, columns.user_agent
    ip_at = columns.ip if columns.ip is not None else columns.visitor
    need, wanted = max(url_at, time_at), set(containing)
    day_first, decided = columns.day_first, columns.day_first is not None
    for line_no, cells in rows:
        count = len(cells)
        if count <= need:
            if any(cell.strip() for cell in cells):
                reason = f"the row has {count} field(s): the page address or the time is missing"
                yield BadLine(source, line_no, delimiter.join(cells)[:200], reason)
            continue
        ip = cells[ip_at].strip() if ip_at is not None and ip_at < count else ""
        ip = "" if ip == "-" else ip
        if wanted and (not ip or ip not in wanted):
            continue
        url, when = cells[url_at], cells[time_at]
        if not url.strip():
            yield BadLine(source, line_no, delimiter.join(cells)[:200], "the page address is empty")
            continue
        at = _time_of(when, day_first)
        if isinstance(at, _AmbiguousDate) and not decided:
            day_first = _day_first_in(read_delimited(path, encoding, delimiter), time_at)
            decided = True
            at = _time_of(when, day_first)
        if isinstance(at, ValueError):
            yield BadLine(source, line_no, delimiter.join(cells)[:200], _time_reason(when, at))
            continue
        method, host, target, page = _split_url(url)
        # Analytics tools record only browsers that ran their script: with no user-agent
        # column, say so (an empty agent would read as a bot, and every click be left out).
        agent = _cell(cells, agent_at, count) if agent_at is not None else NO_AGENT_COLUMN
        hit = _Draft(line_no, source, ip, at, method, target, page, 200, "", agent, host)
        hit.__class__ = Hit  # a Hit built without the frozen guard (see access_log._Draft)
        yield hit


#: The user agent of hits from an export without a user-agent column (never shown).
NO_AGENT_COLUMN = "(a browser, per the analytics export)"


def read_visit_hits(
    paths: Iterable[Path], log_format: str | None = None, *, containing: Collection[str] = ()
) -> Iterator[Hit | BadLine]:
    """Hits of web server logs and analytics CSV exports, file by file, each told by content.

    A CSV file (`looks_like_csv`, or named ``.csv``/``.tsv``: then columns that do not map are one
    BadLine saying so) goes to `read_csv_hits`, anything else to `read_hits`.
    """
    for path in map(Path, paths):
        if looks_like_csv(path) or path.suffix.lower() in (".csv", ".tsv"):
            try:
                yield from read_csv_hits(path, containing=containing)
            except CsvColumnsError as error:
                yield BadLine(path.name, 1, "", str(error))
        else:
            yield from read_hits([path], log_format, containing=containing)
