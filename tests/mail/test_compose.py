"""Generated messages: well-formed MIME, the right headers, immune to CR/LF in lead data."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.mail.compose import Sender, compose, text_from_html
from leaddesk.mail.ids import make_message_id, make_unsubscribe_token

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SENDER = Sender("ada@leaddesk-test.example", "Ada Lovelace", reply_to="sales@leaddesk-test.example")
RENDERED = {
    "subject": "Thanks for stopping by, Grace",
    "text": "Hi Grace,\n\nThanks for visiting.\n\n--\nLeadDesk Ltd, 1 Harbour St, Bristol\n",
    "html": "<p>Hi Grace,</p><p>Thanks for <b>visiting</b>.</p>",
}
SINGLE = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Id",
)


def _build(sender: Sender = SENDER, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "to_address": "grace@customer.example",
        "to_name": "Grace Hopper",
        "rendered": RENDERED,
        "subject": "",
        "message_id": make_message_id(sender.from_address),
        "unsubscribe_token": make_unsubscribe_token(),
        "now": NOW,
    }
    values.update(overrides)
    outgoing = compose(sender, **values)
    return outgoing, email.message_from_bytes(outgoing.data, policy=policy.default), values


def _defects(message) -> list:  # type: ignore[no-untyped-def]
    return [d for part in message.walk() for d in part.defects]


def test_message_is_multipart_alternative_with_text_first():
    """The email has a plain-text part first and an HTML part, and parses without defects."""
    outgoing, message, values = _build()
    assert _defects(message) == []
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert "<" not in parts[0].get_content()
    for name in SINGLE:
        assert len(message.get_all(name)) == 1, name
    assert message["Message-ID"] == values["message_id"]
    assert message["Message-ID"].endswith("@leaddesk-test.example>")
    assert message["Date"].datetime == NOW
    assert outgoing.recipient == "grace@customer.example"
    assert outgoing.envelope_from == "ada@leaddesk-test.example"
    assert message["Reply-To"] == "sales@leaddesk-test.example"


def test_list_unsubscribe_mailto_carries_the_token():
    """List-Unsubscribe names a mailto with the token; no One-Click without a URL."""
    _, message, values = _build()
    token = values["unsubscribe_token"]
    assert message["List-Unsubscribe"] == (
        f"<mailto:ada@leaddesk-test.example?subject=unsubscribe%20{token}>"
    )
    assert message["List-Unsubscribe-Post"] is None


def test_one_click_unsubscribe_when_a_url_is_configured():
    """With an HTTPS unsubscribe URL the header lists it and announces One-Click."""
    sender = Sender(
        "ada@leaddesk-test.example",
        unsubscribe_mailto="optout@leaddesk-test.example",
        unsubscribe_url="https://leaddesk-test.example/u",
    )
    _, message, values = _build(sender)
    token = values["unsubscribe_token"]
    assert message["List-Unsubscribe"] == (
        f"<mailto:optout@leaddesk-test.example?subject=unsubscribe%20{token}>, "
        f"<https://leaddesk-test.example/u?token={token}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_text_part_is_made_from_html_when_missing():
    """A message with only HTML still gets a readable text part without tags."""
    _, message, _ = _build(rendered={"subject": "Hi", "html": "<p>Hello <b>you</b></p><p>Bye</p>"})
    text = message.get_body(("plain",)).get_content()
    assert "Hello you" in text and "<" not in text
    assert text_from_html("<br>a<br>b") == "a\nb\n"


_NASTY = st.lists(
    st.sampled_from([*'ab é:;<>@",\r\n\t\x00\x0b=?', "\u2028", "\r\nBcc: x@evil.example\r\n"]),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(name=_NASTY, subject=_NASTY, body=_NASTY)
def test_lead_data_with_line_breaks_never_adds_headers(name, subject, body):
    """CR/LF and header-looking text in names or subjects never add or split a header."""
    rendered = {"subject": subject or "x", "text": body if body.strip() else "x", "html": ""}
    outgoing, message, _ = _build(to_name=name, rendered=rendered)
    assert _defects(message) == []
    assert outgoing.recipient == "grace@customer.example"
    assert message["To"].addresses[0].addr_spec == "grace@customer.example"
    assert len(message["To"].addresses) == 1
    assert message["Bcc"] is None and message["Cc"] is None
    assert sorted(set(message.keys())) == sorted({*SINGLE, "Content-Type", "Reply-To"})
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
