"""What the Reports page reads and writes, as plain functions run by the task runner.

Nothing here imports Qt: each function opens its own short session and returns plain data
(the reports core's :class:`~leaddesk.reports.model.Report`, names and ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead, Sequence, SequenceStatus, TeamMember
from leaddesk.outcomes.config import load_outcome_settings
from leaddesk.reports.catalog import REPORTS, make_report
from leaddesk.reports.model import Report, ReportFilter
from leaddesk.reports.roi import set_source_cost, source_costs


@dataclass(frozen=True)
class ReportChoices:
    """What the filter combos offer, the currency, and whether there is anything to report."""

    leads: int = 0
    sources: list[str] = field(default_factory=list)
    sequences: list[tuple[int, str]] = field(default_factory=list)
    owners: list[tuple[int, str]] = field(default_factory=list)
    currency: str = "EUR"
    costs: dict[str, int] = field(default_factory=dict)  # source → cents


def load_choices(db: Database) -> ReportChoices:
    """The sources, sequences and team members to filter by, and the entered costs."""
    with db.session() as session:
        leads = int(session.scalar(select(func.count(Lead.id))) or 0)
        sources = [
            s for s in session.scalars(select(Lead.source).distinct().order_by(Lead.source)) if s
        ]
        sequences = [
            (s.id, s.name)
            for s in session.scalars(
                select(Sequence)
                .where(Sequence.status != SequenceStatus.ARCHIVED)
                .order_by(Sequence.name)
            )
        ]
        owners = [
            (m.id, m.name) for m in session.scalars(select(TeamMember).order_by(TeamMember.name))
        ]
        currency = load_outcome_settings(session).currency
        return ReportChoices(leads, sources, sequences, owners, currency, source_costs(session))


def run_report(db: Database, name: str, flt: ReportFilter, now: datetime) -> Report:
    """One report."""
    with db.session() as session:
        return make_report(session, name, flt, now)


def run_reports(db: Database, names: list[str], flt: ReportFilter, now: datetime) -> list[Report]:
    """Several reports over the same filter (for the PDF of all reports)."""
    with db.session() as session:
        return [make_report(session, name, flt, now) for name in names]


def save_cost(db: Database, source: str, amount: str) -> str:
    """Enter (or clear, with an empty amount) what ``source`` cost; returns what to tell."""
    with db.write() as session:
        set_source_cost(session, source, amount)
    return f"Cost of {source} cleared." if not amount.strip() else f"Cost of {source} saved."


REPORT_NAMES = list(REPORTS)
