"""Web server access logs read into hits: nginx and Apache, plain or gzipped, rotated or not.

Each format is compiled once into regular expressions. A line becomes a `Hit`, or a `BadLine` that
says in plain English why it could not be read (a TLS probe, a cut-off line): it never raises.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Collection, Generator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from operator import methodcaller
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, unquote_plus


@dataclass(frozen=True, slots=True)
class Hit:
    """One request read from an access log; `at` is in UTC, `path` is URL-decoded."""

    line_no: int
    source: str
    ip: str
    at: datetime
    method: str
    target: str  # as the client sent it: the log's own escapes undone, %-encoding kept
    path: str
    status: int
    referrer: str = ""
    user_agent: str = ""
    host: str = ""

    @property
    def query(self) -> dict[str, str]:
        """The first value of each query parameter, URL-decoded (parsed on each access)."""
        query: dict[str, str] = {}
        for pair in filter(None, self.target.partition("?")[2].split("&")):
            name, _, value = pair.partition("=")
            if "%" in pair or "+" in pair:
                name, value = unquote_plus(name), unquote_plus(value)
            query.setdefault(name, value)
        return query


@dataclass
class BadLine:
    """A line that could not be read as a request, with the reason in plain English."""

    source: str
    line_no: int
    text: str
    reason: str


_Patterns = tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[Any, ...]]], ...]


@dataclass(frozen=True)
class LineFormat:
    """A compiled log format: the patterns tried in order, and the twice-as-fast ones that mean
    the same for plain lines (nearly all lines: no backslash, so no escapes to handle)."""

    spec: str | None
    patterns: _Patterns
    plain_patterns: _Patterns


_GROUPS = ["ip", "time", "method", "target", "path", "request", "status", "referrer"]
_GROUPS += ["user_agent", "host"]


def _compiled(source: str) -> _Patterns:
    """The pattern with the fastest way to read its groups in `_GROUPS` order."""
    pattern = re.compile(source)
    in_order = list(pattern.groupindex) == _GROUPS
    return ((pattern, re.Match.groups if in_order else methodcaller("group", *_GROUPS)),)


# Hit(...) sets each field through object.__setattr__ (frozen), 2.5 µs a hit here; a draft with the
# same slots and no guard is built 7x faster, then becomes a Hit (a test checks both are equal).
_Draft: Any = dataclass(slots=True)(type("_Draft", (), {"__annotations__": Hit.__annotations__}))
_QUOTED = r'[^"\\]*+(?:\\.[^"\\]*+)*+'  # inside quotes, with \" and \\ escapes
_PLAIN = r'[^"]*+'  # the same where the line has no backslash
_TOKEN = r"[^ ]++"
NAMED_FORMATS = {
    "combined": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
    "common": '%h %l %u %t "%r" %>s %b',
    "vhost_combined": '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
}
_GROUP_OF = {
    "$remote_addr": "ip", "$time_local": "time", "$request": "request", "$status": "status",
    "$http_referer": "referrer", "$http_user_agent": "user_agent", "$host": "host",
    "$http_host": "host", "$server_name": "host", "%h": "ip", "%a": "ip", "%t": "time",
    "%r": "request", "%s": "status", "%v": "host", "%V": "host", "%{referer}i": "referrer",
    "%{user-agent}i": "user_agent", "%{host}i": "host",
}  # fmt: skip
_SHAPE_OF = {
    "$time_local": r"[^ \]]++ [+-]\d{4}", "$status": r"\d{3}", "%s": r"\d{3}", "%p": r"\d+",
    "$server_port": r"\d+", "$remote_port": r"\d+",
}  # fmt: skip
_VARIABLE = re.compile(r"\$\{?\w+\}?|%(?:%|[<>]?[!\d,]*(?:\{[^}]*\})?(?:\^[a-zA-Z]{2}|[a-zA-Z]))")


def _request(quoted: str) -> str:
    """The usual request line taken apart by the regex; anything else is left in `request`."""
    other = '"' if quoted == _PLAIN else '"\\\\'
    return (
        rf"(?:(?P<method>[A-Z]++) (?P<target>(?P<path>/[^ ?{other}]*+)[^ {other}]*+)"
        rf" HTTP/[0-9.]++|(?P<request>{quoted}))"
    )


def _translate(text: str, quoted: str) -> tuple[str, set[str]]:
    """A format's regex source and the groups it names."""
    parts: list[str] = []
    named: set[str] = set()
    position = 0
    for match in _VARIABLE.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        position = match.end()
        if match[0][0] == "$":
            key = "$" + match[0].strip("${}")
        else:  # %>s is %s; Apache header names ignore case
            key = re.sub(r"^%[<>]?[!\d,]*", "%", match[0])
            key = key.lower() if "{" in key else key
        group = None if _GROUP_OF.get(key) in named else _GROUP_OF.get(key)
        after = text[position : position + 1]
        in_quotes = text[match.start() - 1 : match.start()] == '"' == after
        if key == "%%":
            shape = "%"
        elif key == "%t":  # Apache logs the brackets itself
            shape = r"\[(?P<time>[^\]]++)\]" if group else r"\[[^\]]++\]"
        elif group == "request" and in_quotes:
            shape = _request(quoted)
            named.update(("method", "target", "path"))
        else:  # unquoted: a token, up to the next literal character if one follows directly
            token = _TOKEN if after in ("", " ") else r"[^ ]+?"
            shape = _SHAPE_OF.get(key) or (quoted if in_quotes else token)
            shape = f"(?P<{group}>{shape})" if group else shape
        named.update((group,) if group else ())
        parts.append(f"(?:{shape})")
    optional = ("ip", "method", "target", "path", "referrer", "user_agent", "host")
    empty = "".join(f"(?P<{g}>)" for g in optional if g not in named)
    # Where the format ends, extra fields may follow ($http_x_forwarded_for, $request_time, ...).
    return "".join(parts) + re.escape(text[position:]) + "(?= |$)" + empty, named


