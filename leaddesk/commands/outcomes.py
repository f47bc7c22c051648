"""``leaddesk outcome``, ``recycle-policies`` and ``reengage``: the way back from sales."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json

STEPS = ("opportunity", "won", "lost")


def register(subparsers: Any) -> None:
    """Add ``outcome``, ``recycle-policies`` and ``reengage``."""
    outcome = subparsers.add_parser(
        "outcome", help="record an outcome: opportunity (amount), won, lost (reason)"
    )
    outcome.add_argument("email", help="the lead's address")
    outcome.add_argument("step", choices=STEPS, help="what happened")
    outcome.add_argument("--amount", help="deal amount, e.g. 12500 or 12,500.50")
    outcome.add_argument("--close", type=date.fromisoformat, help="expected close, YYYY-MM-DD")
    outcome.add_argument("--date", type=date.fromisoformat, help="won on, YYYY-MM-DD")
    outcome.add_argument("--reason", help="why it was lost (see `recycle-policies list`)")
    outcome.add_argument("--note", default="", help="more detail (required with 'other')")
    outcome.set_defaults(handler=run_outcome)

    policies = subparsers.add_parser(
        "recycle-policies", help="what happens to leads lost or handed back, per reason"
    )
    verbs = policies.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = verbs.add_parser("list", help="the reasons and their policies")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_policies_list)
    change = verbs.add_parser("set", help="change one reason's policy (adds the reason if new)")
    change.add_argument("reason", help="e.g. 'bad timing'")
    change.add_argument("--sequence", help="sequence to enrol in (name or id; 'none' for none)")
    change.add_argument("--after", type=int, metavar="DAYS", help="days before the recycle")
    change.add_argument("--score", choices=("reset", "keep"), help="engagement starts over or not")
    change.add_argument("--disqualify", choices=("on", "off"), help="disqualify instead")
    change.set_defaults(handler=run_policies_set)
    currency = verbs.add_parser("currency", help="the currency deals are in")
    currency.add_argument("code", help="three letters, e.g. EUR, USD, GBP")
    currency.set_defaults(handler=run_currency)

    reengage = subparsers.add_parser(
        "reengage", help="re-engagement: leads untouched for 90 days get one more sequence"
    )
    reengage.add_argument("--dry-run", action="store_true", help="count, enrol nobody")
    reengage.add_argument("--enable", action="store_true", help="switch the rule on")
    reengage.add_argument("--disable", action="store_true", help="switch the rule off")
    reengage.add_argument("--sequence", help="the re-engagement sequence (name or id)")
    reengage.add_argument("--days", type=int, help="inactive for this many days (default 90)")
    reengage.add_argument("--every", type=int, help="at most once per N days (default 180)")
    reengage.add_argument("--json", action="store_true", help="print JSON")
    reengage.set_defaults(handler=run_reengage)


def _sequence_id(session: Any, reference: str | None) -> int | None:
    from sqlalchemy import select

    from leaddesk.db.models import Sequence

    if reference is None or reference.strip().lower() == "none":
        return None
    text = reference.strip()
    found = session.get(Sequence, int(text)) if text.isdigit() else None
    found = found or session.scalar(select(Sequence).where(Sequence.name == text))
    if found is None:
        raise CommandError(f"no sequence {reference!r} (see `leaddesk sequence list`)")
    return int(found.id)


def run_outcome(args: argparse.Namespace) -> int:
    """Record one outcome for a lead, as the member this computer acts as."""
    from leaddesk.commands.handoff import _lead, _me
    from leaddesk.handoff.service import HandoffError
    from leaddesk.outcomes.deals import convert_to_opportunity, mark_lost, mark_won
    from leaddesk.outcomes.money import format_amount

    db = database_from_args(args)
    now = SystemClock().now()
    try:
        with db.write() as session:
            lead, me = _lead(session, args.email), _me(session, db)
            if args.step == "opportunity":
                deal = convert_to_opportunity(
                    session, lead, amount=args.amount, expected_close=args.close, by=me, now=now
                )
                print(f"opportunity: {format_amount(deal.amount_cents, deal.currency)}")
            elif args.step == "won":
                deal = mark_won(session, lead, amount=args.amount, won_on=args.date, by=me, now=now)
                print(f"won: {format_amount(deal.amount_cents, deal.currency)} — now a customer")
            else:
                mark_lost(session, lead, reason=args.reason or "", note=args.note, by=me, now=now)
                print(f"lost ({lead.status_reason}); status now {lead.status.replace('_', ' ')}")
    except HandoffError as error:
        raise CommandError(str(error)) from None
    return 0


def run_policies_list(args: argparse.Namespace) -> int:
    """Print each reason with what happens to its leads."""
    from sqlalchemy import select

    from leaddesk.db.models import Sequence
    from leaddesk.outcomes.config import load_outcome_settings

    db = database_from_args(args)
    with db.session() as session:
        settings = load_outcome_settings(session)
        names = dict(session.execute(select(Sequence.id, Sequence.name)).all())
    if args.json:
        print_json(
            {
                "currency": settings.currency,
                "reasons": [
                    {
                        **vars(settings.policy(r)),
                        "sequence": names.get(settings.policy(r).sequence_id or 0),
                    }
                    for r in settings.reasons
                ],
            }
        )
        return 0
    print(f"deals in {settings.currency}")
    for reason in settings.reasons:
        print(f"  {reason}: {settings.policy(reason).describe(names)}")
    return 0


def run_policies_set(args: argparse.Namespace) -> int:
    """Change (or add) one reason's policy."""
    from dataclasses import replace

    from leaddesk.outcomes.config import (
        OutcomeSettingsError,
        load_outcome_settings,
        save_outcome_settings,
    )

    reason = " ".join(args.reason.split()).lower()
    db = database_from_args(args)
    try:
        with db.write() as session:
            settings = load_outcome_settings(session)
            policy = settings.policy(reason)
            if args.sequence is not None:
                policy = replace(policy, sequence_id=_sequence_id(session, args.sequence))
            if args.after is not None:
                policy = replace(policy, delay_days=args.after)
            if args.score is not None:
                policy = replace(policy, score=args.score)
            if args.disqualify is not None:
                policy = replace(policy, disqualify=args.disqualify == "on")
            reasons = (
                settings.reasons if reason in settings.reasons else (*settings.reasons, reason)
            )
            settings = replace(
                settings, reasons=reasons, policies={**settings.policies, reason: policy}
            )
            save_outcome_settings(session, settings)
    except OutcomeSettingsError as error:
        raise CommandError(str(error)) from None
    print(f"{reason}: policy saved")
    return 0


