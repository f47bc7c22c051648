"""A UTF-8 file with a few bytes that are not UTF-8: read as UTF-8, the broken rows rejected."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.importing.encoding import damaged_notice, detect_encoding
from leaddesk.importing.table import open_table
from tests.importing.conftest import run_file


def _broken_file(path: Path) -> Path:
    lines = [b"Email,First Name,City"]
    for number in range(100):
        lines.append(f"leon{number}@example.com,Léon,Zürich".encode())
    # Three rows with stray bytes: a Windows-1252 é, a lone continuation byte, a cut sequence.
    lines.insert(14, b"bad1@example.com,Ren\xe9,Paris")
    lines.insert(57, b"bad2@example.com,J\x80rg,Bern")
    lines.insert(88, b"bad3@example.com,Zo\xc3,Lyon")
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


def test_a_mostly_utf8_file_is_read_as_utf8_and_its_broken_rows_named(tmp_path: Path) -> None:
    """Detection keeps UTF-8 and the table lists the broken lines for the preview."""
    path = _broken_file(tmp_path / "broken.csv")
    assert detect_encoding(path).startswith("utf-8")
    table = open_table(path)
    assert table.damaged_lines == (15, 58, 89)
    notice = damaged_notice(table.damaged_lines)
    assert "3 lines (15, 58, 89)" in notice and "pick its encoding" in notice


def test_importing_it_keeps_every_good_row_intact_and_rejects_the_three(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """100 rows arrive as "Léon"/"Zürich" (never "LÃ©on"); the 3 broken rows are rejected
    with their line numbers and a reason that says what to do."""
    result = run_file(db, _broken_file(tmp_path / "broken.csv"), clock)
    assert result.counts["imported"] == 100
    rejected = {error["row"]: error["reason"] for error in result.errors()}
    assert set(rejected) == {15, 58, 89}
    assert all("not valid UTF-8" in reason for reason in rejected.values())
    with db.session() as session:
        names = set(session.scalars(select(Lead.first_name)))
        cities = set(session.scalars(select(Lead.city)))
    assert names == {"Léon"} and cities == {"Zürich"}


def test_a_real_windows_1252_file_is_still_read_as_windows_1252(tmp_path: Path) -> None:
    """A file whose accents are all single Windows-1252 bytes is not mistaken for UTF-8."""
    path = tmp_path / "cp1252.csv"
    path.write_bytes("Email,First Name\na@example.com,Léon\nb@example.com,Zoë\n".encode("cp1252"))
    assert detect_encoding(path) == "cp1252"
    assert open_table(path).damaged_lines == ()
