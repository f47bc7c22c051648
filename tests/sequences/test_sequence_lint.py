"""Lint findings: each problem names its step and the fix."""

from __future__ import annotations

from leaddesk.clock import FixedClock
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.lint import ERROR, WARNING, has_errors, lint_document, lint_sequence
from leaddesk.sequences.presets import load_preset, sequence_from_document
from tests.sequences.sequence_helpers import add_lead, email, make_sequence, simple_document


def messages(findings) -> list[tuple[str, int | None, str]]:  # type: ignore[no-untyped-def]
    return [(f.severity, f.step, f.message) for f in findings]


def test_presets_are_clean_when_sending_is_set_up(ready) -> None:
    """Both shipped presets lint without errors once an account and postal address exist."""
    with ready.write() as session:
        add_lead(session, "ada@example.com")
        for key in ("tradeshow", "monthly"):
            sequence = sequence_from_document(session, load_preset(key))
            assert not has_errors(lint_sequence(session, sequence)), key


def test_unknown_field_names_the_step_and_suggests_the_fix(ready) -> None:
    """A typo ``frist_name`` in step 3 is an error with "did you mean first_name"."""
    document = simple_document(
        [email(), {"kind": "wait", "wait_days": 2}, email("Hi", "Hello {{ frist_name }}")]
    )
    with ready.session() as session:
        findings = lint_document(session, document)
    [finding] = [f for f in findings if "frist_name" in f.message]
    assert (finding.severity, finding.step) == (ERROR, 3)
    assert "first_name" in finding.fix
    assert str(finding).startswith("ERROR Step 3")


def test_empty_subject_and_syntax_error(ready) -> None:
    """An empty subject and an unclosed ``{% if %}`` are errors on their steps."""
    document = simple_document([email("  ", "Hi"), email("Ok", "{% if company %}Hi")])
    with ready.session() as session:
        found = messages(lint_document(session, document))
    assert (ERROR, 1, "the subject is empty") in found
    assert any(sev == ERROR and step == 2 and "syntax error" in msg for sev, step, msg in found)


def test_fields_empty_for_some_enrolled_leads_are_warned(ready, clock: FixedClock) -> None:
    """``{{ company }}`` without fallback warns how many enrolled leads lack a company."""
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hi", "About {{ company }} and {{ title }}")])
        full = add_lead(session, "a@example.com", title="CTO")
        blank = add_lead(session, "b@example.com", company="", title="CEO")
        enroll_leads(session, sequence, [full.id, blank.id], now=clock.now())
        findings = lint_sequence(session, sequence)
    [warning] = [f for f in findings if f.severity == WARNING]
    assert warning.step == 1
    assert warning.message.startswith("company is empty for 1 of 2 enrolled leads")
    assert 'default("...")' in warning.fix


def test_fallbacks_and_if_checks_silence_the_empty_warning(ready, clock: FixedClock) -> None:
    """Fields under ``default(...)`` or inside ``{% if field %}`` are not reported as empty."""
    body = "{{ company | default('your team') }}{% if title %} as {{ title }}{% endif %}"
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hi", body)])
        lead = add_lead(session, "b@example.com", company="", title="")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        assert lint_sequence(session, sequence) == []


def test_missing_postal_address_and_account_are_errors(db) -> None:
    """Without a postal address or a sender account the sequence cannot be activated."""
    with db.session() as session:
        findings = lint_document(session, simple_document([email()]))
    text = " ".join(f.message for f in findings)
    assert "postal address" in text and "sender account" in text
    assert has_errors(findings)


def test_sandbox_escape_is_a_lint_error(ready) -> None:
    """A template reaching for ``__class__`` is reported before it is ever sent."""
    with ready.write() as session:
        add_lead(session, "a@example.com")
        document = simple_document([email("Hi", "{{ first_name.__class__ }}")])
        findings = lint_document(session, document)
    assert any(f.severity == ERROR and "not allowed" in f.message for f in findings)
