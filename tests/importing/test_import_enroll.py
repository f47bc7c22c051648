"""Import → optional enrolment into a sequence (CLI and wizard), and undo taking it back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.cli import main
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Enrollment,
    ImportBatch,
    Lead,
    LifecycleStatus,
    Sequence,
    SequenceStatus,
)
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.ui.context import AppContext

LIST = (
    "Email,First Name,Company\n"
    "ada@example.com,Ada,Engines\n"
    "bob@example.com,Bob,Builders\n"
    "eve@example.com,Eve,Existing Co\n"
    "cus@example.com,Cus,Customer Co\n"
    "gone@example.com,Gone,Unsubscribed Co\n"
    "N/A,Nobody,\n"
)


def seed(db: Database) -> dict[str, int]:
    """An active tradeshow sequence, an archived one, existing leads Eve and a customer, and
    an unsubscribed address."""
    with db.write() as session:
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        archived = sequence_from_document(session, load_preset("monthly"))
        archived.status = SequenceStatus.ARCHIVED
        eve = Lead(email="eve@example.com", email_key="eve@example.com", first_name="Eve")
        cus = Lead(email="cus@example.com", email_key="cus@example.com", first_name="Cus")
        cus.status = LifecycleStatus.CUSTOMER
        session.add_all([eve, cus])
        suppress(session, "gone@example.com", SuppressionReason.UNSUBSCRIBED)
        session.flush()
        return {"sequence": sequence.id, "archived": archived.id, "eve": eve.id, "cus": cus.id}


def enrollments(db: Database) -> dict[str, tuple[str, str]]:
    """``{lead email: (state, origin)}`` of every enrollment."""
    with db.session() as session:
        rows = session.execute(
            select(Lead.email, Enrollment.state, Enrollment.origin).join(
                Lead, Lead.id == Enrollment.lead_id
            )
        )
        return {email: (state, origin) for email, state, origin in rows}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    status = main(list(argv))
    out = capsys.readouterr().out
    return status, json.loads(out) if out.strip() else {}


def test_cli_enroll_counts_and_undo_takes_enrollments_back(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--enroll enrolls new and existing leads (not suppressed ones), reports enrolled and
    refused, and --undo removes the new leads' enrollments and exits the existing lead's."""
    ids = seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    status, data = _run(
        capsys, "--db", str(db_path), "import", str(path), "--enroll",
        "tradeshow follow-up: day 1, 7, 14, 30", "--json",
    )  # fmt: skip
    assert status == 0
    assert (data["imported"], data["suppressed"], data["rejected"]) == (2, 1, 1)
    assert (data["enrolled"], data["enroll_refused"]) == (3, 1)
    assert data["enroll_refusals"] == {"the lead is customer": 1}
    origin = f"import:{data['batch_id']}"
    assert enrollments(db) == {
        "ada@example.com": ("active", origin),
        "bob@example.com": ("active", origin),
        "eve@example.com": ("active", origin),
    }
    with db.session() as session:
        batch = session.get_one(ImportBatch, data["batch_id"])
        assert batch.options["enrollment"]["enrolled"] == 3

    status, undone = _run(
        capsys, "--db", str(db_path), "import", "--undo", str(data["batch_id"]), "--json"
    )
    assert status == 0
    assert (undone["removed"], undone["exited_enrollments"]) == (2, 1)
    assert enrollments(db) == {"eve@example.com": ("exited", origin)}
    with db.session() as session:
        eve = session.scalars(select(Enrollment).where(Enrollment.lead_id == ids["eve"])).one()
        assert eve.exit_reason == "import undone" and eve.next_due_at is None


