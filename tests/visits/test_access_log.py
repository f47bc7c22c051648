"""Access logs: nginx and Apache lines of every usual shape become hits, bad lines say why."""

from __future__ import annotations

import gzip
from dataclasses import astuple, fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaddesk.visits.access_log import (
    BadLine,
    Hit,
    compile_format,
    parse_line,
    read_hits,
)

AUTO = compile_format(None)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
NGINX = (
    '203.0.113.7 - - [10/Oct/2026:13:55:36 -0700] "GET /pricing?ld=abc123&utm_source=x HTTP/1.1" '
    f'200 5120 "https://mail.example.org/" "{CHROME}"'
)
AT = datetime(2026, 10, 10, 20, 55, 36, tzinfo=UTC)


def hit(text: str, fmt: str | None = None) -> Hit:
    """`text` parsed as line 1 of access.log, which must give a Hit."""
    result = parse_line(text, compile_format(fmt), "access.log", 1)
    assert isinstance(result, Hit), result
    return result


def bad(text: str, fmt: str | None = None) -> BadLine:
    """`text` parsed as line 1 of access.log, which must give a BadLine."""
    result = parse_line(text, compile_format(fmt), "access.log", 1)
    assert isinstance(result, BadLine), result
    return result


def test_nginx_combined_line() -> None:
    """An nginx combined line gives every field, the time in UTC and the query decoded."""
    got = hit(NGINX)
    assert got == Hit(
        1, "access.log", "203.0.113.7", AT, "GET", "/pricing?ld=abc123&utm_source=x",
        "/pricing", 200, "https://mail.example.org/", CHROME, "",
    )  # fmt: skip
    assert got.query == {"ld": "abc123", "utm_source": "x"}
    assert got.at.utcoffset() is not None and got.at.utcoffset().total_seconds() == 0


def test_nginx_extra_trailing_fields() -> None:
    """Fields logged after the user agent ($http_x_forwarded_for, ...) do not stop the line."""
    got = hit(NGINX + ' "198.51.100.2, 10.0.0.1" 0.004')
    assert (got.ip, got.user_agent, got.status) == ("203.0.113.7", CHROME, 200)


def test_apache_combined_line() -> None:
    """An Apache combined line, with a user name and "-" for no bytes, reads the same way."""
    line = (
        '192.0.2.44 - frank [10/Oct/2026:13:55:36 +0200] "POST /contact HTTP/1.1" 302 - '
        '"https://acme.example/contact" "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)"'
    )
    got = hit(line)
    assert (got.method, got.path, got.status) == ("POST", "/contact", 302)
    assert got.referrer == "https://acme.example/contact"
    assert got.at == datetime(2026, 10, 10, 11, 55, 36, tzinfo=UTC)
    assert hit(line, "combined") == got


def test_apache_common_line() -> None:
    """A common-format line (no referrer, no user agent) gives empty strings for both."""
    line = '192.0.2.44 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.0" 200 2326'
    got = hit(line)
    assert (got.path, got.referrer, got.user_agent) == ("/index.html", "", "")
    assert hit(line, "common") == got


def test_apache_vhost_combined_line() -> None:
    """vhost_combined's leading "host:port" fills `host`; the client address is the next field."""
    line = (
        'www.acme.example:443 198.51.100.9 - - [10/Oct/2026:13:55:36 +0000] "GET /about HTTP/2.0" '
        '200 812 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"'
    )
    got = hit(line)
    assert (got.host, got.ip, got.path, got.referrer) == (
        "www.acme.example",
        "198.51.100.9",
        "/about",
        "",
    )
    assert hit(line, "vhost_combined") == got


def test_custom_nginx_format_with_host_and_request_time() -> None:
    """A log_format pasted from nginx.conf, quotes and all, reads $host and skips $request_time."""
    spec = (
        "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent '\n"
        '    \'"$http_referer" "$http_user_agent" $host $request_time\''
    )
    line = (
        '2001:db8::7 - - [10/Oct/2026:13:55:36 +0000] "GET /blog/post-1 HTTP/1.1" 200 99 '
        '"https://www.google.com/" "Mozilla/5.0 (iPhone)" shop.acme.example 0.012'
    )
    got = hit(line, spec)
    assert (got.ip, got.host, got.path) == ("2001:db8::7", "shop.acme.example", "/blog/post-1")
    assert got.user_agent == "Mozilla/5.0 (iPhone)"
    assert isinstance(parse_line(line.replace(" 0.012", ""), compile_format(spec), "a", 1), BadLine)


