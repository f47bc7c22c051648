"""Scoring's part in the event door: re-score a lead after an event, many after a bulk change."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.activities.reactions import Reaction, ReactionRegistry
from leaddesk.scoring.rescore import kinds_affect_score, on_activity, rescore_leads
from leaddesk.scoring.rules import BAND_KINDS


def on_bulk_change(
    session: Session,
    lead_ids: list[int],
    now: datetime,
    kinds: Collection[str] | None,
    scored: Mapping[int, Any] | None,
) -> None:
    """Re-score the leads, unless the change was only new activities the model ignores."""
    if kinds is None or kinds_affect_score(session, kinds):
        rescore_leads(session, lead_ids, now, scored)


def reacts_to(_session: Session, kind: str) -> bool:
    """Every event re-scores its lead but a band change (which a re-score itself records)."""
    return kind not in BAND_KINDS


def register_reactions(registry: ReactionRegistry) -> None:
    """Scoring reacts to every event (band changes excepted) and to bulk changes."""
    registry.register(
        Reaction(
            "scoring", on_activity=on_activity, on_bulk_change=on_bulk_change, reacts_to=reacts_to
        )
    )
