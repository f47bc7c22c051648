"""``leaddesk sequence …`` and ``leaddesk schedule``: drip sequences from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.models import Lead, SequenceStatus
from leaddesk.leads.emails import email_key
from leaddesk.sequences import catalog, enrollment, lint, presets, scheduler, simulate
from leaddesk.sequences.documents import DocumentError, timeline


def register(subparsers: Any) -> None:
    """Add the ``sequence`` and ``schedule`` subcommands."""
    parser = subparsers.add_parser("sequence", help="list, create, share and enrol drip sequences")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    def action(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.add_argument("--now", type=_moment, help=argparse.SUPPRESS)  # simulations, tests
        sub.set_defaults(handler=handler)
        return sub

    action("list", run_list, "every sequence with enrolled/active/completed/replied counts")
    sub = action("show", run_show, "a sequence's settings, steps and lint findings")
    sub.add_argument("sequence", help="name or id")
    sub = action("create", run_create, "create a sequence from a shipped preset")
    sub.add_argument("--preset", required=True, choices=sorted(presets.PRESET_FILES))
    sub.add_argument("--name", help="name of the new sequence (default: the preset's)")
    sub = action("export", run_export, "write a sequence to a JSON file (stdout without -o)")
    sub.add_argument("sequence", help="name or id")
    sub.add_argument("-o", "--output", type=Path, help="file to write")
    sub = action("import", run_import, "create a sequence (as a draft) from a JSON file")
    sub.add_argument("file", type=Path)
    for name, handler, text in (
        ("enroll", run_enroll, "enrol leads (by email) in a sequence"),
        ("unenroll", run_unenroll, "stop leads' enrollments and cancel their planned emails"),
        ("pause", run_pause, "pause a sequence, or only the given leads"),
        ("resume", run_resume, "activate/resume a sequence (after lint), or only the given leads"),
    ):
        sub = action(name, handler, text)
        sub.add_argument("sequence", help="name or id")
        sub.add_argument("emails", nargs="*" if name in ("pause", "resume") else "+")
    action("run-due", run_due, "create the messages and tasks that are due now")

    parser = subparsers.add_parser(
        "schedule", help="list every planned send and task (sends nothing)"
    )
    parser.add_argument("--until", type=_moment, help="last date to show (default: 30 days)")
    parser.add_argument("--sequence", help="only this sequence (name or id)")
    parser.add_argument("--now", type=_moment, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run_schedule)


def _moment(value: str) -> datetime:
    """``2026-03-10`` (end of that day, UTC) or a full ISO timestamp."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time.max)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _now(args: argparse.Namespace) -> datetime:
    return getattr(args, "now", None) or SystemClock().now()


def _sequence(session: Session, ref: str) -> Any:
    try:
        return catalog.find_sequence(session, ref)
    except LookupError as error:
        raise CommandError(str(error)) from None


def _lead_ids(session: Session, emails: list[str]) -> list[int]:
    keys = {email_key(e): e for e in emails}
    rows = session.execute(select(Lead.email_key, Lead.id).where(Lead.email_key.in_(keys)))
    found = {key: lead_id for key, lead_id in rows}
    missing = [address for key, address in keys.items() if key not in found]
    if missing:
        raise CommandError(f"no lead with email {', '.join(missing)}")
    return [found[key] for key in keys]


