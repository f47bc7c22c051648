"""Reading delimited files: encodings, delimiters, quoting, line ends, header rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leaddesk.importing import ReadOptions, UnreadableFileError, open_table
from leaddesk.importing.encoding import detect_encoding

TEXT = "Email,First Name,Last Name\nzoe@example.com,Zoë,Müller-Ørsted\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
)
def test_unicode_encodings_read_exactly(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    """UTF-8 with or without BOM and UTF-16 LE/BE with BOM give the same names, no BOM junk."""
    path = tmp_path / "list.csv"
    path.write_bytes(prefix + TEXT.encode(encoding))
    table = open_table(path)
    assert table.headers == ("Email", "First Name", "Last Name")
    rows = list(table.data_rows())
    assert rows == [(2, ["zoe@example.com", "Zoë", "Müller-Ørsted"])]


def test_windows_1252_is_the_fallback(tmp_path: Path, write_text: Any) -> None:
    """A Windows-1252 export (curly quotes, €, accents) reads as Windows-1252, not -1250."""
    path = write_text(
        tmp_path / "w.csv", "Email;Name;Note\nana@example.com;José Müller;“50 €” ok\n", "cp1252"
    )
    assert detect_encoding(path) == "cp1252"
    table = open_table(path)
    assert next(iter(table.data_rows()))[1] == ["ana@example.com", "José Müller", "“50 €” ok"]


def test_encoding_override(tmp_path: Path, write_text: Any) -> None:
    """The user can override the detected encoding."""
    path = write_text(tmp_path / "w.csv", "Email,Name\nana@example.com,Łukasz\n", "cp1250")
    table = open_table(path, ReadOptions(encoding="cp1250"))
    assert next(iter(table.data_rows()))[1][1] == "Łukasz"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_sniffing(tmp_path: Path, delimiter: str, write_text: Any) -> None:
    """Comma, semicolon, tab and pipe files are recognised, even with commas inside fields."""
    lines = ["Email", "Company", "City"], ["a@example.com", "Acme, Inc.", "Köln"]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in row) for row in lines)
    table = open_table(write_text(tmp_path / "d.txt", text + "\n"))
    assert table.delimiter == delimiter
    assert next(iter(table.data_rows()))[1] == ["a@example.com", "Acme, Inc.", "Köln"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_quoted_newlines_quotes_and_line_ends(
    tmp_path: Path, newline: str, write_text: Any
) -> None:
    """Embedded delimiters, doubled quotes and newlines stay in their field; rows keep numbers."""
    text = (
        "Email,Name,Notes\n"
        'a@example.com,"Smith, Ann","said ""hi""\nthen left"\n'
        "\n"
        "b@example.com,Bob,short\n"
    )
    table = open_table(write_text(tmp_path / "q.csv", text, newline=newline))
    rows = list(table.data_rows())
    assert rows[0] == (2, ["a@example.com", "Smith, Ann", 'said "hi"' + newline + "then left"])
    assert rows[-1] == (5, ["b@example.com", "Bob", "short"])


def test_ragged_rows_and_nul_bytes(tmp_path: Path) -> None:
    """Short and long rows are kept as they are; NUL bytes are dropped."""
    path = tmp_path / "r.csv"
    path.write_bytes(b"Email,Name\na@example.com\nb@exam\x00ple.com,Bob,extra\n")
    rows = list(open_table(path).data_rows())
    assert rows == [(2, ["a@example.com"]), (3, ["b@example.com", "Bob", "extra"])]


def test_title_rows_above_the_header_are_skipped(tmp_path: Path, write_text: Any) -> None:
    """A report title, a date line and blank lines above the header are not the header."""
    text = "Badge scans — Expo 2026\nExported 2026-03-01\n\n\nFirst Name,Last Name,Email\n"
    text += "Ada,Lovelace,ada@example.com\n"
    table = open_table(write_text(tmp_path / "t.csv", text))
    assert table.header_row == 5
    assert table.headers == ("First Name", "Last Name", "Email")


def test_webinar_report_preamble(tmp_path: Path, write_text: Any) -> None:
    """A webinar report's preamble (topic, host tables) is skipped to the attendee header."""
    text = (
        "Attendee Report\n"
        "Report Generated:,03/02/2026 10:00 AM\n"
        "Topic,Webinar ID,Actual Start Time\n"
        "Scaling Ops,123 456,03/01/2026 09:00 AM\n"
        "\n"
        "Host Details\n"
        "Attended,User Name (Original Name),Email,Time in Session (minutes)\n"
        "Yes,Host,host@example.com,60\n"
        "\n"
        "Attendee Details\n"
        "Attended,First Name,Last Name,Email,Time in Session (minutes),Country/Region Name\n"
        "Yes,Ada,Lovelace,ada@example.com,42,UK\n"
    )
    table = open_table(write_text(tmp_path / "zoom.csv", text))
    assert table.header_row == 11
    assert "First Name" in table.headers


def test_header_row_override(tmp_path: Path, write_text: Any) -> None:
    """The user can pick the header row by its line number."""
    text = "Email,Name\nx@example.com,X\nEmail address,Full name\ny@example.com,Y\n"
    table = open_table(write_text(tmp_path / "h.csv", text), ReadOptions(header_row=3))
    assert table.headers == ("Email address", "Full name")
    assert [n for n, _ in table.data_rows()] == [4]


def test_empty_file_is_unreadable(tmp_path: Path) -> None:
    """An empty file is refused with a clear message."""
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFileError, match="empty"):
        open_table(path)


def test_header_only_file_has_no_rows(tmp_path: Path, write_text: Any) -> None:
    """A header-only file opens with its header and no data rows."""
    table = open_table(write_text(tmp_path / "h.csv", "Email,Name\n"))
    assert table.headers == ("Email", "Name")
    assert list(table.data_rows()) == []


def test_binary_file_is_refused(tmp_path: Path) -> None:
    """An old .xls or other binary file is refused, not read as garbage."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(UnreadableFileError):
        open_table(path)
