"""Importing web server logs: tracked clicks and the same visitor's page views become activity.

Pass one reads every line (bad lines are reported with their numbers, never fatal) and keeps
the hits on links that carry one of our tokens (``ld=…``). The tokens lead to the email, and so
to the lead and the step. A hit by a link scanner or a bot (a HEAD request, a scanner's or a
bot's user agent, or a hit within seconds of delivery) is kept as "machine" and counts nowhere.
Pass two reads again only the lines from the addresses of people who clicked, and stitches
their page views within :data:`~leaddesk.visits.config.STITCH_MINUTES` of their last hit to the
same lead. Everything is written in one transaction as one import batch (undo removes it), and
a hit already imported (same log line fields) is skipped, so importing a log again adds nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import ImportBatch, OutboundMessage, VisitKind, WebVisit
from leaddesk.visits.access_log import BadLine, Hit, read_hits
from leaddesk.visits.analytics_csv import looks_like_csv, read_visit_hits
from leaddesk.visits.config import STITCH_MINUTES, load_visit_settings
from leaddesk.visits.machine_hits import is_page_view, machine_reason
from leaddesk.visits.open_image import prefetch_reason
from leaddesk.visits.tracked_links import TOKEN_PATTERN
from leaddesk.visits.visit_rows import Candidate, store_visits

CHUNK = 500
#: ``ld=…`` as a whole query parameter (``old=`` or ``field=`` are other parameters).
_TOKEN = re.compile(rf"[?&]ld=({TOKEN_PATTERN})(?![^&#])")
MAX_BAD_SHOWN = 50
#: Progress is reported every this many lines.
PROGRESS_LINES = 20_000


class VisitImportCancelled(Exception):
    """The user cancelled the import; nothing was written."""


@dataclass
class VisitImportReport:
    """What an import of web logs found and did."""

    files: list[str]
    lines: int = 0
    bad_lines: int = 0
    bad: list[BadLine] = field(default_factory=list)
    tracked_hits: int = 0
    clicks: int = 0
    pages: int = 0
    opens: int = 0  # approximate (image proxies, privacy protection): never a click
    machine: Counter[str] = field(default_factory=Counter)
    unknown_tokens: int = 0
    already_imported: int = 0
    leads: int = 0
    alerts: int = 0
    batch_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "files": self.files,
            "lines": self.lines,
            "bad_lines": self.bad_lines,
            "bad": [
                {"file": b.source, "line": b.line_no, "reason": b.reason, "text": b.text}
                for b in self.bad
            ],
            "tracked_hits": self.tracked_hits,
            "clicks": self.clicks,
            "pages": self.pages,
            "opens_approximate": self.opens,
            "machine": sum(self.machine.values()),
            "machine_by_reason": dict(self.machine),
            "unknown_tokens": self.unknown_tokens,
            "already_imported": self.already_imported,
            "leads": self.leads,
            "batch_id": self.batch_id,
        }


@dataclass(frozen=True)
class _Message:
    outbound_id: int
    lead_id: int
    step_id: int | None
    sent_at: datetime | None


def token_in(target: str) -> str | None:
    """The ``ld`` token of a request target, when it carries a plausible one."""
    if "ld=" not in target:
        return None
    found = _TOKEN.search(target)
    return found.group(1) if found else None


def looks_like_access_log(path: Path, sample: int = 20) -> bool:
    """True when ``path`` is an analytics export or most of its first lines read as access-log
    lines (for a file dropped on the window: visits are imported as visits, the rest as lists)."""
    if looks_like_csv(path):  # an analytics export: visits too
        return True
    hits = read_hits([path])
    try:
        lines = [item for _n, item in zip(range(sample), hits, strict=False)]
    except OSError:
        return False
    finally:
        hits.close()  # the file is closed now, not when the generator is collected
    return bool(lines) and sum(isinstance(item, Hit) for item in lines) * 2 > len(lines)


def visitor_key(secret: bytes, hit: Hit) -> str:
    """A keyed hash of the client address and browser (the raw address is never stored)."""
    text = f"{hit.ip}\0{hit.user_agent}".encode()
    return hmac.new(secret, text, hashlib.sha256).hexdigest()[:32]


def fingerprint(hit: Hit) -> str:
    """The same request logged twice (a log imported again, overlapping rotations) → same value."""
    fields = (hit.ip, hit.at.isoformat(), hit.method, hit.target, str(hit.status), hit.user_agent)
    text = "\0".join(fields)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:40]


def _first_pass(
    paths: Sequence[Path],
    log_format: str | None,
    report: VisitImportReport,
    progress: Callable[[int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> list[tuple[Hit, str]]:
    tracked: list[tuple[Hit, str]] = []
    for item in read_visit_hits(paths, log_format):
        report.lines += 1
        if report.lines % PROGRESS_LINES == 0:
            if cancelled is not None and cancelled():
                raise VisitImportCancelled("cancelled: nothing was imported")
            if progress is not None:
                progress(report.lines)
        if isinstance(item, BadLine):
            report.bad_lines += 1
            if len(report.bad) < MAX_BAD_SHOWN:
                report.bad.append(item)
            continue
        if "ld=" in item.target:  # most lines: no call at all
            token = token_in(item.target)
            if token is not None:
                tracked.append((item, token))
    return tracked


def _messages(session: Session, tokens: Iterable[str]) -> dict[str, _Message]:
    found: dict[str, _Message] = {}
    wanted = sorted(set(tokens))
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(
                OutboundMessage.link_token,
                OutboundMessage.id,
                OutboundMessage.lead_id,
                OutboundMessage.step_id,
                OutboundMessage.sent_at,
            ).where(
                OutboundMessage.link_token.in_(wanted[start : start + CHUNK]),
                OutboundMessage.lead_id.is_not(None),
            )
        )
        for token, outbound_id, lead_id, step_id, sent_at in rows:
            if token is not None and lead_id is not None:
                found[token] = _Message(outbound_id, lead_id, step_id, sent_at)
    return found


def _earlier_clicks(
    session: Session, visitors: set[str], since: datetime
) -> list[tuple[str, datetime, int]]:
    """People's clicks stored by earlier imports, from ``since`` on: (visitor, when, lead)."""
    found: list[tuple[str, datetime, int]] = []
    wanted = sorted(visitors)
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(WebVisit.visitor, WebVisit.occurred_at, WebVisit.lead_id).where(
                WebVisit.visitor.in_(wanted[start : start + CHUNK]),
                WebVisit.kind == VisitKind.CLICK,
                WebVisit.machine == "",
                WebVisit.occurred_at >= since,
            )
        )
        found += [(visitor, at, lead_id) for visitor, at, lead_id in rows]
    return found


