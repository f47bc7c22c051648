"""The setup checklist: who you are, a sender account, the postal address, the reply mailbox.

Each item says whether it is done, what is wrong in plain words, and the command (and the place
in the app) that fixes it. ``send-due``, ``tick`` and ``leaddesk doctor`` read it, so a cron-only
setup hears exactly what blocks sending.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount, TeamMember
from leaddesk.handoff.identity import current_member
from leaddesk.settings import postal_address


@dataclass(frozen=True)
class SetupItem:
    """One thing to set up, and how."""

    key: str
    title: str
    done: bool
    detail: str
    cli_hint: str
    gui_hint: str
    optional: bool = False
    blocks_sending: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


def _identity(session: Session, db: Database) -> SetupItem:
    me = current_member(session, db)
    anyone = session.scalar(select(TeamMember.id).limit(1)) is not None
    if me is not None:
        detail = f"{me.name} ({me.email})"
    elif anyone:
        detail = "this computer does not know which team member you are"
    else:
        detail = "nobody is in the team yet: the first person added is you"
    return SetupItem(
        "identity", "Who you are", me is not None, detail,
        'leaddesk team add "Your Name" you@company.example' if not anyone
        else "leaddesk team me EMAIL",
        "Settings → Team",
    )  # fmt: skip


def _account(session: Session) -> SetupItem:
    accounts = list(session.scalars(select(SenderAccount).order_by(SenderAccount.id)))
    hint = (
        "leaddesk account add NAME --from you@company.example --host smtp.company.example "
        "(add --no-password for a relay that needs no login), then leaddesk account test NAME"
    )
    if not accounts:
        return SetupItem("account", "A sender account", False,
                         "no account to send from: the emails wait in the outbox", hint,
                         "Settings → Accounts (Outbox → Add account), then Send test",
                         blocks_sending=True)  # fmt: skip
    first = accounts[0]
    login = f"logs in as {first.smtp_username}" if first.smtp_username else "no login (relay)"
    detail = f"{first.name}: {first.from_address} via {first.smtp_host}, {login}"
    if len(accounts) > 1:
        detail += f" (and {len(accounts) - 1} more)"
    return SetupItem("account", "A sender account", True, detail, hint, "Settings → Accounts",
                     blocks_sending=True)  # fmt: skip


def _postal(session: Session) -> SetupItem:
    address = postal_address(session)
    return SetupItem(
        "postal_address", "Your postal address", bool(address),
        address.replace("\n", ", ") if address
        else "missing: every marketing email must carry the sender's postal address",
        'leaddesk settings set postal_address "Street 1, 12345 City, Country"',
        "Settings → General", blocks_sending=True,
    )  # fmt: skip


def _mailbox(session: Session) -> SetupItem:
    account = session.scalar(select(SenderAccount).where(SenderAccount.imap_host != "").limit(1))
    detail = (
        f"{account.imap_host} for {account.name}"
        if account is not None
        else "not set: replies, bounces and unsubscribes are not read automatically"
    )
    return SetupItem("mailbox", "The mailbox for replies", account is not None, detail,
                     "leaddesk mailbox set ACCOUNT --host imap.company.example",
                     "Settings → Mailbox", optional=True)  # fmt: skip


def setup_checklist(session: Session, db: Database) -> list[SetupItem]:
    """Every setup item, in the order a new user does them."""
    return [_identity(session, db), _account(session), _postal(session), _mailbox(session)]


def sending_blockers(session: Session, db: Database) -> list[SetupItem]:
    """The missing items without which no email can be sent (empty: sending can work)."""
    return [i for i in setup_checklist(session, db) if i.blocks_sending and not i.done]
