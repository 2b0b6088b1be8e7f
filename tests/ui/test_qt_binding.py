"""The Qt binding itself: guards against a known-bad PySide6 release.

PySide6 6.12.0 drops a reference to ``True`` on every ``emit()`` made from
Python; on Python 3.11 the interpreter aborts ("bool_dealloc") after about a
thousand signals — within minutes of a clerk's typing. pyproject.toml keeps
that release out; this test fails if an upgrade brings the fault back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    text = Signal(str)


def test_emitting_signals_keeps_reference_counts(qapp):
    emitter = _Emitter()
    received: list[str] = []
    emitter.text.connect(received.append)
    emitter.bare.connect(lambda: None)
    before = sys.getrefcount(True)
    for i in range(300):
        emitter.bare.emit()
        emitter.text.emit(str(i))
    # the faulty binding loses 600 here; a stray reference elsewhere is noise
    assert abs(sys.getrefcount(True) - before) < 20
    assert len(received) == 300
