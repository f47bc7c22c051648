"""``leaddesk team``, ``rules`` and ``sales-settings``: setting up the sales side."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json

_ON_OFF = ("on", "off")


def register(subparsers: Any) -> None:
    """Add ``team``, ``rules`` and ``sales-settings``."""
    team = subparsers.add_parser("team", help="the team: reps, managers, marketing")
    verbs = team.add_subparsers(title="team commands", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="add a team member (the first one added is you)")
    add.add_argument("name", help="their name, e.g. 'Tom Okoro'")
    add.add_argument("email", help="their work email (alerts go there)")
    _member_options(add, role_default="sales_rep")
    add.set_defaults(handler=run_add)
    listing = verbs.add_parser("list", help="list the team")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)
    edit = verbs.add_parser("edit", help="change a member (deactivating asks where leads go)")
    edit.add_argument("member", help="name, email or id")
    edit.add_argument("--name", dest="new_name", help="new name")
    edit.add_argument("--email", dest="new_email", help="new email")
    _member_options(edit, role_default=None)
    edit.add_argument("--no-capacity", action="store_true", help="remove the capacity limit")
    state = edit.add_mutually_exclusive_group()
    state.add_argument("--inactive", action="store_true", help="stop giving them leads")
    state.add_argument("--active", action="store_true", help="give them leads again")
    _reassign_option(edit)
    edit.set_defaults(handler=run_edit)
    remove = verbs.add_parser("remove", help="delete a member (their open hand-offs move)")
    remove.add_argument("member", help="name, email or id")
    _reassign_option(remove)
    remove.set_defaults(handler=run_remove)
    me = verbs.add_parser("me", help="show or choose who this computer acts as")
    me.add_argument("member", nargs="?", help="name, email or id ('none' to clear)")
    me.set_defaults(handler=run_me)

    rules = subparsers.add_parser("rules", help="assignment rules: who gets which lead")
    rule_verbs = rules.add_subparsers(title="rules commands", metavar="ACTION", required=True)
    show = rule_verbs.add_parser("list", help="the rules in force, in order")
    show.add_argument("--json", action="store_true", help="print the rules as JSON")
    show.set_defaults(handler=run_rules_list)
    export = rule_verbs.add_parser("export", help="write the rules to a JSON file")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=run_rules_export)
    load = rule_verbs.add_parser("import", help="replace the rules with a JSON file's")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=run_rules_import)
    preview = rule_verbs.add_parser("preview", help="who the next leads would go to")
    preview.add_argument("file", type=Path, nargs="?", help="rules to try (default: in force)")
    preview.add_argument("--limit", type=int, default=20, help="how many leads (default 20)")
    preview.add_argument("--json", action="store_true", help="print JSON")
    preview.set_defaults(handler=run_rules_preview)

    settings = subparsers.add_parser(
        "sales-settings", help="show or change the follow-up deadline, escalation and triggers"
    )
    settings.add_argument("--sla-hours", type=float, help="hours to the first follow-up")
    settings.add_argument("--working-hours", choices=_ON_OFF, help="count only working hours")
    settings.add_argument("--escalate-after", metavar="HOURS|off", help="reassign after")
    settings.add_argument("--on-threshold", choices=_ON_OFF, help="hand off on sales-ready")
    settings.add_argument(
        "--hand-raise", metavar="KINDS", help="activity kinds, comma-separated ('' for none)"
    )
    settings.add_argument("--reply-from-warm", choices=_ON_OFF, help="hand off warm repliers")
    settings.add_argument("--alerts-from", metavar="ACCOUNT", help="sender account for alerts")
    settings.add_argument("--json", action="store_true", help="print JSON")
    settings.set_defaults(handler=run_settings)


def _member_options(parser: argparse.ArgumentParser, *, role_default: str | None) -> None:
    parser.add_argument(
        "--role",
        default=role_default,
        help="marketing, sales_rep or sales_manager"
        + (" (default sales_rep)" if role_default else ""),
    )
    parser.add_argument("--timezone", help="e.g. Europe/Berlin (default: this computer's)")
    parser.add_argument("--days", help="working days, e.g. mon-fri or mon,tue,thu")
    parser.add_argument("--hours", help="working hours, e.g. 09:00-17:00")
    parser.add_argument("--capacity", type=int, help="at most N open hand-offs at once")


def _reassign_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reassign-to",
        metavar="MEMBER|rules",
        help="who takes over their open hand-offs ('rules': by the assignment rules)",
    )


def _hours(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    start, separator, end = text.partition("-")
    if not separator:
        raise CommandError(f"--hours {text!r}: use START-END, e.g. 09:00-17:00")
    return start.strip(), end.strip()


def _identity_note(db: Any, email: str) -> str:
    from leaddesk.handoff.identity import adopt_if_unset

    return " (this computer now acts as them)" if adopt_if_unset(db, email) else ""


def run_add(args: argparse.Namespace) -> int:
    """Add a member; the first person added on a computer becomes "me"."""
    from leaddesk.handoff.team import TeamError, add_member

    start, end = _hours(args.hours)
    db = database_from_args(args)
    try:
        with db.write() as session:
            member = add_member(
                session,
                args.name,
                args.email,
                role=args.role,
                timezone=args.timezone,
                work_days=args.days or "mon,tue,wed,thu,fri",
                work_start=start or "09:00",
                work_end=end or "17:00",
                capacity=args.capacity,
            )
            summary = f"added {member.name} <{member.email}> as {member.role} (id {member.id})"
            email = member.email
    except TeamError as error:
        raise CommandError(str(error)) from None
    print(summary + _identity_note(db, email))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the team with hours, capacity and open hand-offs."""
    from leaddesk.handoff.identity import my_email
    from leaddesk.handoff.team import list_members

    db = database_from_args(args)
    with db.session() as session:
        members = list_members(session)
    me = my_email(db)
    if args.json:
        print_json([{**m.to_dict(), "me": m.email == me} for m in members])
        return 0
    if not members:
        print("no team members yet: `leaddesk team add NAME EMAIL --role sales_rep`")
    for m in members:
        capacity = f"cap {m.capacity}" if m.capacity else "no cap"
        flags = ("  (you)" if m.email == me else "") + ("" if m.active else "  INACTIVE")
        print(
            f"{m.id:>3}  {m.name}  <{m.email}>  {m.role_label}  {m.hours_label}  {capacity}  "
            f"open hand-offs {m.open_handoffs}{flags}"
        )
    return 0