def _stitch(
    clicks: list[tuple[str, datetime, int]], pages: list[tuple[Hit, str]]
) -> list[tuple[Hit, str, int]]:
    """Page views (hit, visitor) → (hit, visitor, lead): within the stitching window after a
    click by the same visitor, the window sliding with each further page view."""
    window = timedelta(minutes=STITCH_MINUTES)
    events: list[tuple[datetime, int, str, int, Hit | None]] = [
        (at, 0, visitor, lead_id, None) for visitor, at, lead_id in clicks
    ] + [(hit.at, 1, visitor, 0, hit) for hit, visitor in pages]
    events.sort(key=lambda event: (event[0], event[1]))
    last: dict[str, tuple[datetime, int]] = {}
    stitched: list[tuple[Hit, str, int]] = []
    for at, order, visitor, lead_id, hit in events:
        if order == 0:
            last[visitor] = (at, lead_id)
            continue
        seen = last.get(visitor)
        if seen is None or at - seen[0] > window:
            continue
        assert hit is not None
        stitched.append((hit, visitor, seen[1]))
        last[visitor] = (at, seen[1])
    return stitched


def import_visits(
    db: Database,
    paths: Sequence[Path],
    *,
    now: datetime,
    log_format: str | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> VisitImportReport:
    """Import the access logs ``paths`` (plain or gzipped, any order); see the module docstring.

    Raises ``OSError`` for a file that cannot be read and :class:`VisitImportCancelled` when
    ``cancelled()`` turns true; in both cases nothing is written.
    """
    report = VisitImportReport(files=[Path(p).name for p in paths])
    tracked = _first_pass(paths, log_format, report, progress, cancelled)
    report.tracked_hits = len(tracked)
    with db.session() as session:
        settings = load_visit_settings(session)
        messages = _messages(session, (token for _hit, token in tracked))
    from leaddesk.leads.suppression import suppression_secret

    with db.write() as session:
        secret = suppression_secret(session)
        candidates: list[Candidate] = []
        clicks: list[tuple[str, datetime, int]] = []
        for hit, token in tracked:
            message = messages.get(token)
            if message is None:
                report.unknown_tokens += 1
                continue
            opened = bool(settings.pixel_path) and hit.path == settings.pixel_path
            if opened:
                reason = prefetch_reason(hit, message.sent_at, settings.machine_seconds)
            else:
                reason = machine_reason(
                    hit, sent_at=message.sent_at, scanner_seconds=settings.machine_seconds
                )
            visitor = visitor_key(secret, hit)
            candidates.append(
                Candidate(hit, VisitKind.OPEN if opened else VisitKind.CLICK, message.lead_id,
                          visitor, fingerprint(hit), reason or "", message.outbound_id,
                          message.step_id)
            )  # fmt: skip
            if reason is None and not opened:
                clicks.append((visitor, hit.at, message.lead_id))
        if clicks:
            people = {
                (c.hit.ip, c.hit.user_agent)
                for c in candidates
                if not c.machine and c.kind == VisitKind.CLICK
            }
            since = min(at for _v, at, _l in clicks) - timedelta(minutes=STITCH_MINUTES)
            clicks += _earlier_clicks(session, {v for v, _a, _l in clicks}, since)
            addresses = {ip for ip, _ua in people}
            pages = [
                (hit, visitor_key(secret, hit))
                for hit in _hits_from(paths, log_format, addresses)
                if (hit.ip, hit.user_agent) in people
                and token_in(hit.target) is None
                and is_page_view(hit)
                and machine_reason(hit, sent_at=None) is None
            ]
            for hit, visitor, lead_id in _stitch(clicks, pages):
                candidates.append(
                    Candidate(hit, VisitKind.PAGE, lead_id, visitor, fingerprint(hit), "")
                )
        batch = ImportBatch(
            filename=", ".join(report.files)[:1000], kind="visits", rows=report.lines,
            rejected=report.bad_lines, source="web log",
        )  # fmt: skip
        session.add(batch)
        session.flush()
        stored = store_visits(session, candidates, batch_id=batch.id, now=now)
        report.machine = stored.machine
        report.clicks, report.pages, report.opens = stored.clicks, stored.pages, stored.opens
        report.already_imported, report.leads = stored.already, stored.leads
        batch.imported = stored.clicks + stored.pages
        report.batch_id = batch.id
    return report


def _hits_from(paths: Sequence[Path], log_format: str | None, addresses: set[str]) -> list[Hit]:
    """The hits of the given client addresses (every other line is skipped before parsing)."""
    if not addresses:
        return []
    return [
        item
        for item in read_visit_hits(paths, log_format, containing=addresses)
        if isinstance(item, Hit) and item.ip in addresses
    ]
