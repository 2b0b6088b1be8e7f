"""The Qt print path off the GUI thread, with progress and cancel.

Where the PDF cannot go to CUPS as it is (Windows), every page is rendered by
QtPdf and painted onto the printer: seconds for a batch of notices. Qt allows
a ``QPainter`` on a ``QPrinter`` outside the GUI thread, so
:class:`BackgroundPrint` runs :func:`print_pdf` in a ``QThread`` and reports
each page; the window stays responsive and the clerk can cancel.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, Signal

from common.errors import ServiceError
from ui.printing.print_job import print_pdf

log = logging.getLogger(__name__)


class _Worker(QObject):
    progressed = Signal(int, int)
    done = Signal()
    failed = Signal(str)

    def __init__(self, pdf: bytes, printer: str, copies: int, paper: str) -> None:
        super().__init__()
        self.pdf, self.printer, self.copies, self.paper = pdf, printer, copies, paper
        self.cancel = threading.Event()

    def run(self) -> None:
        def step(done: int, total: int) -> bool:
            self.progressed.emit(done, total)
            return not self.cancel.is_set()

        try:
            print_pdf(
                self.pdf, self.printer, self.copies, self.paper, via_cups=False, progress=step
            )
        except ServiceError as exc:
            self.failed.emit(exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - reported to the clerk, logged
            log.exception("printing in the background failed")
            self.failed.emit(f"打印失败：{exc}")
            return
        self.done.emit()


class BackgroundPrint(QObject):
    """One print job on a worker thread. Signals arrive in the GUI thread."""

    progressed = Signal(int, int)  # pages sent, pages in all
    finished = Signal()
    failed = Signal(str)

    def __init__(
        self, pdf: bytes, printer: str, copies: int, paper: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._worker = _Worker(pdf, printer, copies, paper)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self.progressed)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the page being sent (the job is aborted; ``failed`` follows)."""
        self._worker.cancel.set()

    def wait(self, ms: int = 60_000) -> bool:
        return self._thread.wait(ms)

    def _stop(self) -> None:
        self._thread.quit()
        self._thread.wait()

    def _on_done(self) -> None:
        self._stop()
        self.finished.emit()

    def _on_failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)