def test_custom_apache_format() -> None:
    """An Apache LogFormat with its escaped quotes and a Host header reads like any other."""
    spec = r'"%a %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %{Host}i"'
    line = (
        '192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "GET /x HTTP/1.1" 404 10 "-" "Lynx/2.9" '
        "acme.example:8443"
    )
    got = hit(line, spec)
    assert (got.status, got.user_agent, got.host) == (404, "Lynx/2.9", "acme.example")


def test_format_without_a_request_is_refused() -> None:
    """A format that never logs the request, the time or the status cannot be used."""
    with pytest.raises(ValueError, match="request"):
        compile_format("$remote_addr [$time_local] $status")


def test_ipv6_clients() -> None:
    """IPv6 and IPv4-mapped client addresses are read whole."""
    for address in ("2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0"):
        assert hit(NGINX.replace("203.0.113.7", address)).ip == address


def test_escaped_quotes_in_user_agent() -> None:
    """Apache's \\" and nginx's \\x22 inside quoted fields are undone, not the end of the field."""
    apache = NGINX.replace(CHROME, r"Mozilla/5.0 \"quoted\" (X11) \\ end")
    assert hit(apache).user_agent == r'Mozilla/5.0 "quoted" (X11) \ end'
    nginx = NGINX.replace(CHROME, r"Bad\x22Agent").replace("?ld=", r"?q=\x22hi\x22&ld=")
    got = hit(nginx)
    assert got.user_agent == 'Bad"Agent'
    assert got.target == '/pricing?q="hi"&ld=abc123&utm_source=x'
    assert got.query["ld"] == "abc123"


def test_url_encoded_paths() -> None:
    """Percent-encoded UTF-8 paths are decoded; stray Latin-1 bytes become U+FFFD, not errors."""
    assert hit(NGINX.replace("/pricing", "/caf%C3%A9")).path == "/café"
    assert hit(NGINX.replace("/pricing", "/%C3%BCber%20uns")).path == "/über uns"
    latin = hit(NGINX.replace("/pricing", "/caf%E9"))
    assert (latin.path, latin.target[:8]) == ("/caf\ufffd", "/caf%E9?")
    assert hit(NGINX.replace("/pricing", "/a+b")).path == "/a+b"
    assert hit(NGINX.replace("utm_source=x", "utm_source=spring+sale%21")).query == {
        "ld": "abc123",
        "utm_source": "spring sale!",
    }


def test_garbage_requests_are_bad_lines() -> None:
    """TLS probes, "-", empty and non-HTTP request lines are BadLines with a reason."""
    cases = {
        r"\x16\x03\x01\x00\xA5\x01\x00\x00\xA1\x03\x03": "TLS handshake",
        "-": "no request line",
        "": "no request line",
        "GET": "not 'METHOD /path HTTP/version'",
        "CONNECT proxy.example:443 HTTP/1.1": "not a path",
        "GET http://proxy.example/ HTTP/1.1": "not a path",
    }
    for request, reason in cases.items():
        line = f'192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "{request}" 400 0 "-" "-"'
        assert reason in bad(line).reason, request
    assert "does not match" in bad("this is not a log line").reason
    assert "time" in bad(NGINX.replace("10/Oct/2026", "10/Okt/2026")).reason


def test_unusual_but_valid_requests() -> None:
    """HTTP/0.9, `OPTIONS *` and a lower-case method are still requests."""
    base = '192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "{}" 200 0 "-" "-"'
    assert hit(base.format("GET /old")).path == "/old"
    assert hit(base.format("OPTIONS * HTTP/1.1")).path == "*"
    assert hit(base.format("get /x HTTP/1.1")).method == "GET"


def test_time_zones_converted_to_utc() -> None:
    """Times in any offset, including half-hour ones, come out as the same instant in UTC."""
    for stamp in (
        "10/Oct/2026:13:55:36 -0700",
        "10/Oct/2026:20:55:36 +0000",
        "11/Oct/2026:02:25:36 +0530",
    ):
        got = hit(NGINX.replace("10/Oct/2026:13:55:36 -0700", stamp))
        assert got.at == AT and got.at.tzinfo == UTC
    year_end = hit(NGINX.replace("10/Oct/2026:13:55:36 -0700", "31/Dec/2026:23:59:60 -0100"))
    assert year_end.at == datetime(2027, 1, 1, 1, 0, 0, tzinfo=UTC)


