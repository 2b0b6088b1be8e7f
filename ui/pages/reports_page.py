"""报表 — takings of a day and of a month by village, tier and channel;
enrolments of the policy year against each village's target; the supervisor
overrides of the deposit rule.

Everything comes from ``services.reports`` (grouped queries over the ledger);
the page only lays it out. Amounts are net of voids and refunds.

Keys: Ctrl+Tab / Ctrl+Shift+Tab switch tabs (or Alt + the underlined letter);
Enter in the date fields reloads; Ctrl+Shift+R reloads (keys scoped to the
page, ``ui.keys``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from printing.report_data import PeriodReport
from printing.takings_report import render_takings
from services.accounts import SelfApprovalLine
from services.cash_reports import CashException
from services.office import office_info
from services.page_views import ReportsCancelled, ReportsView, reports_view
from services.reports import (
    VillageProgress,
    override_list,
)
from ui.context import AppContext
from ui.data_exchange.background import BackgroundJob
from ui.data_exchange.file_chooser import DialogFileChooser, FileChooser
from ui.data_exchange.weekly_panel import WeeklyReturnPanel
from ui.keys import RELOAD, page_shortcut
from ui.models.table_model import RowsTableModel
from ui.operations import (
    DAY,
    DEPOSITS,
    ENROLLMENTS,
    LEDGER,
    OFFICE,
    PAYMENTS,
    ChangeSet,
    OperationFailed,
    Operations,
)
from ui.pages.base import Page
from ui.pages.over_short_box import OverShortBox
from ui.pages.report_tables import (
    EXCEPTION_COLUMNS,
    FITTED_GROUPS,
    OVERRIDE_COLUMNS,
    PROGRESS_COLUMNS,
    PeriodPanel,
    listing,
    rate_text,
    table_of,
)
from ui.printing_bridge import DocumentOutput
from ui.widgets.enter_chain import EnterChain

log = logging.getLogger(__name__)

REFRESH_TOPICS = frozenset({LEDGER, PAYMENTS, DEPOSITS, DAY, ENROLLMENTS, OFFICE})


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ReportsPage(Page):
    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        documents: DocumentOutput | None = None,
        chooser: FileChooser | None = None,
        **_: object,
    ) -> None:
        super().__init__(ctx, ops, parent, documents=documents)
        self.chooser = chooser if chooser is not None else DialogFileChooser()
        self.day_report: PeriodReport | None = None
        self.month: PeriodReport | None = None
        # the reports are read off the GUI thread (seconds on 300,000 residents)
        self.job: BackgroundJob | None = None
        self._again = False

        bar = self._build_bar()
        self.tabs = self._build_tabs()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        self.enter_chain = EnterChain(self)
        self.enter_chain.set_fields([self.day_edit, self.month_edit, self.year_edit], self.refresh)
        page_shortcut(self, RELOAD, self.refresh)
        page_shortcut(self, "Ctrl+P", self.print_current)
        page_shortcut(self, "Ctrl+Tab", lambda: self._step_tab(1))
        page_shortcut(self, "Ctrl+Shift+Tab", lambda: self._step_tab(-1))
        # one change set per write: one refresh (ui/operations.py)
        self.watch(REFRESH_TOPICS)
        self.refresh()

    def _build_tabs(self) -> QTabWidget:
        """Takings, enrolment progress, the weekly return, overrides and cash exceptions."""
        self.day_panel = PeriodPanel("当日收款")
        self.month_panel = PeriodPanel("当月收款")
        takings = QWidget()
        grid = QGridLayout(takings)
        grid.addWidget(self.day_panel, 0, 0)
        grid.addWidget(self.month_panel, 0, 1)

        self.progress = RowsTableModel(PROGRESS_COLUMNS, self)
        self.progress_view = table_of(self.progress)
        self.progress_summary = QLabel()
        self.progress_summary.setWordWrap(True)
        progress_tab = listing(self.progress_summary, self.progress_view)

        self.overrides = RowsTableModel(OVERRIDE_COLUMNS, self)
        self.overrides_view = table_of(self.overrides)
        self.overrides_view.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        self.overrides_summary = QLabel()
        overrides_tab = listing(self.overrides_summary, self.overrides_view)

        self.exceptions = RowsTableModel(EXCEPTION_COLUMNS, self)
        self.exceptions_view = table_of(self.exceptions)
        self.exceptions_view.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        self.exceptions_summary = QLabel()
        self.over_short = OverShortBox(self.ctx, self.ops, self._selected_exception, self)
        self.exceptions_tab = exceptions_tab = listing(
            self.exceptions_summary, self.exceptions_view, self.over_short
        )
        self.exceptions_view.selectionModel().currentRowChanged.connect(
            lambda *_: self.over_short.update_for(self._selected_exception())
        )
        self.weekly = WeeklyReturnPanel(
            self.ctx, self.ops, self.documents, self.chooser, lambda: self.year_edit.value()
        )

        self.tabs = QTabWidget()
        self.tabs.addTab(takings, "收款汇总(&S)")
        self.tabs.addTab(progress_tab, "参保进度(&E)")
        self.tabs.addTab(self.weekly, "进度周报(&W)")
        self.tabs.addTab(overrides_tab, "主管放行记录(&O)")
        self.tabs.addTab(exceptions_tab, "现金异常(&X)")
        return self.tabs

    def _build_bar(self) -> QHBoxLayout:
        """The day, month and policy year, reload, the loading line and print."""
        today = self.ctx.business_date()
        self.day_edit = QDateEdit(_qdate(today))
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setAccessibleName("日报日期")
        self.month_edit = QDateEdit(_qdate(today))
        self.month_edit.setDisplayFormat("yyyy-MM")
        self.month_edit.setAccessibleName("月报月份")
        self.year_edit = QSpinBox()
        self.year_edit.setRange(2000, 2100)
        self.year_edit.setAccessibleName("政策年度")
        self.year_edit.setValue(self._policy_year() or today.year + 1)
        self.reload_button = QPushButton("刷新(&R)")
        self.reload_button.setToolTip(f"重新读取报表（Alt+R 或 {RELOAD}）")
        self.reload_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("打印(&P)")
        self.print_button.setToolTip("打印当前所看的报表（Ctrl+P）")
        self.print_button.clicked.connect(self.print_current)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("日报日期"))
        bar.addWidget(self.day_edit)
        bar.addSpacing(12)
        bar.addWidget(QLabel("月报月份"))
        bar.addWidget(self.month_edit)
        bar.addSpacing(12)
        bar.addWidget(QLabel("参保年度"))
        bar.addWidget(self.year_edit)
        bar.addWidget(self.reload_button)
        self.loading_label = QLabel()
        self.loading_label.setObjectName("reportsLoading")
        self.cancel_button = QPushButton("取消统计")
        self.cancel_button.setToolTip("停止读取报表，页面保持原样")
        self.cancel_button.clicked.connect(self.cancel_loading)
        self.cancel_button.hide()
        bar.addWidget(self.loading_label)
        bar.addWidget(self.cancel_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        return bar

    def _policy_year(self) -> int | None:
        try:
            office = self.ops.read(office_info, self.ctx.office_id, parent=self)
        except OperationFailed:
            return None
        policy = self.ctx.policies.policies.get(office.policy_key)
        return policy.year if policy is not None else None

    def _selected_exception(self) -> CashException | None:
        index = self.exceptions_view.currentIndex()
        rows = self.exceptions.rows()
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def print_current(self) -> None:
        """Print what the page shows: the takings (with the month's overrides) or
        the weekly return (from both progress tabs)."""
        if self.tabs.currentWidget() in (self.weekly, self.progress_view.parentWidget()):
            self.weekly.print_return()
            return
        if self.day_report is None or self.month is None:
            return
        try:
            overrides = self.ops.read(
                override_list,
                self.ctx.office_id,
                self.month.date_from,
                self.month.date_to,
                parent=self,
            )
            office = self.ops.read(office_info, self.ctx.office_id, parent=self)
        except OperationFailed:
            return
        pdf = render_takings(
            office.name, self.day_report, self.month, overrides, self.ctx.clock.now()
        )
        self.documents.present("takings", f"收款汇总 {self.day_report.date_from}", pdf, self)

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # --- public --------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh_if_dirty()
        self.day_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def loading(self) -> bool:
        return self.job is not None

    def refresh(self) -> None:
        """Read everything the page shows, in one read off the GUI thread
        (``services.page_views.reports_view``); the page shows it when it
        arrives. Asked again while reading, it reads once more after."""
        self._dirty = False
        if self.job is not None:
            self._again = True
            return
        office_id = self.ctx.office_id
        day = _pydate(self.day_edit.date())
        month = self.month_edit.date()
        year, number = month.year(), month.month()
        progress_year = self.year_edit.value()
        week_end = self.weekly.week_end_date()

        def work(session, progress):  # type: ignore[no-untyped-def]
            return reports_view(
                session, office_id, day, year, number, progress_year, week_end, progress
            )

        self._again = False
        job = BackgroundJob(self.ctx.db, work, write=False, parent=self)
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(self._on_loaded)
        job.failed.connect(self._on_load_failed)
        job.finished.connect(self._on_job_finished)
        self.job = job
        self.loading_label.setText("正在统计报表……")
        self.cancel_button.show()
        job.start()

    def finish_loading(self) -> None:
        """Wait for the reading under way and show it (tests, screenshots)."""
        from PySide6.QtCore import QCoreApplication

        while self.job is not None:
            self.job.wait()
            QCoreApplication.processEvents()

    def stop_background(self) -> None:
        """Cancel the reading under way and wait for its thread (window closing)."""
        if self.job is not None:
            self._again = False
            self.job.cancel()
            self.job.wait()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.stop_background()
        super().closeEvent(event)

    def cancel_loading(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._again = False

    def _on_progress(self, done: int, total: int) -> None:
        self.loading_label.setText(f"正在统计报表……（{done}/{total}）")

    def _on_load_failed(self, code: str, message: str) -> None:
        if code == ReportsCancelled.code:
            self.loading_label.setText("已取消统计，显示的是上次的结果。")
            return
        self.loading_label.setText(message)
        self.ops.failed.emit(code, message)

    def _on_job_finished(self) -> None:
        job, self.job = self.job, None
        self.cancel_button.hide()
        if job is not None:
            job.deleteLater()
        if self._again:
            self.refresh()

    def _on_loaded(self, view: ReportsView) -> None:
        self.loading_label.clear()
        self.show_view(view)

    def show_view(self, view: ReportsView) -> None:
        day = view.day.date_from
        year, number = view.month.date_from.year, view.month.date_from.month
        self.day_report = view.day
        self.month = view.month
        progress, overrides = view.progress, view.overrides
        exceptions, marks = view.exceptions, view.self_approvals
        self.exceptions.set_rows(exceptions)
        self.over_short.update_for(self._selected_exception())
        still_open = sum(1 for e in exceptions if e.still_open)
        self.exceptions_summary.setText(
            f"{year} 年 {number} 月现金异常 {len(exceptions)} 项"
            + (f"，其中 {still_open} 项长短款尚未了结" if still_open else "")
        )
        self.day_panel.title.setText(f"<b>当日收款　{day:%Y-%m-%d}</b>")
        self.day_panel.show_report(self.day_report)
        self.month_panel.title.setText(f"<b>当月收款　{year} 年 {number} 月</b>")
        self.month_panel.show_report(self.month)
        for attr in FITTED_GROUPS:  # the same height side by side
            rows = max(len(getattr(self.day_report, attr)), len(getattr(self.month, attr)))
            self.day_panel.fit_rows(attr, rows)
            self.month_panel.fit_rows(attr, rows)

        self.progress.set_rows(progress)
        target = sum(p.target or 0 for p in progress)
        paid = sum(p.paid for p in progress)
        enrolled = sum(p.enrolled for p in progress)
        total = VillageProgress(None, "合计", target or None, enrolled, paid)
        self.progress_summary.setText(
            f"{view.progress_year} 年度：已登记 {enrolled} 人，已缴费 {paid} 人；"
            f"目标合计 {target} 人，完成率 {rate_text(total)}"
        )

        self.weekly.show_report(view.weekly)
        self.overrides.set_rows(overrides)
        self.overrides_summary.setText(
            f"{year} 年 {number} 月主管放行 {len(overrides)} 次"
            + ("（逾期收取现金、未入库日结均需记录原因）" if overrides else "")
            + self_approval_text(marks)
        )

    def on_changes(self, changes: ChangeSet) -> bool:
        if OFFICE in changes:
            year = self._policy_year()
            if year is not None:
                self.year_edit.setValue(year)
        return True


def self_approval_text(marks: list[SelfApprovalLine]) -> str:
    """The month's self-approvals of a one-person collection point, marked."""
    if not marks:
        return ""
    items = "；".join(
        f"{m.date:%m-%d} {m.operator_name}自行授权{m.act_label}（{m.subject}）" for m in marks
    )
    return f"\n【单人收款点自行授权 {len(marks)} 次】{items}"
