"""Safe templates: sandbox, HTML escaping, header-safe subjects, fallbacks and the footer."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leaddesk.sequences.merge import People, merge_context
from leaddesk.sequences.templates import TemplateProblem, clean_header, render_email
from tests.sequences.sequence_helpers import POSTAL, add_lead


def context(session: Session, **fields: str) -> dict:
    lead = add_lead(session, "ada@example.com", **fields)
    return merge_context(lead, People(), postal_address=POSTAL)


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__class__.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ custom.__class__.__base__.__subclasses__() }}",
        "{{ 'x' * 100000000 }}",
        "{% for i in range(999999999) %}{% endfor %}",
    ],
)
def test_sandbox_escapes_raise_a_clear_template_error(db, escape: str) -> None:
    """Attempts to reach Python internals fail with a readable "not allowed"/unknown message."""
    with db.session() as session:
        ctx = context(session)
        with pytest.raises(TemplateProblem) as caught:
            render_email("Hello", f"Hi {escape}", ctx)
    text = str(caught.value)
    assert "body" in text
    assert "not allowed" in text or "unknown merge field" in text
    assert "Traceback" not in text


def test_script_in_a_merge_value_is_escaped_in_html(db) -> None:
    """A lead whose company is ``<script>`` gets it as text in HTML, never as a tag."""
    with db.session() as session:
        ctx = context(session, company="<script>alert('x')</script> & Co")
        email = render_email("Hi", "Hello from {{ company }}", ctx)
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in email.html
    assert "<script>alert('x')</script> & Co" in email.text  # the text part is plain text


def test_crlf_in_merge_values_cannot_create_headers(db) -> None:
    """A first name carrying CR/LF and a Bcc line stays one harmless subject line."""
    with db.session() as session:
        ctx = context(session, first_name="Ada\r\nBcc: victim@example.com\x00\u2028x")
        email = render_email("Hello {{ first_name }}", "Hi", ctx)
    assert "\r" not in email.subject and "\n" not in email.subject
    assert "\x00" not in email.subject and "\u2028" not in email.subject
    assert email.subject == "Hello Ada Bcc: victim@example.com x"
    assert clean_header("a\tb\x1b[31m c") == "a b [31m c"


def test_fallbacks_apply_to_empty_fields(db) -> None:
    """``default("there")`` replaces an empty first name; a filled one is kept."""
    with db.session() as session:
        empty = context(session, first_name="")
        assert render_email("Hi", "Hi {{ first_name | default('there') }}", empty).text.startswith(
            "Hi there"
        )
        filled = merge_context(add_lead(session, "b@example.com"), People(), postal_address=POSTAL)
    assert render_email("Hi", "Hi {{ first_name | default('there') }}", filled).text.startswith(
        "Hi Ada"
    )


def test_an_address_with_a_merge_field_is_one_whole_link(db) -> None:
    """A link whose address ends in a merge field links to the whole rendered address, and an
    address that only a merge field holds becomes a link too (escaped like any text)."""
    with db.session() as session:
        ctx = context(
            session, custom_fields={"Slug": "anna-bauer", "Site": "https://a.example/?x=1&y=2"}
        )
        email = render_email(
            "Hi", "Your page: https://acme.example/for/{{ slug }} and {{ site }}", ctx
        )
    assert '<a href="https://acme.example/for/anna-bauer">' in email.html
    assert '<a href="https://a.example/?x=1&amp;y=2">' in email.html
    assert "https://acme.example/for/anna-bauer and https://a.example/?x=1&y=2" in email.text


def test_text_part_is_text_and_html_part_is_html(db) -> None:
    """The text part has no tags; the HTML part has paragraphs and links; both carry the footer."""
    with db.session() as session:
        ctx = context(session, custom_fields={"Booth notes": "Wants a demo"})
        email = render_email(
            "Hi",
            "Hi {{ first_name }},\n\nYou said: {{ booth_notes }}.\nSee https://acme.example/guide",
            ctx,
        )
    assert "<" not in email.text
    assert "You said: Wants a demo." in email.text
    assert '<a href="https://acme.example/guide">' in email.html
    assert "</p>\n<p>" in email.html
    for part in (email.text, email.html):
        assert "unsubscribe" in part
        assert "1 Harbour Street" in part


def test_no_postal_address_no_email(db) -> None:
    """Without a postal address rendering refuses, naming Settings as the fix."""
    with db.session() as session:
        lead = add_lead(session, "ada@example.com")
        ctx = merge_context(lead, People(), postal_address="")
    with pytest.raises(TemplateProblem, match="postal address") as caught:
        render_email("Hi", "Hi", ctx)
    assert "Settings" in caught.value.fix


def test_unknown_fields_and_empty_subjects_are_errors(db) -> None:
    """A typo in a field name or a subject that renders empty is reported, not sent."""
    with db.session() as session:
        ctx = context(session)
    with pytest.raises(TemplateProblem, match="unknown merge field 'frist_name'"):
        render_email("Hi", "Hi {{ frist_name }}", ctx)
    with pytest.raises(TemplateProblem, match="subject is empty"):
        render_email("{{ title }}", "Hi", {**ctx})
