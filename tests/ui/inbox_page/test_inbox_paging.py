"""The paged inbox table: windows fetched as scrolled, select all covering every matching lead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.inbox.query import InboxQuery, query_lead_ids
from leaddesk.ui.context import AppContext
from leaddesk.ui.models.inbox_table import BLOCK_SIZE, COL_NAME
from leaddesk.ui.pages.inbox import InboxPage
from tests.ui.inbox_page.helpers import idle, shown_page

LEADS = BLOCK_SIZE * 3 + 17


@pytest.fixture
def big_page(qtbot: QtBot, fixed_context: AppContext, db: Database) -> Iterator[InboxPage]:
    """The Inbox page on a few blocks of leads (scores with ties), shown and loaded."""
    with db.write() as session:
        session.execute(
            insert(Lead),
            [
                {
                    "email": f"l{i}@example.org",
                    "email_key": f"l{i}@example.org",
                    "first_name": f"Lead{i % 50}",
                    "score": float(i % 7),
                }
                for i in range(LEADS)
            ],
        )
    yield from shown_page(qtbot, fixed_context)


def _full(page: InboxPage, clock: FixedClock) -> list[int]:
    with page.context.db.session() as session:
        return query_lead_ids(session, page.current_query(), now=clock.now())


def test_scrolling_fetches_the_rows_of_the_full_query(
    qtbot: QtBot, big_page: InboxPage, clock: FixedClock
) -> None:
    """Only the first window is read at first; scrolled-to rows are those of the full query."""
    model = big_page.model
    assert model.rowCount() == LEADS and not model.complete
    for row in (LEADS - 1, BLOCK_SIZE * 2 + 5, BLOCK_SIZE + 1):
        model.index(row, COL_NAME).data()
        qtbot.waitUntil(lambda r=row: model.fully_fetched(r, r))  # type: ignore[misc]
    expected = _full(big_page, clock)
    for row in (LEADS - 1, BLOCK_SIZE * 2 + 5, BLOCK_SIZE + 1, 0):
        assert model.lead_id(row) == expected[row]


def test_select_all_covers_every_matching_lead(
    qtbot: QtBot, big_page: InboxPage, clock: FixedClock
) -> None:
    """Select all, then a bulk action's ids are every listed lead, read or not, in order."""
    big_page.filter_bar.search_edit.setText("lead1")
    big_page.filter_bar.flush_search()
    idle(qtbot, big_page)
    big_page.table.selectAll()
    expected = _full(big_page, clock)
    assert 0 < len(expected) < LEADS
    assert big_page.selected_ids() == expected
    assert big_page.selection_label.text() == f"{len(expected)} selected of {len(expected)}"
    big_page.bulk_actions.add_tag("all")
    idle(qtbot, big_page)
    with big_page.context.db.session() as session:
        tagged = query_lead_ids(session, InboxQuery(tag="all"), now=clock.now())
    assert sorted(tagged) == sorted(expected)
    # Selected again after the requery, in the new order (the tag may have moved scores).
    assert big_page.selected_ids() == _full(big_page, clock)