def test_dry_run_reports_the_enrolment_it_would_make_and_writes_nothing(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run --enroll reports exactly the enrolled/refused counts the real import gives."""
    seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    sequence = "tradeshow follow-up: day 1, 7, 14, 30"
    command = ["--db", str(db_path), "import", str(path), "--enroll", sequence, "--json"]
    status, planned = _run(capsys, *command, "--dry-run")
    assert status == 0
    assert (planned["enrolled"], planned["enroll_refused"]) == (3, 1)
    assert planned["enroll_refusals"] == {"the lead is customer": 1}
    assert enrollments(db) == {}
    status, done = _run(capsys, *command)
    keys = ("enroll_sequence", "enrolled", "enroll_refused", "enroll_refusals")
    assert {k: planned[k] for k in keys} == {k: done[k] for k in keys}


def test_cli_enroll_refuses_unknown_or_archived_sequence_before_importing(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown or archived --enroll sequence stops the command with a clear message and
    imports nothing."""
    ids = seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    for name, words in (
        ("No such sequence", "no sequence called"),
        (str(ids["archived"]), "archived"),
    ):
        status = main(["--db", str(db_path), "import", str(path), "--enroll", name, "--json"])
        captured = capsys.readouterr()
        assert status != 0 and words in captured.err
    with db.session() as session:
        assert session.scalar(select(func.count(ImportBatch.id))) == 0


def test_enrolment_is_all_or_nothing_with_the_import(db: Database, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """When the enrolment cannot happen (the sequence was archived meanwhile), nothing of the
    import is written."""
    from leaddesk.importing import ImportOptions, open_import, run_import

    ids = seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    table, mapping = open_import(db, path)
    options = ImportOptions(enroll_sequence_id=ids["archived"])
    with pytest.raises(ValueError, match="archived; nothing was imported"):
        run_import(db, table, mapping, options, now=clock.now())
    with db.session() as session:
        assert session.scalar(select(func.count(Lead.id))) == 2
        assert session.scalar(select(func.count(ImportBatch.id))) == 0


def test_skip_existing_enrolls_only_new_leads(db: Database, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """With "skip existing leads", only the leads the import created are enrolled."""
    from leaddesk.importing import ImportOptions, open_import, run_import

    ids = seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    table, mapping = open_import(db, path)
    options = ImportOptions(on_existing="skip", enroll_sequence_id=ids["sequence"])
    result = run_import(db, table, mapping, options, now=clock.now())
    assert (result.counts["enrolled"], result.counts["enroll_refused"]) == (2, 0)
    assert set(enrollments(db)) == {"ada@example.com", "bob@example.com"}


@pytest.fixture
def context(qapp: object, db: Database) -> Iterator[AppContext]:
    """Services for screens on the test database."""
    from leaddesk.app import application

    application()
    ctx = AppContext.create(db)
    yield ctx
    ctx.runner.shutdown()


def test_wizard_enrolls_in_the_chosen_sequence_and_undo_takes_it_back(
    qtbot: QtBot, context: AppContext, db: Database, tmp_path: Path
) -> None:
    """The options step offers None + active sequences and previews the enrolment; importing
    enrolls and says how many; Undo takes the enrollments back."""
    from leaddesk.ui.importing.enroll_choice import NO_SEQUENCE
    from leaddesk.ui.importing.wizard import OPTIONS, RUN, ImportWizard

    ids = seed(db)
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    wizard = ImportWizard(context, str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: not wizard.busy and not context.runner.busy, timeout=10_000)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.busy and not context.runner.busy, timeout=10_000)
    assert wizard.currentId() == OPTIONS
    combo = wizard.ui.enrollCombo
    choices = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    assert choices == [
        (NO_SEQUENCE, None),
        ("Tradeshow follow-up: day 1, 7, 14, 30", ids["sequence"]),
    ]
    combo.setCurrentIndex(1)
    wizard.ui.recheckButton.click()
    qtbot.waitUntil(lambda: not wizard.busy and not context.runner.busy, timeout=10_000)
    assert "3 leads will be enrolled in “Tradeshow follow-up" in wizard.ui.planLabel.text()
    assert enrollments(db) == {}
    wizard.next()
    assert wizard.currentId() == RUN
    qtbot.waitUntil(lambda: wizard.import_state == "done", timeout=10_000)
    summary = wizard.ui.summaryLabel.text()
    assert "3 leads enrolled in “Tradeshow follow-up" in summary
    assert "1 not enrolled (1 the lead is customer)" in summary
    assert {state for state, _ in enrollments(db).values()} == {"active"}
    wizard.undo()
    qtbot.waitUntil(lambda: wizard.import_state == "undone", timeout=10_000)
    assert "1 existing leads were taken out of the sequence" in wizard.ui.summaryLabel.text()
    assert enrollments(db) == {"eve@example.com": ("exited", f"import:{wizard.batch_id}")}


def test_undo_takes_back_automatic_enrolments_the_import_set_off(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An import that fills an existing lead's source sets off a "new leads from Expo" rule;
    undoing the import restores the source and takes that enrolment back."""
    ids = seed(db)
    with db.write() as session:
        sequence = session.get_one(Sequence, ids["sequence"])
        sequence.auto_enroll = {"new_from_sources": ["Expo"]}
    path = tmp_path / "expo.csv"
    path.write_text(LIST, encoding="utf-8")
    status, data = _run(
        capsys, "--db", str(db_path), "import", str(path), "--source", "Expo", "--json"
    )
    assert status == 0
    origin = f"auto:import:{data['batch_id']}"
    assert enrollments(db) == {
        "ada@example.com": ("active", origin),
        "bob@example.com": ("active", origin),
        "eve@example.com": ("active", origin),
    }
    status, undone = _run(
        capsys, "--db", str(db_path), "import", "--undo", str(data["batch_id"]), "--json"
    )
    assert (status, undone["exited_enrollments"]) == (0, 1)
    assert enrollments(db) == {"eve@example.com": ("exited", origin)}
    with db.session() as session:
        assert session.get_one(Lead, ids["eve"]).source == ""
