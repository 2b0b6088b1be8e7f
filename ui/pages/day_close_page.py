"""日结 — the end-of-day cash count and the lock on the day.

1. (Morning) the opening float (备用金) may be recorded.
2. The clerk counts the drawer by denomination. The count is *blind*: what the
   drawer should hold is not shown anywhere on this page until the count is
   confirmed (``services.close_preview.preview_close`` needs a count to answer).
3. Then the reconciliation: float, cash brought forward, cash received, voids
   and refunds, deposits, expected, counted, and the difference (长款/短款).
   A difference needs a reason and a supervisor's confirmation; while cash is
   due today (or overdue) and not deposited, closing needs a supervisor's
   override with a reason (POLICY.md §7.3). One approval covers both.
4. This window's drawer is closed and its day-close sheet printed (and can
   be printed again). Several windows (issue 11): each closes its own drawer;
   the office's day is closed and locked when the last drawer used that day is
   closed. A supervisor sees every drawer of the office (operator, expected
   cash, counted, closed) below.

The page's state comes from one service read
(``services.day_close_view.day_close_page_state``) and is refreshed through
``ops.subscribe`` when a write touches cash or the day.

Keys: Enter moves down the count and confirms it on the last row; in the
reconciliation Enter on the reason field closes the day; Alt+R recounts;
Ctrl+Shift+R reloads; Ctrl+P prints the sheet of a closed day (keys scoped to
the page, ``ui.keys``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.denominations import BY_PIECE
from common.glossary import channel_label
from common.money import yuan_text
from printing.data import DayCloseData
from printing.day_close import render_day_close
from services.business_day import open_day
from services.close_preview import ClosePreview, preview_close
from services.day_close import close_day
from services.day_close_record import DayCloseRecord, day_close_record
from services.day_close_view import DayClosePageState, day_close_page_state
from services.deposit_state import current_deposit_status
from services.documents import day_close_document, drawer_close_document
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.keys import RELOAD, page_shortcut
from ui.operations import DAY, DEPOSITS, LEDGER, PAYMENTS, OperationFailed, Operations
from ui.pages.day_close_parts import closed_summary, difference_words
from ui.pages.future_closes_box import FutureClosesBox
from ui.printing_bridge import DocumentOutput, PreviewOutput
from ui.widgets.denomination_count import DenominationCount
from ui.widgets.enter_chain import EnterChain
from ui.widgets.money_edit import MoneyEdit

log = logging.getLogger(__name__)

REFRESH_TOPICS = frozenset({LEDGER, PAYMENTS, DEPOSITS, DAY})
#: (kind, value in fen) of the count widget -> the service's denomination key
SERVICE_KEYS = {piece: d.key for piece, d in BY_PIECE.items()}


class DayClosePage(QWidget):
    dayClosed = Signal(object)  # DayCloseResult
    depositRequested = Signal()
    countingChanged = Signal(bool)  # the blind count started (True) or ended

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        documents: DocumentOutput | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents if documents is not None else PreviewOutput()
        self.preview: ClosePreview | None = None
        self.record: DayCloseRecord | None = None  # the office's close of the day
        self.state: DayClosePageState | None = None
        self.approval: SupervisorApprovalDialog | None = None
        self._dirty = False
        # a forgotten earlier day being closed late (补日结), else None: today
        self.late_date: dt.date | None = None
        self.forgotten: list[dt.date] = []
        self._counting = False

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.day_state = QLabel()
        self.day_state.setObjectName("dayState")
        self.deposit_warning = QLabel()
        self.deposit_warning.setObjectName("dayCloseDepositWarning")
        self.deposit_warning.setWordWrap(True)
        self.deposit_warning.setStyleSheet(
            "background: #d32f2f; color: white; font-weight: bold; padding: 6px;"
        )
        self.go_deposit = QPushButton("去入库(&D)")
        self.go_deposit.clicked.connect(self.depositRequested)
        warning_row = QHBoxLayout()
        warning_row.addWidget(self.deposit_warning, 1)
        warning_row.addWidget(self.go_deposit)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.day_state)
        head.addStretch(1)
        self.reprint_date = QDateEdit()
        self.reprint_date.setObjectName("reprintDate")
        self.reprint_date.setCalendarPopup(True)
        self.reprint_date.setDisplayFormat("yyyy-MM-dd")
        today = ctx.business_date()
        self.reprint_date.setDate(QDate(today.year, today.month, today.day))
        self.reprint_button = QPushButton("补打该日日结单")
        self.reprint_button.clicked.connect(self.reprint_sheet)
        head.addWidget(QLabel("往日日结单："))
        head.addWidget(self.reprint_date)
        head.addWidget(self.reprint_button)
        # forgotten days: flagged, closed late by a supervisor
        self.unclosed_label = QLabel()
        self.unclosed_label.setObjectName("unclosedDays")
        self.unclosed_label.setWordWrap(True)
        self.unclosed_label.setStyleSheet(
            "background: #7f0000; color: white; font-weight: bold; padding: 6px;"
        )
        self.late_button = QPushButton("补日结(&L)")
        self.late_button.clicked.connect(self.start_late_close)
        unclosed_row = QHBoxLayout()
        unclosed_row.addWidget(self.unclosed_label, 1)
        unclosed_row.addWidget(self.late_button)

        # --- opening float ---------------------------------------------------------
        self.open_box = QGroupBox("开始营业：登记本窗口钱箱的备用金")
        self.float_edit = MoneyEdit(allow_zero=True)
        self.float_edit.setObjectName("openingFloat")
        self.open_button = QPushButton("开始营业(&O)")
        self.open_button.setAutoDefault(True)
        self.open_button.clicked.connect(self.open_today)
        open_row = QHBoxLayout(self.open_box)
        open_row.addWidget(QLabel("备用金（元）"))
        open_row.addWidget(self.float_edit)
        open_row.addWidget(self.open_button)
        open_row.addWidget(self.float_edit.error_label)
        open_row.addStretch(1)

        # --- step 1: blind count ---------------------------------------------------
        self.count_box = QGroupBox("第一步：清点库存现金（盲点，不显示应有金额）")
        self.count = DenominationCount()
        self.count.submitted.connect(self.confirm_count)
        self.confirm_button = QPushButton("确认点钞结果(&K)")
        self.confirm_button.setAutoDefault(True)
        self.confirm_button.clicked.connect(self.confirm_count)
        self.clear_button = QPushButton("清零")
        self.clear_button.clicked.connect(self.count.clear)
        count_buttons = QHBoxLayout()
        count_buttons.addWidget(self.clear_button)
        count_buttons.addStretch(1)
        count_buttons.addWidget(self.confirm_button)
        count_layout = QVBoxLayout(self.count_box)
        hint = QLabel(
            "逐项输入张（枚）数，回车到下一项；最后一项回车即确认。确认后才显示应有库存。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        count_layout.addWidget(hint)
        count_layout.addWidget(self.count)
        count_layout.addLayout(count_buttons)
        count_layout.addStretch(1)

        # --- step 2: reconciliation ------------------------------------------------
        self.result_box = QGroupBox("第二步：核对与日结")
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        rows = (
            ("float", "期初备用金"),
            ("brought", "加：前日未入库现金"),
            ("received", "加：本日现金收款"),
            ("out", "减：本日作废、退费付出现金"),
            ("deposited", "减：本日现金入库"),
            ("expected", "应有库存现金"),
            ("counted", "实点库存现金"),
            ("difference", "差额（实点 − 应有）"),
        )
        for row, (key, label) in enumerate(rows):
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setObjectName(f"figure_{key}")
            self.figures[key] = value
            name = QLabel(
                f"<b>{label}</b>" if key in ("expected", "counted", "difference") else label
            )
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
        self.non_cash = QLabel()
        self.non_cash.setWordWrap(True)
        self.non_cash.setStyleSheet("color: #444;")
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("differenceReason")
        self.reason.setPlaceholderText("有长短款时必须填写原因")
        self.reason_row_label = QLabel("差额原因")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.recount_button = QPushButton("重新点钞(&R)")
        self.recount_button.clicked.connect(self.recount)
        self.close_button = QPushButton("日结(&C)")
        self.close_button.setObjectName("closeDayButton")
        self.close_button.setAutoDefault(True)
        self.close_button.clicked.connect(self.request_close)
        reason_form = QFormLayout()
        reason_form.addRow(self.reason_row_label, self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recount_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addLayout(grid)
        result_layout.addWidget(self.non_cash)
        result_layout.addWidget(self.status_line)
        result_layout.addLayout(reason_form)
        result_layout.addWidget(self.message)
        result_layout.addLayout(buttons)
        result_layout.addStretch(1)

        # --- closed ------------------------------------------------------------------
        self.closed_box = QGroupBox("本日已日结")
        self.closed_text = QLabel()
        self.closed_text.setObjectName("closedSummary")
        self.closed_text.setWordWrap(True)
        self.closed_text.setTextFormat(Qt.TextFormat.RichText)
        self.closed_text.setStyleSheet("font-size: 14px;")
        self.print_button = QPushButton("打印日结单(&P)")
        self.print_button.setAutoDefault(True)
        self.print_button.clicked.connect(self.print_sheet)
        self.print_office_button = QPushButton("打印全所日结单")
        self.print_office_button.clicked.connect(self.print_office_sheet)
        closed_layout = QVBoxLayout(self.closed_box)
        closed_layout.addWidget(self.closed_text)
        print_row = QHBoxLayout()
        print_row.addWidget(self.print_button)
        print_row.addWidget(self.print_office_button)
        print_row.addStretch(1)
        closed_layout.addLayout(print_row)

        # --- the office's drawers (a supervisor's view, issue 11) -----------------
        self.office_box = QGroupBox("全所钱箱（各窗口）")
        self.office_box.setObjectName("officeDrawers")
        self.drawer_table = QTableWidget(0, 5)
        self.drawer_table.setObjectName("drawerTable")
        self.drawer_table.setHorizontalHeaderLabels(
            ["经办人", "备用金", "应有库存现金", "实点", "日结"]
        )
        self.drawer_table.verticalHeader().setVisible(False)
        self.drawer_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.drawer_table.horizontalHeader().setStretchLastSection(True)
        self.drawer_table.setMaximumHeight(130)
        self.office_note = QLabel()
        self.office_note.setObjectName("officeDayNote")
        self.office_note.setWordWrap(True)
        office_layout = QVBoxLayout(self.office_box)
        office_layout.addWidget(self.drawer_table)
        office_layout.addWidget(self.office_note)

        work = QHBoxLayout()
        work.addWidget(self.count_box, 1)
        work.addWidget(self.result_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(unclosed_row)
        # a close dated in the future by a wrong clock: a supervisor annuls it
        self.future_closes = FutureClosesBox(ctx, ops, self)
        layout.addWidget(self.future_closes)
        layout.addLayout(warning_row)
        layout.addWidget(self.open_box)
        layout.addWidget(self.closed_box)
        layout.addLayout(work, 1)
        layout.addWidget(self.office_box)
        self.closed_spacer = QWidget()  # keeps a closed day's summary at the top
        layout.addWidget(self.closed_spacer, 1)

        self.open_chain = EnterChain(self)
        self.open_chain.set_fields([self.float_edit], self.open_today)
        self.reason_chain = EnterChain(self)
        self.reason_chain.set_fields([self.reason], self.request_close)
        page_shortcut(self, RELOAD, self.refresh)
        page_shortcut(self, "Ctrl+P", self.print_sheet)
        ops.subscribe(REFRESH_TOPICS, self._on_changes, self)
        self.refresh()

    # --- reading ---------------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """The day being closed: today, or a forgotten day closed late."""
        return self.late_date or self.ctx.business_date()

    @property
    def drawer_operator_id(self) -> int:
        """Whose drawer this page counts (see ``DayClosePageState``)."""
        if self.state is not None:
            return self.state.drawer_operator_id
        return self.ctx.operator_id

    @property
    def counting(self) -> bool:
        """The blind count is under way: no cash figure may show anywhere."""
        return self._counting

    def _set_counting(self, counting: bool) -> None:
        if counting != self._counting:
            self._counting = counting
            self.countingChanged.emit(counting)

    def denominations(self) -> dict[str, int]:
        """The count in the service's terms ({"note_100": 12, …})."""
        return {SERVICE_KEYS[pair]: n for pair, n in self.count.counts().items()}

    def activate(self) -> None:
        if self._dirty:
            self.refresh()
        if self.state is not None and self.state.my_drawer_closed:
            self.print_button.setFocus()
        elif self.preview is not None:
            if self.reason.isVisible():
                self.reason.setFocus()
            else:
                self.close_button.setFocus()
        else:
            self.count.focus_first()

    def refresh(self) -> None:
        self._dirty = False
        date = self.date
        weekday = "一二三四五六日"[date.weekday()]
        late = "补日结　" if self.late_date else "日结　"
        self.title.setText(f"{late}{date:%Y-%m-%d} 星期{weekday}")
        try:
            state = self.ops.read(
                day_close_page_state,
                self.ctx.clock,
                self.ctx.office_id,
                self.ctx.operator_id,
                date,
                parent=self,
            )
        except OperationFailed:
            return
        self.state = state
        self.record = state.office_record
        status = state.deposit_status
        self.forgotten = [d for d in state.forgotten if d != self.late_date]
        if self.late_date is None and self.forgotten:
            names = "、".join(f"{d:%Y-%m-%d}" for d in self.forgotten)
            self.unclosed_label.setText(
                f"以下日期有业务但尚未日结：{names}。须先由主管补日结（填写原因），再日结今天。"
            )
        self.unclosed_label.setVisible(self.late_date is None and bool(self.forgotten))
        self.late_button.setVisible(self.late_date is None and bool(self.forgotten))
        closed = state.my_drawer_closed
        self.closed_box.setVisible(closed)
        self.closed_spacer.setVisible(closed)
        self.count_box.setVisible(not closed)
        self.result_box.setVisible(not closed and self.preview is not None)
        # the float always opens the window's own drawer
        self.open_box.setVisible(not state.opened and self.late_date is None and not closed)
        self.print_office_button.setVisible(state.office_record is not None)
        if closed:
            self.preview = None
            if state.office_record is not None:
                self.day_state.setText("已日结，当日不能再记账")
            else:
                self.day_state.setText("本窗口钱箱已日结，不能再收付现金")
            self._show_closed(state)
        elif state.drawer_operator_id != state.operator_id:
            self.day_state.setText(
                f"主管代为清点 {state.drawer_name} 的钱箱（备用金 {yuan_text(state.opening_float_fen)}）"
            )
        elif not state.opened:
            self.day_state.setText(f"{state.drawer_name}的钱箱：尚未登记备用金（按 0 元计）")
        else:
            self.day_state.setText(
                f"{state.drawer_name}的钱箱营业中，备用金 {yuan_text(state.opening_float_fen)}"
            )
        self._show_office(state)
        due = not closed and status.state in ("due_today", "overdue")
        self.deposit_warning.setVisible(due)
        self.go_deposit.setVisible(due)
        if due:
            # blind until the count is confirmed: the deadline, never the amount
            said = (
                status.sentence_zh
                if self.preview is not None
                else f"入库期限 {status.deadline}，金额在点钞确认后显示。"
            )
            self.deposit_warning.setText(
                f"{status.label_zh}：{said}未入库即日结须经主管放行并填写原因。"
            )
        if self.preview is not None and not closed:
            self._run_preview()  # the figures may have moved (a payment, a deposit)
        self._set_counting(not closed and self.preview is None)

    # --- acting ----------------------------------------------------------------------

    def open_today(self) -> None:
        if not self.float_edit.validate():
            return
        try:
            self.ops.write(
                DAY,
                open_day,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                opening_float=self.float_edit.text(),
                parent=self,
            )
        except OperationFailed:
            return
        self.count.focus_first()

    def confirm_count(self) -> None:
        """Lock the count and only now show what the drawer should hold."""
        if self.record is not None:
            return
        if self._run_preview():
            self.count.set_read_only(True)
            self.confirm_button.setEnabled(False)
            self.clear_button.setEnabled(False)
            self.result_box.show()
            self._set_counting(False)
            self.refresh()
            self.activate()

    def start_late_close(self) -> None:
        """Count and close the oldest forgotten day (补日结, a supervisor's act)."""
        if not self.forgotten:
            return
        self.late_date = self.forgotten[0]
        self.recount()
        self.count.clear()
        self.refresh()

    def reprint_sheet(self) -> None:
        """The sheet of any past closed day, printed again."""
        qdate = self.reprint_date.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        try:
            record = self.ops.read(day_close_record, self.ctx.office_id, day, parent=self)
        except OperationFailed:
            return
        if record is None:
            self.message.setText(f"{day} 没有日结记录。")
            return
        self._present_sheet(record)

    def recount(self) -> None:
        self._set_counting(True)
        self.preview = None
        self.result_box.hide()
        self.message.clear()
        self.count.set_read_only(False)
        self.confirm_button.setEnabled(True)
        self.clear_button.setEnabled(True)
        self.count.focus_first()

    def request_close(self) -> None:
        """Close, asking a supervisor first when the difference or the deposit rule needs one."""
        preview = self.preview
        if preview is None:
            return
        difference = preview.difference_fen
        if difference and not self.reason.text().strip():
            self.message.setText(f"{difference_words(difference)}，请填写差额原因。")
            self.reason.setFocus()
            return
        if not difference and not preview.deposit_required and self.late_date is None:
            self._close(None, None)
            return
        if self.late_date is not None:
            title = "补日结：主管确认"
            explanation = (
                f"{self.late_date} 当日未日结，现由主管确认补日结，须填写原因；"
                "日结单上注明为补日结。"
            )
            if difference:
                explanation += (
                    f"\n同时确认{difference_words(difference)}，原因：{self.reason.text().strip()}"
                )
            reason_label = "补日结原因"
        elif preview.deposit_required:
            status = preview.deposit_status
            title = "未入库日结：主管放行"
            explanation = (
                f"{status.label_zh}：须入库现金 {yuan_text(status.due_by_today_fen)} 尚未入库"
                f"（期限 {status.deadline}）。主管确认放行并填写原因后方可日结。"
            )
            if difference:
                explanation += (
                    f"\n同时确认{difference_words(difference)}，原因：{self.reason.text().strip()}"
                )
            reason_label = "放行原因"
        else:
            title = "长短款：主管确认"
            explanation = (
                f"{difference_words(difference)}，原因：{self.reason.text().strip()}。请主管确认。"
            )
            reason_label = "确认意见"
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title=title,
            explanation=explanation,
            reason_label=reason_label,
            parent=self,
        )
        if not preview.deposit_required and self.late_date is None:
            dialog.reason.setText(self.reason.text().strip())
        dialog.approved.connect(
            lambda supervisor_id, reason: self._close(
                supervisor_id,
                reason if preview.deposit_required else None,
                reason,
                dialog.password.text(),
            )
        )
        dialog.finished.connect(self._approval_finished)
        self.approval = dialog
        dialog.open()

    def print_sheet(self) -> None:
        """This window's 日结单 (its drawer); a day closed before drawers: the office's."""
        state = self.state
        if state is None:
            return
        if state.my_close is not None:
            try:
                data = self.ops.read(
                    drawer_close_document,
                    self.ctx.office_id,
                    state.drawer_operator_id,
                    state.business_date,
                    parent=self,
                )
            except OperationFailed:
                return
            late = "（补日结）" if data.late_reason or self.late_date is not None else ""
            title = f"日结单 {state.business_date} {data.drawer}{late}"
            self.documents.present("day_close", title, render_day_close(data), self)
        elif self.record is not None:
            self._present_sheet(self.record)

    def print_office_sheet(self) -> None:
        """The office's 日结单: all drawers together, with the day's anchor."""
        if self.record is not None:
            self._present_sheet(self.record)

    def _present_sheet(self, record: DayCloseRecord) -> None:
        try:
            data = self._sheet_data(record)
        except OperationFailed:
            return
        title = f"日结单 {record.business_date}" + ("（补日结）" if data.late_reason else "")
        self.documents.present("day_close", title, render_day_close(data), self)

    # --- inside --------------------------------------------------------------------

    def _run_preview(self) -> bool:
        try:
            preview = self.ops.read(
                preview_close,
                self.ctx.clock,
                office_id=self.ctx.office_id,
                denominations=self.denominations(),
                business_date=self.late_date,
                operator_id=self.drawer_operator_id,
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setText(exc.message)
            return False
        self.preview = preview
        self._show_preview(preview)
        return True

    def _show_preview(self, p: ClosePreview) -> None:
        t = p.totals
        values = {
            "float": p.opening_float_fen,
            "brought": p.brought_forward_fen,
            "received": t.cash_received_fen,
            "out": t.cash_out_fen,
            "deposited": t.deposited_fen,
            "expected": p.expected_fen,
            "counted": p.counted_fen,
        }
        for key, fen in values.items():
            self.figures[key].setText(yuan_text(fen))
        diff = p.difference_fen
        colour = "#1b5e20" if diff == 0 else "#b03a2e"
        self.figures["difference"].setText(
            f"<b style='color:{colour}'>{difference_words(diff)}</b>"
        )
        parts = [
            f"{channel_label(ch)} {yuan_text(fen)}"
            for ch, fen in t.non_cash_by_channel.items()
            if fen
        ]
        self.non_cash.setText(
            f"本日收款 {t.payments} 笔，作废 {t.voids} 笔，退费 {t.refunds} 笔；"
            f"非现金收款（不计入库存现金）：{'、'.join(parts) if parts else '无'}"
        )
        status = p.deposit_status
        text = f"入库状态：{status.label_zh}。{status.sentence_zh}"
        if p.deposit_required:
            text = f"<span style='color:#b03a2e'><b>{text}</b> 日结须主管放行。</span>"
        self.status_line.setText(text)
        self.reason.setVisible(diff != 0)
        self.reason_row_label.setVisible(diff != 0)
        needs = diff != 0 or p.deposit_required
        self.close_button.setText("日结（须主管确认）(&C)" if needs else "日结(&C)")

    def _approval_finished(self, _result: int) -> None:
        if self.approval is not None:
            self.approval.deleteLater()
        self.approval = None

    def _close(
        self,
        supervisor_id: int | None,
        override_reason: str | None,
        approval_reason: str | None = None,
        supervisor_password: str | None = None,
    ) -> None:
        late = self.late_date
        try:
            result = self.ops.write(
                DAY,
                close_day,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                denominations=self.denominations(),
                difference_reason=self.reason.text().strip() or None,
                supervisor_id=supervisor_id,
                override_reason=override_reason,
                business_date=late,
                late_reason=approval_reason if late is not None else None,
                supervisor_password=supervisor_password,
                drawer_operator_id=self.drawer_operator_id,
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setText(exc.message)
            return
        self.message.clear()
        self.preview = None
        self.refresh()
        if result.seal is not None and not result.seal.check_ok:
            # kept with the close and in the audit journal; printed on the sheet
            self.message.setText(
                "日结已完成，但台账校验未通过，请主管处理：" + result.seal.check_message
            )
        self.dayClosed.emit(result)
        self.print_sheet()
        if late is not None:  # back to today, with a fresh count
            self.late_date = None
            self.record = None
            self.recount()
            self.count.clear()
            self.refresh()

    def _show_closed(self, state: DayClosePageState) -> None:
        mine = state.my_close
        if mine is None:  # closed before drawers existed: the office's close
            assert state.office_record is not None
            self.closed_text.setText(closed_summary(state.office_record))
            return
        text = (
            f"<b>{state.drawer_name}的钱箱已日结</b>（{mine.closed_at:%H:%M}）：实点 "
            f"{yuan_text(mine.counted_fen)}，应有 {yuan_text(mine.expected_fen)}，"
            f"{difference_words(mine.difference_fen)}。"
        )
        if state.office_record is not None:
            text += "<br>全所各窗口均已日结，当日已锁定。<br>" + closed_summary(state.office_record)
        elif state.waiting_for:
            text += f"<br>全所当日尚未完成：等待 {'、'.join(state.waiting_for)} 的钱箱日结。"
        self.closed_text.setText(text)

    def _show_office(self, state: DayClosePageState) -> None:
        """Each drawer of the office, for a supervisor (the others see only their own)."""
        self.office_box.setVisible(state.is_supervisor and bool(state.drawers))
        rows = state.drawers
        self.drawer_table.setRowCount(len(rows))
        for r, d in enumerate(rows):
            cells = (
                d.operator_name,
                yuan_text(d.opening_float_fen),
                "（盲点后显示）" if d.expected_fen is None else yuan_text(d.expected_fen),
                "未点" if d.counted_fen is None else yuan_text(d.counted_fen),
                "已日结" if d.closed else ("未日结" if d.used else "当日未营业"),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.drawer_table.setItem(r, c, item)
        self.drawer_table.resizeColumnsToContents()
        if state.office_record is not None:
            self.office_note.setText("全所当日已日结。")
        elif state.waiting_for or any(d.used and not d.closed for d in rows):
            open_names = [d.operator_name for d in rows if d.used and not d.closed]
            self.office_note.setText(f"全所当日未完成：{'、'.join(open_names)} 的钱箱尚未日结。")
        else:
            self.office_note.setText("")

    def _sheet_data(self, r: DayCloseRecord) -> DayCloseData:
        office_id = self.ctx.office_id
        data = self.ops.read(day_close_document, office_id, r.business_date, parent=self)
        # what was left to deposit after the close, and by when (POLICY.md §7.3)
        after = self.ops.read(
            current_deposit_status, self.ctx.clock, office_id, at=r.closed_at, parent=self
        )
        return dataclasses.replace(
            data, undeposited_fen=after.cash_on_hand_fen, deposit_due=after.deadline
        )

    def _on_changes(self, _changes: frozenset[str]) -> None:
        """One refresh per write that touched cash or the day (any window's)."""
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.refresh()