def _target(session: Any, reference: str | None) -> tuple[Any, bool]:
    from leaddesk.handoff.team import find_member

    if reference is None:
        return None, False
    if reference.strip().lower() in ("rules", "auto"):
        return None, True
    return find_member(session, reference), False


def _handover_text(handover: Any) -> str:
    moved = ", ".join(f"{n} to {name}" for name, n in handover.moved_to.items())
    text = f"{handover.handoffs_moved} open hand-off(s) moved" + (f": {moved}" if moved else "")
    if handover.leads_moved:
        text += f"; {handover.leads_moved} lead(s) given to the same member"
    if handover.leads_unowned:
        text += f"; {handover.leads_unowned} lead(s) now have no owner"
    if handover.rules:
        named = ", ".join(repr(rule) for rule in handover.rules)
        text += f"; still named in {named}: those leads go to the next rule until you change it"
    return text


def _team_error(error: Exception) -> CommandError:
    """The error for the shell, with the option to use when open hand-offs need a new owner."""
    hint = (
        " (use --reassign-to MEMBER or --reassign-to rules)" if "choose who" in str(error) else ""
    )
    return CommandError(f"{error}{hint}")


def run_edit(args: argparse.Namespace) -> int:
    """Change a member's details, or (de)activate them."""
    from leaddesk.handoff.service import HandoffError
    from leaddesk.handoff.team import (
        MemberValues,
        TeamError,
        deactivate_member,
        edit_member,
        find_member,
        reactivate_member,
    )

    start, end = _hours(args.hours)
    values = MemberValues(
        name=args.new_name,
        email=args.new_email,
        role=args.role,
        timezone=args.timezone,
        work_days=args.days,
        work_start=start,
        work_end=end,
        capacity=args.capacity,
        clear_capacity=args.no_capacity,
    )
    db = database_from_args(args)
    note = ""
    try:
        with db.write() as session:
            member = find_member(session, args.member)
            edit_member(session, member, values)
            if args.inactive and member.active:
                target, automatic = _target(session, args.reassign_to)
                handover = deactivate_member(
                    session,
                    member,
                    reassign_to=target,
                    automatic=automatic,
                    now=SystemClock().now(),
                )
                note = f"; deactivated, {_handover_text(handover)}"
            elif args.active and not member.active:
                reactivate_member(session, member)
                note = "; active again"
            name = member.name
    except (TeamError, HandoffError) as error:
        raise _team_error(error) from None
    print(f"updated {name}{note}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Delete a member after moving their open hand-offs."""
    from leaddesk.handoff.service import HandoffError
    from leaddesk.handoff.team import TeamError, find_member, remove_member

    db = database_from_args(args)
    try:
        with db.write() as session:
            member = find_member(session, args.member)
            target, automatic = _target(session, args.reassign_to)
            handover = remove_member(
                session, member, reassign_to=target, automatic=automatic, now=SystemClock().now()
            )
    except (TeamError, HandoffError) as error:
        raise _team_error(error) from None
    print(f"removed {handover.member}; {_handover_text(handover)}")
    return 0


def run_me(args: argparse.Namespace) -> int:
    """Show who this computer acts as, or choose."""
    from leaddesk.handoff.identity import current_member, my_email, set_me
    from leaddesk.handoff.team import TeamError, find_member

    db = database_from_args(args)
    if args.member is None:
        with db.session() as session:
            member = current_member(session, db)
            shown = f"{member.name} <{member.email}>" if member else None
        email = my_email(db)
        if shown:
            print(f"this computer acts as {shown} on {db.describe()}")
        elif email:
            print(f"this computer acts as {email}, who is not on this database's team")
        else:
            print("nobody chosen yet: `leaddesk team me NAME|EMAIL`")
        return 0
    if args.member.strip().lower() == "none":
        set_me(db, None)
        print("this computer acts as nobody now")
        return 0
    try:
        with db.session() as session:
            member = find_member(session, args.member)
            name, email = member.name, member.email
    except TeamError as error:
        raise CommandError(str(error)) from None
    set_me(db, email)
    print(f"this computer acts as {name} <{email}> on {db.describe()}")
    return 0


def _print_rules(session: Any, config: Any) -> None:
    from sqlalchemy import select

    from leaddesk.db.models import TeamMember

    names = dict(session.execute(select(TeamMember.id, TeamMember.name)).all())
    if not config.rules:
        print("no assignment rules: every lead goes round-robin to the sales reps")
    for index, rule in enumerate(config.rules, 1):
        who = ", ".join(names.get(m, f"#{m}") for m in rule.members)
        mode = "round-robin: " if len(rule.members) > 1 else ""
        off = "  (off)" if not rule.enabled else ""
        print(f"{index}. {rule.name}: {rule.describe()} → {mode}{who}{off}")
    pool = ", ".join(names.get(m, f"#{m}") for m in config.default_members) or "every sales rep"
    print(f"then: round-robin among {pool}")


def run_rules_list(args: argparse.Namespace) -> int:
    """Print the rules in order."""
    from leaddesk.handoff.routing import export_document, load_routing

    db = database_from_args(args)
    with db.session() as session:
        config = load_routing(session)
        if args.json:
            print_json(export_document(session, config))
        else:
            _print_rules(session, config)
    return 0


def run_rules_export(args: argparse.Namespace) -> int:
    """Write the rules (members by email) to a JSON file."""
    from leaddesk.handoff.routing import export_document, load_routing

    db = database_from_args(args)
    with db.session() as session:
        document = export_document(session, load_routing(session))
    args.file.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(document['rules'])} rule(s) to {args.file}")
    return 0


