"""Importing leads: dry run, folding, rejects, suppression, merge modes, undo, activities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Activity,
    BatchState,
    EmailState,
    ImportBatch,
    ImportMapping,
    Lead,
    LeadTag,
)
from leaddesk.importing import ImportOptions, open_import, run_import, save_rejected, undo_batch
from leaddesk.leads.suppression import SuppressionReason, suppress

LIST = (
    "First Name,Last Name,Email,Company,Phone,Notes\n"
    "Ada,Lovelace,Ada@Example.com,Analytical Engines,,met at booth\n"
    "ada,,ADA@example.com ,,+44 20 7946 0000,\n"
    "Alan,Turing,alan@example.com,Bletchley,,\n"
    "Bob,NoMail,N/A,Nowhere,,\n"
    "Eve,Typo,eve@@example.com,,,\n"
)


def _leads(db: Database) -> dict[str, Lead]:
    with db.session() as session:
        return {lead.email_key: lead for lead in session.scalars(select(Lead))}


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_dry_run_writes_nothing_and_counts(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A dry run reports new, merged and rejected rows with line numbers, and writes nothing."""
    path = write_text(tmp_path / "list.csv", LIST)
    result = do_import(db, path, clock, dry_run=True, source="Expo")
    counts = result.counts
    assert (counts["rows"], counts["imported"], counts["merged"], counts["rejected"]) == (
        5,
        2,
        1,
        2,
    )
    assert counts["duplicates"] == 1
    assert [e["row"] for e in result.errors()] == [5, 6]
    assert result.batch_id is None
    assert result.plan.preview()[0]["email"] == "Ada@Example.com"
    assert _count(db, Lead) == 0
    assert _count(db, ImportBatch) == 0


