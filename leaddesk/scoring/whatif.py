"""What-if: how a proposed model would move leads between bands, computed without saving."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Lead, ScoreBand
from leaddesk.scoring.compute import CompiledConfig, evaluate
from leaddesk.scoring.facts import Needs, stream_leads
from leaddesk.scoring.rules import ScoringConfig, validate_config
from leaddesk.scoring.store import compiled_config

CHANGE_LIMIT = 500


@dataclass(frozen=True)
class BandChange:
    """One lead that would change band under the proposed model."""

    lead_id: int
    email: str
    name: str
    score_now: float
    score_proposed: float
    band_now: str
    band_proposed: str


@dataclass(frozen=True)
class WhatIfResult:
    """Band counts now and with the proposal, and (up to a limit) the leads that move."""

    leads: int
    bands_now: dict[str, int]
    bands_proposed: dict[str, int]
    changed: int
    changes: list[BandChange] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "leads": self.leads,
            "bands_now": self.bands_now,
            "bands_proposed": self.bands_proposed,
            "changed": self.changed,
            "changes": [change.__dict__ for change in self.changes],
            "seconds": round(self.seconds, 3),
        }


def what_if(
    session: Session, proposed: ScoringConfig, now: datetime, *, limit: int = CHANGE_LIMIT
) -> WhatIfResult:
    """Compare the model in force with ``proposed`` on every lead, as of ``now``; writes nothing.

    "Now" is the model in force evaluated at ``now`` (so decay since the last pass does not show
    up as a change); the first ``limit`` movers are listed, highest proposed score first.
    """
    started = time.perf_counter()
    validate_config(proposed)
    current = compiled_config(session, seed=False)
    candidate = CompiledConfig(proposed)
    now_counts: Counter[str] = Counter()
    proposed_counts: Counter[str] = Counter()
    movers: list[tuple[int, float, float, str, str]] = []
    leads = 0
    for lead_id, fields, _stored, activities in stream_leads(
        session, Needs.of(current, candidate), now
    ):
        before = evaluate(current, fields, activities)
        after = evaluate(candidate, fields, activities)
        leads += 1
        now_counts[before.band] += 1
        proposed_counts[after.band] += 1
        if before.band != after.band:
            movers.append((lead_id, before.total, after.total, before.band, after.band))
    movers.sort(key=lambda mover: (-mover[2], mover[0]))
    shown = movers[:limit]
    people = _people(session, [mover[0] for mover in shown])
    changes = [
        BandChange(lead_id, *people.get(lead_id, ("", "")), s_now, s_new, b_now, b_new)
        for lead_id, s_now, s_new, b_now, b_new in shown
    ]
    return WhatIfResult(
        leads=leads,
        bands_now={band: now_counts.get(band, 0) for band in ScoreBand},
        bands_proposed={band: proposed_counts.get(band, 0) for band in ScoreBand},
        changed=len(movers),
        changes=changes,
        seconds=time.perf_counter() - started,
    )


def _people(session: Session, lead_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not lead_ids:
        return {}
    rows = session.execute(
        select(Lead.id, Lead.email, Lead.first_name, Lead.last_name).where(Lead.id.in_(lead_ids))
    )
    return {
        row.id: (row.email, " ".join(p for p in (row.first_name, row.last_name) if p) or row.email)
        for row in rows
    }
