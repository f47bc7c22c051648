"""``leaddesk leads``, ``leaddesk export`` and ``leaddesk forget``: the inbox from a terminal."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from leaddesk.cli import CommandError
from leaddesk.clock import utcnow
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.models import LifecycleStatus, ScoreBand, TeamMember
from leaddesk.inbox.export import export_leads
from leaddesk.inbox.forget import ERASURE_WAITING, forget_person
from leaddesk.inbox.query import UNASSIGNED, InboxQuery, SequenceFilter, SortField, query_lead_ids
from leaddesk.inbox.rows import fetch_rows
from leaddesk.leads.emails import check_email
from leaddesk.leads.labels import band_label, status_label

DESCENDING_BY_DEFAULT = {SortField.SCORE, SortField.LAST_ACTIVITY, SortField.CREATED}


def register(subparsers: Any) -> None:
    """Add the ``leads``, ``export`` and ``forget`` subcommands."""
    leads = subparsers.add_parser("leads", help="list leads (search, filter, sort)")
    _add_filters(leads)
    leads.add_argument("--limit", type=int, default=50, help="at most N leads (default 50; 0: all)")
    leads.add_argument("--json", action="store_true", help="print JSON")
    leads.set_defaults(handler=run_leads)

    export = subparsers.add_parser("export", help="export leads to a .csv or .xlsx file")
    export.add_argument("file", type=Path, help="the file to write (.csv or .xlsx)")
    _add_filters(export)
    export.add_argument("--limit", type=int, default=0, help="at most N leads (default: all)")
    export.set_defaults(handler=run_export)

    forget = subparsers.add_parser(
        "forget", help="erase a person's data everywhere and keep only a hash of the address"
    )
    forget.add_argument("email", help="the person's email address")
    forget.add_argument("--json", action="store_true", help="print JSON")
    forget.set_defaults(handler=run_forget)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search", default="", metavar="TEXT", help="name, email, company, title")
    parser.add_argument("--status", choices=[s.value for s in LifecycleStatus])
    parser.add_argument("--band", choices=[b.value for b in ScoreBand])
    parser.add_argument("--owner", metavar="O", help="team member id, name or email; 'none'")
    parser.add_argument("--source", metavar="S", help="source or event, exactly as imported")
    parser.add_argument("--tag", metavar="T")
    parser.add_argument("--reason", metavar="R", help="status reason: 'bad timing', 'unresponsive'")
    parser.add_argument(
        "--sequence", choices=[s.value for s in SequenceFilter], help="sequence state"
    )
    parser.add_argument(
        "--needs-attention", action="store_true", help="replied, sales-ready, overdue"
    )
    parser.add_argument("--sort", default="score", choices=[s.value for s in SortField])
    parser.add_argument("--reverse", action="store_true", help="reverse the sort order")


def query_from_args(session: Session, args: argparse.Namespace) -> InboxQuery:
    """The inbox query the command-line filters describe."""
    sort = SortField(args.sort)
    descending = (sort in DESCENDING_BY_DEFAULT) != bool(args.reverse)
    return InboxQuery(
        search=args.search or "",
        status=args.status,
        band=args.band,
        owner=_owner(session, args.owner),
        source=args.source,
        tag=args.tag,
        sequence_state=args.sequence,
        reason=args.reason,
        needs_attention=bool(args.needs_attention),
        sort=sort,
        descending=descending,
    )


def _owner(session: Session, value: str | None) -> int | str | None:
    if value is None:
        return None
    if value.strip().lower() in (UNASSIGNED, "nobody", "unassigned"):
        return UNASSIGNED
    if value.isdigit():
        return int(value)
    needle = value.strip().lower()
    matches = list(
        session.scalars(
            select(TeamMember.id).where(
                or_(func.lower(TeamMember.email) == needle, func.lower(TeamMember.name) == needle)
            )
        )
    )
    if len(matches) != 1:
        raise CommandError(f"no single team member is called {value!r}")
    return matches[0]


def _selected_ids(args: argparse.Namespace, session: Session) -> tuple[list[int], int]:
    query = query_from_args(session, args)
    ids = query_lead_ids(session, query, now=utcnow())
    limit = args.limit if args.limit and args.limit > 0 else None
    return (ids[:limit] if limit else ids), len(ids)


def run_leads(args: argparse.Namespace) -> int:
    """Print the leads the filters select, in the chosen order."""
    db = database_from_args(args)
    with db.session() as session:
        ids, total = _selected_ids(args, session)
        rows = fetch_rows(session, ids)
    listed = [rows[i] for i in ids if i in rows]
    if args.json:
        print_json(
            {
                "total": total,
                "leads": [
                    {
                        "id": r.id,
                        "name": r.name,
                        "email": r.email,
                        "company": r.company,
                        "title": r.title,
                        "score": r.score,
                        "band": r.band,
                        "status": r.status,
                        "status_reason": r.status_reason,
                        "owner": r.owner,
                        "source": r.source,
                        "tags": list(r.tags),
                        "last_activity_at": r.last_activity_at,
                        "next_sequence": r.next_sequence,
                        "next_due_at": r.next_due_at,
                    }
                    for r in listed
                ],
            }
        )
        return 0
    if not listed:
        print("No leads match." if total == 0 else f"0 of {total} lead(s)")
        return 0
    print(f"{'ID':>7}  {'Score':>5} {'Band':<11} {'Status':<12} {'Name':<28} {'Email':<36} Company")
    for r in listed:
        print(
            f"{r.id:>7}  {r.score:5.1f} {band_label(r.band):<11} {status_label(r.status):<12} "
            f"{r.name[:28]:<28} {r.email[:36]:<36} {r.company[:24]}"
        )
    print(f"{len(listed)} of {total} lead(s)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the selected leads to a CSV or XLSX file."""
    if args.file.suffix.lower() not in (".csv", ".xlsx"):
        raise CommandError(f"cannot export to {args.file.name}: use a .csv or .xlsx file name")
    db = database_from_args(args)
    with db.session() as session:
        ids, _ = _selected_ids(args, session)
        count = export_leads(session, ids, args.file)
    print(f"Exported {count} lead(s) to {args.file}")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    """Erase a person everywhere; only the hash of the address stays, on the suppression list."""
    reason = check_email(args.email)
    if reason is not None:
        raise CommandError(f"{args.email!r} is not an email address: {reason}")
    db = database_from_args(args)
    report = forget_person(db, args.email)
    if args.json:
        print_json(report.__dict__)
    else:
        print(
            f"Forgot {args.email}: {report.leads} lead(s), {report.activities} activities, "
            f"{report.outbound_messages} outgoing and {report.inbound_messages} incoming "
            f"message record(s) and {report.web_visits} website visit(s) erased; the address "
            "is kept only as a hash on the suppression list."
        )
        if not report.erased:
            print(ERASURE_WAITING)
    return 0
