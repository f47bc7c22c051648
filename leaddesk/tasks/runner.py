"""The task runner: every long or database-touching job of the GUI goes through it.

Writes run one at a time on a single "db-writer" thread (SQLite has one writer); reads run on a
small pool. A job is a plain function that receives a :class:`Progress`; its result (or error)
comes back to the GUI thread through a queued signal, never by waiting.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from leaddesk.errors import lost_connection

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job when the user asked to cancel it."""


class Progress:
    """Handed to a job function: report progress, and learn whether to stop."""

    def __init__(self, job_id: int, runner: TaskRunner) -> None:
        self._job_id = job_id
        self._runner = runner
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        """True once the user asked to cancel."""
        return self._cancel.is_set()

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        """Report ``done`` of ``total`` units (0 total: unknown); raises Cancelled when asked."""
        self._runner._relay.progressed.emit(self._job_id, done, total, text)
        if self._cancel.is_set():
            raise Cancelled

    def check(self) -> None:
        """Raise Cancelled when the user asked to cancel (for loops without progress)."""
        if self._cancel.is_set():
            raise Cancelled


@dataclass
class JobHandle:
    """A running job: its id and label, and a way to ask it to stop."""

    job_id: int
    label: str
    cancellable: bool
    progress: Progress
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    finished: bool = field(default=False)

    def cancel(self) -> None:
        """Ask the job to stop at its next progress report."""
        self.progress._cancel.set()


class _Relay(QObject):
    """Carries results from worker threads to the GUI thread (queued connections)."""

    progressed = Signal(int, int, int, str)
    completed = Signal(int, bool, object)


class TaskRunner(QObject):
    """Runs jobs off the GUI thread and reports back by signal."""

    started = Signal(int, str, bool)
    progressed = Signal(int, int, int, str)
    finished = Signal(int)
    failed = Signal(str, str)
    # A job without its own error handler could not reach the team database: (sentence).
    connection_lost = Signal(str)

    def __init__(self, parent: QObject | None = None, *, readers: int = 2) -> None:
        super().__init__(parent)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="reader")
        self._ids = itertools.count(1)
        self._jobs: dict[int, JobHandle] = {}
        self._relay = _Relay()
        self._relay.progressed.connect(self.progressed)
        self._relay.completed.connect(self._complete)
        self._closed = False

    @property
    def busy(self) -> bool:
        """True while any job is queued or running."""
        return bool(self._jobs)

    def jobs(self) -> list[JobHandle]:
        """The jobs queued or running now."""
        return list(self._jobs.values())

    def run(
        self,
        function: Callable[[Progress], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        label: str = "",
        write: bool = True,
        cancellable: bool = False,
    ) -> JobHandle:
        """Queue ``function(progress)``; ``on_done(result)`` runs later on the GUI thread.

        ``write=True`` puts the job on the single database-writer thread; ``write=False`` on the
        reader pool. Without ``on_error`` a failure is logged and emitted as ``failed``.
        """
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        job_id = next(self._ids)
        handle = JobHandle(job_id, label, cancellable, Progress(job_id, self), on_done, on_error)
        self._jobs[job_id] = handle
        self.started.emit(job_id, label, cancellable)
        pool = self._writer if write else self._readers
        pool.submit(self._execute, handle, function)
        return handle

    def _execute(self, handle: JobHandle, function: Callable[[Progress], Any]) -> None:
        try:
            result = function(handle.progress)
        except BaseException as error:  # delivered to the GUI thread, never lost
            self._relay.completed.emit(handle.job_id, False, error)
        else:
            self._relay.completed.emit(handle.job_id, True, result)

    @Slot(int, bool, object)
    def _complete(self, job_id: int, ok: bool, value: Any) -> None:
        handle = self._jobs.pop(job_id, None)
        if handle is None:
            return
        handle.finished = True
        try:
            if self._closed:  # the app is closing: nobody is left to show the result to
                if not ok and not isinstance(value, Cancelled):
                    log.warning("job %r failed while closing", handle.label, exc_info=value)
            elif ok:
                if handle.on_done is not None:
                    handle.on_done(value)
            elif isinstance(value, Cancelled):
                log.info("job %r cancelled", handle.label)
            elif handle.on_error is not None:
                handle.on_error(value)
            elif (sentence := lost_connection(value)) is not None:
                log.warning("job %r: %s", handle.label, sentence)
                self.connection_lost.emit(sentence)
            else:
                log.error("job %r failed", handle.label, exc_info=value)
                self.failed.emit(handle.label or "A background task", str(value))
        finally:
            self.finished.emit(job_id)

    def wait_idle(self) -> None:
        """Block until every queued job has run (for shutdown and tests; not on the GUI path)."""
        self._writer.submit(lambda: None).result()
        for _ in range(self._readers._max_workers):
            self._readers.submit(lambda: None).result()

    def shutdown(self) -> None:
        """Stop accepting jobs, ask running ones to cancel, and wait for the writer to finish."""
        self._closed = True
        for handle in self._jobs.values():
            if handle.cancellable:
                handle.cancel()
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
