"""Scoring commands: ``score``, ``rescore``, ``activity add`` and ``scoring export/import``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.activities.kinds import ActivityKind, label
from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.models import Lead
from leaddesk.scoring import (
    Breakdown,
    ScoringModelError,
    explain_lead,
    export_model,
    find_lead_id,
    import_model,
    rescore_all,
)
from leaddesk.scoring.display import display_parts, display_points_to_go, display_score
from leaddesk.scoring.rules import BAND_KINDS

BAND_LABELS = {"cold": "cold", "warm": "warm", "sales_ready": "sales-ready"}


def register(subparsers: Any) -> None:
    """Add ``score``, ``rescore``, ``activity`` and ``scoring``."""
    score = subparsers.add_parser("score", help="show a lead's score (and why, with --explain)")
    score.add_argument("email", help="the lead's email address")
    score.add_argument("--explain", action="store_true", help="list every contribution")
    score.add_argument("--json", action="store_true", help="print JSON")
    score.set_defaults(handler=run_score)

    rescore = subparsers.add_parser("rescore", help="re-score every lead now (decay included)")
    rescore.add_argument("--json", action="store_true", help="print JSON")
    rescore.set_defaults(handler=run_rescore)

    activity = subparsers.add_parser("activity", help="record activities")
    activity_commands = activity.add_subparsers(title="activity commands", metavar="ACTION")
    add = activity_commands.add_parser("add", help="record something a lead did")
    add.add_argument("email", help="the lead's email address")
    add.add_argument("kind", help="activity kind, e.g. webinar_attended (see --help)")
    add.add_argument("--at", metavar="ISO", help="when it happened (default: now; UTC if no zone)")
    add.add_argument("--note", metavar="TEXT", default="", help="a note kept with the activity")
    add.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(handler=run_activity_add)
    add.epilog = "kinds: " + ", ".join(k for k in ActivityKind if k not in BAND_KINDS)
    activity.set_defaults(handler=lambda _args: _missing(activity))

    scoring = subparsers.add_parser("scoring", help="export or import the scoring model")
    scoring_commands = scoring.add_subparsers(title="scoring commands", metavar="ACTION")
    export = scoring_commands.add_parser("export", help="write the scoring model to a JSON file")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=run_export)
    imported = scoring_commands.add_parser(
        "import", help="replace the scoring model with a JSON file and re-score every lead"
    )
    imported.add_argument("file", type=Path)
    imported.add_argument("--json", action="store_true", help="print JSON")
    imported.set_defaults(handler=run_import)
    scoring.set_defaults(handler=lambda _args: _missing(scoring))


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _lead_id(session: Any, email: str) -> int:
    lead_id = find_lead_id(session, email)
    if lead_id is None:
        raise CommandError(f"no lead with the email address {email.strip()}")
    return lead_id


def run_score(args: argparse.Namespace) -> int:
    """Print one lead's score as of now; ``--explain`` lists every contribution."""
    db = database_from_args(args)
    now = SystemClock().now()
    with db.write() as session:
        breakdown = explain_lead(session, _lead_id(session, args.email), now)
    if args.json:
        data = breakdown.to_dict()
        if not args.explain:
            data.pop("items")
        print_json(data)
    else:
        print(_headline(breakdown))
        if args.explain:
            print(format_breakdown(breakdown))
    return 0


def _headline(breakdown: Breakdown) -> str:
    band = BAND_LABELS.get(breakdown.band, breakdown.band)
    fit, engagement = display_parts(breakdown.fit, breakdown.engagement)
    line = f"{breakdown.email}: {display_score(breakdown.total)} ({band})"
    line += f" — fit {fit}/{breakdown.fit_cap:g}"
    line += f", engagement {engagement}/{breakdown.engagement_cap:g}"
    if breakdown.points_to_sales_ready > 0:
        line += f"; {display_points_to_go(breakdown.points_to_sales_ready)} points to sales-ready"
    return line


def format_breakdown(breakdown: Breakdown) -> str:
    """The breakdown as a plain-text table (rule, why, points, decay, points now)."""
    lines = [f"{'part':<11} {'rule':<26} {'points':>7} {'decay':>6} {'now':>7}  why"]
    for item in breakdown.items:
        decay = "—" if item.decay_factor == 1.0 else f"{item.decay_factor:.2f}"
        lines.append(
            f"{item.part:<11} {item.rule[:26]:<26} {item.points:>7.1f} {decay:>6} "
            f"{item.points_now:>7.1f}  {item.reason}"
        )
    lines.append(
        f"{'':<11} {'total':<26} {'':>7} {'':>6} {breakdown.total:>7.1f}  "
        f"shown as {display_score(breakdown.total)} (whole points, rounded down)"
    )
    return "\n".join(lines)


def run_rescore(args: argparse.Namespace) -> int:
    """Re-score every lead as of now and say what changed."""
    db = database_from_args(args)
    with db.write() as session:
        summary = rescore_all(session, SystemClock().now())
    if args.json:
        print_json(summary.to_dict())
    else:
        print(f"scored {summary.leads} leads in {summary.seconds:.2f} s; {summary.changed} changed")
        for kind, count in sorted(summary.crossings.items()):
            print(f"  {label(kind)}: {count}")
        bands = ", ".join(f"{BAND_LABELS[b]} {n}" for b, n in summary.bands.items())
        print(f"  bands now: {bands}")
    return 0


def _parse_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--at must be an ISO date or date-time, not {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def run_activity_add(args: argparse.Namespace) -> int:
    """Record one activity through the event door; the lead is re-scored at once."""
    kinds = {str(kind) for kind in ActivityKind} - set(BAND_KINDS)
    if args.kind not in kinds:
        raise CommandError(
            f"unknown activity kind {args.kind!r}; one of: {', '.join(sorted(kinds))}"
        )
    occurred_at = _parse_moment(args.at)
    db = database_from_args(args)
    now = SystemClock().now()
    payload = {"note": args.note} if args.note else {}
    with db.write() as session:
        lead_id = _lead_id(session, args.email)
        event = ActivityEvent(lead_id, args.kind, occurred_at=occurred_at, payload=payload)
        activity = record_activity(session, event, now=now)
        lead = session.get(Lead, lead_id)
        assert lead is not None
        result: dict[str, Any] = {
            "activity_id": activity.id,
            "lead_id": lead_id,
            "kind": activity.kind,
            "occurred_at": activity.occurred_at.isoformat(),
            "score": lead.score,
            "band": lead.score_band,
        }
    if args.json:
        print_json(result)
    else:
        print(
            f"recorded {label(args.kind).lower()} for {args.email.strip()}; "
            f"score now {result['score']:.1f} ({BAND_LABELS.get(result['band'], result['band'])})"
        )
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the scoring model in force to a JSON file."""
    db = database_from_args(args)
    with db.session() as session:
        try:
            config = export_model(session, args.file)
        except OSError as error:
            raise CommandError(f"cannot write {args.file}: {error.strerror or error}") from error
    print(f"wrote {len(config.rules)} rules to {args.file}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Replace the scoring model with a JSON file and re-score every lead."""
    db = database_from_args(args)
    with db.write() as session:
        try:
            summary = import_model(session, args.file, SystemClock().now())
        except ScoringModelError as error:
            raise CommandError(str(error)) from error
    if args.json:
        print_json(summary.to_dict())
    else:
        print(f"imported the scoring model from {args.file}; re-scored {summary.leads} leads, "
              f"{summary.changed} changed")  # fmt: skip
    return 0
