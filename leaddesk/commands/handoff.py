"""``leaddesk handoff``, ``queue``, ``attempt``, ``accept``, ``hand-back``, ``reassign``, ``brief``.

Each acts as the member this computer acts as (``leaddesk team me``, or ``LEADDESK_ME``).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.handoff.vocabulary import CHANNELS, OUTCOMES
from leaddesk.scoring.display import display_score


def register(subparsers: Any) -> None:
    """Add the hand-off commands."""
    handoff = subparsers.add_parser("handoff", help="hand leads to sales (by the rules or to M)")
    handoff.add_argument("emails", nargs="+", metavar="EMAIL", help="the leads' addresses")
    handoff.add_argument("--to", metavar="MEMBER", help="this rep instead of the rules")
    handoff.add_argument("--reason", default="Handed over by hand", help="why (timeline)")
    handoff.add_argument("--json", action="store_true", help="print JSON")
    handoff.set_defaults(handler=run_handoff)

    queue = subparsers.add_parser("queue", help="the sales queue: open hand-offs by time left")
    who = queue.add_mutually_exclusive_group()
    who.add_argument("--member", metavar="MEMBER", help="this member's queue (default: yours)")
    who.add_argument("--all", action="store_true", help="everyone's queue")
    queue.add_argument("--json", action="store_true", help="print JSON")
    queue.set_defaults(handler=run_queue)

    attempt = subparsers.add_parser("attempt", help="log a follow-up attempt (stops the SLA)")
    attempt.add_argument("email", help="the lead's address")
    attempt.add_argument("--channel", required=True, choices=CHANNELS)
    attempt.add_argument("--outcome", required=True, choices=OUTCOMES)
    attempt.add_argument("--note", default="", help="what was said")
    attempt.add_argument("--next", dest="next_step", metavar="DATE", help="next step, ISO date")
    attempt.add_argument("--json", action="store_true", help="print JSON")
    attempt.set_defaults(handler=run_attempt)

    accept = subparsers.add_parser("accept", help="accept a handed-off lead")
    accept.add_argument("email", help="the lead's address")
    accept.set_defaults(handler=run_accept)

    back = subparsers.add_parser("hand-back", help="hand a lead back to marketing, with a reason")
    back.add_argument("email", help="the lead's address")
    back.add_argument("--reason", required=True, help="e.g. 'not ready yet', 'no budget', other")
    back.add_argument("--note", default="", help="more detail (required with 'other')")
    back.set_defaults(handler=run_hand_back)

    reassign = subparsers.add_parser("reassign", help="give an open hand-off to another rep")
    reassign.add_argument("email", help="the lead's address")
    reassign.add_argument("--to", required=True, metavar="MEMBER", help="name, email or id")
    reassign.add_argument("--reason", default="", help="why (timeline)")
    reassign.set_defaults(handler=run_reassign)

    brief = subparsers.add_parser("brief", help="the lead brief a rep reads before the call")
    brief.add_argument("email", help="the lead's address")
    brief.add_argument("--out", type=Path, help="write HTML to this file instead of text")
    brief.set_defaults(handler=run_brief)


def _lead(session: Any, address: str) -> Any:
    from leaddesk.db.models import Lead
    from leaddesk.scoring.explain import find_lead_id

    lead_id = find_lead_id(session, address)
    if lead_id is None:
        raise CommandError(f"no lead with the address {address!r}")
    return session.get_one(Lead, lead_id)


def _me(session: Any, db: Any) -> Any:
    from leaddesk.handoff.identity import current_member

    return current_member(session, db)


def _member(session: Any, reference: str) -> Any:
    from leaddesk.handoff.team import TeamError, find_member

    try:
        return find_member(session, reference)
    except TeamError as error:
        raise CommandError(str(error)) from None


def _when(moment: datetime | None, zone: str | None) -> str:
    from leaddesk.handoff.brief_render import format_when, zone_or_none

    return format_when(moment, zone_or_none(zone), "%a %d %b %H:%M") if moment else "—"


def run_handoff(args: argparse.Namespace) -> int:
    """Hand each lead off; ones that cannot go are listed and the rest still go."""
    from leaddesk.handoff.service import HandoffError, hand_off

    db = database_from_args(args)
    now = SystemClock().now()
    results: list[dict[str, Any]] = []
    with db.write() as session:
        me = _me(session, db)
        target = _member(session, args.to) if args.to else None
        zone = me.timezone if me is not None else None
        for address in args.emails:
            try:
                lead = _lead(session, address)
                result = hand_off(
                    session, lead, trigger="manual", now=now, reason=args.reason, by=me, to=target
                )
            except (HandoffError, CommandError) as error:
                results.append({"email": address, "handed_off": False, "error": str(error)})
                continue
            assert result is not None
            results.append({"email": address, "handed_off": result.created, **result.to_dict()})
    if args.json:
        print_json(results)
    for item in results if not args.json else []:
        if item.get("error"):
            print(f"{item['email']}: not handed off — {item['error']}")
        elif item["handed_off"]:
            print(
                f"{item['email']}: handed to {item['owner_name']}, follow up by "
                f"{_when(item['due_at'], zone)}"
            )
        else:
            print(f"{item['email']}: already with {item['owner_name']} (open hand-off)")
    return 0 if all(not item.get("error") for item in results) else 1


def run_queue(args: argparse.Namespace) -> int:
    """Print the queue (yours by default; a manager's default is everyone's)."""
    from leaddesk.db.models import TeamRole
    from leaddesk.handoff.queue import sales_queue

    db = database_from_args(args)
    now = SystemClock().now()
    with db.session() as session:
        me = _me(session, db)
        member = _member(session, args.member) if args.member else None
        if member is None and not args.all and me is not None and me.role != TeamRole.SALES_MANAGER:
            member = me
        rows = sales_queue(session, now, member_id=member.id if member else None)
        whose = member.name if member else "everyone"
        zone = me.timezone if me is not None else None
    if args.json:
        print_json([row.to_dict(now) for row in rows])
        return 0
    if not rows:
        print(f"no open hand-offs for {whose}")
        return 0
    print(f"{len(rows)} open hand-off(s) for {whose}:")
    for row in rows:
        text, urgency = row.countdown(now)
        flag = {"overdue": "!!", "soon": "! "}.get(urgency, "  ")
        print(
            f"{flag} {text:>18}  {row.name} ({row.company or '—'}) <{row.email}>  "
            f"score {display_score(row.score)}  owner {row.owner}  due {_when(row.due_at, zone)}"
        )
    return 0


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--next {text!r}: use an ISO date such as 2026-03-09 or 2026-03-09T10:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the computer's local time
    return moment.astimezone(UTC)


def run_attempt(args: argparse.Namespace) -> int:
    """Log a follow-up attempt; says whether the SLA was met."""
    from leaddesk.handoff.followup import log_attempt
    from leaddesk.handoff.service import HandoffError

    db = database_from_args(args)
    now = SystemClock().now()
    try:
        with db.write() as session:
            lead = _lead(session, args.email)
            result = log_attempt(
                session,
                lead,
                channel=args.channel,
                outcome=args.outcome,
                note=args.note,
                next_step_at=_parse_date(args.next_step),
                by=_me(session, db),
                now=now,
            )
    except HandoffError as error:
        raise CommandError(str(error)) from None
    if args.json:
        print_json(vars(result))
    elif result.first:
        print(f"first attempt logged after {_took(result.minutes_taken)} — SLA {result.sla_state}")
    elif result.handoff_id is None:
        print("attempt logged (the lead has no open hand-off)")
    else:
        print("attempt logged")
    return 0


def _took(minutes: float | None) -> str:
    from datetime import timedelta

    from leaddesk.handoff.queue import format_span

    return "?" if minutes is None else format_span(timedelta(minutes=minutes))


def _act(args: argparse.Namespace, action: Any, done: str) -> int:
    from leaddesk.handoff.service import HandoffError

    db = database_from_args(args)
    now = SystemClock().now()
    try:
        with db.write() as session:
            lead = _lead(session, args.email)
            action(session, lead, _me(session, db), now)
    except HandoffError as error:
        raise CommandError(str(error)) from None
    print(done)
    return 0


def run_accept(args: argparse.Namespace) -> int:
    """Accept the lead (status "accepted")."""
    from leaddesk.handoff.followup import accept

    return _act(args, lambda s, lead, me, now: accept(s, lead, by=me, now=now), "accepted")


def run_hand_back(args: argparse.Namespace) -> int:
    """Hand the lead back to marketing with a reason."""
    from leaddesk.handoff.followup import hand_back

    def action(session: Any, lead: Any, me: Any, now: datetime) -> None:
        hand_back(session, lead, reason=args.reason, note=args.note, by=me, now=now)

    return _act(args, action, "handed back to marketing (status: recycled)")


def run_reassign(args: argparse.Namespace) -> int:
    """Give the open hand-off to another member."""
    from leaddesk.handoff.service import reassign

    def action(session: Any, lead: Any, me: Any, now: datetime) -> None:
        reassign(session, lead, to=_member(session, args.to), by=me, now=now, reason=args.reason)

    return _act(args, action, f"reassigned to {args.to}")


def run_brief(args: argparse.Namespace) -> int:
    """Print the brief as text, or write it as an HTML file."""
    from leaddesk.handoff.brief import build_brief
    from leaddesk.handoff.brief_render import brief_html, brief_text

    db = database_from_args(args)
    now = SystemClock().now()
    with db.session() as session:
        lead = _lead(session, args.email)
        me = _me(session, db)
        zone = me.timezone if me is not None else None
        brief = build_brief(session, lead.id, now, viewer_zone=zone)
    if args.out:
        args.out.write_text(brief_html(brief, viewer_zone=zone), encoding="utf-8")
        print(f"wrote the brief of {brief.name} to {args.out}")
    else:
        print(brief_text(brief, viewer_zone=zone), end="")
    return 0
