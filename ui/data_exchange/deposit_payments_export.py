"""The 入库 page's 导出缴费清册… button: the 缴费清册 that goes with the deposit
selected in the deposit register — every cash payment of the collection days
that deposit settled, with channel and reference — as an Excel workbook
(``services.exports.export_deposit_payments``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QWidget
from sqlalchemy.orm import Session

from services.deposits import DepositRow
from services.export_workbook import ExportSummary
from services.exports import export_deposit_payments
from ui.context import AppContext
from ui.data_exchange.export_runner import ExportRunner
from ui.data_exchange.file_chooser import DialogFileChooser, FileChooser
from ui.models.table_model import RowsTableModel

#: characters a file name cannot hold on Windows (a slip number may have them)
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


class DepositPaymentsExport:
    """Owns the button, the runner and the message line; reads the register's selection."""

    def __init__(
        self,
        ctx: AppContext,
        view: QTableView,
        model: RowsTableModel[DepositRow],
        parent: QWidget,
        chooser: FileChooser | None = None,
    ) -> None:
        self.ctx = ctx
        self.view = view
        self.model = model
        self.button = QPushButton("导出缴费清册(&X)…")
        self.button.setToolTip(
            "把入库登记簿中选中的那笔入库所对应的缴费清册"
            "（每笔缴费及其渠道、交易参考号）导出为 Excel 工作簿"
        )
        self.button.clicked.connect(self.start)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.runner = ExportRunner(ctx, chooser or DialogFileChooser(), parent)
        self.runner.finished.connect(self._finished)
        view.selectionModel().selectionChanged.connect(self._update)
        model.modelReset.connect(self._update)
        self._update()

    def selected(self) -> DepositRow | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_object(rows[0].row())

    def start(self) -> None:
        deposit = self.selected()
        if deposit is None:
            self._finished("请先在入库登记簿中选中一笔入库。", False)
            return
        office_id = self.ctx.office_id
        slip_no = deposit.slip_no

        def work(s: Session, path: Path, progress: Callable[[int], bool]) -> ExportSummary:
            return export_deposit_payments(s, office_id, path, slip_no=slip_no, progress=progress)

        name = _NOT_IN_FILE_NAMES.sub("_", slip_no)
        self.runner.start("缴费清册", f"缴费清册_{deposit.business_date:%Y%m%d}_{name}.xlsx", work)

    def _update(self) -> None:
        self.button.setEnabled(self.selected() is not None and not self.runner.running)

    def _finished(self, message: str, ok: bool) -> None:
        self.message.setStyleSheet("" if ok else "color: #b00000;")
        self.message.setText(message)
        self.message.setVisible(True)
