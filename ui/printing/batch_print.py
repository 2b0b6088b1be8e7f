"""Batch notices with a progress dialog and a cancel button.

``BatchNoticeRunner`` builds the PDF a few notices at a time from the event
loop (a zero-delay timer between chunks), so the window stays responsive and
cancelling takes effect after the current chunk. ``BatchPrintDialog`` is a
``QProgressDialog`` around it; when the PDF is ready it emits ``pdf_ready`` and,
unless told otherwise, opens the print preview.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from common.errors import ServiceError

if TYPE_CHECKING:
    from ui.printing.print_preview import PrintPreviewDialog

from printing.batch import NoticeBatch
from printing.data import NoticeData

log = logging.getLogger(__name__)

CHUNK = 10


class BatchNoticeRunner(QObject):
    """Builds one PDF of many notices in chunks, from the event loop."""

    progressed = Signal(int, int)  # done, total
    pdf_ready = Signal(bytes)
    cancelled = Signal(int, int)  # done, total when the clerk cancelled
    failed = Signal(str)

    def __init__(
        self, notices: Sequence[NoticeData], chunk: int = CHUNK, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._notices = list(notices)
        self._chunk = max(1, chunk)
        self._batch: NoticeBatch | None = None
        self._cancel_requested = False
        self._running = False

    @property
    def total(self) -> int:
        return len(self._notices)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._running:
            return
        if not self._notices:
            self.failed.emit("没有需要打印的缴费通知单")
            return
        try:
            self._batch = NoticeBatch(self._notices)
        except ServiceError as exc:  # e.g. no Chinese font
            self.failed.emit(exc.message)
            return
        self._running = True
        self._cancel_requested = False
        QTimer.singleShot(0, self._step)

    def cancel(self) -> None:
        """Stop after the chunk being drawn; ``cancelled`` follows."""
        self._cancel_requested = True

    def _step(self) -> None:
        batch = self._batch
        if batch is None or not self._running:
            return
        if self._cancel_requested:
            self._stop()
            self.cancelled.emit(batch.done, batch.total)
            return
        try:
            done = batch.add(self._chunk)
            self.progressed.emit(done, batch.total)
            if batch.finished:
                pdf = batch.finish()
                self._stop()
                self.pdf_ready.emit(pdf)
                return
        except ServiceError as exc:
            self._stop()
            self.failed.emit(exc.message)
            return
        except Exception as exc:
            log.exception("building the batch PDF failed")
            self._stop()
            self.failed.emit(f"生成缴费通知单失败：{exc}")
            return
        QTimer.singleShot(0, self._step)

    def _stop(self) -> None:
        self._running = False
        self._batch = None


class BatchPrintDialog(QProgressDialog):
    """Progress of a batch of notices; opens the print preview when done."""

    pdf_ready = Signal(bytes)
    cancelled_by_clerk = Signal(int, int)
    failed = Signal(str)

    def __init__(
        self,
        notices: Sequence[NoticeData],
        parent: QWidget | None = None,
        *,
        chunk: int = CHUNK,
        open_preview: bool = True,
        title: str = "批量打印缴费通知单",
    ) -> None:
        total = len(notices)
        super().__init__(f"正在生成缴费通知单 0/{total}…", "取消", 0, max(total, 1), parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self._title = title
        self._open_preview = open_preview
        self.preview: PrintPreviewDialog | None = None
        self.runner = BatchNoticeRunner(notices, chunk, self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.pdf_ready.connect(self._on_ready)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.failed.connect(self._on_failed)
        self.canceled.connect(self.runner.cancel)

    def start(self) -> None:
        """Show the dialog and start building (returns at once)."""
        self.show()
        self.runner.start()

    def _on_progress(self, done: int, total: int) -> None:
        if self.wasCanceled():  # cancel() called directly, not through the button
            self.runner.cancel()
            return
        self.setValue(done)
        self.setLabelText(f"正在生成缴费通知单 {done}/{total}…")

    def _on_ready(self, pdf: bytes) -> None:
        self.setLabelText(f"已生成 {self.runner.total} 份缴费通知单")
        self.pdf_ready.emit(pdf)
        if self._open_preview:
            from ui.printing.print_preview import PrintPreviewDialog

            preview = PrintPreviewDialog(pdf, title=self._title, parent=self.parentWidget())
            self.preview = preview
            preview.open()
        self.accept()

    def _on_cancelled(self, done: int, total: int) -> None:
        self.cancelled_by_clerk.emit(done, total)
        self.reject()

    def _on_failed(self, message: str) -> None:
        self.setLabelText(message)
        self.setCancelButtonText("关闭")
        self.failed.emit(message)
