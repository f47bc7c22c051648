"""The installed PySide6 must not corrupt Python's reference counts (6.12.0 on 3.11 did)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel


class _Emitter(QObject):
    fired = Signal(int)


def test_void_calls_and_emits_keep_none_and_true_alive(qapp: QApplication) -> None:
    """Thousands of setText calls and signal emits leave None's and True's counts intact."""
    label = QLabel()
    emitter = _Emitter()
    received: list[int] = []
    emitter.fired.connect(received.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for index in range(2000):
        label.setText(str(index))
        emitter.fired.emit(index)
    assert sys.getrefcount(None) >= none_before - 50
    assert sys.getrefcount(True) >= true_before - 50
    assert len(received) == 2000
