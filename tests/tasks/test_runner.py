"""The background task runner: results by signal, one writer, cancel, delayed progress."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leaddesk.tasks import Progress, TaskRunner
from leaddesk.ui.widgets.progress import ProgressIndicator


def test_result_arrives_on_the_gui_thread(qtbot: QtBot, qapp: QApplication) -> None:
    """A job runs off the GUI thread and its result callback runs on the GUI thread."""
    runner = TaskRunner()
    seen: dict[str, object] = {}

    def job(_p: Progress) -> str:
        seen["job_thread"] = threading.current_thread().name
        return "done"

    def done(value: str) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is qapp.thread()

    runner.run(job, on_done=done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == "done" and seen["gui"] is True
    assert str(seen["job_thread"]).startswith("db-writer")
    runner.shutdown()


def test_writes_run_one_at_a_time(qtbot: QtBot) -> None:
    """Write jobs never overlap, whatever order they were queued in."""
    runner = TaskRunner()
    active = 0
    peak = 0
    lock = threading.Lock()
    finished: list[int] = []

    def job(index: int):  # type: ignore[no-untyped-def]
        def run(_p: Progress) -> int:
            nonlocal active, peak
            with lock:
                active += 1
                peak = max(peak, active)
            for _ in range(20000):
                pass
            with lock:
                active -= 1
            return index

        return run

    for i in range(8):
        runner.run(job(i), on_done=finished.append)
    qtbot.waitUntil(lambda: len(finished) == 8)
    assert peak == 1 and finished == list(range(8))
    runner.shutdown()


def test_errors_reach_the_error_callback(qtbot: QtBot) -> None:
    """An exception inside a job is delivered to on_error, not lost."""
    runner = TaskRunner()
    errors: list[BaseException] = []

    def job(_p: Progress) -> None:
        raise RuntimeError("disk full")

    runner.run(job, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "disk full"
    runner.shutdown()


def test_cancel_stops_a_job_at_its_next_progress_report(qtbot: QtBot) -> None:
    """Cancel makes the job stop; neither on_done nor on_error runs."""
    runner = TaskRunner()
    started = threading.Event()
    outcome: list[str] = []

    def job(progress: Progress) -> None:
        started.set()
        for step in range(10_000_000):
            progress.update(step, 10_000_000)

    handle = runner.run(
        job,
        on_done=lambda _: outcome.append("done"),
        on_error=lambda _: outcome.append("error"),
        cancellable=True,
    )
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: not runner.busy)
    assert outcome == []
    runner.shutdown()


def test_progress_appears_only_for_slow_jobs(qtbot: QtBot) -> None:
    """A quick job never shows the indicator; one lasting over 0.5 s shows it, then hides it."""
    runner = TaskRunner()
    indicator = ProgressIndicator(runner)
    qtbot.addWidget(indicator)
    shown: list[bool] = []
    runner.started.connect(lambda *_: shown.append(indicator.isVisible()))
    runner.run(lambda _p: 1, label="quick")
    qtbot.waitUntil(lambda: not runner.busy)
    qtbot.wait(600)
    assert not indicator.isVisible()

    release = threading.Event()
    runner.run(lambda _p: release.wait(10), label="Importing leads")
    qtbot.waitUntil(indicator.isVisible, timeout=3000)
    assert indicator.label.text() == "Importing leads"
    release.set()
    qtbot.waitUntil(lambda: not indicator.isVisible())
    runner.shutdown()


def test_results_arriving_after_shutdown_are_dropped(qtbot: QtBot) -> None:
    """A job finishing while the app closes does not run its callback (which might queue more)."""
    runner = TaskRunner()
    release = threading.Event()
    called: list[object] = []
    runner.run(lambda _p: release.wait(5), on_done=called.append, write=False)
    closing = threading.Thread(target=runner.shutdown)
    closing.start()
    qtbot.waitUntil(lambda: runner._closed)
    release.set()
    closing.join(5)
    qtbot.wait(50)  # the finished job's result reaches the GUI thread now
    assert called == [] and not runner.busy
