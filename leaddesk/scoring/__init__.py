"""Lead scoring that explains itself: fit + engagement with decay, caps, bands and what-if.

The score stored on every lead is the total of an itemised breakdown (:func:`explain_lead`);
re-scoring runs on every event (wired into the event door), after bulk changes, after model
changes (:func:`rescore_all`) and in a periodic decay pass (:func:`decay_scores`).
"""

from leaddesk.scoring.changes import (
    apply_config,
    export_model,
    import_model,
    read_model_file,
    restore_defaults,
)
from leaddesk.scoring.compute import BreakdownItem, ScoreResult
from leaddesk.scoring.decay import decay_scores
from leaddesk.scoring.defaults import default_config
from leaddesk.scoring.display import display_points_to_go, display_score, score_sum_text
from leaddesk.scoring.explain import (
    Breakdown,
    HistoryPoint,
    explain_lead,
    find_lead_id,
    score_history,
)
from leaddesk.scoring.rescore import RescoreSummary, rescore_all, rescore_lead, rescore_leads
from leaddesk.scoring.rules import Operator, Rule, ScoringConfig, ScoringModelError, new_rule
from leaddesk.scoring.store import load_config, save_config
from leaddesk.scoring.whatif import BandChange, WhatIfResult, what_if

__all__ = [
    "BandChange",
    "Breakdown",
    "BreakdownItem",
    "HistoryPoint",
    "Operator",
    "RescoreSummary",
    "Rule",
    "ScoreResult",
    "ScoringConfig",
    "ScoringModelError",
    "WhatIfResult",
    "apply_config",
    "decay_scores",
    "default_config",
    "display_points_to_go",
    "display_score",
    "explain_lead",
    "export_model",
    "find_lead_id",
    "import_model",
    "load_config",
    "new_rule",
    "read_model_file",
    "rescore_all",
    "rescore_lead",
    "rescore_leads",
    "restore_defaults",
    "save_config",
    "score_history",
    "score_sum_text",
    "what_if",
]
