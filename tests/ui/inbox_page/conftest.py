"""Fixtures for the Inbox page tests: the sample leads, a fixed clock, the shown page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from leaddesk.clock import FixedClock
from leaddesk.ui.context import AppContext
from leaddesk.ui.pages.inbox import InboxPage
from tests.inbox.sample_inbox import Inbox, build_sample_inbox
from tests.ui.inbox_page.helpers import shown_page


@pytest.fixture
def inbox(db: object, clock: FixedClock) -> Inbox:
    """The four sample leads."""
    return build_sample_inbox(db, clock)  # type: ignore[arg-type]


@pytest.fixture
def fixed_context(context: AppContext, clock: FixedClock) -> AppContext:
    """The app context with the test's fixed clock."""
    return dataclasses.replace(context, clock=clock)


@pytest.fixture
def page(qtbot: QtBot, fixed_context: AppContext, inbox: Inbox) -> Iterator[InboxPage]:
    """The Inbox page on the sample leads, shown and loaded."""
    yield from shown_page(qtbot, fixed_context)
