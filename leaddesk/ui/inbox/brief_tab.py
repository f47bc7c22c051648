"""The lead panel's Brief tab: what the rep needs to make the call, with export and print.

The brief is built off the GUI thread (:func:`leaddesk.handoff.brief.build_brief`) and shown
as HTML (:func:`leaddesk.handoff.brief_render.brief_html`) in a text browser. Export writes the
standalone HTML document, or a PDF laid out by ``QTextDocument`` on the GUI thread (Qt text
layout belongs there) whose bytes are written to disk by a background job.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from leaddesk.db.models import Lead
from leaddesk.handoff.brief import build_brief
from leaddesk.handoff.brief_render import brief_html, zone_or_none
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.queue import QueueRow, queue_row
from leaddesk.ui.context import AppContext
from leaddesk.ui.models.inbox_table import STATUS_LABELS
from leaddesk.ui.sales_queue.dialogs import HandBackDialog, LogAttemptDialog, QueueStepDialog
from leaddesk.ui.sales_queue.outcome_jobs import OutcomeChoices, load_choices
from leaddesk.ui.sales_queue.outcomes import LeadRef, LostDialog, OpportunityDialog, WonDialog

try:  # QtPrintSupport ships with PySide6-Essentials, but a trimmed build may leave it out
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    PRINTING = True
except ImportError:  # pragma: no cover - depends on the Qt build
    PRINTING = False

EXPORT_FILTERS = "PDF (*.pdf);;HTML page (*.html)"
# QTextDocument.print_ puts its own 2 cm margin and page numbers around an unpaginated
# document, so the page itself gets none (a printer still keeps its hardware minimum).
NO_MARGINS = QMarginsF(0, 0, 0, 0)


@dataclass(frozen=True)
class BriefView:
    """A built brief, ready to show and export (plain strings, safe across threads)."""

    lead_id: int
    name: str
    status: str
    body_html: str
    document_html: str
    zone_note: str
    handoff: QueueRow | None = None  # the open hand-off, when the lead is with sales
    choices: OutcomeChoices = field(default_factory=OutcomeChoices)
    status_reason: str = ""  # why it was lost or recycled ("bad timing")


def load_brief_view(context: AppContext, lead_id: int, now: Any) -> BriefView:
    """Build a lead's brief in the reader's time zone (any thread; only reads)."""
    with context.db.session() as session:
        me = current_member(session, context.db)
        zone = me.timezone if me is not None and zone_or_none(me.timezone) else None
        brief = build_brief(session, lead_id, now, viewer_zone=zone)
        handoff = queue_row(session, lead_id)
        choices = load_choices(session, [lead_id])
        reason = session.scalar(select(Lead.status_reason).where(Lead.id == lead_id)) or ""
    if zone:
        note = f"Times are in your time zone, {zone}."
    elif me is not None:
        note = f"Times are in UTC: set {me.name}’s time zone in Settings → Team to see yours."
    else:
        note = "Times are in UTC: choose who you are in Settings → Team to see your own time."
    return BriefView(
        lead_id,
        brief.name,
        brief.status,
        brief_html(brief, viewer_zone=zone, standalone=False),
        brief_html(brief, viewer_zone=zone, standalone=True),
        note,
        handoff,
        choices,
        reason,
    )


def brief_document(view: BriefView) -> QTextDocument:
    """The standalone brief as a text document (for PDF and printing; GUI thread)."""
    document = QTextDocument()
    document.setHtml(view.document_html)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, view.name)
    return document


def brief_pdf(view: BriefView) -> bytes:
    """The brief as an A4 PDF (GUI thread: Qt lays the text out)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(f"Lead brief: {view.name}")
    writer.setCreator("LeadDesk")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(NO_MARGINS, QPageLayout.Unit.Millimeter)
    brief_document(view).print_(writer)
    del writer  # finishes the file
    buffer.close()
    return bytes(data.data())


