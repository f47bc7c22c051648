"""Settings → Website: own domains for link tracking, UTM, the link-scanner delay, and the
import of the website's access logs (one cancellable background job). A domain list that
:meth:`LinkTracking.from_text` refuses is explained under the field and nothing is saved."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import astuple, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.settings import get_setting, set_setting
from leaddesk.tasks import Cancelled, Progress
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.team_dialogs import sentence
from leaddesk.ui.widgets.settings_form import add_save_row, hint_label
from leaddesk.visits import config as visits
from leaddesk.visits.tracked_links import LinkTracking

if TYPE_CHECKING:
    from leaddesk.visits.log_import import VisitImportReport

NO_DOMAIN_TEXT = "Add your website's domain to start tracking clicks."
DOMAINS_HINT = (
    "Links to these sites in your emails carry a short random code (ld=…), so LeadDesk can tell "
    "from your website's own access logs who clicked. Links to other sites are never changed. "
    "Nothing is sent to anyone: you import the logs yourself."
)
UTM_HINT = (
    "utm_source=leaddesk, utm_medium=email, campaign = sequence, content = step: your web "
    "analytics can tell which email brought each visit."
)
SCANNER_HINT = (
    "Mail security filters (Microsoft Safe Links, Mimecast, Proofpoint…) open every link "
    "seconds after delivery. Hits this soon after sending count as machines, not people."
)
OPEN_HINT = (
    "Optional; empty means off. An invisible image on your site shows in each email, and its "
    "log tells roughly who opened: image proxies and Apple Mail Privacy Protection fetch it for "
    "readers or ahead of them, and many block images. Clicks, not opens, count as engagement."
)
OPENS_CAVEAT = "image proxies and privacy protection fetch images for readers"
IMPORT_HINT = (
    "nginx or Apache access logs (plain or .gz, several rotated files at once) or CSV exports "
    "of your web analytics"
)
LOG_FILTER = "Access logs and analytics exports (*.log *.gz *.txt *.csv access*);;All files (*)"
BAD_SHOWN = 5
KEYS = (
    visits.LINK_DOMAINS, visits.LINK_TRACKING, visits.LINK_UTM, visits.MACHINE_SECONDS,
    visits.OPEN_PIXEL_URL,
)  # fmt: skip


@dataclass(frozen=True)
class WebsiteSettings:
    """The tab's fields, stored under :data:`KEYS` in this order (domains normalised)."""

    domains: str = ""
    tracking: bool = True
    utm: bool = True
    machine_seconds: int = visits.DEFAULT_MACHINE_SECONDS
    open_image: str = ""


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def import_summary(report: VisitImportReport) -> str:
    """What a web log import found, in plain sentences for the message box."""
    found = f"Read {_count(report.lines, 'line')} from {_count(len(report.files), 'file')}: "
    stored = report.clicks + report.pages
    what = f"{_count(report.clicks, 'click')} and {_count(report.pages, 'page view')}"
    lines = [found + (f"{what} of {_count(report.leads, 'lead')}." if stored else "no clicks yet.")]
    if report.opens:
        lines.append(f"{_count(report.opens, 'email')} opened (approximate: {OPENS_CAVEAT}).")
    if machine := sum(report.machine.values()):
        reasons = ", ".join(f"{count} {why}" for why, count in report.machine.most_common())
        lines.append(f"Left out {_count(machine, 'hit')} by link scanners and bots: {reasons}.")
    if report.already_imported:
        lines.append(f"{_count(report.already_imported, 'hit')} had been imported before.")
    if report.unknown_tokens:
        unknown = _count(report.unknown_tokens, "tracked hit")
        lines.append(f"{unknown} came from emails not in this database (copied links?).")
    if report.bad_lines:
        were = "was" if report.bad_lines == 1 else "were"
        lines.append(f"{_count(report.bad_lines, 'line')} could not be read and {were} skipped:")
        lines += [f"  {b.source} line {b.line_no}: {b.reason}" for b in report.bad[:BAD_SHOWN]]
        if report.bad_lines > BAD_SHOWN:
            lines.append(f"  … and {report.bad_lines - BAD_SHOWN:,} more.")
        if report.bad_lines == report.lines:
            lines.append("Not one line could be read: is this an nginx or Apache access log?")
    if stored:
        lines.append("Undo it in Settings → Imports.")
    return "\n".join(lines)


