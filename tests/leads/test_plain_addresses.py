"""The quick path for everyday addresses answers exactly as the full email-validator check."""

from __future__ import annotations

import string

import email_validator
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.leads import emails
from leaddesk.leads.emails import check_email, is_plain_address

_LOCAL = st.text(string.ascii_letters + string.digits + "._%+-", min_size=1, max_size=70)
_LABEL = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=66)
_TLD = st.one_of(
    st.text(string.ascii_letters + string.digits, min_size=1, max_size=8),
    st.sampled_from(["test", "local", "onion", "arpa", "invalid", "localhost", "com", "co"]),
)


def _full_check(address: str) -> bool:
    """What email-validator alone says (offline)."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@settings(max_examples=3000, deadline=None)
@given(_LOCAL, st.lists(_LABEL, min_size=1, max_size=4), _TLD)
def test_every_plain_address_passes_the_full_check(local: str, labels: list[str], tld: str) -> None:
    """Addresses built from the plain alphabet (dots, hyphens, long labels, special-use and
    numeric TLDs): whenever the quick path accepts one, email-validator accepts it too."""
    address = f"{local}@{'.'.join(labels)}.{tld}"
    if is_plain_address(address):
        assert _full_check(address), address


@settings(max_examples=1000, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_the_quick_path_never_accepts_what_the_full_check_refuses(text: str) -> None:
    """Any text at all: check_email is None exactly when email-validator accepts it."""
    candidate = text.strip()
    if candidate:
        assert (check_email(text) is None) == _full_check(candidate)


def test_everyday_addresses_take_the_quick_path_and_odd_ones_get_the_reason() -> None:
    """A usual lead address is accepted without the full check; a broken one still gets
    email-validator's explanation; the special-use names are the library's own."""
    assert is_plain_address("Maria.Lopez+expo@acme-logistics.co.uk")
    assert not is_plain_address("someone@host.test")
    assert check_email("a..b@acme.example") == "An email address cannot have two periods in a row."
    assert check_email("josé@exämple.com") is None  # internationalised: the full check
    assert tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES) == emails._SPECIAL_USE
