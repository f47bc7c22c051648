"""Scores for leads that a bulk path (an import) is about to create, computed before storing.

An import knows every value a new lead will have and the one activity it starts with, so the
score is computed from those values with the same :func:`~leaddesk.scoring.compute.evaluate` the
re-score uses, and stored with the row. The bulk re-score then takes these results as given
(``fresh`` in :func:`leaddesk.scoring.rescore.rescore_leads`) instead of reading the leads back,
and still records each new lead's band crossing from cold through the event door.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import ScoreBand
from leaddesk.scoring.compute import (
    ActivityFact,
    CompiledConfig,
    ScoreResult,
    combine,
    engagement_points,
    evaluate,
)
from leaddesk.scoring.store import compiled_config

# The score columns of a lead nobody has scored yet (the model's column defaults).
UNSCORED = ScoreResult(0.0, 0.0, 0.0, ScoreBand.COLD.value)


class NewLeadScorer:
    """Scores new leads from the values they will be stored with (one arithmetic: evaluate)."""

    def __init__(self, compiled: CompiledConfig) -> None:
        self.compiled = compiled

    @classmethod
    def for_session(cls, session: Session) -> NewLeadScorer:
        """A scorer with the database's current scoring model."""
        return cls(compiled_config(session))

    @staticmethod
    def only_activity(kind: str, payload: Mapping[str, Any]) -> tuple[ActivityFact, ...]:
        """The activity list of a lead whose one activity, ``kind``, happens now."""
        return (ActivityFact(kind, 0.0, payload),)

    def score(self, fields: Mapping[str, Any], activities: Sequence[ActivityFact]) -> ScoreResult:
        """The score of a lead with ``fields`` and ``activities`` (newest first).

        ``fields`` are shaped like :func:`leaddesk.scoring.facts.lead_fields` (``tags`` joined
        in sorted order, ``email_domain`` from the email key); only the fields rules read
        (:attr:`fit_fields`) are needed.
        """
        return evaluate(self.compiled, fields, activities)

    @property
    def fit_fields(self) -> tuple[str, ...]:
        """The fields the fit rules test, in the order :meth:`by_fit_columns` takes them."""
        return tuple(group.name for group in self.compiled.fit_groups)

    def by_fit_columns(
        self, activities: Sequence[ActivityFact]
    ) -> Callable[[Sequence[Sequence[str] | str], int], list[ScoreResult]]:
        """A fast ``score(columns, count)`` for ``count`` new leads that start with ``activities``.

        ``columns`` holds, in :attr:`fit_fields` order, each field's texts for the leads (as
        :func:`~leaddesk.scoring.compute.field_text` gives them), or one text shared by all.
        Each result is exactly :meth:`score`'s: the fit points are added in the same order, and
        the engagement part, the same for every lead, is computed once.
        """
        compiled = self.compiled
        engagement_raw = engagement_points(compiled, activities)
        groups = [(group.cache, group.score) for group in compiled.fit_groups]
        finished: dict[float, ScoreResult] = {}

        def result(fit_raw: float) -> ScoreResult:
            known = finished.get(fit_raw)
            if known is None:
                known = finished[fit_raw] = combine(compiled, fit_raw, engagement_raw)
            return known

        def score(columns: Sequence[Sequence[str] | str], count: int) -> list[ScoreResult]:
            points: list[list[float]] = []
            for (cache, points_for), texts in zip(groups, columns, strict=True):
                if isinstance(texts, str):
                    points.append([points_for(texts)[0]] * count)
                else:
                    points.append([(cache.get(text) or points_for(text))[0] for text in texts])
            if not points:
                return [result(0.0)] * count
            # sum() adds left to right from 0, exactly as evaluate() adds the groups.
            return list(map(result, map(sum, zip(*points, strict=True))))

        return score
