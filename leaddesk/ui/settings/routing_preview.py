"""The "Preview" group of Settings → Assignment rules: who the waiting leads would go to.

It only shows what :func:`leaddesk.handoff.routing.preview_assignments` returned (or why there is
no preview); running the preview on the unsaved rules is the tab's job.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from leaddesk.handoff.routing import PreviewRow
from leaddesk.ui.models.rows_model import RowsTableModel
from leaddesk.ui.settings.routing_models import PreviewModel

Preview = tuple[list[PreviewRow], dict[str, int]]
NOTHING_TO_PREVIEW = (
    "No leads are waiting for sales, so there is nothing to preview yet. "
    "Import leads and the preview shows who each would go to."
)


def counts_text(counts: dict[str, int]) -> str:
    """Per-member counts, most first: "Sofia Reyes 12, Tom Okoro 8"."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count}" for name, count in ordered)


def rows_table(model: RowsTableModel, stretch: int) -> QTableView:
    """A read-only, row-selecting table over ``model`` whose column ``stretch`` takes the rest."""
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class RoutingPreviewBox(QGroupBox):
    """A sentence ("These 20 leads would go to: …") over the table of leads and their rep."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Preview", parent)
        layout = QVBoxLayout(self)
        self.label = QLabel("The preview appears when the rules are loaded.")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.model = PreviewModel(self)
        self.view = rows_table(self.model, PreviewModel.COL_WHY)
        layout.addWidget(self.view)

    def show_preview(self, result: Preview, *, unsaved: bool) -> None:
        """Show a preview; ``unsaved`` says it was worked out on rules not saved yet."""
        rows, counts = result
        self.model.set_rows(rows)
        if not rows:
            text = NOTHING_TO_PREVIEW
        else:
            lead_word = "lead" if len(rows) == 1 else f"{len(rows)} leads"
            text = f"These {lead_word} would go to: {counts_text(counts)}"
            if unsaved:
                text += " (with your unsaved changes)"
        self.label.setText(text)

    def show_problem(self, problem: str) -> None:
        """No preview: the edited rules cannot be used as they are (``problem`` says why)."""
        self.model.set_rows([])
        self.label.setText(f"No preview until this is fixed: {problem}")
