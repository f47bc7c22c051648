"""Looking addresses up on the suppression list gives the same answer by either route."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from leaddesk.db.engine import Database
from leaddesk.db.models import Suppression
from leaddesk.leads.emails import email_hash, email_key, legacy_email_hash, mailbox_key
from leaddesk.leads.suppression import hashes_for, suppress, suppressed_among

_LOCAL = st.text(string.ascii_letters + string.digits + ".+", min_size=1, max_size=8)
_DOMAIN = st.sampled_from(["gmail.com", "googlemail.com", "acme.example", "Expo.Example"])
_ADDRESS = st.builds(lambda local, domain, pad: f"{pad}{local}@{domain}{pad}", _LOCAL, _DOMAIN,
                     st.sampled_from(["", " "]))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ADDRESS, max_size=30), st.binary(min_size=32, max_size=32))
def test_hashes_are_the_keyed_and_legacy_hash_of_each_address(
    addresses: list[str], secret: bytes
) -> None:
    """Every address maps from its keyed mailbox hash and its legacy hash, as hashed one by one."""
    simple: dict[str, set[str]] = {}
    for address in addresses:
        key = email_key(address)
        simple.setdefault(email_hash(key, secret), set()).add(key)
        simple.setdefault(legacy_email_hash(key), set()).add(key)
    assert hashes_for(secret, addresses) == simple


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_ADDRESS, max_size=40), st.lists(_ADDRESS, max_size=40))
def test_the_list_read_whole_or_asked_in_chunks_finds_the_same(
    db: Database, listed: list[str], asked: list[str]
) -> None:
    """Suppressed mailboxes and addresses to check, in any proportion: reading the list whole,
    asking for the hashes 500 at a time and letting the lookup choose find the same keys, those
    of the addresses that reach a listed mailbox."""
    with db.write() as session:
        session.execute(delete(Suppression))
        for address in listed:
            suppress(session, address, "bounced")
        expected = {email_key(a) for a in asked if _same_mailbox(a, listed)}
        assert suppressed_among(session, asked, read_whole=True) == expected
        assert suppressed_among(session, asked, read_whole=False) == expected
        assert suppressed_among(session, asked) == expected


def _same_mailbox(address: str, listed: list[str]) -> bool:
    """The simple rule: the address reaches the mailbox of one of the listed addresses."""
    return mailbox_key(address) in {mailbox_key(other) for other in listed}


def test_a_person_forgotten_before_the_keyed_hash_is_still_found_by_both_routes(
    db: Database,
) -> None:
    """A suppression holding only the old plain hash matches that address either way."""
    with db.write() as session:
        session.add(
            Suppression(email_key=None, email_hash=legacy_email_hash("old@acme.example"),
                        reason="forgotten")
        )  # fmt: skip
        session.flush()
        asked = ["Old@Acme.example", "new@acme.example"]
        for read_whole in (True, False, None):
            found = suppressed_among(session, asked, read_whole=read_whole)
            assert found == {"old@acme.example"}