def suggested_file_name(name: str, suffix: str = ".pdf") -> str:
    """``"Lead brief - Anna Andersen.pdf"`` (characters file systems dislike are dropped)."""
    cleaned = re.sub(r"[^\w .,'-]+", "", name).strip(" .") or "lead"
    return f"Lead brief - {cleaned}{suffix}"


class BriefTab(QWidget):
    """Shows one lead's brief; Export… writes HTML or PDF, Print… prints it."""

    loaded = Signal()
    exported = Signal(str)
    changed = Signal()  # a follow-up attempt was logged

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("briefTab")
        self.context = context
        self.view: BriefView | None = None
        self._pending_lead: int | None = None
        self.browser = QTextBrowser()
        self.browser.setObjectName("briefBrowser")
        self.browser.setOpenLinks(False)
        self.status_label = QLabel()
        self.status_label.setObjectName("briefStatus")
        self.status_label.setToolTip("Where the lead is in the process (not its score band)")
        self.zone_label = QLabel()
        self.zone_label.setObjectName("pageSubtitle")
        self.zone_label.setWordWrap(True)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the brief as a PDF or an HTML page")
        self.export_button.clicked.connect(self.ask_export)
        self.attempt_button = QPushButton("Log attempt…")
        self.attempt_button.setToolTip(
            "Record a call, email or meeting with this lead; the first one stops the "
            "follow-up clock"
        )
        self.attempt_button.clicked.connect(self.log_attempt)
        self.attempt_dialog: LogAttemptDialog | None = None
        self.outcome_dialog: QueueStepDialog | None = None
        self.outcome_menu = QMenu(self)
        self.outcome_actions = {
            "opportunity": self.outcome_menu.addAction("Opportunity…", self.open_opportunity),
            "won": self.outcome_menu.addAction("Won…", self.mark_won),
            "lost": self.outcome_menu.addAction("Lost…", self.mark_lost),
            "hand_back": self.outcome_menu.addAction("Hand back…", self.hand_back),
        }
        self.outcome_button = QPushButton("Outcome")
        self.outcome_button.setToolTip(
            "Record what came of the hand-off: an opportunity, won, lost, or back to marketing"
        )
        self.outcome_button.setMenu(self.outcome_menu)
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(self.print_brief)
        self.print_button.setVisible(PRINTING)
        row = QHBoxLayout()
        row.addWidget(self.status_label, 1)
        row.addWidget(self.attempt_button)
        row.addWidget(self.outcome_button)
        row.addWidget(self.export_button)
        row.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)  # the labels clear the tab frame
        layout.addLayout(row)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.zone_label)
        self._set_buttons(False)

    def _set_buttons(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)
        self.print_button.setEnabled(enabled)
        with_sales = enabled and self.view is not None and self.view.handoff is not None
        self.attempt_button.setVisible(with_sales)
        self.outcome_button.setVisible(with_sales)
        if with_sales and self.view is not None:
            has_deal = self.view.lead_id in self.view.choices.open_deals
            self.outcome_actions["opportunity"].setEnabled(not has_deal)

    # --- loading --------------------------------------------------------------------------
    def show_lead(self, lead_id: int) -> None:
        """Build and show ``lead_id``'s brief in the background."""
        context = self.context
        now = context.clock.now()
        self._pending_lead = lead_id
        self.view = None
        self._set_buttons(False)
        self.status_label.clear()
        self.zone_label.clear()
        self.browser.setPlainText("Putting the brief together…")

        def done(view: BriefView) -> None:
            if view.lead_id == self._pending_lead:
                self.set_view(view)

        def failed(error: BaseException) -> None:
            if self._pending_lead == lead_id:
                self.browser.setPlainText(f"The brief could not be made: {error}")
                self.loaded.emit()

        context.runner.run(
            lambda _progress: load_brief_view(context, lead_id, now),
            on_done=done,
            on_error=failed,
            write=False,
            label="Making the brief",
        )

    def set_view(self, view: BriefView) -> None:
        """Show a built brief."""
        self.view = view
        self.browser.setHtml(view.body_html)
        status = STATUS_LABELS.get(view.status, view.status)
        why = f" — {html.escape(view.status_reason)}" if view.status_reason else ""
        self.status_label.setText(f"Status: <b>{html.escape(status)}</b>{why}")
        self.zone_label.setText(view.zone_note)
        self._set_buttons(True)
        self.loaded.emit()

    def log_attempt(self) -> None:
        """Ask how the follow-up went (as in the Sales queue) and log it."""
        if self.view is None or self.view.handoff is None:
            return
        dialog = LogAttemptDialog(self.context, self.view.handoff, self)
        self.attempt_dialog = dialog
        dialog.accepted.connect(lambda: self._attempt_logged(dialog.message))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _lead_ref(self) -> LeadRef | None:
        handoff = self.view.handoff if self.view is not None else None
        return LeadRef.of(handoff) if handoff is not None else None

    def _open_outcome(self, dialog: QueueStepDialog) -> None:
        self.outcome_dialog = dialog  # kept for tests, which fill it in and press OK
        dialog.accepted.connect(lambda: self._attempt_logged(dialog.message))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def open_opportunity(self) -> None:
        """Open a deal for the lead (amount, expected close date)."""
        lead = self._lead_ref()
        if lead is not None and self.view is not None:
            self._open_outcome(OpportunityDialog(self.context, lead, self.view.choices, self))

    def mark_won(self) -> None:
        """Mark the lead's deal won: the lead becomes a customer."""
        lead = self._lead_ref()
        if lead is not None and self.view is not None:
            self._open_outcome(WonDialog(self.context, lead, self.view.choices, self))

    def mark_lost(self) -> None:
        """Mark the lead lost with a reason."""
        lead = self._lead_ref()
        if lead is not None and self.view is not None:
            self._open_outcome(LostDialog(self.context, [lead], self.view.choices, self))

    def hand_back(self) -> None:
        """Hand the lead back to marketing with a reason."""
        if self.view is not None and self.view.handoff is not None:
            dialog = HandBackDialog(self.context, self.view.handoff, self, self.view.choices)
            self._open_outcome(dialog)

    def _attempt_logged(self, message: str) -> None:
        status_bar = getattr(self.window(), "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(message, 10000)
        self.changed.emit()

    # --- export, print --------------------------------------------------------------------
    def ask_export(self) -> None:
        """Ask where to save the brief, and as what."""
        if self.view is None:
            return
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export the brief", suggested_file_name(self.view.name), EXPORT_FILTERS
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".pdf", ".html", ".htm"):
            path = path.with_name(path.name + (".html" if "html" in chosen else ".pdf"))
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Write the brief to ``path``: a PDF for ``.pdf``, else the standalone HTML page."""
        view = self.view
        if view is None:
            return
        content = brief_pdf(view) if path.suffix.lower() == ".pdf" else view.document_html.encode()

        def write(_progress: Any) -> str:
            path.write_bytes(content)
            return str(path)

        self.context.runner.run(
            write,
            on_done=self._exported,
            on_error=self._export_failed,
            write=False,
            label="Exporting the brief",
        )

    def _export_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Export the brief", f"The brief was not saved:\n\n{error}")

    def _exported(self, path: str) -> None:
        window = self.window()
        status_bar = getattr(window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(f"Saved the brief to {Path(path).name}.", 8000)
        self.exported.emit(path)

    def print_brief(self) -> None:
        """Print the brief through the system print dialog."""
        if self.view is None or not PRINTING:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"Lead brief: {self.view.name}")
        printer.setPageMargins(NO_MARGINS, QPageLayout.Unit.Millimeter)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the brief")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            brief_document(self.view).print_(printer)
