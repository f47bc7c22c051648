"""Benchmark: reading a large nginx access log into hits, beside reading its lines and nothing else.

Run from the repository root: ``python3 tests/bench/bench_access_log.py [--lines N]``.

Writes a realistic N-line (default 1,000,000) nginx "combined" log to a temp dir: a week of
traffic, IPv4 and IPv6 clients, pages with tracked-link and UTM queries, assets, percent-encoded
paths, browser, scanner and bot user agents, and a few TLS probes. It then measures, in the same
run, ``wc -l`` on the file, a plain Python ``for line in open(f, 'rb')`` loop (the floor for
anything line-by-line in Python), ``read_hits`` consuming everything, and ``read_hits`` again
with ``is_page_view`` and ``machine_reason`` on every hit; it prints each in seconds with its ratio
to the plain loop. Target: importing a 1M-line log as a whole (reading, classifying, storing)
< 10 s on a slow 2-core machine; the read and parse measured here should be a small part of that
(< 5 s). Exits 1 when read_hits, scaled to 1M lines, misses 5 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script, from anywhere

TARGET_IMPORT = 10.0
SENT_EMAILS = 2_000  # emails with tracked links in the database the full import reads into
TARGET_PARSE = 5.0
_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (compatible; Mimecast URL Protect)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "-",
]
_AGENT_WEIGHTS = [30, 20, 20, 10, 5, 4, 4, 3, 2, 2]  # mostly people, as on a small B2B site
_PAGES = ["/", "/pricing", "/features", "/blog/how-we-doubled-replies", "/contact", "/über-uns"]
_ASSETS = ["/static/app.css", "/static/app.js", "/img/logo.svg", "/favicon.ico", "/robots.txt"]


def write_log(path: Path, lines: int, seed: int = 7, tokens: list[str] | None = None) -> None:
    """Write `lines` lines of a realistic nginx combined log, a week of traffic, to `path`.

    With ``tokens``, one line in 200 is a click on a link carrying one of them (the rest of
    the tracked-looking links carry tokens no database knows)."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 5, tzinfo=UTC)
    step = timedelta(days=7) / lines
    zone = timedelta(hours=2)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for n in range(lines):
            at = (start + n * step + zone).strftime("%d/%b/%Y:%H:%M:%S +0200")
            if rng.random() < 0.25:
                ip = f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
            else:
                ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{n % 250}"
            roll = rng.random()
            if roll < 0.001:
                out.write(f'{ip} - - [{at}] "\\x16\\x03\\x01\\x00\\xA5\\x01" 400 157 "-" "-"\n')
                continue
            if roll < 0.45:
                target = rng.choice(_ASSETS)
            elif roll < 0.455 and tokens:
                target = f"{rng.choice(_PAGES)}?ld={rng.choice(tokens)}&utm_source=leaddesk"
            elif roll < 0.7:
                target = f"{rng.choice(_PAGES)}?ld=t{rng.randrange(10**8):08d}&utm_source=leaddesk"
            elif roll < 0.75:
                target = "/docs/caf%C3%A9%20cr%C3%A8me.pdf"
            else:
                target = rng.choice(_PAGES).replace("ü", "%C3%BC")
            status = rng.choice((200, 200, 200, 200, 304, 404, 301))
            referrer = rng.choice(("-", "https://www.google.com/", "https://mail.example.org/"))
            agent = rng.choices(_AGENTS, _AGENT_WEIGHTS)[0]
            out.write(
                f'{ip} - - [{at}] "GET {target} HTTP/1.1" {status} {rng.randrange(50000)} '
                f'"{referrer}" "{agent}"\n'
            )


def tracked_database(folder: Path, emails: int) -> tuple[object, list[str]]:
    """A migrated SQLite database with ``emails`` sent emails (one lead each) whose links
    carry a token; returns the database and the tokens."""
    from sqlalchemy import insert

    from leaddesk.db.migrate import open_database
    from leaddesk.db.models import Lead, OutboundMessage

    db = open_database(str(folder / "bench.db"))
    sent = datetime(2026, 10, 4, 9, tzinfo=UTC)
    tokens = [f"tk{n:010d}" for n in range(emails)]
    with db.write() as session:
        session.execute(
            insert(Lead),
            [{"email": f"lead{n}@bench.example", "email_key": f"lead{n}@bench.example",
              "first_name": f"Lead{n}"} for n in range(emails)],
        )  # fmt: skip
        ids = list(session.scalars(Lead.__table__.select().with_only_columns(Lead.id)))
        session.execute(
            insert(OutboundMessage),
            [{"lead_id": lead_id, "message_id": f"<{n}@bench.example>", "state": "sent",
              "to_address": f"lead{n}@bench.example", "due_at": sent, "sent_at": sent,
              "link_token": tokens[n]} for n, lead_id in enumerate(ids)],
        )  # fmt: skip
    return db, tokens