def test_case_variant_duplicates_fold_into_one_lead(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """The same address in three capitalisations becomes one lead; later rows fill gaps."""
    path = write_text(tmp_path / "list.csv", LIST)
    result = do_import(db, path, clock, source="Expo 2026", tags=("expo",))
    leads = _leads(db)
    assert set(leads) == {"ada@example.com", "alan@example.com"}
    ada = leads["ada@example.com"]
    assert (ada.first_name, ada.last_name, ada.phone) == ("Ada", "Lovelace", "+44 20 7946 0000")
    assert ada.custom_fields == {"Notes": "met at booth"}
    assert ada.source == "Expo 2026"
    assert ada.import_batch_id == result.batch_id
    assert [t.tag for t in ada.tags] == ["expo"]


def test_imported_activity_carries_batch_and_source(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Every new lead gets one "imported" activity naming the batch and the source."""
    path = write_text(tmp_path / "list.csv", LIST)
    result = do_import(db, path, clock, source="Expo 2026")
    with db.session() as session:
        activities = session.scalars(select(Activity)).all()
        lead = session.scalar(select(Lead).where(Lead.email_key == "alan@example.com"))
        assert lead is not None and lead.last_activity_at == clock.now()
    assert len(activities) == 2
    assert {a.kind for a in activities} == {"imported"}
    assert activities[0].payload["batch_id"] == result.batch_id
    assert activities[0].payload["source"] == "Expo 2026"
    assert activities[0].import_batch_id == result.batch_id


def test_injection_payloads_are_stored_verbatim(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Formula-looking text, HTML and CR/LF in names are stored exactly as written."""
    payloads = [
        '=HYPERLINK("http://evil","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd",
        "<script>alert(1)</script>",
        "Line\r\nBreak",
    ]
    rows = "".join(
        f'"{p.replace(chr(34), chr(34) * 2)}",p{i}@example.com\n' for i, p in enumerate(payloads)
    )
    path = write_text(tmp_path / "evil.csv", "First Name,Email\n" + rows)
    do_import(db, path, clock)
    leads = _leads(db)
    assert [leads[f"p{i}@example.com"].first_name for i in range(5)] == payloads


@pytest.mark.parametrize(
    "source", ["O'Reilly Expo '26", "Expo ? %s :name -- ); DROP TABLE leads; --", "Nul\x00Expo"]
)
def test_batch_source_with_quotes_and_markers_is_stored_verbatim(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any, source: str
) -> None:
    """A source name with quotes, parameter markers or a NUL is stored on each new lead as typed."""
    path = write_text(tmp_path / "list.csv", LIST)
    do_import(db, path, clock, source=source)
    leads = _leads(db)
    assert len(leads) == 2
    assert {lead.source for lead in leads.values()} == {source}


def test_reimport_adds_nothing(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Importing the same file again creates no leads, changes nothing, records nothing."""
    path = write_text(tmp_path / "list.csv", LIST)
    do_import(db, path, clock, source="Expo")
    before = (_count(db, Lead), _count(db, Activity))
    again = do_import(db, path, clock, source="Expo")
    assert again.counts["imported"] == 0
    assert again.counts["updated"] == 0
    assert again.counts["merged"] == 3
    assert (_count(db, Lead), _count(db, Activity)) == before


def test_suppressed_addresses_are_never_reactivated(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Unsubscribed, bounced and forgotten addresses are counted as suppressed, not imported."""
    with db.write() as session:
        suppress(session, "alan@example.com", SuppressionReason.FORGOTTEN, keep_address=False)
        session.add(
            Lead(
                email="gone@example.com",
                email_key="gone@example.com",
                email_state=EmailState.UNSUBSCRIBED,
                first_name="",
            )
        )
    text = "Email,First Name\nalan@example.com,Alan\nALAN@example.com,Al\ngone@example.com,G\n"
    result = do_import(db, write_text(tmp_path / "s.csv", text), clock)
    assert result.counts["suppressed"] == 3
    assert result.counts["imported"] == 0
    leads = _leads(db)
    assert set(leads) == {"gone@example.com"}
    assert leads["gone@example.com"].email_state == EmailState.UNSUBSCRIBED
    assert leads["gone@example.com"].first_name == ""


def test_a_forgotten_mailbox_stays_out_under_tags_and_gmail_dots(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """After forgetting person@ and jo.ann@gmail.com, their +tag and dotted variants are
    refused on import, while a different person at the same domain is imported."""
    from leaddesk.inbox.forget import forget_person

    forget_person(db, "person@example.com")
    forget_person(db, "jo.ann@gmail.com")
    text = (
        "Email,First Name\n"
        "person+promo@example.com,P\n"
        "Person+x@Example.com,P2\n"
        "joann+news@googlemail.com,J\n"
        "j.o.a.n.n@gmail.com,J2\n"
        "other@example.com,O\n"
    )
    result = do_import(db, write_text(tmp_path / "tags.csv", text), clock)
    assert (result.counts["suppressed"], result.counts["imported"]) == (4, 1)
    assert set(_leads(db)) == {"other@example.com"}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("fill", ("Ada", "Old Co", "+1 555")),
        ("overwrite", ("Ada", "New Co", "+1 555")),
        ("skip", ("", "Old Co", "")),
    ],
)
def test_existing_leads_fill_overwrite_skip(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    mode: str,
    expected: tuple[str, ...],
    write_text: Any,
    do_import: Any,
) -> None:
    """Existing leads: fill only empty fields (default), overwrite, or leave them alone."""
    with db.write() as session:
        session.add(Lead(email="ada@example.com", email_key="ada@example.com", company="Old Co"))
    text = "Email,First Name,Company,Phone\nada@example.com,Ada,New Co,+1 555\n"
    result = do_import(db, write_text(tmp_path / "e.csv", text), clock, on_existing=mode)
    lead = _leads(db)["ada@example.com"]
    assert (lead.first_name, lead.company, lead.phone) == expected
    assert result.counts["merged"] == 1
    assert result.counts["updated"] == (0 if mode == "skip" else 1)


def test_undo_removes_created_and_restores_updated(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Undo deletes the leads a batch created and restores the fields it changed."""
    with db.write() as session:
        session.add(
            Lead(
                email="ada@example.com",
                email_key="ada@example.com",
                company="Old Co",
                custom_fields={"Booth": "A1"},
            )
        )
    text = "Email,First Name,Company,Booth\nada@example.com,Ada,New Co,B7\nnew@example.com,N,X,\n"
    path = write_text(tmp_path / "u.csv", text)
    result = do_import(db, path, clock, on_existing="overwrite", tags=("expo",))
    assert result.batch_id is not None
    with db.write() as session:
        undone = undo_batch(session, result.batch_id, clock.now())
    assert undone.removed == 1
    leads = _leads(db)
    assert set(leads) == {"ada@example.com"}
    ada = leads["ada@example.com"]
    assert (ada.first_name, ada.company, ada.custom_fields) == ("", "Old Co", {"Booth": "A1"})
    assert _count(db, LeadTag) == 0
    assert _count(db, Activity) == 0
    with db.session() as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.state == BatchState.UNDONE


def test_undo_keeps_later_hand_edits(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A field edited by hand after the import keeps the edit when the import is undone."""
    with db.write() as session:
        session.add(Lead(email="ada@example.com", email_key="ada@example.com"))
    path = write_text(tmp_path / "u.csv", "Email,Company,Title\nada@example.com,Acme,CTO\n")
    result = do_import(db, path, clock)
    with db.write() as session:
        lead = session.scalar(select(Lead))
        assert lead is not None
        lead.company = "Edited Inc"
    with db.write() as session:
        undone = undo_batch(session, result.batch_id or 0, clock.now())
    lead = _leads(db)["ada@example.com"]
    assert (lead.company, lead.title) == ("Edited Inc", "")
    assert (undone.restored, undone.kept_edits) == (1, 1)


def test_rejected_rows_saved_as_csv(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Rejected rows can be saved as a CSV with row number, reason and the original columns."""
    result = do_import(db, write_text(tmp_path / "list.csv", LIST), clock, dry_run=True)
    saved = save_rejected(result, tmp_path / "rejects.csv").read_text("utf-8-sig").splitlines()
    assert saved[0] == "row,reason,First Name,Last Name,Email,Company,Phone,Notes"
    assert saved[1].startswith("5,no email address")
    assert len(saved) == 3


def test_name_column_split_and_custom_fields(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A single Name column is split into first/last; unmapped columns become custom fields."""
    text = "Full Name,E-mail Address,Badge Type,Interest\nLovelace, Ada,ada@example.com,VIP,AI\n"
    text = text.replace("Lovelace, Ada", '"Lovelace, Ada"')
    do_import(db, write_text(tmp_path / "n.csv", text), clock)
    ada = _leads(db)["ada@example.com"]
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert ada.custom_fields == {"Badge Type": "VIP", "Interest": "AI"}


def test_mapping_is_remembered_per_source(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any
) -> None:
    """A mapping changed by the user is offered again for the next file from that source."""
    path = write_text(tmp_path / "m.csv", "Contact,Addr\nAda,ada@example.com\n")
    table, mapping = open_import(db, path, source="Webinar")
    assert mapping == ["full_name", "email"]  # the address column is recognised by content
    mapping = ["company", "email"]
    run_import(db, table, mapping, ImportOptions(source="Webinar"), now=clock.now())
    _table, again = open_import(db, path, source="webinar")
    assert again == ["company", "email"]
    _table, by_layout = open_import(db, path)  # no source yet: same header layout
    assert by_layout == ["company", "email"]
    assert _count(db, ImportMapping) == 2


def test_empty_and_header_only_files(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A header-only file imports zero rows as a batch; no column for email is an error."""
    result = do_import(db, write_text(tmp_path / "h.csv", "Email,Name\n"), clock)
    assert result.counts["rows"] == 0 and result.batch_id is not None
    with pytest.raises(ValueError, match="Email"):
        do_import(db, write_text(tmp_path / "x.csv", "Name,Company\nA,B\n"), clock)


def test_cancel_writes_nothing(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any
) -> None:
    """Cancelling during the write rolls everything back; progress was reported before."""
    from leaddesk.importing import ImportCancelled

    rows = "".join(f"p{i}@example.com,P{i}\n" for i in range(12_000))
    path = write_text(tmp_path / "big.csv", "Email,First Name\n" + rows)
    table, mapping = open_import(db, path)
    seen: list[tuple[str, int, int]] = []

    def cancelled() -> bool:
        return any(phase == "writing" for phase, _, _ in seen)

    with pytest.raises(ImportCancelled):
        run_import(
            db,
            table,
            mapping,
            ImportOptions(),
            now=clock.now(),
            progress=lambda *step: seen.append(step),
            cancelled=cancelled,
        )
    assert seen[0][0] == "reading"
    assert _count(db, Lead) == 0 and _count(db, ImportBatch) == 0


def test_headerless_file_and_unknown_email_header(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A list without a header, or with an unknown email header, still finds the addresses."""
    bare = write_text(tmp_path / "bare.csv", "ada@example.com,Ada\nalan@example.com,Alan\n")
    result = do_import(db, bare, clock)
    assert result.table.header_row == 0
    assert (result.counts["rows"], result.counts["imported"]) == (2, 2)
    odd = write_text(tmp_path / "odd.csv", "Kontakt,Wer\nzoe@example.com,Zoë\nN/A,Bob\n")
    assert do_import(db, odd, clock).counts["imported"] == 1
