"""Files shaped like real CRM and event exports: their usual headers land on lead fields (per-row
source, state, website included), and a report's trailer lines are not counted as leads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead

SALESFORCE_REPORT = (
    (
        '"First Name","Last Name","Title","Company / Account","Email","Lead Source",'
        '"Mailing State/Province","Website"\n'
    )
    + """\
"Ada","Lovelace","CTO","Analytical Engines","ada@ae.example","Trade Show","London","ae.example"
"Grace","Hopper","VP Engineering","Cobol Corp","grace@cc.example","Web","Virginia","cc.example"

"Grand Totals (2 records)"

"Confidential Information - Do Not Distribute"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"""
)

EXPORTS = {
    "hubspot.csv": (
        "Record ID,First Name,Last Name,Email,Company Name,Job Title,State/Region,"
        "Country/Region,Website URL,Original Source,Create Date\n"
        "101,Ada,Lovelace,ada@ae.example,Analytical Engines,CTO,London,United Kingdom,"
        "ae.example,Offline Sources,2026-01-05\n"
    ),
    "pipedrive.csv": (
        "Person - Name,Person - Email,Organization - Name,Person - Phone,Person - State,"
        "Organization - Website,Lead - Source\n"
        "Ada Lovelace,ada@ae.example,Analytical Engines,+44 20 0000,London,ae.example,"
        "Trade Show\n"
    ),
    "zoho.csv": (
        "First Name,Last Name,Email,Company,Designation,Lead Source,State,Website\n"
        "Ada,Lovelace,ada@ae.example,Analytical Engines,CTO,Trade Show,London,ae.example\n"
    ),
    "linkedin.csv": (
        "First Name,Last Name,Email Address,Company Name,Job Title,Country,State,"
        "Company Website URL\n"
        "Ada,Lovelace,ada@ae.example,Analytical Engines,CTO,United Kingdom,London,ae.example\n"
    ),
    "eventbrite.csv": (
        "Order #,Order Date,First Name,Last Name,Email,Company,Job Title,Home State,Website\n"
        "123,2026-01-05,Ada,Lovelace,ada@ae.example,Analytical Engines,CTO,London,"
        "ae.example\n"
    ),
    "zoom.csv": (
        "First Name,Last Name,Email,Organization,Job Title,State/Province,Country/Region,"
        "Registration Time,Approval Status\n"
        "Ada,Lovelace,ada@ae.example,Analytical Engines,CTO,London,United Kingdom,"
        "2026-01-05 10:00,approved\n"
    ),
}


def _lead(db: Database, email: str) -> Lead:
    with db.session() as session:
        lead = session.scalars(select(Lead).where(Lead.email_key == email)).one()
        session.expunge(lead)
        return lead


def test_a_salesforce_report_trailer_is_not_rejected(
    db: Database, clock: FixedClock, tmp_path: Path, do_import: Callable[..., Any],
    write_text: Callable[..., Path],
) -> None:  # fmt: skip
    """Totals, confidentiality and copyright lines under the data: 2 leads, 0 rejected."""
    path = write_text(tmp_path / "report.csv", SALESFORCE_REPORT)
    result = do_import(db, path, clock, source="Salesforce report")
    data = result.as_json()
    assert (data["imported"], data["rejected"], data["errors"]) == (2, 0, [])
    ada = _lead(db, "ada@ae.example")
    assert (ada.source, ada.state, ada.website) == ("Trade Show", "London", "ae.example")
    assert ada.custom_fields == {}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_crm_and_event_exports_map_to_lead_fields(
    db: Database, clock: FixedClock, tmp_path: Path, do_import: Callable[..., Any],
    write_text: Callable[..., Path], name: str,
) -> None:  # fmt: skip
    """State and website land on the lead; a per-row source wins over the batch's."""
    path = write_text(tmp_path / name, EXPORTS[name])
    result = do_import(db, path, clock, source="January list")
    assert result.as_json()["imported"] == 1, result.as_json()["mapping"]
    ada = _lead(db, "ada@ae.example")
    assert ada.state == "London"
    assert ada.company == "Analytical Engines"
    expected_source = {"hubspot.csv": "Offline Sources", "pipedrive.csv": "Trade Show",
                       "zoho.csv": "Trade Show"}.get(name, "January list")  # fmt: skip
    assert ada.source == expected_source
    if name != "zoom.csv":
        assert ada.website == "ae.example"
    assert "State" not in " ".join(ada.custom_fields)
