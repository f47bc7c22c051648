#!/usr/bin/env python3
"""Open every page of LeadDesk on the demo data and save one PNG per page (and a few close-ups).

    python packaging/screenshots.py --out screenshots/          # offscreen by default
    xvfb-run -a python packaging/screenshots.py --out shots/ --platform xcb

Uses a throw-away LeadDesk home (database, settings, logs) unless ``--db`` names a database.
``--empty`` photographs a brand-new database instead (the empty states). On the demo data it
also writes close-ups for the README: ``sales_queue.png`` (a lead selected, its brief
shown), ``lead-brief.png`` (the Inbox's first lead on its Brief tab), ``settings-team.png``,
``settings-assignment-rules.png`` (preview loaded), ``settings-website.png``,
``reports-funnel.png``, ``reports-sequences.png``, ``reports-roi.png``,
``outcome-won-dialog.png``, ``outcome-lost-dialog.png`` and ``import-options.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _wait(app: object, condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if condition():  # type: ignore[operator]
            break
        time.sleep(0.02)
    for _ in range(10):
        app.processEvents()  # type: ignore[attr-defined]


def main() -> int:
    """Write ``<page>.png`` for every page into ``--out`` (and the close-ups on demo data)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    parser.add_argument("--db", help="use this database instead of a fresh demo one")
    parser.add_argument("--empty", action="store_true", help="photograph an empty database")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--size", default="1200x760", help="window size, e.g. 1200x760")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform
    if not args.db:
        os.environ["LEADDESK_HOME"] = tempfile.mkdtemp(prefix="leaddesk-shots-")

    from leaddesk.app import application
    from leaddesk.db.migrate import open_database
    from leaddesk.demo import load_demo_data
    from leaddesk.ui.context import AppContext
    from leaddesk.ui.main_window import MainWindow

    app = application([sys.argv[0]])
    db = open_database(args.db)
    if not args.db and not args.empty:
        load_demo_data(db)
    context = AppContext.create(db)
    window = MainWindow(context)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "-empty" if args.empty else ""
    for key in window.page_keys:
        page = window.show_page(key)
        _wait(app, lambda page=page: page.loaded and not context.runner.busy)
        path = args.out / f"{key}{suffix}.png"
        window.grab().save(str(path))
        print(path)
    if not args.empty:
        _close_ups(app, window, context, args.out)
        _reports(app, window, context, args.out)
        _outcome_dialogs(app, window, context, args.out)
        _import_options(app, context, args.out)
    window.close()
    context.runner.shutdown()
    db.dispose()
    return 0


def _save(widget: object, path: Path) -> None:
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    print(path)


def _close_ups(app: object, window: object, context: object, out: Path) -> None:
    """The Sales queue with a lead selected, a lead's brief, and two Settings tabs."""
    idle = lambda: not context.runner.busy  # type: ignore[attr-defined]  # noqa: E731

    queue = window.show_page("sales_queue")  # type: ignore[attr-defined]
    _wait(app, lambda: queue.loaded and idle())
    if queue.model.rowCount() and queue.list_stack.currentWidget() is queue.table:
        queue.table.selectRow(0)
        _wait(app, lambda: queue.brief_lead_id is not None and idle())
    _save(window, out / "sales_queue.png")  # the page's own shot, with the brief showing

    inbox = window.show_page("inbox")  # type: ignore[attr-defined]
    _wait(app, lambda: inbox.loaded and idle())
    if inbox.model.rowCount():
        inbox.table.selectRow(0)
        inbox.open_current()
        detail = inbox.detail
        _wait(app, lambda: detail.loaded and idle())
        detail.tabs.setCurrentIndex(detail.brief_tab)
        _wait(app, lambda: detail.brief.view is not None and idle())
    _save(window, out / "lead-brief.png")
    if inbox.model.rowCount():
        detail.tabs.setCurrentIndex(detail.score_tab)
        _wait(app, lambda: detail.breakdown.view is not None and idle())
        _save(window, out / "lead-score.png")
        detail.tabs.setCurrentIndex(1)
        _wait(app, lambda: idle())
        _save(window, out / "lead-timeline.png")
        detail.tabs.setCurrentIndex(2)
        _wait(app, lambda: idle())
        _save(window, out / "lead-tasks.png")
        inbox.detail.close_panel()

    settings = window.show_page("settings")  # type: ignore[attr-defined]
    team = settings.tab_widgets["Team"]
    settings.tabs.setCurrentWidget(team)
    _wait(app, lambda: team.loaded and idle())
    _save(window, out / "settings-team.png")

    rules = settings.tab_widgets["Assignment rules"]
    settings.tabs.setCurrentWidget(rules)
    _wait(app, lambda: rules.last_preview is not None and idle())  # previews once shown
    _save(window, out / "settings-assignment-rules.png")
    website = settings.tab_widgets["Website"]
    settings.tabs.setCurrentWidget(website)
    _wait(app, lambda: website.stored is not None)
    _save(window, out / "settings-website.png")
    settings.tabs.setCurrentIndex(0)


def _reports(app: object, window: object, context: object, out: Path) -> None:
    """The Reports page on three reports, over the last 90 days."""
    idle = lambda: not context.runner.busy  # type: ignore[attr-defined]  # noqa: E731
    page = window.show_page("reports")  # type: ignore[attr-defined]
    _wait(app, lambda: page.loaded and idle())
    combo = page.controls.period_combo
    combo.setCurrentIndex(combo.findData("90d"))
    for name, file in (("funnel", "reports-funnel"), ("sequences", "reports-sequences"),
                       ("outcomes", "reports-roi")):  # fmt: skip
        page.pick(name)
        _wait(app, lambda name=name: page.report is not None and page.report.name == name
              and idle())  # fmt: skip
        _save(window, out / f"{file}.png")


def _outcome_dialogs(app: object, window: object, context: object, out: Path) -> None:
    """The Sales queue's Won and Lost dialogs for its first lead."""
    idle = lambda: not context.runner.busy  # type: ignore[attr-defined]  # noqa: E731
    queue = window.show_page("sales_queue")  # type: ignore[attr-defined]
    _wait(app, lambda: queue.loaded and idle())
    if not queue.model.rowCount():
        return
    queue.table.selectRow(0)
    _wait(app, idle)
    for action, file in ((queue.mark_won, "outcome-won-dialog"),
                         (queue.mark_lost, "outcome-lost-dialog")):  # fmt: skip
        action()
        _wait(app, lambda: queue.dialog.isVisible())
        _save(queue.dialog, out / f"{file}.png")
        queue.dialog.reject()


def _import_options(app: object, context: object, out: Path) -> None:
    """Photograph the import wizard's options step: sample list, enrolment chosen, dry run."""
    from leaddesk.paths import resource_path
    from leaddesk.ui.importing.wizard import ImportWizard

    wizard = ImportWizard(context, str(resource_path("sample", "tradeshow_badge_scans.csv")))
    wizard.resize(1000, 720)
    wizard.show()
    idle = lambda: not wizard.busy and not context.runner.busy  # noqa: E731
    _wait(app, idle)
    wizard.next()
    wizard.next()
    _wait(app, idle)
    wizard.ui.sourceEdit.setText("Expo Berlin 2026")
    wizard.ui.enrollCombo.setCurrentIndex(min(1, wizard.ui.enrollCombo.count() - 1))
    wizard.ui.recheckButton.click()
    _wait(app, idle)
    path = out / "import-options.png"
    wizard.grab().save(str(path))
    print(path)
    wizard.close()


if __name__ == "__main__":
    raise SystemExit(main())
