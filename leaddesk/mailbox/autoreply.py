"""Auto-replies and out-of-office messages, and the return date they announce."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import Message

from leaddesk.mailbox.parsing import header

RETURN_WINDOW_DAYS = 180
# Anchored at the start: auto-replies put their marker first ("Automatic reply: Step 1"), while a
# human reply starts with "Re:" — so "Re: Your vacation planning guide" stays a reply.
_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(auto:|autoreply|auto[- ]reply|auto[- ]response|automatic reply|autoresponder|"
    r"out of (the )?office|ooo\b|abwesenheit|abwesend|automatische antwort|"
    r"réponse automatique|absence|respuesta automática|fuera de la oficina|on vacation|"
    r"vacation reply|away from|i am (currently )?(out|away)|afwezig|automatisch antwoord|"
    r"niet aanwezig|absent|ausente|respuesta automática|abwesenheitsnotiz)",
    re.I,
)
_MONTHS = {
    # English, German, French, Spanish, Dutch (and the short forms they share)
    "jan": 1, "january": 1, "januar": 1, "janvier": 1, "enero": 1, "januari": 1,
    "feb": 2, "february": 2, "februar": 2, "février": 2, "fevrier": 2, "febrero": 2,
    "februari": 2,
    "mar": 3, "march": 3, "märz": 3, "maerz": 3, "mars": 3, "marzo": 3, "maart": 3, "mrt": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4,
    "may": 5, "mai": 5, "mayo": 5, "mei": 5,
    "jun": 6, "june": 6, "juni": 6, "juin": 6, "junio": 6,
    "jul": 7, "july": 7, "juli": 7, "juillet": 7, "julio": 7,
    "aug": 8, "august": 8, "août": 8, "aout": 8, "agosto": 8, "augustus": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9, "setiembre": 9,
    "oct": 10, "okt": 10, "october": 10, "oktober": 10, "octobre": 10, "octubre": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
    "dec": 12, "dez": 12, "december": 12, "dezember": 12, "décembre": 12, "decembre": 12,
    "diciembre": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|\.)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_ISO_RE = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_MONTH_DAY_RE = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", re.I)
# "16 March", "16th of March", "16. März", "16 de marzo de 2026", "le 16 mars 2026"
_DAY_MONTH_RE = re.compile(
    rf"\b{_DAY}\s+(?:of\s+|de\s+)?{_MONTH}(?:,?\s+(?:de\s+)?(\d{{4}}))?", re.I
)
# German/Dutch dates without a year: "bis 16.03." (day first)
_DAY_MONTH_NUMERIC_RE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(?!\d)")
_NUMERIC_RE = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b")


def is_auto_reply(message: Message) -> bool:
    """True for an automatic answer (out of office, vacation, autoresponder)."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted.startswith("auto-replied"):
        return True
    if header(message, "X-Autoreply") or header(message, "X-Autorespond"):
        return True
    if header(message, "Precedence").lower() in ("auto_reply", "auto-reply"):
        return True
    return bool(_AUTO_SUBJECT_RE.search(header(message, "Subject")))


def return_date(text: str, received: date) -> date | None:
    """The latest plausible date in ``text`` after ``received`` (the announced return), if any."""
    horizon = received + timedelta(days=RETURN_WINDOW_DAYS)
    candidates = [d for d in _dates_in(text, received) if received <= d <= horizon]
    return max(candidates) if candidates else None


def _dates_in(text: str, received: date) -> list[date]:
    found: list[date] = []
    for year, month, day in _ISO_RE.findall(text):
        _add(found, int(year), int(month), int(day))
    for month_name, day, year in _MONTH_DAY_RE.findall(text):
        _add_named(found, month_name, day, year, received)
    for day, month_name, year in _DAY_MONTH_RE.findall(text):
        _add_named(found, month_name, day, year, received)
    for day, month in _DAY_MONTH_NUMERIC_RE.findall(text):
        _add_in_year(found, int(month), int(day), received)
    for first, separator, second, year_text in _NUMERIC_RE.findall(text):
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        a, b = int(first), int(second)
        if separator in ".-" or a > 12:
            _add(found, year, b, a)  # day first (European style)
        else:
            _add(found, year, a, b)  # month first (US style)
    return found


def _add_named(found: list[date], month_name: str, day: str, year: str, received: date) -> None:
    month = _MONTHS.get(month_name.lower().rstrip("."))
    if month is None:
        return
    if year:
        _add(found, int(year), month, int(day))
        return
    _add_in_year(found, month, int(day), received)


def _add_in_year(found: list[date], month: int, day: int, received: date) -> None:
    """A date written without its year: the first one on or after ``received``."""
    for candidate_year in (received.year, received.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= received:
            found.append(candidate)
            return


def _add(found: list[date], year: int, month: int, day: int) -> None:
    try:
        found.append(date(year, month, day))
    except ValueError:
        return