def _out(args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        print_json(data)
    else:
        print(text)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the sequences with their counts."""
    with database_from_args(args).session() as session:
        rows = catalog.summaries(session)
    lines = [
        f"{'id':>3}  {'name':40} {'status':8} {'ver':>3} {'enrolled':>8} {'active':>6} "
        f"{'done':>5} {'replied':>7}"
    ]
    lines += [
        f"{r.id:>3}  {r.name[:40]:40} {r.status:8} {r.version:>3} {r.enrolled:>8} {r.active:>6} "
        f"{r.completed:>5} {r.replied:>7}"
        for r in rows
    ]
    return _out(args, [r.as_dict() for r in rows], "\n".join(lines) if rows else "No sequences.")


def run_show(args: argparse.Namespace) -> int:
    """Print one sequence: settings, the timeline of steps, lint findings."""
    with database_from_args(args).session() as session:
        sequence = _sequence(session, args.sequence)
        document = catalog.export_sequence(session, sequence)
        findings = lint.lint_sequence(session, sequence)
        status = sequence.status
    steps = timeline(document["steps"])
    data = {
        **document,
        "status": status,
        "timeline": [e.label for e in steps],
        "lint": [f.as_dict() for f in findings],
    }
    settings = document["settings"]
    lines = [
        f"{document['name']} ({status})",
        f"Sends {settings['send_days']} {settings['window_start']}–{settings['window_end']} "
        "in the lead's time zone"
        + (f", at most {settings['daily_cap']} a day" if settings["daily_cap"] else ""),
        *[f"  {entry.label}" for entry in steps],
        *[f"  {finding}" for finding in findings],
    ]
    return _out(args, data, "\n".join(lines))


def run_create(args: argparse.Namespace) -> int:
    """Create a sequence from a preset."""
    with database_from_args(args).write() as session:
        document = presets.load_preset(args.preset)
        name = catalog.unique_name(session, args.name or document["name"])
        sequence = presets.sequence_from_document(session, document, name=name)
        findings = lint.lint_sequence(session, sequence)
        data = {"id": sequence.id, "name": sequence.name, "lint": [f.as_dict() for f in findings]}
    text = "\n".join([f"Created sequence {data['id']}: {name}", *map(str, findings)])
    return _out(args, data, text)


def run_export(args: argparse.Namespace) -> int:
    """Write a sequence as JSON."""
    with database_from_args(args).session() as session:
        sequence = _sequence(session, args.sequence)
        document = catalog.export_sequence(session, sequence)
    if args.output:
        args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return _out(args, {"file": str(args.output)}, f"Wrote {args.output}")
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import a sequence file as a draft."""
    try:
        with database_from_args(args).write() as session:
            sequence = catalog.read_import(session, args.file)
            data = {"id": sequence.id, "name": sequence.name, "status": sequence.status}
    except DocumentError as error:
        raise CommandError(str(error)) from None
    text = f"Imported {data['name']} (id {data['id']}) as a draft; `resume` activates it."
    return _out(args, data, text)


def run_enroll(args: argparse.Namespace) -> int:
    """Enrol leads by email."""
    now = _now(args)
    with database_from_args(args).write() as session:
        sequence = _sequence(session, args.sequence)
        try:
            result = enrollment.enroll_leads(
                session, sequence, _lead_ids(session, args.emails), now=now
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        data = {"enrolled": result.enrolled, "already": result.already, "refused": result.refused}
    lines = [f"Enrolled {len(result.enrolled)} lead(s); {len(result.already)} already in it."]
    lines += [f"Refused lead {lead}: {why}" for lead, why in result.refused.items()]
    _out(args, data, "\n".join(lines))
    return 0 if not result.refused else 2


def run_unenroll(args: argparse.Namespace) -> int:
    """Manual stop for some leads."""
    now = _now(args)
    with database_from_args(args).write() as session:
        sequence = _sequence(session, args.sequence)
        count = enrollment.stop_leads(session, sequence, _lead_ids(session, args.emails), now=now)
    return _out(args, {"stopped": count}, f"Stopped {count} enrollment(s).")


def run_pause(args: argparse.Namespace) -> int:
    """Pause a sequence or some of its leads."""
    with database_from_args(args).write() as session:
        sequence = _sequence(session, args.sequence)
        if args.emails:
            count = enrollment.pause_leads(session, sequence, _lead_ids(session, args.emails))
            return _out(args, {"paused": count}, f"Paused {count} enrollment(s).")
        sequence.status = SequenceStatus.PAUSED
    return _out(args, {"status": "paused"}, f"Paused {sequence.name}.")


def run_resume(args: argparse.Namespace) -> int:
    """Activate or resume a sequence (blocked by lint errors), or resume some leads."""
    with database_from_args(args).write() as session:
        sequence = _sequence(session, args.sequence)
        if args.emails:
            count = enrollment.resume_leads(session, sequence, _lead_ids(session, args.emails))
            return _out(args, {"resumed": count}, f"Resumed {count} enrollment(s).")
        findings = lint.lint_sequence(session, sequence)
        if lint.has_errors(findings):
            problems = "\n".join(str(f) for f in findings if f.severity == lint.ERROR)
            raise CommandError(f"{sequence.name} cannot be activated:\n{problems}")
        sequence.status = SequenceStatus.ACTIVE
    return _out(args, {"status": "active"}, f"{sequence.name} is active.")


def run_due(args: argparse.Namespace) -> int:
    """One scheduler tick."""
    result = scheduler.run_due(database_from_args(args), _now(args))
    data = result.as_dict()
    text = (
        f"Created {data['messages']} message(s) and {data['tasks']} task(s); "
        f"{data['failed']} failed; {data['completed']} enrollment(s) completed."
    )
    for reason, count in data["blocked"].items():
        text += f"\nWaiting ({reason}): {count}"
    return _out(args, data, text)


def run_schedule(args: argparse.Namespace) -> int:
    """The simulator: list planned sends and tasks without sending."""
    now = _now(args)
    until = args.until or now + timedelta(days=30)
    with database_from_args(args).session() as session:
        sequence_id = _sequence(session, args.sequence).id if args.sequence else None
        items = simulate.simulate(session, now, until=until, sequence_id=sequence_id)
    if args.json:
        print_json([item.as_dict() for item in items])
        return 0
    if not items:
        print("Nothing is planned in that period.")
    for item in items:
        name = item.sequence if len(item.sequence) <= 40 else item.sequence[:39] + "…"
        print(
            f"{item.utc:%Y-%m-%d %H:%M} UTC | {item.local_time:28} | {item.email:32} | "
            f"{name} (v{item.version}, step {item.step}) | {item.title[:60]}"
            + ("" if item.status == "planned" else f" [{item.status}]")
        )
    blocked = {item.status for item in items if item.status.startswith("blocked")}
    if blocked:
        print("Emails marked blocked wait until setup is complete: run `leaddesk doctor`.")
    return 0
