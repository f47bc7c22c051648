"""The reports LeadDesk makes, by name, and one entry point for the page, the CLI and exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from leaddesk.reports.acceleration import acceleration_report
from leaddesk.reports.calibration import calibration_report
from leaddesk.reports.funnel import funnel_report
from leaddesk.reports.list_health import list_health_report
from leaddesk.reports.model import Report, ReportError, ReportFilter
from leaddesk.reports.roi import roi_report
from leaddesk.reports.sequences_report import sequences_report
from leaddesk.reports.sla import sla_report

ReportMaker = Callable[[Session, ReportFilter, datetime], Report]
#: name -> (title, maker, what it answers)
REPORTS: dict[str, tuple[str, ReportMaker, str]] = {
    "funnel": ("Funnel", funnel_report, "how far the period's new leads got"),
    "acceleration": ("Lead acceleration", acceleration_report, "how fast leads move"),
    "sequences": ("Sequences", sequences_report, "what each email of each sequence did"),
    "sla": ("Sales follow-up", sla_report, "whether reps followed up in time"),
    "outcomes": ("Outcomes and ROI", roi_report, "deals, revenue and return per source"),
    "calibration": ("Score calibration", calibration_report, "where the wins start"),
    "list-health": ("List health", list_health_report, "bounces, unsubscribes and decay"),
}


def make_report(session: Session, name: str, flt: ReportFilter, now: datetime) -> Report:
    """The report called ``name`` for ``flt`` (raises :class:`ReportError` for an unknown one)."""
    entry = REPORTS.get(name)
    if entry is None:
        raise ReportError(f"unknown report {name!r}: use one of {', '.join(REPORTS)}")
    return entry[1](session, flt, now)
