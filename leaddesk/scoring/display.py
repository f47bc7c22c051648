"""How scores read on screen, in the CLI and in briefs: one rule everywhere.

Totals and their two parts are shown in whole points, rounded down — so a warm lead at 69.96
reads 69, never 70, and the shown figure always agrees with the band. The parts are shown so
that they add up to the shown total (fit rounded down, engagement the rest). Only the
itemised breakdown shows tenths, since decayed items are fractions of a point.
"""

from __future__ import annotations

import math
from typing import Any

_EPSILON = 1e-9


def whole_points(value: float) -> int:
    """A score in whole points, rounded down (69.96 → 69)."""
    return math.floor(value + _EPSILON)


def display_score(value: float) -> str:
    """A score as shown to people: whole points, rounded down."""
    return str(whole_points(value))


def display_parts(fit: float, engagement: float) -> tuple[str, str]:
    """Fit and engagement as shown beside their total: they always add up to it."""
    total = whole_points(fit + engagement)
    shown_fit = min(whole_points(fit), total)
    return str(shown_fit), str(max(total - shown_fit, 0))


def score_sum_text(fit: float, engagement: float, total: float | None = None) -> str:
    """``"fit 35 + engagement 57"`` for a lead whose score reads 92.

    When the score was capped (``total`` below the parts' sum) the parts are shown as they
    are, with the cap said.
    """
    if total is not None and fit + engagement - total > 0.05:
        return (
            f"fit {display_score(fit)} + engagement {display_score(engagement)}, "
            f"capped at {display_score(total)}"
        )
    shown_fit, shown_engagement = display_parts(fit, engagement)
    return f"fit {shown_fit} + engagement {shown_engagement}"


def shown_figures(fit: float, engagement: float, total: float, band: str) -> tuple[Any, ...]:
    """Everything of a stored score that reads anywhere: band, whole points, the sum's wording.

    Two stored scores with equal shown figures look the same on every screen, in the CLI and
    in briefs (only the itemised breakdown, computed afresh each time, shows tenths).
    """
    return (
        band,
        whole_points(total),
        whole_points(fit),
        whole_points(engagement),
        whole_points(fit + engagement),
        fit + engagement - total > 0.05,  # score_sum_text says "capped at"
    )


def display_points_to_go(value: float) -> str:
    """Points still needed to reach a threshold, in whole points rounded up (0.04 reads 1)."""
    return str(max(math.ceil(value - _EPSILON), 0))


def display_item_points(value: float, *, signed: bool = True) -> str:
    """One breakdown item's points: tenths, since decay leaves fractions (``+44.5``)."""
    return f"{value:+.1f}" if signed else f"{value:.1f}"
