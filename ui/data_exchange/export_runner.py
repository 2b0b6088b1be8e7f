"""Export a workbook from a page: ask where, write it off the window's thread
with a progress dialog and a cancel button, then say what was written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from sqlalchemy.orm import Session

from services.export_workbook import ExportSummary
from ui.context import AppContext
from ui.data_exchange.background import BackgroundJob
from ui.data_exchange.file_chooser import FileChooser
from ui.journalled_output import journal_event

# (session, path, rows-written callback) -> summary
ExportWork = Callable[[Session, Path, Callable[[int], bool]], ExportSummary]


class ExportRunner(QObject):
    """One export at a time for a page; ``finished`` carries the message shown."""

    finished = Signal(str, bool)  # message, ok

    def __init__(self, ctx: AppContext, chooser: FileChooser, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chooser = chooser
        self._parent = parent
        self.job: BackgroundJob | None = None
        self.dialog: QProgressDialog | None = None

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self, title: str, file_name: str, work: ExportWork) -> None:
        if self.running:
            return
        self.chooser.save(
            self._parent, f"导出{title}", file_name, lambda p: self._run(title, p, work)
        )

    def _run(self, title: str, path: Path, work: ExportWork) -> None:
        def job_work(session: Session, progress: Callable[[int, int], bool]) -> ExportSummary:
            return work(session, path, lambda rows: progress(rows, 0))

        self.job = BackgroundJob(self.ctx.db, job_work, write=False, parent=self)
        dialog = QProgressDialog(f"正在导出{title}…", "取消", 0, 0, self._parent)
        dialog.setWindowTitle(f"导出{title}")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(self.job.cancel)
        self.dialog = dialog
        self.job.progressed.connect(
            lambda rows, _total: dialog.setLabelText(f"正在导出{title}：已写 {rows} 行…")
        )
        self.job.succeeded.connect(lambda s: self._exported(title, s))
        self.job.failed.connect(lambda _code, message: self._done(message, False))
        self.job.start()

    def _exported(self, title: str, summary: ExportSummary) -> None:
        # every export goes to the audit journal
        journal_event(
            self.ctx,
            "export",
            title,
            {"file": str(summary.path), "sheet": summary.sheet, "rows": summary.rows},
        )
        self._done(f"已导出{title} {summary.rows} 行：{summary.path}", True)

    def _done(self, message: str, ok: bool) -> None:
        if self.job is not None:
            self.job.wait()
            self.job.deleteLater()
        self.job = None
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None
        self.finished.emit(message, ok)
