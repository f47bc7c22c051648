"""Writing the hits an import tied to leads: the rows, and their activities through the door."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, leads_changed
from leaddesk.activities.door import record_activities_bulk
from leaddesk.db.models import VisitKind, WebVisit
from leaddesk.handoff.brief import step_names
from leaddesk.visits.access_log import Hit
from leaddesk.visits.machine_hits import is_page_view

CHUNK = 500
#: Parameters our links carry that say nothing about the page: left out of the stored URL.
_OURS = frozenset({"ld", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"})


@dataclass(frozen=True)
class Candidate:
    """A hit the import tied to a lead, before it is known to be new."""

    hit: Hit
    kind: str
    lead_id: int
    visitor: str
    fingerprint: str
    machine: str = ""
    outbound_id: int | None = None
    step_id: int | None = None


@dataclass
class StoredVisits:
    """What :func:`store_visits` wrote."""

    clicks: int = 0
    pages: int = 0
    opens: int = 0
    machine: Counter[str] = field(default_factory=Counter)
    already: int = 0
    leads: int = 0


def page_url(hit: Hit) -> str:
    """The requested page as the person saw it: path and query, without our token and UTM."""
    parts = urlsplit(hit.target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _OURS]
    return parts.path + (f"?{urlencode(query)}" if query else "")


def _known(session: Session, fingerprints: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(fingerprints), CHUNK):
        known.update(
            session.scalars(
                select(WebVisit.fingerprint).where(
                    WebVisit.fingerprint.in_(fingerprints[start : start + CHUNK])
                )
            )
        )
    return known


def _opened(session: Session, outbound_ids: set[int | None]) -> set[int | None]:
    """Emails whose open (a person's fetch of the image) an earlier import stored."""
    wanted = sorted(i for i in outbound_ids if i is not None)
    found: set[int | None] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            session.scalars(
                select(WebVisit.outbound_id).where(
                    WebVisit.outbound_id.in_(wanted[start : start + CHUNK]),
                    WebVisit.kind == VisitKind.OPEN,
                    WebVisit.machine == "",
                )
            )
        )
    return found


def _events(candidate: Candidate, steps: dict[int, str], batch_id: int) -> list[ActivityEvent]:
    hit, url = candidate.hit, page_url(candidate.hit)
    page = ActivityEvent(
        candidate.lead_id, ActivityKind.VISITED_PAGE, hit.at,
        {"path": hit.path, "url": url}, origin="web log", import_batch_id=batch_id,
    )  # fmt: skip
    if candidate.kind == VisitKind.PAGE:
        return [page]
    if candidate.kind == VisitKind.OPEN:
        opened = {
            "outbound_id": candidate.outbound_id,
            "step_id": candidate.step_id,
            "step": steps.get(candidate.step_id or 0, ""),
            "approximate": True,
        }
        return [ActivityEvent(candidate.lead_id, ActivityKind.EMAIL_OPENED, hit.at, opened,
                              origin="web log", import_batch_id=batch_id)]  # fmt: skip
    payload = {
        "path": hit.path,
        "url": url,
        "step_id": candidate.step_id,
        "outbound_id": candidate.outbound_id,
        "step": steps.get(candidate.step_id or 0, ""),
    }
    click = ActivityEvent(
        candidate.lead_id, ActivityKind.CLICKED_LINK, hit.at, payload,
        origin="web log", import_batch_id=batch_id,
    )  # fmt: skip
    return [click, page] if is_page_view(hit) else [click]


def _row(c: Candidate, batch_id: int) -> WebVisit:
    return WebVisit(
        lead_id=c.lead_id, outbound_id=c.outbound_id, step_id=c.step_id, kind=c.kind,
        url=page_url(c.hit)[:2000], path=c.hit.path[:1000], visitor=c.visitor,
        occurred_at=c.hit.at, machine=c.machine[:200], fingerprint=c.fingerprint,
        import_batch_id=batch_id,
    )  # fmt: skip


def store_visits(
    session: Session, candidates: list[Candidate], *, batch_id: int, now: datetime
) -> StoredVisits:
    """Store the new candidates (one row per log line, however often it is imported) and
    record a person's clicks and page views through the event door, oldest first."""
    result = StoredVisits()
    known = _known(session, [c.fingerprint for c in candidates])
    fresh: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.hit.at):
        if candidate.fingerprint in known:
            result.already += 1
            continue
        known.add(candidate.fingerprint)
        fresh.append(candidate)
    people = [c for c in fresh if not c.machine]
    # An email counts as opened once, however often its image is fetched (asked before this
    # import's rows are added, which would answer "yes" for all of them).
    seen_opens = _opened(session, {c.outbound_id for c in people if c.kind == VisitKind.OPEN})
    session.add_all(_row(c, batch_id) for c in fresh)
    first_opens = []
    for c in people:
        if c.kind == VisitKind.OPEN and c.outbound_id not in seen_opens:
            seen_opens.add(c.outbound_id)
            first_opens.append(c)
    people = [c for c in people if c.kind != VisitKind.OPEN] + first_opens
    for c in fresh:
        if c.machine:
            result.machine[c.machine] += 1
    steps = step_names(session, {c.step_id for c in people if c.step_id is not None})
    events = [event for c in people for event in _events(c, steps, batch_id)]
    result.clicks = sum(1 for c in people if c.kind == VisitKind.CLICK)
    result.pages = sum(1 for c in people if c.kind == VisitKind.PAGE)
    result.opens = len(first_opens)
    result.leads = len({c.lead_id for c in people})
    session.flush()
    if events:
        # One insert for all, then one bulk reaction per capability (each lead re-scored once,
        # crossings handed off, owners of handed-off leads told), as imports of lists do.
        record_activities_bulk(session, events, now=now)
        kinds = {str(e.kind) for e in events}
        leads_changed(session, sorted({c.lead_id for c in people}), now, kinds=kinds)
    return result
