"""The 台账 page's "导出 Excel" button: the ledger of the filter's dates (and
village) as a workbook with receipt numbers and running cash on hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy.orm import Session

from services.export_workbook import ExportSummary
from services.exports import export_ledger
from services.ledger_views import NO_VILLAGE
from ui.data_exchange.export_runner import ExportRunner
from ui.data_exchange.file_chooser import DialogFileChooser, FileChooser


class LedgerExport:
    """Owns the button, the runner and the message line; reads the page's filter."""

    def __init__(self, page: Any, chooser: FileChooser | None = None) -> None:
        self.page = page
        self.button = QPushButton("导出 Excel(&E)")
        self.button.setToolTip("把所选日期（和村、社区）的台账导出为 Excel 工作簿")
        self.button.clicked.connect(self.start)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.runner = ExportRunner(page.ctx, chooser or DialogFileChooser(), page)
        self.runner.finished.connect(self._finished)

    def start(self) -> None:
        flt = self.page.current_filter()
        office_id = self.page.ctx.office_id
        village = flt.village_id if flt.village_id not in (None, NO_VILLAGE) else None

        def work(s: Session, path: Path, progress: Callable[[int], bool]) -> ExportSummary:
            return export_ledger(
                s,
                office_id,
                path,
                date_from=flt.date_from,
                date_to=flt.date_to,
                village_id=village,
                progress=progress,
            )

        span = f"{flt.date_from:%Y%m%d}-{flt.date_to:%Y%m%d}" if flt.date_from else "全部"
        self.runner.start("台账", f"台账{span}.xlsx", work)

    def _finished(self, message: str, ok: bool) -> None:
        self.message.setStyleSheet("" if ok else "color: #b00000;")
        self.message.setText(message)
        self.message.setVisible(True)