def main() -> int:
    """Write the log, time the readers, print the figures; 1 if read_hits misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines in the log")
    args = parser.parse_args()

    from leaddesk.visits.access_log import Hit, read_hits
    from leaddesk.visits.machine_hits import is_page_view, machine_reason

    folder = Path(tempfile.mkdtemp(prefix="leaddesk-bench-log-"))
    try:
        log = folder / "access.log"
        db, tokens = tracked_database(folder, SENT_EMAILS)
        started = time.perf_counter()
        write_log(log, args.lines, tokens=tokens)
        size = log.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"wrote {args.lines:,} lines ({size:.0f} MB) in {took:.1f} s to {log}")

        started = time.perf_counter()
        counted = subprocess.run(["wc", "-l", str(log)], capture_output=True, check=True, text=True)
        wc_seconds = time.perf_counter() - started

        started = time.perf_counter()
        n = 0
        with log.open("rb") as lines:
            for _ in lines:
                n += 1
        loop_seconds = time.perf_counter() - started

        started = time.perf_counter()
        hits = bad = 0
        for item in read_hits([log]):
            if isinstance(item, Hit):
                hits += 1
            else:
                bad += 1
        parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        pages = machines = 0
        for item in read_hits([log]):
            if isinstance(item, Hit):
                pages += is_page_view(item)
                machines += machine_reason(item, sent_at=None) is not None
        classify_seconds = time.perf_counter() - started

        from leaddesk.visits.log_import import import_visits

        started = time.perf_counter()
        report = import_visits(db, [log], now=datetime(2026, 10, 13, tzinfo=UTC))  # type: ignore[arg-type]
        import_seconds = time.perf_counter() - started
        again_started = time.perf_counter()
        again = import_visits(db, [log], now=datetime(2026, 10, 13, tzinfo=UTC))  # type: ignore[arg-type]
        again_seconds = time.perf_counter() - again_started

        def row(label: str, seconds: float, note: str) -> None:
            print(f"{label:<26} {seconds:6.2f} s  x{seconds / loop_seconds:5.1f}  {note}")

        row("wc -l", wc_seconds, f"({counted.stdout.split()[0]} lines)")
        row("plain Python loop", loop_seconds, f"({n:,} lines)")
        note = f"({hits:,} hits, {bad:,} bad lines; {parse_seconds / n * 1e6:.2f} µs a line)"
        row("read_hits", parse_seconds, note)
        row("read_hits + classify", classify_seconds, f"({pages:,} pages, {machines:,} machine)")
        note = (
            f"({report.clicks:,} clicks, {report.pages:,} pages of {report.leads:,} leads, "
            f"{sum(report.machine.values()):,} machine, {report.unknown_tokens:,} unknown)"
        )
        row("import_visits (SQLite)", import_seconds, note)
        row("import_visits again", again_seconds, f"({again.already_imported:,} already in)")
        print(
            f"target: the import as a whole < {TARGET_IMPORT:.0f} s for 1M lines; "
            f"read_hits alone < {TARGET_PARSE:.0f} s"
        )
        scaled = parse_seconds * 1_000_000 / n
        verdict = "ok" if scaled < TARGET_PARSE else "TOO SLOW"
        print(f"read_hits scaled to 1M lines: {scaled:.2f} s  {verdict}")
        whole = import_seconds * 1_000_000 / n
        print(f"import scaled to 1M lines: {whole:.2f} s  "
              f"{'ok' if whole < TARGET_IMPORT else 'TOO SLOW'}")  # fmt: skip
        db.dispose()  # type: ignore[attr-defined]
        return 0 if scaled < TARGET_PARSE and whole < TARGET_IMPORT else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
