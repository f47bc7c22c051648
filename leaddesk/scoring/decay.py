"""The periodic decay pass: keep stored scores as people see them while their points fade.

Scores decay continuously, but they are stored (the inbox sorts and filters by them in SQL), so
a pass every hour brings the stored columns up to date. The full re-score
(:func:`~leaddesk.scoring.rescore.rescore_all`) writes every lead whose score moved at all — at
100,000 leads nearly every one of them each hour, by a few thousandths of a point, which nobody
can see, and each write also moves the lead in five score indexes.

:func:`decay_scores` computes every lead's score exactly as the full re-score does, and writes
only the leads whose score changed in a way a person can see (:func:`shown_figures`: band, whole
points of the total and of both parts, the "capped" wording), or whose fit part changed at all
(decay never moves fit; a change there is a stale score, put right exactly). Band crossings are
recorded exactly as the full pass records them. What every screen shows afterwards is what it
would show after the full pass; a written lead stores the full pass's figures to the last bit;
a lead not written keeps a score that reads the same (its ``score_updated_at`` is then the
moment its shown score last changed). The equal-results tests check all of this against
the simple full pass (``tests/scoring/test_decay_equal_results.py``).
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy.orm import Session

from leaddesk.scoring.compute import ScoreResult
from leaddesk.scoring.display import shown_figures
from leaddesk.scoring.everyone import score_everyone
from leaddesk.scoring.facts import StoredScore
from leaddesk.scoring.rescore import RescoreSummary, _store
from leaddesk.scoring.store import compiled_config


def visibly_changed(stored: StoredScore, new: ScoreResult) -> bool:
    """True when writing ``new`` over ``stored`` changes what a person sees (or fit moved)."""
    return stored.fit != new.fit or shown_figures(*stored) != shown_figures(*new)


def decay_scores(session: Session, now: datetime) -> RescoreSummary:
    """Bring every lead's stored score up to ``now``, writing only the changes people see.

    The summary's ``changed`` counts the leads written; ``crossings`` and ``bands`` are those
    the full re-score would report.
    """
    started = time.perf_counter()
    scored = score_everyone(session, compiled_config(session), now)
    return _store(session, scored, now, started=started, worth_writing=visibly_changed)
