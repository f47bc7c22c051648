"""Equal results for the import writer's quick paths (issue 21).

The fold keeps a new person's cells as one tuple until their fields are asked for; the writer
builds each new lead's row from it straight in the table's column order (a missing field takes
its default, the batch's source for ``source``), and on SQLite takes the new leads' ids as
the next numbers after the largest id instead of reading them back by email key. These tests
compare both with the simple path: values read back from the database, and what a person
folding the file by hand would store.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from leaddesk.clock import FixedClock
from leaddesk.db.bulk import BulkInsert
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.importing.fold import field_rows, fold_table
from leaddesk.importing.mapping import auto_map
from leaddesk.importing.new_scores import STORED_FIELDS
from leaddesk.importing.plan import ImportOptions, classify
from leaddesk.importing.table import open_table
from leaddesk.importing.writer import _LEAD_COLUMNS, BatchWriter, _table
from tests.importing.conftest import run_file

SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
HEADER = ["Email", "First Name", "Company", "Country", "Lead Source"]
_names = itertools.count()
cell = st.sampled_from(["", " ", "Ada", " Grace ", "ACME", "Acme GmbH", "Germany", "web"])
# Each person: how many rows they have in the file and each row's cells after the email.
people = st.lists(
    st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=3), min_size=1, max_size=12
)


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _expected(people_rows: list[list[str]], batch_source: str) -> dict[str, tuple[str, ...]]:
    """What folding by hand gives: per address, each field's first non-blank value."""
    found: dict[str, list[str]] = {}
    for email, *cells in people_rows:
        stored = found.setdefault(email.lower(), ["", "", "", ""])
        for index, value in enumerate(cells):
            if not stored[index] and value.strip():
                stored[index] = value.strip()
    for stored in found.values():
        stored[3] = stored[3] or batch_source
    return {key: tuple(values) for key, values in found.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW_OK)
@given(persons=people, batch_source=st.sampled_from(["", "Fair 2026"]), data=st.data())
def test_new_lead_rows_match_a_fold_by_hand(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    persons: list[list[tuple[str, str, str, str]]],
    batch_source: str,
    data: st.DataObject,
) -> None:
    """Every new lead stores each field's first non-blank value, the batch source as fallback."""
    rows = [
        [f"P{(n := next(_names))}@Example.com" if i == 0 else f"p{n}@example.com", *cells]
        for person in persons
        for i, cells in enumerate(person)
    ]
    rows = data.draw(st.permutations(rows))
    path = _write(tmp_path / f"people-{next(_names)}.csv", rows)
    run_file(db, path, clock, source=batch_source)
    with db.session() as session:
        stored = {
            key: (first, company, country, source)
            for key, first, company, country, source in session.execute(
                select(
                    Lead.email_key, Lead.first_name, Lead.company, Lead.country, Lead.source
                ).where(Lead.email_key.in_({row[0].lower() for row in rows}))
            )
        }
    assert stored == _expected(rows, batch_source)


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW_OK)
@given(
    new=st.integers(min_value=1, max_value=40),
    delete_every=st.integers(min_value=0, max_value=4),
    delete_newest=st.booleans(),
)
def test_created_ids_match_the_ids_read_back(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    new: int,
    delete_every: int,
    delete_newest: bool,
) -> None:
    """The writer's ids for its new leads are those the database gave, in insertion order."""
    with db.write() as session:  # gaps in the ids, and sometimes the newest lead gone
        ids = list(session.scalars(select(Lead.id).order_by(Lead.id)))
        doomed = ids[::delete_every] if delete_every else []
        if delete_newest and ids:
            doomed.append(ids[-1])
        if doomed:
            session.execute(delete(Lead).where(Lead.id.in_(doomed)))
    batch = next(_names)
    path = _write(
        tmp_path / f"ids-{batch}.csv",
        [[f"id{batch}-{i}@example.com", "", "", "", ""] for i in range(new)],
    )
    table = open_table(path)
    folded = fold_table(table, auto_map(list(table.headers)))
    with db.write() as session:
        plan = classify(session, folded, ImportOptions(source="ids"))
        writer = BatchWriter(session, plan, filename=path.name, now=clock.now())
        written = writer.write()
        read_back = {
            key: lead_id
            for key, lead_id in session.execute(
                select(Lead.email_key, Lead.id)
                .where(Lead.import_batch_id == written.id)
                .order_by(Lead.id)
            )
        }
    assert writer.created == read_back
    assert list(writer.created) == plan.new_keys


def test_new_lead_rows_need_no_reordering(db: Database, clock: FixedClock) -> None:
    """The writer's lead columns are in the order the compiled insert binds them."""
    now = clock.now()
    constants = {
        "owner_id": None,
        "status": "new",
        "email_state": "ok",
        "last_activity_at": now,
        "import_batch_id": 1,
        "created_at": now,
        "updated_at": now,
    }
    with db.write() as session:
        bulk = BulkInsert(session, _table(Lead), _LEAD_COLUMNS, constants)
        assert bulk.positional
        assert bulk.order == _LEAD_COLUMNS


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(
    persons=people,
    default_source=st.sampled_from(["", "Fair 2026"]),
    header=st.permutations(HEADER[1:]),
)
def test_field_rows_match_the_records_fields(
    tmp_path: Path,
    persons: list[list[tuple[str, str, str, str]]],
    default_source: str,
    header: list[str],
) -> None:
    """Rows read from records still holding their cells equal rows read from their fields."""
    rows = [
        [f"f{(n := next(_names))}@example.com" if i == 0 else f"f{n}@example.com", *cells]
        for person in persons
        for i, cells in enumerate(person)
    ]
    path = tmp_path / f"fields-{next(_names)}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email", *header])
        writer.writerows(rows)
    table = open_table(path)
    mapping = auto_map(list(table.headers))
    kept = list(fold_table(table, mapping).records.values())
    plain = list(fold_table(table, mapping).records.values())
    defaults = ["" if name != "source" else default_source for name in STORED_FIELDS]
    expected = [
        [r.fields.get(n) or d for n, d in zip(STORED_FIELDS, defaults, strict=True)] for r in plain
    ]
    assert field_rows(kept, STORED_FIELDS, defaults) == expected
