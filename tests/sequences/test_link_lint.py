"""Lint of the web addresses written in email steps: each warning, and what stays quiet."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leaddesk.cli import main
from leaddesk.db.models import Sequence, SequenceStatus
from leaddesk.sequences.lint import WARNING, LintFinding, has_errors, lint_document
from leaddesk.settings import set_setting
from leaddesk.visits.config import LINK_DOMAINS, LINK_TRACKING
from leaddesk.visits.tracked_links import LinkTracking
from tests.sequences.sequence_helpers import email, make_sequence, simple_document

OWN = LinkTracking(("acme.example",))


def link_warnings(session: Session, body: str, subject: str = "Hello") -> list[LintFinding]:
    """The findings about links (and only those) for one email step."""
    document = simple_document([email(subject, body)])
    findings = lint_document(session, document, tracking=OWN)
    return [f for f in findings if "link" in f.message or "address" in f.message]


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ first_name }}, the guide: https://acme.example/guide.",
        "Our pricing (https://acme.example/pricing) and a partner: http://partner.example/a",
        "Read https://acme.example/{{ slug }} or https://{{ site }}/start, written for you.",
        "Booked? (Or see https://acme.example/faq.) Thanks!",
        "HTTP/2 is faster; mail ada@acme.example.",
    ],
)
def test_clean_bodies_get_no_link_findings(ready, body: str) -> None:
    """Good addresses, merge-field addresses and a URL inside brackets give no link finding."""
    with ready.session() as session:
        assert [str(f) for f in link_warnings(session, body)] == []


def test_plain_http_to_the_own_site_is_a_warning(ready) -> None:
    """http:// to an own domain (or a subdomain, merge field or not) warns to write https://."""
    body = "See http://www.acme.example/pricing and http://docs.acme.example/{{ slug }}"
    with ready.session() as session:
        found = link_warnings(session, body)
    assert [(f.severity, f.step) for f in found] == [(WARNING, 1), (WARNING, 1)]
    assert found[0].message == (
        "body: link to your own site uses http:// (http://www.acme.example/pricing)"
    )
    assert found[0].fix == "write https:// so the click is not redirected (and the token kept)"
    assert "{{ slug }}" in found[1].message


def test_own_domains_come_from_the_website_settings(ready) -> None:
    """Without ``tracking`` given, lint reads Settings → Website; tracking on, no domain: quiet."""
    document = simple_document([email("Hi", "Prices: http://acme.example/pricing")])
    with ready.session() as session:
        assert not [f for f in lint_document(session, document) if "http://" in f.message]
    with ready.write() as session:
        set_setting(session, LINK_DOMAINS, "acme.example")
    with ready.session() as session:
        assert [f for f in lint_document(session, document) if "http://" in f.message]
    with ready.write() as session:
        set_setting(session, LINK_TRACKING, False)
    with ready.session() as session:
        assert not [f for f in lint_document(session, document) if "http://" in f.message]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Book here: https://", "https:// is not a complete web address (no site name"),
        ("Book at https://acme", "https://acme is not a complete web address"),
        ("Book at https:// acme.example/book", "https:// acme.example/book has a space in it"),
        ("Book at https://acme .example/book", "https://acme .example/book has a space in it"),
        ("Book at https//acme.example/book.", "https//acme.example/book is not a web address"),
        ("Book at https:/acme.example/book", "https:/acme.example/book is not a web address"),
        ("Book at htps://acme.example/book", "htps://acme.example/book is not a web address"),
    ],
)
def test_malformed_addresses_are_warnings(ready, body: str, expected: str) -> None:
    """A missing site name, a space in the address or a mistyped https:// is one warning."""
    with ready.session() as session:
        [finding] = link_warnings(session, body)
    assert finding.severity == WARNING
    assert finding.message.startswith(f"body: {expected}")
    assert finding.fix


def test_mistyped_scheme_fix_spells_the_address(ready) -> None:
    """The fix for ``https//…`` is the same address with ``https://``."""
    with ready.session() as session:
        [finding] = link_warnings(session, "Book at https//acme.example/book?{{ code }}")
    assert finding.fix == "write https://acme.example/book?{{ code }}"


def test_subject_addresses_are_checked_too(ready) -> None:
    """A broken address in the subject is a warning on the subject."""
    with ready.session() as session:
        [finding] = link_warnings(session, "Hi", subject="Our guide at https//acme.example")
    assert finding.message.startswith("subject: https//acme.example")


def test_a_closing_bracket_the_auto_linker_cuts_is_a_warning(ready) -> None:
    """``…/a_(b)`` links to ``…/a_(b``: the warning names both and suggests dropping brackets."""
    with ready.session() as session:
        [finding] = link_warnings(session, "Read https://acme.example/a_(b) today")
    assert finding.message == (
        "body: the link https://acme.example/a_(b) ends in a bracket that the email leaves out:"
        " it goes to https://acme.example/a_(b"
    )
    assert "drop the brackets" in finding.fix


def test_link_warnings_do_not_block_activation(ready, db_path, capsys) -> None:
    """A sequence with only link warnings lints without errors and can be activated."""
    body = "Hi {{ first_name }}: http://acme.example/a, https://, https://acme.example/a_(b)"
    with ready.write() as session:
        set_setting(session, LINK_DOMAINS, "acme.example")
        sequence = make_sequence(session, [email("Hello", body)], name="Links")
        sequence_id = sequence.id
    with ready.session() as session:
        findings = lint_document(session, simple_document([email("Hello", body)]))
    assert len([f for f in findings if f.severity == WARNING]) == 3
    assert not has_errors(findings)
    assert main(["--db", str(db_path), "sequence", "resume", "Links"]) == 0
    capsys.readouterr()
    with ready.session() as session:
        assert session.get_one(Sequence, sequence_id).status == SequenceStatus.ACTIVE
