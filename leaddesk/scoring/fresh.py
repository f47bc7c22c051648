"""Scores for leads that a bulk path (an import) is about to create, computed before storing.

An import knows every value a new lead will have and the one activity it starts with, so the
score is computed from those values with the same :func:`~leaddesk.scoring.compute.evaluate` the
re-score uses, and stored with the row. The bulk re-score then takes these results as given
(``fresh`` in :func:`leaddesk.scoring.rescore.rescore_leads`) instead of reading the leads back,
and still records each new lead's band crossing from cold through the event door.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import ScoreBand
from leaddesk.scoring.compute import ActivityFact, ScoreResult, evaluate
from leaddesk.scoring.facts import Needs
from leaddesk.scoring.store import compiled_config

# The score columns of a lead nobody has scored yet (the model's column defaults).
UNSCORED = ScoreResult(0.0, 0.0, 0.0, ScoreBand.COLD.value)


class NewLeadScorer:
    """Scores new leads from the values they will be stored with (one arithmetic: evaluate)."""

    def __init__(self, session: Session) -> None:
        self.compiled = compiled_config(session)
        self.fields = frozenset(Needs.of(self.compiled).fields)

    def wants(self, name: str) -> bool:
        """True when a rule reads ``name`` (email_domain, tags, custom_fields are derived)."""
        return name in self.fields

    @staticmethod
    def only_activity(kind: str, payload: Mapping[str, Any]) -> tuple[ActivityFact, ...]:
        """The activity list of a lead whose one activity, ``kind``, happens now."""
        return (ActivityFact(kind, 0.0, payload),)

    def score(self, fields: Mapping[str, Any], activities: Sequence[ActivityFact]) -> ScoreResult:
        """The score of a lead with ``fields`` and ``activities`` (newest first).

        ``fields`` are shaped like :func:`leaddesk.scoring.facts.lead_fields` (``tags`` joined
        in sorted order, ``email_domain`` from the email key); only the fields rules read
        (:meth:`wants`) are needed.
        """
        return evaluate(self.compiled, fields, activities)