class WebsiteSettingsTab(QWidget):
    """Own domains, tracking and UTM switches, the scanner delay, and the web log import."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stored: WebsiteSettings | None = None  # None until loaded
        self.saving = self.importing = False
        self.guard = SaveGuard(context.db, "website settings", KEYS)
        layout = QVBoxLayout(self)
        self.no_domain_label = QLabel(NO_DOMAIN_TEXT)
        self.no_domain_label.setObjectName("notice")
        for widget in (self.no_domain_label, self._build_tracking(), self._build_import()):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._update_state()

    def _build_tracking(self) -> QGroupBox:
        self.domains_edit = QLineEdit(placeholderText="acme.example, shop.acme.example")
        self.domains_error = QLabel("", wordWrap=True)
        self.domains_error.setStyleSheet("color: #b91c1c;")
        self.domains_error.hide()
        self.tracking_check = QCheckBox("&Track clicks on links to these sites")
        self.utm_check = QCheckBox("Add &UTM parameters")
        self.machine_spin = QSpinBox(minimum=0, maximum=3600, suffix=" s")
        self.open_edit = QLineEdit(placeholderText="https://www.acme.example/px.gif")
        self.open_error = QLabel("", wordWrap=True)
        self.open_error.setStyleSheet("color: #b91c1c;")
        self.open_error.hide()
        rows = [("Your &websites:", self.domains_edit), ("", self.domains_error),
                ("", hint_label(DOMAINS_HINT)), ("", self.tracking_check), ("", self.utm_check),
                ("", hint_label(UTM_HINT)), ("Link &scanners:", self.machine_spin),
                ("", hint_label(SCANNER_HINT)), ("&Open image:", self.open_edit),
                ("", self.open_error), ("", hint_label(OPEN_HINT))]  # fmt: skip
        grid = QGridLayout()  # a form would give wrapped hints the height of a narrow layout
        left = Qt.AlignmentFlag.AlignLeft  # the spin box keeps its own width
        grid.setColumnStretch(1, 1)
        for row, (text, widget) in enumerate(rows):
            if text:
                caption = QLabel(text)
                caption.setBuddy(widget)
                grid.addWidget(caption, row, 0)
            grid.addWidget(
                widget, row, 1, left if widget is self.machine_spin else Qt.AlignmentFlag(0)
            )
        box = QGroupBox("Link tracking")
        column = QVBoxLayout(box)
        column.addLayout(grid)
        self.save_button = add_save_row(column, self.save)
        self.domains_edit.textEdited.connect(self._edited)
        self.tracking_check.toggled.connect(self._edited)
        self.utm_check.toggled.connect(self._edited)
        self.machine_spin.valueChanged.connect(self._edited)
        self.open_edit.textEdited.connect(self._edited)
        return box

    def _build_import(self) -> QGroupBox:
        box = QGroupBox("Visits from your website")
        self.import_button = QPushButton("&Import web logs…")
        self.import_button.clicked.connect(self.import_logs)
        QFormLayout(box).addRow(self.import_button, hint_label(IMPORT_HINT))
        return box

    def settings(self) -> WebsiteSettings:
        """The fields as the tab shows them (not validated)."""
        checks = (self.tracking_check.isChecked(), self.utm_check.isChecked())
        return WebsiteSettings(
            self.domains_edit.text().strip(), *checks, self.machine_spin.value(),
            self.open_edit.text().strip(),
        )  # fmt: skip

    @property
    def dirty(self) -> bool:
        """Whether the fields differ from the stored settings."""
        return self.stored is not None and self.settings() != self.stored

    def _edited(self, *_args: Any) -> None:
        self.domains_error.hide()  # an edit makes an earlier refusal stale
        self.open_error.hide()
        self._update_state()

    def _update_state(self) -> None:
        self.save_button.setEnabled(self.dirty and not self.saving)
        self.save_button.setToolTip("" if self.dirty else "Nothing changed yet")
        self.utm_check.setEnabled(self.tracking_check.isChecked())
        self.import_button.setEnabled(not self.importing)
        self.no_domain_label.setVisible(self.stored is not None and not self.stored.domains)

    def _show(self, stored: WebsiteSettings) -> None:
        shown = self.settings() if self.dirty else stored  # a reload keeps unsaved edits
        self.stored = stored
        self.domains_edit.setText(shown.domains)
        self.tracking_check.setChecked(shown.tracking)
        self.utm_check.setChecked(shown.utm)
        self.machine_spin.setValue(shown.machine_seconds)
        self.open_edit.setText(shown.open_image)
        self._update_state()

    def load(self) -> None:
        """Fill the fields from the database (in the background)."""

        def read(_progress: Any) -> WebsiteSettings:
            defaults = astuple(WebsiteSettings())
            with self.context.db.session() as session:
                self.guard.remember(session)
                stored = [get_setting(session, k, d) for k, d in zip(KEYS, defaults, strict=True)]
            domains, tracking, utm, seconds, image = stored
            seconds = visits.DEFAULT_MACHINE_SECONDS if seconds is None else int(seconds)
            return WebsiteSettings(
                str(domains or ""), bool(tracking), bool(utm), seconds, str(image or "")
            )

        self.context.runner.run(read, on_done=self._show, write=False)

    def save(self, *, overwrite: bool = False) -> None:
        """Store the fields (a refused domain is explained, nothing stored; a lost race asks)."""
        typed = self.settings()
        try:
            tracking = LinkTracking.from_text(typed.domains)
        except ValueError as error:
            self.domains_error.setText(sentence(str(error)))
            self.domains_error.show()
            return
        problem = visits.open_image_problem(typed.open_image, tracking) if typed.open_image else ""
        if problem:
            self.open_error.setText(sentence(problem))
            self.open_error.show()
            return
        value = replace(typed, domains=", ".join(tracking.domains))
        loaded = None if overwrite else self.guard.loaded

        def write(_progress: Any) -> WebsiteSettings:
            with self.context.db.write() as session:
                self.guard.check(session, loaded)
                for key, stored in zip(KEYS, astuple(value), strict=True):
                    set_setting(session, key, stored)
                self.guard.saved(session)
            return value

        self.saving = True
        self._update_state()
        self.context.runner.run(
            write, on_done=self._saved, on_error=self._failed, label="Saving settings"
        )

    def _saved(self, value: WebsiteSettings) -> None:
        self.saving = False
        self.stored = None  # not dirty: show the saved (normalised) domains
        self._show(value)
        self.window().statusBar().showMessage("Settings saved", 4000)  # type: ignore[attr-defined]

    def reload(self) -> None:
        """Throw away unsaved edits and show the settings as stored now."""
        self.stored = None
        self.load()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self._update_state()
        overwrite = lambda: self.save(overwrite=True)  # noqa: E731
        if self.guard.resolve(self, error, reload=self.reload, overwrite=overwrite):
            return
        QMessageBox.warning(self, "Settings not saved", f"The settings were not saved: {error}")

    def import_logs(self, files: list[str] | None = None) -> None:
        """Import ``files`` (asked for when not given) in the background (cancellable)."""
        names = files or QFileDialog.getOpenFileNames(self, "Import web logs", "", LOG_FILTER)[0]
        if not names:
            return
        from leaddesk.visits.log_import import import_visits  # loaded on first use

        db, paths, now = self.context.db, [Path(name) for name in names], self.context.clock.now()

        def job(progress: Progress) -> VisitImportReport:
            def read(lines: int) -> None:
                with suppress(Cancelled):  # import_visits stops at its next check, writing nothing
                    progress.update(lines, 0, f"Importing web logs: {lines:,} lines read")

            return import_visits(
                db, paths, now=now, progress=read, cancelled=lambda: progress.cancelled
            )

        self.importing = True
        self._update_state()
        self.context.runner.run(
            job, on_done=self._imported, on_error=self._import_failed,
            label="Importing web logs", cancellable=True,
        )  # fmt: skip

    def _imported(self, report: VisitImportReport) -> None:
        self.importing = False
        self._update_state()
        QMessageBox.information(self, "Web logs imported", import_summary(report))
        if (changed := getattr(self.window(), "data_changed", None)) is not None:
            changed.emit()  # the timelines, scores and import history show the visits

    def _import_failed(self, error: BaseException) -> None:
        from leaddesk.visits.log_import import VisitImportCancelled

        self.importing = False
        self._update_state()
        if isinstance(error, VisitImportCancelled):
            status = self.window().statusBar()  # type: ignore[attr-defined]
            status.showMessage("Web log import cancelled: nothing was imported", 4000)
            return
        text = f"The web logs were not imported: {error}"
        if isinstance(error, OSError):
            text = (f"LeadDesk could not read {error.filename or 'a log file'}: "
                    f"{error.strerror or error}.\n\nNothing was imported. Check that the file "
                    "exists and that you may read it, then import again.")  # fmt: skip
        QMessageBox.warning(self, "Web logs not imported", text)


def website_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Website tab of Settings."""
    return "Website", WebsiteSettingsTab(context)
