"""``leaddesk import-visits`` from the shell: what it reports, a second run, bad input, forget."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import OutboundMessage, WebVisit
from tests.visits.visits_data import TOKEN, sent_email

AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari"


def _leaddesk(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEADDESK_DB"}
    return subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", str(db_path), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def _log(folder: Path) -> Path:
    lines = [
        f'2001:db8::5 - - [02/Mar/2026:11:00:00 +0100] "GET /pricing?ld={TOKEN}&utm_source='
        f'leaddesk HTTP/2.0" 200 812 "-" "{AGENT}"',
        f'2001:db8::5 - - [02/Mar/2026:11:04:10 +0100] "GET /caf%C3%A9/menu HTTP/2.0" 200 95 '
        f'"https://www.harbour.example/pricing" "{AGENT}"',
        "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03 garbage",
    ]
    path = folder / "access.log.2.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_import_visits_reports_clicks_pages_and_bad_lines_and_adds_nothing_the_second_time(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    """A gzipped log gives one click and one (URL-decoded) page, names its bad line; run again,
    it says the hits were imported before and stores nothing new; `import --undo` removes it."""
    sent_email(db)
    log = _log(tmp_path)
    first = _leaddesk(db_path, "import-visits", str(log), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["clicks"], report["pages"], report["leads"]) == (1, 1, 1)
    assert report["bad_lines"] == 1 and report["bad"][0]["line"] == 3
    again = _leaddesk(db_path, "import-visits", str(log))
    assert again.returncode == 0, again.stderr
    assert "0 click(s) and 0 page view(s)" in again.stdout
    assert "2 hit(s) were imported before" in again.stdout
    assert "access.log.2.gz line 3:" in again.stdout
    with db.session() as session:
        paths = sorted(session.scalars(select(WebVisit.path)))
    assert paths == ["/café/menu", "/pricing"]
    undone = _leaddesk(db_path, "import", "--undo", str(report["batch_id"]))
    assert undone.returncode == 0, undone.stderr
    with db.session() as session:
        assert session.scalar(select(func.count(WebVisit.id))) == 0


def test_import_visits_says_what_is_wrong_with_a_missing_file_a_bad_format_or_a_non_log(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    """A missing file, an unusable --log-format and a file that is not a log each get a sentence
    saying what to do, and nothing is stored."""
    missing = _leaddesk(db_path, "import-visits", str(tmp_path / "nope.log"))
    assert missing.returncode != 0 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\neggs\nmilk\n", encoding="utf-8")
    fmt = _leaddesk(db_path, "import-visits", str(text), "--log-format", "$remote_addr $foo")
    assert fmt.returncode != 0 and "log format cannot be used" in fmt.stderr
    odd = _leaddesk(db_path, "import-visits", str(text))
    assert odd.returncode == 0 and "Not one line could be read" in odd.stdout
    with db.session() as session:
        assert session.scalar(select(func.count(WebVisit.id))) == 0


def test_forget_erases_the_persons_visits_and_link_tokens(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    """After `forget`, no visit and no tracked email of the person is left."""
    sent_email(db)
    assert _leaddesk(db_path, "import-visits", str(_log(tmp_path))).returncode == 0
    forgot = _leaddesk(db_path, "forget", "ines@harbour.example")
    assert forgot.returncode == 0, forgot.stderr
    assert "2 website visit(s) erased" in forgot.stdout
    with db.session() as session:
        assert session.scalar(select(func.count(WebVisit.id))) == 0
        assert session.scalar(select(func.count()).where(OutboundMessage.link_token == TOKEN)) == 0
