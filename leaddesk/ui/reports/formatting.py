"""How a report's numbers read on screen and in the PDF: rates as %, days, money, minutes.

Qt-free. A missing value (nothing to divide by) reads as "—", never "nan" or "None".
"""

from __future__ import annotations

from typing import Any

from leaddesk.reports.model import Figure

DASH = "—"


def format_value(value: Any, kind: str, currency: str = "") -> str:
    """``value`` of a figure of ``kind`` (count, rate, days, money, minutes) as text."""
    if value is None:
        return DASH
    if not isinstance(value, int | float):
        return str(value)
    if kind == "rate":
        return f"{value * 100:.1f} %"
    if kind == "days":
        return f"{value:.1f} d"
    if kind == "money":
        text = f"{value:,.2f}".removesuffix(".00")
        return f"{currency} {text}".strip()
    if kind == "minutes":
        minutes = round(value)
        hours, rest = divmod(minutes, 60)
        if hours >= 48:
            return f"{hours // 24} d {hours % 24} h"
        return f"{hours} h {rest} min" if hours else f"{rest} min"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def delta_text(figure: Figure, currency: str = "") -> tuple[str, str]:
    """(text, direction "up" / "down" / "same" / "") of the figure against the previous period."""
    now, before = figure.value, figure.previous
    if not isinstance(now, int | float) or not isinstance(before, int | float):
        return ("no earlier figure" if before is None else "", "")
    change = now - before
    if abs(change) < 1e-9:
        return "same as the previous period", "same"
    arrow = "▲" if change > 0 else "▼"
    if figure.kind == "rate":
        amount = f"{abs(change) * 100:.1f} points"
    else:
        amount = format_value(abs(change), figure.kind, currency)
    return f"{arrow} {amount} vs {format_value(before, figure.kind, currency)}", (
        "up" if change > 0 else "down"
    )


def cell_text(value: Any, column: str, currency: str = "") -> str:
    """A table cell: rates (0–1 in columns named like "… rate", "ROI", "From the stage before")
    as %, other floats with two decimals, counts with thousands separators."""
    if value is None:
        return DASH
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    name = column.lower()
    if "rate" in name or "(share)" in name or name in {"from the stage before", "gone bad so far"}:
        return f"{value * 100:.1f} %"
    if name == "roi":
        return f"{value:.1f}×"
    if "minutes" in name:
        return format_value(value, "minutes")
    if "days" in name or name in {"median", "p75"}:
        return f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}" if not value.is_integer() or "(" in column else f"{value:,.0f}"
    return f"{value:,}"