def _read_rules(session: Any, path: Path) -> Any:
    from leaddesk.handoff.routing import RoutingError, read_document

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path} is not a JSON file: {error}") from None
    try:
        return read_document(session, document)
    except RoutingError as error:
        raise CommandError(f"{path}: {error}") from None


def run_rules_import(args: argparse.Namespace) -> int:
    """Replace the rules with a file's (validated first; nothing changes on an error)."""
    from leaddesk.handoff.routing import save_routing

    db = database_from_args(args)
    with db.write() as session:
        config = _read_rules(session, args.file)
        save_routing(session, config)
        _print_rules(session, config)
    return 0


def run_rules_preview(args: argparse.Namespace) -> int:
    """Who the next leads would go to under the rules in force or a file's (writes nothing)."""
    from leaddesk.handoff.routing import load_routing, preview_assignments

    db = database_from_args(args)
    with db.session() as session:
        config = _read_rules(session, args.file) if args.file else load_routing(session)
        rows, counts = preview_assignments(session, config, SystemClock().now(), limit=args.limit)
    if args.json:
        print_json({"leads": [vars(r) for r in rows], "counts": counts})
        return 0
    summary = ", ".join(f"{name} {n}" for name, n in sorted(counts.items(), key=lambda i: -i[1]))
    print(f"these {len(rows)} leads would go to: {summary or 'nobody'}")
    for r in rows:
        note = f"  ({r.note})" if r.note else ""
        print(f"  {r.name} ({r.company or '—'}, {r.country or '—'}) → {r.member} [{r.rule}]{note}")
    return 0


