"""A sending account that belongs to one member: only their copy sends from it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from leaddesk.db.models import SenderAccount, TeamMember
from leaddesk.handoff.team import add_member, deactivate_member
from leaddesk.mail.accounts import AccountError, edit_account
from leaddesk.mail.sender import send_due
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.test_cli import _add, _run


@pytest.fixture
def maya_and_tom(db) -> dict[str, int]:
    """Two members; the postal address every email needs."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
        return {
            "maya": add_member(session, "Maya Ortiz", "maya@team.example").id,
            "tom": add_member(session, "Tom Okoro", "tom@team.example").id,
        }


def test_tom_s_copy_leaves_maya_s_account_to_her_and_her_copy_sends_it(
    db, clock, smtp_server, tls, maya_and_tom, monkeypatch
) -> None:
    """Tom's copy sends nothing from Maya's mailbox and says so; Maya's copy then sends all 3."""
    account_id = make_account(db, smtp_server.port, PASSWORD, member_id=maya_and_tom["maya"])
    plan_messages(db, account_id, 3, clock.now() - timedelta(minutes=1))
    monkeypatch.setenv("LEADDESK_ME", "tom@team.example")
    report = send_due(db, clock, password_for=lambda _a: PASSWORD, tls_context=tls)
    assert report.sent == 0 and not report.busy and report.others_accounts == [account_id]
    assert report.others_note == (
        "1 account belongs to Maya Ortiz: their own LeadDesk sends and reads them"
    )
    assert states(db) == {"scheduled": 3} and smtp_server.received == []
    monkeypatch.setenv("LEADDESK_ME", "maya@team.example")
    report = send_due(db, clock, password_for=lambda _a: PASSWORD, tls_context=tls)
    assert report.sent == 3 and report.others_accounts == []
    assert len(smtp_server.received) == 3


def test_an_owner_must_be_an_active_member(db, clock, smtp_server, maya_and_tom) -> None:
    """Giving an account to an inactive or unknown member is refused with the reason."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    with db.write() as session:
        deactivate_member(
            session, session.get_one(TeamMember, maya_and_tom["tom"]), now=clock.now()
        )
    with pytest.raises(AccountError, match="Tom Okoro is inactive"), db.write() as session:
        account = session.get_one(SenderAccount, account_id)
        edit_account(session, account, {"member_id": maya_and_tom["tom"]}, password=None)
    with pytest.raises(AccountError, match="#999 does not exist"), db.write() as session:
        account = session.get_one(SenderAccount, account_id)
        edit_account(session, account, {"member_id": 999}, password=None)


def test_the_cli_gives_an_account_to_a_member_and_back_to_the_team(
    db, db_path, capsys, monkeypatch, memory_keyring, maya_and_tom
) -> None:
    """account edit --owner EMAIL|team; list shows the owner; an unknown email is explained."""
    _add(capsys, monkeypatch, db_path, 2525)
    base = ["--db", str(db_path), "account"]
    status, _, _ = _run(
        capsys, monkeypatch, [*base, "edit", "Sales", "--owner", "Maya@Team.example"]
    )
    assert status == 0
    _, out, _ = _run(capsys, monkeypatch, [*base, "list"])
    assert "owner Maya Ortiz" in out
    _, out, _ = _run(capsys, monkeypatch, [*base, "list", "--json"])
    assert json.loads(out)[0]["member_id"] == maya_and_tom["maya"]
    status, _, err = _run(capsys, monkeypatch, [*base, "edit", "Sales", "--owner", "x@y.example"])
    assert status == 1 and "no team member with the email 'x@y.example'" in err
    status, _, _ = _run(capsys, monkeypatch, [*base, "edit", "Sales", "--owner", "team"])
    _, out, _ = _run(capsys, monkeypatch, [*base, "list", "--json"])
    assert status == 0 and json.loads(out)[0]["member_id"] is None
