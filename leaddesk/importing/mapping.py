"""Column mapping: header synonyms of common exports, name splitting, remembered mappings."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import ImportMapping

# Targets a column can map to. Lead fields first, then import-only targets.
LEAD_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "industry",
    "company_size",
    "country",
    "city",
    "timezone",
    "state",
    "website",
    "source",  # a per-row source ("Lead Source"); the batch's source fills rows without one
)
FULL_NAME = "full_name"
TAGS = "tags"
IGNORE = "ignore"
CUSTOM = "custom"  # kept in the lead's custom fields under the column's header
ACTIVITY_TARGETS = ("attended", "minutes", "activity_date", "asset")
TARGETS = (*LEAD_FIELDS, FULL_NAME, TAGS, *ACTIVITY_TARGETS, CUSTOM, IGNORE)
TARGET_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "title": "Job title",
    "phone": "Phone",
    "industry": "Industry",
    "company_size": "Company size",
    "country": "Country",
    "city": "City",
    "timezone": "Time zone",
    "state": "State / region",
    "website": "Website",
    "source": "Source (per row)",
    FULL_NAME: "Full name (split)",
    TAGS: "Tags",
    "attended": "Attended (yes/no)",
    "minutes": "Minutes attended",
    "activity_date": "Activity date",
    "asset": "Downloaded content",
    CUSTOM: "Keep as custom field",
    IGNORE: "Ignore",
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "email id",
        "work email",
        "business email",
        "primary email",
        "personal email",
        "email 1",
        "e-mail 1 - value",
        "email 1 value",
        "attendee email",
        "registrant email",
        "contact email",
        "lead email",
        "user email",
        "participant email",
        "email (required)",
        "emailaddress",
        "e mail",
    ),
    "first_name": (
        "first name",
        "first",
        "given name",
        "forename",
        "fname",
        "first_name",
        "firstname",
        "attendee first name",
        "contact first name",
        "registrant first name",
        "prenom",
        "vorname",
        "nombre",
    ),
    "last_name": (
        "last name",
        "last",
        "surname",
        "family name",
        "lname",
        "attendee last name",
        "contact last name",
        "registrant last name",
        "nachname",
        "apellido",
        "nom",
    ),
    FULL_NAME: (
        "name",
        "full name",
        "contact name",
        "attendee name",
        "display name",
        "lead name",
        "user name (original name)",
        "name (original name)",
        "user name",
        "participant",
        "participant name",
        "registrant name",
        "contact",
        "person",
        "visitor name",
    ),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "organization name",
        "org",
        "account",
        "account name",
        "employer",
        "business",
        "business name",
        "organization 1 - name",
        "firm",
        "company / account",
        "firma",
        "empresa",
    ),
    "title": (
        "title",
        "job title",
        "position",
        "role",
        "job",
        "designation",
        "job role",
        "organization 1 - title",
        "job function",
        "occupation",
        "business title",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "business phone",
        "work phone",
        "direct phone",
        "phone 1 - value",
        "primary phone",
        "contact number",
        "telefon",
        "telefono",
    ),
    "industry": ("industry", "sector", "vertical", "business type", "industry type"),
    "company_size": (
        "company size",
        "employees",
        "number of employees",
        "no of employees",
        "# employees",
        "employee count",
        "headcount",
        "size",
        "company size (employees)",
        "num employees",
        "employee range",
    ),
    "country": (
        "country",
        "country/region",
        "country region",
        "nation",
        "business country/region",
        "country name",
        "address 1 - country",
        "country code",
        "mailing country",  # Salesforce
        "billing country",
        "home country",  # Eventbrite
        "work country",
        "person - country",
        "land",
        "pais",
    ),
    "city": (
        "city",
        "town",
        "locality",
        "business city",
        "address 1 - city",
        "ort",
        "ciudad",
        "mailing city",
        "billing city",
        "home city",
        "work city",
        "person - city",
    ),
    "timezone": ("time zone", "timezone", "tz"),
    "state": (
        "state",
        "state/region",  # HubSpot
        "state/province",  # Salesforce, Zoom
        "mailing state/province",
        "billing state/province",
        "state or province",
        "province",
        "region",
        "state/county",
        "county",
        "home state",  # Eventbrite
        "work state",
        "business state",
        "address 1 - region",
        "person - state",  # Pipedrive
        "organization - state",
        "bundesland",
        "provincia",
    ),
    "website": (
        "website",
        "web site",
        "website url",
        "company website",
        "company url",
        "company domain name",  # HubSpot
        "domain",
        "url",
        "web",
        "homepage",
        "web page",
        "organization - website",  # Pipedrive
        "company website url",  # LinkedIn Lead Gen
        "webseite",
        "sitio web",
        "site web",
    ),
    "source": (
        "lead source",  # Salesforce, Zoho, Pipedrive
        "original source",  # HubSpot
        "source",
        "lead - source",
        "person - source",
        "source of lead",
        "leadquelle",
    ),
    TAGS: ("tags", "tag", "labels", "label", "groups", "group membership", "segments"),
    "attended": ("attended", "attendance", "did attend", "attended (yes/no)"),
    "minutes": (
        "minutes",
        "time in session (minutes)",
        "time in session",
        "duration",
        "duration (minutes)",
        "attendance duration",
        "minutes attended",
        "viewing time",
        "time in webinar",
        "in-session duration (minutes)",
        "watch time (minutes)",
    ),
    "activity_date": (
        "date",
        "download date",
        "timestamp",
        "activity date",
        "join time",
        "first join time",
        "registration time",
        "registration date",
        "submitted",
        "submitted at",
        "created",
        "date downloaded",
        "date submitted",
    ),
    "asset": (
        "asset",
        "asset name",
        "content",
        "content title",
        "download",
        "downloaded",
        "document",
        "resource",
        "whitepaper",
        "file name",
        "offer",
    ),
}


def normalise_header(header: str) -> str:
    """A header reduced to lower-case letters and digits (``First_Name`` → ``firstname``)."""
    text = header.strip().lower()
    text = re.sub(r"\((required|optional)\)|\*", "", text)
    return re.sub(r"[^0-9a-z]+", "", text)


SYNONYMS: dict[str, str] = {
    normalise_header(name): target for target, names in _SYNONYMS.items() for name in names
}


def auto_map(headers: list[str]) -> list[str]:
    """The target of each column; each lead field is used at most once (first column wins)."""
    used: set[str] = set()
    result: list[str] = []
    for header in headers:
        target = SYNONYMS.get(normalise_header(header), CUSTOM if header.strip() else IGNORE)
        if target not in (CUSTOM, IGNORE, TAGS) and target in used:
            target = CUSTOM
        used.add(target)
        result.append(target)
    if "first_name" in used or "last_name" in used:
        # A "Name" column next to first/last columns is kept, not split over them.
        result = [CUSTOM if t == FULL_NAME else t for t in result]
    return result


def guess_email_column(mapping: list[str], rows: list[list[str]]) -> list[str]:
    """When no header says "email", map the column whose values are mostly addresses."""
    if "email" in mapping or not rows:
        return mapping
    best, best_hits = -1, 0
    for index in range(len(mapping)):
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        hits = sum(1 for v in values if _EMAIL_LIKE.fullmatch(v))
        if values and hits * 2 >= len(values) and hits > best_hits:
            best, best_hits = index, hits
    if best < 0:
        return mapping
    return [("email" if i == best else t) for i, t in enumerate(mapping)]


_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def header_matches(cells: list[str]) -> int:
    """How many cells of a row are known headers (used to find the header row)."""
    return sum(1 for cell in cells if cell and normalise_header(cell) in SYNONYMS)


def split_name(full: str) -> tuple[str, str]:
    """``"Ada Lovelace"`` → ``("Ada", "Lovelace")``; ``"Lovelace, Ada"`` → the same."""
    text = " ".join(full.split())
    if not text:
        return "", ""
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.partition(" ")
    return first, last


def source_key(source: str, headers: list[str]) -> str:
    """Where a mapping is remembered: the source name, or the file's header layout."""
    if source.strip():
        return "source:" + source.strip().lower()
    return "headers:" + "|".join(normalise_header(h) for h in headers)


def remembered_mapping(session: Session, key: str, headers: list[str]) -> list[str] | None:
    """The mapping saved for ``key`` applied to ``headers`` (unknown headers auto-mapped)."""
    saved = session.scalar(select(ImportMapping.mapping).where(ImportMapping.source_key == key))
    if not saved:
        return None
    by_header: dict[str, str] = saved.get("columns", {})
    result = auto_map(headers)
    for index, header in enumerate(headers):
        target = by_header.get(normalise_header(header))
        if target in TARGETS:
            result[index] = target
    return result


def remember_mapping(
    session: Session, key: str, headers: list[str], mapping: list[str], now: datetime
) -> None:
    """Save the mapping used for ``key`` so the next import from that source starts with it."""
    columns = {normalise_header(h): t for h, t in zip(headers, mapping, strict=False) if h}
    row = session.scalar(select(ImportMapping).where(ImportMapping.source_key == key))
    if row is None:
        session.add(ImportMapping(source_key=key, mapping={"columns": columns}, updated_at=now))
    else:
        row.mapping = {"columns": columns}
        row.updated_at = now