def _switch(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def run_settings(args: argparse.Namespace) -> int:
    """Show the hand-off settings, or change the ones given."""
    from leaddesk.handoff.config import HandoffSettingsError, load_settings, save_settings
    from leaddesk.mail.accounts import find_account

    changes: dict[str, Any] = {}
    if args.sla_hours is not None:
        changes["sla_hours"] = args.sla_hours
    for option, name in (
        ("working_hours", "working_hours_only"),
        ("on_threshold", "on_threshold"),
        ("reply_from_warm", "reply_from_warm"),
    ):
        if getattr(args, option) is not None:
            changes[name] = _switch(getattr(args, option))
    if args.escalate_after is not None:
        text = args.escalate_after.strip().lower()
        try:
            changes["escalate_after_hours"] = None if text == "off" else float(text)
        except ValueError:
            raise CommandError("--escalate-after takes hours (e.g. 24) or off") from None
    if args.hand_raise is not None:
        changes["hand_raise_kinds"] = [k.strip() for k in args.hand_raise.split(",") if k.strip()]
    db = database_from_args(args)
    try:
        with db.write() as session:
            if args.alerts_from is not None:
                account = find_account(session, args.alerts_from)
                if account is None:
                    raise CommandError(
                        f"no sender account {args.alerts_from!r} (`leaddesk account list`)"
                    )
                changes["alert_account_id"] = account.id
            settings = load_settings(session)
            if changes:
                settings = save_settings(session, settings.with_changes(**changes))
            account_name = _alert_account_name(session)
    except HandoffSettingsError as error:
        raise CommandError(str(error)) from None
    data = {**settings.to_dict(), "alerts_from": account_name}
    if args.json:
        print_json(data)
        return 0
    escalation = (
        f"after {settings.escalate_after_hours:g} h more"
        if settings.escalate_after_hours is not None
        else "off"
    )
    clock = "the rep's working hours" if settings.working_hours_only else "the clock"
    print(f"first follow-up within {settings.sla_hours:g} h ({clock}); escalation {escalation}")
    print(
        f"hand off on: {'sales-ready threshold, ' if settings.on_threshold else ''}"
        f"{', '.join(settings.hand_raise_kinds) or 'no hand-raise'}"
        f"{', warm replies' if settings.reply_from_warm else ''}"
    )
    print(f"alerts sent from: {account_name or 'nowhere yet — add a sender account'}")
    return 0


def _alert_account_name(session: Any) -> str | None:
    from leaddesk.handoff.alerts import alert_account

    account = alert_account(session)
    return f"{account.name} <{account.from_address}>" if account is not None else None