def test_fast_construction_matches_the_dataclass() -> None:
    """Hits built by the parser equal, hash and behave like hits built by Hit(...)."""
    got = hit(NGINX)
    made = Hit(*astuple(got))
    assert got == made and hash(got) == hash(made) and type(got) is Hit
    assert [f.name for f in fields(got)] == [f.name for f in fields(Hit)]
    with pytest.raises(AttributeError):
        got.ip = "192.0.2.1"  # type: ignore[misc]


def test_rotated_logs_read_in_one_call(tmp_path: Path) -> None:
    """access.log, access.log.1 and a gzipped access.log.2.gz read together, numbered per file."""
    lines = [NGINX.replace("/pricing", f"/page-{n}") for n in range(4)]
    (tmp_path / "access.log").write_text(f"{lines[0]}\n{lines[1]}\n")
    (tmp_path / "access.log.1").write_bytes(f"{lines[2]}\r\ngarbage\r\n".encode())
    with gzip.open(tmp_path / "access.log.2.gz", "wt") as packed:
        packed.write(f"\n{lines[3]}\n")
    names = ("access.log.2.gz", "access.log.1", "access.log")
    got = list(read_hits([tmp_path / name for name in names]))
    assert [(g.source, g.line_no, type(g).__name__) for g in got] == [
        ("access.log.2.gz", 2, "Hit"),
        ("access.log.1", 1, "Hit"),
        ("access.log.1", 2, "BadLine"),
        ("access.log", 1, "Hit"),
        ("access.log", 2, "Hit"),
    ]
    assert [g.path for g in got if isinstance(g, Hit)] == [
        "/page-3",
        "/page-2",
        "/page-0",
        "/page-1",
    ]


def test_gzip_found_by_content_not_name(tmp_path: Path) -> None:
    """A gzipped file without .gz and a plain file named .gz are both read right."""
    (tmp_path / "zipped").write_bytes(gzip.compress(NGINX.encode() + b"\n"))
    (tmp_path / "plain.gz").write_text(NGINX + "\n")
    got = list(read_hits([tmp_path / "zipped", tmp_path / "plain.gz"]))
    assert [type(g) for g in got] == [Hit, Hit]


def test_malformed_lines_reported_and_rest_read(tmp_path: Path) -> None:
    """Bad lines come back with their line numbers and text; the lines after them still read."""
    log = tmp_path / "access.log"
    raw = [
        NGINX.encode(),
        b"\x00\xff\xfe binary junk",
        NGINX.replace("13:55:36", "13:55:37").encode(),
        b'192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
        b'198.51.100.1 - - [10/Oct/2026:13:55:36 +0000] "GET /cut-off HTTP/1.1" 200 5 "htt',
        NGINX.replace("/pricing", "/caf\xe9").encode("latin-1"),
    ]
    log.write_bytes(b"\n".join(raw) + b"\n")
    got = list(read_hits([log]))
    assert [(g.line_no, type(g).__name__) for g in got] == [
        (1, "Hit"), (2, "BadLine"), (3, "Hit"), (4, "BadLine"), (5, "Hit"), (6, "Hit"),
    ]  # fmt: skip
    assert isinstance(got[1], BadLine) and got[1].text.endswith("binary junk")
    assert isinstance(got[5], Hit) and got[5].path == "/caf\ufffd"


def test_long_bad_line_text_is_cut() -> None:
    """A bad line keeps only its first 200 characters."""
    assert len(bad("x" * 5000).text) == 200


def test_damaged_gzip_is_a_bad_line(tmp_path: Path) -> None:
    """A gzip file cut short yields the lines before the damage, then one BadLine."""
    packed = gzip.compress("\n".join([NGINX] * 2000).encode())
    (tmp_path / "access.log.3.gz").write_bytes(packed[: len(packed) // 2])
    got = list(read_hits([tmp_path / "access.log.3.gz"]))
    assert all(isinstance(g, Hit) for g in got[:-1]) and len(got) > 1
    assert isinstance(got[-1], BadLine) and "gzip" in got[-1].reason


def test_containing_skips_other_clients(tmp_path: Path) -> None:
    """With `containing`, only lines of those client addresses are read."""
    log = tmp_path / "access.log"
    log.write_text("\n".join(NGINX.replace("203.0.113.7", f"192.0.2.{n}") for n in range(9)))
    got = list(read_hits([log], containing={"192.0.2.3", "192.0.2.30"}))
    assert [(g.line_no, g.ip) for g in got if isinstance(g, Hit)] == [(4, "192.0.2.3")]
