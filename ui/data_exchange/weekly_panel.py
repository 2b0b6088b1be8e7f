"""参保进度周报 on the 报表 page: the figures, the two charts and the table,
with printing (the same return as a PDF), the Excel exports that go with it
and the roster import.

Everything comes from ``services.progress.weekly_return``; the panel lays it
out and hands PDFs to the page's document output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from printing.progress_report import headline, render_weekly_return
from printing.report_data import VillageReturn, WeeklyReturn
from services.export_rosters import export_progress, export_unpaid
from services.export_workbook import ExportSummary
from services.exports import export_payments
from services.progress import weekly_return
from ui.context import AppContext
from ui.data_exchange.charts import OfficeCurveChart, VillageBarsChart
from ui.data_exchange.export_runner import ExportRunner
from ui.data_exchange.file_chooser import FileChooser
from ui.data_exchange.import_dialog import RosterImportDialog
from ui.data_exchange.not_enrolled_dialog import NotEnrolledDialog
from ui.models.table_model import RIGHT, Column, RowsTableModel, table_view
from ui.operations import OperationFailed, Operations
from ui.printing_bridge import DocumentOutput

WEEKLY_COLUMNS: list[Column[VillageReturn]] = [
    Column("村（社区）", lambda v: v.name),
    Column("目标任务", lambda v: str(v.target) if v.target is not None else "—", RIGHT),
    Column("已登记", lambda v: str(v.registered), RIGHT),
    Column("已缴费", lambda v: str(v.paid), RIGHT),
    Column("完成率", lambda v: v.rate_text, RIGHT),
    Column("本周新增", lambda v: f"+{v.paid_this_week}" if v.paid_this_week else "0", RIGHT),
    Column("上年参保", lambda v: str(v.last_year), RIGHT),
    Column("距目标", lambda v: str(v.to_go) if v.to_go is not None else "—", RIGHT),
]


def others_text(report: WeeklyReturn) -> str:
    reasons = "，".join(f"{label} {n}" for _k, label, n in report.not_enrolled if n)
    h = report.hardship
    return (
        f"困难群体：已登记 {h.registered} 人，已缴费 {h.paid} 人，完成率 {h.rate_text}（目标 100%）。"
        f"　未参保原因：{reasons or '暂无记录'}（共 {report.not_enrolled_total} 人）"
    )


class WeeklyReturnPanel(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        documents: DocumentOutput,
        chooser: FileChooser,
        policy_year: Callable[[], int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.chooser = chooser
        self.policy_year = policy_year
        self.report: WeeklyReturn | None = None
        self.import_dialog: RosterImportDialog | None = None
        self.exports = ExportRunner(ctx, chooser, self)
        self.exports.finished.connect(self._export_finished)

        bar = self._build_bar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 14px;")
        self.bars = VillageBarsChart()
        self.curve = OfficeCurveChart()
        charts = QHBoxLayout()
        charts.addWidget(self.bars, 3)
        charts.addWidget(self.curve, 2)
        self.model = RowsTableModel(WEEKLY_COLUMNS, self)
        self.view = table_view(self.model)
        self.others = QLabel()
        self.others.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addLayout(charts, 3)
        layout.addWidget(self.view, 2)
        layout.addWidget(self.others)
        layout.addWidget(self.message)

    def _build_bar(self) -> QVBoxLayout:
        """The week's end date and the panel's buttons, in two rows: in one row they made
        the 报表 page wider than a 1,024-pixel screen (issue 14)."""
        today = self.ctx.business_date()
        self.week_end = QDateEdit(QDate(today.year, today.month, today.day))
        self.week_end.setDisplayFormat("yyyy-MM-dd")
        self.week_end.setCalendarPopup(True)
        self.week_end.setAccessibleName("周报截止日期")
        self.week_end.dateChanged.connect(lambda _d: self.refresh())
        self.print_button = QPushButton("打印周报(&P)")
        self.print_button.clicked.connect(self.print_return)
        self.export_button = QPushButton("导出进度 Excel")
        self.export_button.clicked.connect(self.export_progress)
        self.unpaid_button = QPushButton("导出未缴费名单")
        self.unpaid_button.clicked.connect(self.export_unpaid)
        self.payments_button = QPushButton("导出本周缴费清册")
        self.payments_button.clicked.connect(self.export_payments)
        self.import_button = QPushButton("导入名单(&I)…")
        self.import_button.clicked.connect(self.open_import)
        self.reason_button = QPushButton("登记未参保原因…")
        self.reason_button.clicked.connect(self.open_reasons)
        # two rows of buttons: in one row they made the 报表 page wider than
        # a 1,024-pixel screen (issue 14)
        bar = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        first.addWidget(QLabel("周报截止"))
        first.addWidget(self.week_end)
        first.addStretch(1)
        for button in (self.payments_button, self.export_button, self.print_button):
            first.addWidget(button)
        second.addStretch(1)
        for button in (self.reason_button, self.import_button, self.unpaid_button):
            second.addWidget(button)
        bar.addLayout(first)
        bar.addLayout(second)
        return bar

    def week_end_date(self) -> dt.date:
        d = self.week_end.date()
        return dt.date(d.year(), d.month(), d.day())

    def refresh(self) -> None:
        try:
            report = self.ops.read(
                weekly_return,
                self.ctx.office_id,
                self.policy_year(),
                self.week_end_date(),
                parent=self,
            )
        except OperationFailed:
            return
        self.show_report(report)

    def show_report(self, report: WeeklyReturn) -> None:
        """Show a return already read (the 报表 page reads it with the rest)."""
        self.report = report
        self.summary.setText(headline(report))
        self.bars.set_rows(report.villages)
        self.curve.set_points(report.curve, report.total.target)
        self.model.set_rows([*report.villages, report.total])
        self.others.setText(others_text(report))

    # --- print and export ---------------------------------------------------------------

    def print_return(self) -> None:
        if self.report is None:
            return
        pdf = render_weekly_return(self.report, self.ctx.clock.now())
        title = f"参保进度周报 {self.report.week_end:%Y-%m-%d}"
        self.documents.present("progress", title, pdf, self)

    def export_progress(self) -> None:
        report = self.report
        if report is None:
            return

        def work(_s: Session, path: Path, _p: Callable[[int], bool]) -> ExportSummary:
            return export_progress(report, path)

        self.exports.start("参保进度", f"参保进度周报{report.week_end:%Y%m%d}.xlsx", work)

    def export_unpaid(self) -> None:
        office_id, year = self.ctx.office_id, self.policy_year()

        def work(s: Session, path: Path, progress: Callable[[int], bool]) -> ExportSummary:
            return export_unpaid(s, office_id, path, policy_year=year, progress=progress)

        self.exports.start("未缴费名单", f"未缴费名单{year}.xlsx", work)

    def export_payments(self) -> None:
        office_id, end = self.ctx.office_id, self.week_end_date()
        start = end - dt.timedelta(days=6)

        def work(s: Session, path: Path, progress: Callable[[int], bool]) -> ExportSummary:
            return export_payments(
                s, office_id, path, date_from=start, date_to=end, progress=progress
            )

        self.exports.start("缴费清册", f"缴费清册{start:%Y%m%d}-{end:%Y%m%d}.xlsx", work)

    def _export_finished(self, message: str, ok: bool) -> None:
        self.message.setStyleSheet("" if ok else "color: #b00000;")
        self.message.setText(message)

    # --- import -------------------------------------------------------------------------

    def open_reasons(self) -> NotEnrolledDialog:
        dialog = NotEnrolledDialog(self.ctx, self.ops, self.policy_year(), self)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def open_import(self) -> RosterImportDialog:
        dialog = RosterImportDialog(self.ctx, self.ops, self.chooser, self.policy_year(), self)
        dialog.imported.connect(lambda _r: self.refresh())
        self.import_dialog = dialog
        dialog.open()
        return dialog
