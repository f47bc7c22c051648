"""The fast bulk email check agrees with the full offline check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.leads.emails import check_email
from leaddesk.leads.fast_check import SPECIAL_USE_DOMAINS, email_problem

_local = st.from_regex(r"[A-Za-z0-9._%+'=-]{1,12}", fullmatch=True)
_label = st.from_regex(r"[A-Za-z0-9-]{1,10}", fullmatch=True)
_tld = st.sampled_from(["com", "de", "test", "local", "c0m", "x", "co", "onion", "museum"])


@settings(max_examples=400, deadline=None)
@given(local=_local, labels=st.lists(_label, min_size=1, max_size=3), tld=_tld)
def test_fast_check_matches_full_check(local: str, labels: list[str], tld: str) -> None:
    """For generated addresses, the fast check accepts exactly what email-validator accepts."""
    address = f"{local}@{'.'.join(labels)}.{tld}"
    assert (email_problem(address) is None) == (check_email(address) is None), address


def test_placeholders_are_rejected() -> None:
    """Placeholders such as N/A or "none" in the email column are rejected with a reason."""
    for text in ("N/A", "none", "", "  ", "-"):
        assert email_problem(text) is not None


def test_special_use_domains_are_email_validators() -> None:
    """The fast check refuses exactly the special-use domains email-validator refuses."""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    assert sorted(SPECIAL_USE_DOMAINS) == sorted(SPECIAL_USE_DOMAIN_NAMES)