def compile_format(spec: str | None) -> LineFormat:
    """Compile a log format: nginx `$variables`, Apache `%` directives, a name, or None for auto.

    Auto reads combined (also with extra trailing fields), common and vhost_combined lines. Unknown
    variables match a token, or a quoted string where quoted. Quotes pasted from the config are
    understood. Raises ValueError when the format has no request, time or status field.
    """
    if spec is None:
        return _AUTO
    text = NAMED_FORMATS.get(spec.strip(), spec).strip()
    if text[:1] == "'" == text[-1:]:  # nginx: log_format main '...' '...';
        text = "".join(re.findall(r"'([^']*)'", text))
    elif text[:1] == '"' == text[-1:] and '\\"' in text:  # Apache: LogFormat "..." combined
        text = text[1:-1]
    text = text.replace('\\"', '"')
    source, named = _translate(text, _QUOTED)
    if missing := {"request", "time", "status"} - named:
        raise ValueError(f"the log format has no {', '.join(sorted(missing))} field: {spec!r}")
    return LineFormat(spec, _compiled(source), _compiled(_translate(text, _PLAIN)[0]))


_AUTO_FORMATS = [compile_format(name) for name in NAMED_FORMATS]  # tried in this order
_AUTO = LineFormat(
    None,
    tuple(p for f in _AUTO_FORMATS for p in f.patterns),
    tuple(p for f in _AUTO_FORMATS for p in f.plain_patterns),
)
_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8}
_MONTHS |= {"Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
_SECONDS = {f"{n:02}": timedelta(seconds=n) for n in range(61)}
_MINUTES: dict[str, datetime] = {}  # "10/Oct/2026:13:55: -0700" -> that minute in UTC


def _parse_time(text: str) -> datetime:
    """`10/Oct/2026:13:55:36 -0700` as an aware UTC datetime; ValueError if not that shape."""
    minute = _MINUTES.get(text[:18] + text[20:])
    second = _SECONDS.get(text[18:20])
    if minute is not None and second is not None:
        return minute + second
    zone = text[21:]
    separators = text[2] + text[6] + text[11] + text[14] + text[17] + text[20]
    if len(text) != 26 or separators != "//::: " or second is None or zone[0] not in "+-":
        raise ValueError(text)
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    day = int(text[7:11]), _MONTHS[text[3:6]], int(text[:2]), int(text[12:14]), int(text[15:17])
    minute = datetime(*day, tzinfo=UTC) + (offset if zone[0] == "-" else -offset)
    if len(_MINUTES) > 100_000:
        _MINUTES.clear()
    _MINUTES[text[:18] + text[20:]] = minute
    return minute + second


_decode_path = lru_cache(maxsize=8192)(partial(unquote, errors="replace"))  # pages repeat
_ESCAPE = re.compile(rb"\\(x[0-9A-Fa-f]{2}|.)")
_CONTROL = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"v": b"\v", b"f": b"\f", b"b": b"\b"}


