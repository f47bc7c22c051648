"""The band colours every score view uses: the inbox bar, the Score tab, the chart."""

from __future__ import annotations

# Fills (bars, lines, badges): the inbox's score bar colours.
BAND_COLOURS = {"cold": "#94a3b8", "warm": "#f59e0b", "sales_ready": "#16a34a"}
# The same hues dark enough for text on white.
BAND_TEXT_COLOURS = {"cold": "#475569", "warm": "#b45309", "sales_ready": "#15803d"}
BAND_NAMES = {"cold": "Cold", "warm": "Warm", "sales_ready": "Sales-ready"}


def band_of(score: float, warm: float, sales_ready: float) -> str:
    """The band a score falls in, given the two thresholds."""
    if score >= sales_ready:
        return "sales_ready"
    return "warm" if score >= warm else "cold"
