"""What a lead's status and score band are called on screen and in the shell (Qt-free).

Lifecycle statuses, in the order a lead moves through them. "Sales-ready" is the name of a
score band, so the status that means "qualified, no rep has it yet" gets its own word: a status
and a band are never shown under the same name.
"""

from __future__ import annotations

STATUS_LABELS = {
    "new": "New",
    "nurturing": "Nurturing",
    "sales_ready": "Qualified",
    "handed_off": "Handed off",
    "accepted": "Accepted",
    "opportunity": "Opportunity",
    "in_sales": "In sales",
    "customer": "Customer",
    "lost": "Lost",
    "recycled": "Recycled",
    "disqualified": "Disqualified",
}
BAND_LABELS = {"cold": "Cold", "warm": "Warm", "sales_ready": "Sales-ready"}


def status_label(status: str) -> str:
    """ "Qualified" for ``sales_ready``; unknown statuses as stored."""
    return STATUS_LABELS.get(status, status)


def band_label(band: str) -> str:
    """ "Sales-ready" for ``sales_ready``; unknown bands as stored."""
    return BAND_LABELS.get(band, band)