def run_currency(args: argparse.Namespace) -> int:
    """Set the database's one currency."""
    from dataclasses import replace

    from leaddesk.outcomes.config import (
        OutcomeSettingsError,
        load_outcome_settings,
        save_outcome_settings,
    )

    db = database_from_args(args)
    try:
        with db.write() as session:
            settings = save_outcome_settings(
                session, replace(load_outcome_settings(session), currency=args.code)
            )
    except OutcomeSettingsError as error:
        raise CommandError(str(error)) from None
    print(f"deals are in {settings.currency}")
    return 0


def run_reengage(args: argparse.Namespace) -> int:
    """Change the rule, then run it now (or only count with --dry-run)."""
    from dataclasses import replace

    from leaddesk.outcomes.config import (
        OutcomeSettingsError,
        load_reengagement,
        save_reengagement,
    )
    from leaddesk.outcomes.reengagement import run_reengagement

    db = database_from_args(args)
    now = SystemClock().now()
    try:
        with db.write() as session:
            rule = load_reengagement(session)
            changes: dict[str, Any] = {}
            if args.sequence is not None:
                changes["sequence_id"] = _sequence_id(session, args.sequence)
            if args.days is not None:
                changes["inactive_days"] = args.days
            if args.every is not None:
                changes["every_days"] = args.every
            if args.enable or args.disable:
                changes["enabled"] = bool(args.enable)
            if changes:
                rule = save_reengagement(session, replace(rule, **changes))
            dry = args.dry_run or not rule.enabled
            report = run_reengagement(session, now, dry_run=dry, settings=rule)
    except OutcomeSettingsError as error:
        raise CommandError(str(error)) from None
    if args.json:
        print_json({**report.as_dict(), "enabled": rule.enabled})
        return 0
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.by_kind.items())) or "none"
    if report.dry_run:
        state = "" if rule.enabled else " (the rule is off: `leaddesk reengage --enable`)"
        print(f"these {report.eligible} leads would be re-engaged today ({kinds}){state}")
    else:
        print(
            f"re-engaged {report.enrolled} of {report.eligible} leads in {report.sequence!r} "
            f"({kinds}); {report.unresponsive} marked unresponsive"
        )
    return 0