def _unescape(text: str) -> str:
    """Undo the server's escapes in a logged field: nginx's `\\x22`, Apache's `\\"` and `\\\\`."""
    raw = _ESCAPE.sub(
        lambda m: bytes([int(m[1][1:], 16)]) if len(m[1]) == 3 else _CONTROL.get(m[1], m[1]),
        text.encode("utf-8"),
    )
    return raw.decode("utf-8", "replace")


def _split_request(request: str) -> tuple[str, str, str] | str:
    """An unusual request line as (method, target, path), or why it is not a request."""
    if request in ("", "-"):
        return "no request line (the client connected and sent nothing)"
    if request.startswith(("\\x16\\x03", "\x16\x03")):
        return "a TLS handshake sent to the plain-HTTP port, not an HTTP request"
    parts = request.split(" ")
    parts += ["HTTP/0.9"] if len(parts) == 2 else []
    method, target, version = parts[0], " ".join(parts[1:-1]), parts[-1]  # raw spaces kept
    if len(parts) < 3 or not version.startswith("HTTP/") or not method.isalpha():
        return "the request line is not 'METHOD /path HTTP/version'"
    target = _unescape(target) if "\\" in target else target
    if target[:1] == "/" or target == "*":
        return method.upper(), target, target.partition("?")[0]
    return "the request target is not a path on this site (a proxy probe?)"


def parse_line(text: str, fmt: LineFormat, source: str, line_no: int) -> Hit | BadLine:
    """One log line (without its line ending) as a Hit, or a BadLine saying why it is not one."""
    escaped = "\\" in text
    for pattern, read in fmt.patterns if escaped else fmt.plain_patterns:
        match = pattern.match(text)
        if match is not None:
            values = read(match)
            break
    else:
        return BadLine(source, line_no, text[:200], "does not match the log format")
    ip, when, method, target, path, request, status, ref, agent, host = values
    if not method:
        split = _split_request(request or "")
        if isinstance(split, str):
            return BadLine(source, line_no, text[:200], split)
        method, target, path = split
    path = _decode_path(path) if "%" in path else path
    try:
        at = _parse_time(when)
    except (ValueError, KeyError, IndexError):
        reason = "the time is not like 10/Oct/2026:13:55:36 -0700"
        return BadLine(source, line_no, text[:200], reason)
    ref = "" if not ref or ref == "-" else _unescape(ref) if escaped else ref
    agent = "" if not agent or agent == "-" else _unescape(agent) if escaped else agent
    if host and ":" in host:  # "example.com:8080" from a Host header
        name, _, port = host.rpartition(":")
        host = name if port.isdigit() and (":" not in name or name.endswith("]")) else host
    hit = _Draft(line_no, source, ip, at, method, target, path, int(status), ref, agent, host)
    hit.__class__ = Hit
    return hit


def _open_log(path: Path) -> BinaryIO:
    """A plain or gzipped log opened for reading bytes (told apart by the gzip magic bytes)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.GzipFile(path, "rb") if gzipped else path.open("rb")  # type: ignore[return-value]


def read_hits(
    paths: Iterable[Path], log_format: str | None = None, *, containing: Collection[str] = ()
) -> Generator[Hit | BadLine, None, None]:
    """Every line of the given logs as a Hit or BadLine, file by file, each in its own order.

    Plain and gzipped files (`access.log.2.gz`) are told apart by content, not name; a damaged
    gzip file ends with a BadLine, a missing one raises OSError. With `containing` (client
    addresses, say) only lines with one of them as a whole field are read, the rest skipped fast.
    """
    fmt = compile_format(log_format)
    wanted = {text.encode("utf-8") for text in containing}
    # The usual formats put the client first (vhost_combined second): compare those fields only.
    split = 2 if fmt.spec is None else 0
    for path in paths:
        source, line_no = Path(path).name, 0
        try:
            with _open_log(Path(path)) as lines:
                for raw in lines:
                    line_no += 1
                    if wanted and wanted.isdisjoint(
                        raw.split(None, split) if split else raw.split()
                    ):
                        continue
                    text = raw.decode("utf-8", "replace").rstrip("\r\n")
                    if text:
                        yield parse_line(text, fmt, source, line_no)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            reason = f"the gzip file is damaged or cut short ({error})"
            yield BadLine(source, line_no + 1, "", reason)
