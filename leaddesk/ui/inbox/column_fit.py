"""Which inbox columns fit the table's width, and how wide each one is (no Qt here).

The columns the user has not hidden are taken in priority order (Name and Score first) while
their comfortable widths fit; the rest step aside until the window is wider, and come back
without the user doing anything. The shown columns get their preferred widths (the user's own
after a drag), the last one takes what is left over; when the preferred widths do not fit,
every column gives up the same share of the room between its preferred and its minimum width.
Only when even the minimum widths of the columns that always stay do not fit is there a
horizontal scrollbar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnSpec:
    """One column's place in the fit: lower ``priority`` is kept longer; widths in pixels."""

    column: int
    priority: int
    minimum: int
    preferred: int
    always: bool = False

    @property
    def comfortable(self) -> int:
        """The width a column needs before it is worth showing (halfway to preferred)."""
        return (self.minimum + self.preferred) // 2


@dataclass(frozen=True)
class ColumnFit:
    """The outcome: the width of each shown column, and the columns with no room."""

    widths: dict[int, int]
    no_room: frozenset[int]


def fit_columns(
    specs: Sequence[ColumnSpec],
    available: int,
    *,
    hidden: frozenset[int] = frozenset(),
    preferred: Mapping[int, int] | None = None,
    visual_order: Sequence[int] = (),
) -> ColumnFit:
    """Fit the columns not in ``hidden`` into ``available`` pixels.

    ``preferred`` holds widths the user chose by dragging (they replace the spec's preferred
    width); ``visual_order`` is the order the header shows the columns in, so the left-over
    room goes to the right-most shown column.
    """
    own = dict(preferred or {})
    wanted = sorted(
        (s for s in specs if s.column not in hidden or s.always),
        key=lambda s: (not s.always, s.priority),
    )

    def width_of(spec: ColumnSpec) -> tuple[int, int]:
        pref = max(own.get(spec.column, spec.preferred), 24)
        return min(spec.minimum, pref), pref

    shown: list[ColumnSpec] = []
    used = 0
    for spec in wanted:
        low, pref = width_of(spec)
        need = (low + pref) // 2
        if spec.always or used + need <= available:
            shown.append(spec)
            used += need
        else:
            break
    no_room = frozenset(s.column for s in wanted if s not in shown)
    lows = {s.column: width_of(s)[0] for s in shown}
    prefs = {s.column: width_of(s)[1] for s in shown}
    total_pref, total_low = sum(prefs.values()), sum(lows.values())
    if total_pref <= available:
        widths = dict(prefs)
    elif total_low >= available:
        widths = dict(lows)
    else:
        share = (available - total_low) / (total_pref - total_low)
        widths = {c: lows[c] + int((prefs[c] - lows[c]) * share) for c in prefs}
    order = [c for c in visual_order if c in widths] or [s.column for s in shown]
    left_over = available - sum(widths.values())
    if left_over > 0 and order:
        widths[order[-1]] += left_over
    return ColumnFit(widths, no_room)
