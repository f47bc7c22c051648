"""Amounts as people type them ("12,500", "12.500,50", "€ 9 900") and as whole cents."""

from __future__ import annotations

import re

MAX_CENTS = 10**15  # ten trillion in any currency: a typo, not a deal


class AmountError(ValueError):
    """An amount that is not a number LeadDesk can store; the message shows what works."""


def parse_amount(text: str | int | float) -> int:
    """``text`` as whole cents: "12500" → 1250000, "12,500.50" and "12.500,50" → 1250050."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = str(text)
    else:
        value = str(text or "")
    cleaned = re.sub(r"[\s\u00a0\u202f'’]|[^\d.,-]", "", value)
    problem = AmountError(
        f"{value.strip() or 'an empty amount'!r} is not an amount: type a number such as "
        "12500 or 12,500.50"
    )
    if not cleaned or cleaned.count("-") > (1 if cleaned.startswith("-") else 0):
        raise problem
    if cleaned.startswith("-"):
        raise AmountError("an amount cannot be negative")
    last_dot, last_comma = cleaned.rfind("."), cleaned.rfind(",")
    decimal = max(last_dot, last_comma)
    if decimal >= 0 and (
        (last_dot >= 0 and last_comma >= 0) or len(cleaned) - decimal - 1 in (1, 2)
    ):
        whole, fraction = cleaned[:decimal], cleaned[decimal + 1 :]
    else:
        whole, fraction = cleaned, ""
    whole = whole.replace(".", "").replace(",", "")
    if (whole and not whole.isdigit()) or (fraction and not fraction.isdigit()):
        raise problem
    if not (whole or fraction):
        raise problem
    cents = int(whole or "0") * 100 + int((fraction + "00")[:2])
    if cents >= MAX_CENTS:
        raise AmountError(f"{value.strip()!r} is too large for a deal")
    return cents


def format_amount(cents: int | None, currency: str) -> str:
    """Cents as "EUR 12,500.50" (whole amounts without ".00")."""
    if cents is None:
        return "—"
    whole, rest = divmod(int(cents), 100)
    text = f"{whole:,}" + (f".{rest:02d}" if rest else "")
    return f"{currency} {text}"
