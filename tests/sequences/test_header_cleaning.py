"""Cleaning header values takes a quick path for printable text with the same result."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.sequences.templates import MAX_SUBJECT, clean_header


def _simple_clean(value: str) -> str:
    """clean_header as it was: every character's category looked up."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in value
    )
    return " ".join(cleaned.split())[:MAX_SUBJECT].strip()


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=300))
def test_clean_header_matches_the_character_walk(value: str) -> None:
    """Any text (control, format, separator characters included): the same header value."""
    assert clean_header(value) == _simple_clean(value)


def test_a_subject_with_a_line_break_and_a_zero_width_joiner_is_one_clean_line() -> None:
    """CR/LF and a zero-width character become spaces and collapse: one header line."""
    assert clean_header("Hello\r\nBcc: x@evil.example\u200d now") == "Hello Bcc: x@evil.example now"
