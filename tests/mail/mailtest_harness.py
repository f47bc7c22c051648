"""Drives ``mailtest_worker.py``: start sender processes, SIGKILL them, collect exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

WORKER = Path(__file__).with_name("mailtest_worker.py")
ROOT = Path(__file__).resolve().parents[2]


class SenderHarness:
    """A forking parent process; each :meth:`run` is one fresh sender process."""

    def __init__(self, db_path: Path, cert_path: Path, password: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(db_path), str(cert_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            bufsize=1,
            env={**os.environ},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout = self.process.stdout
        self.stdin.write(password + "\n")
        assert self.stdout.readline().strip() == "zygote"

    def run(self, kill_after: float | None = None) -> int:
        """One sender pass; SIGKILLed ``kill_after`` seconds after it is ready. Exit code."""
        self.stdin.write("run\n")
        line = self.stdout.readline().split()
        assert line and line[0] == "ready", line
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(int(line[1]), signal.SIGKILL)
        self.stdin.write("reap\n")
        while not (reply := self.stdout.readline()).startswith("status"):
            assert reply, "the sender harness died"
        return int(reply.split()[1])

    def close(self) -> None:
        """Stop the parent process."""
        self.stdin.close()
        self.process.wait(timeout=30)
        self.stdout.close()

    def __enter__(self) -> SenderHarness:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
