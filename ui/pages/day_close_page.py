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
``Page.watch`` (ui/pages/base.py) when a write touches cash or the day.

Keys: Enter moves down the count and confirms it on the last row; in the
reconciliation Enter on the reason field closes the day; Alt+R recounts;
Ctrl+Shift+R reloads; Ctrl+P prints the sheet of a closed day (keys scoped to
the page, ``ui.keys``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.denominations import BY_PIECE
from common.money import yuan_text
from services.business_day import open_day
from services.close_preview import ClosePreview, preview_close
from services.day_close import close_day
from services.day_close_record import DayCloseRecord
from services.day_close_view import DayClosePageState, day_close_page_state
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.keys import RELOAD, page_shortcut
from ui.operations import DAY, DEPOSITS, LEDGER, PAYMENTS, OperationFailed, Operations
from ui.pages.base import Page
from ui.pages.day_close_boxes import ClosedBox, CountBox, OfficeDrawersBox, OpenBox, ReconcileBox
from ui.pages.day_close_parts import approval_wording, difference_words
from ui.pages.day_close_sheets import DayCloseSheets
from ui.pages.future_closes_box import FutureClosesBox
from ui.printing_bridge import DocumentOutput
from ui.widgets.enter_chain import EnterChain

log = logging.getLogger(__name__)

REFRESH_TOPICS = frozenset({LEDGER, PAYMENTS, DEPOSITS, DAY})
#: (kind, value in fen) of the count widget -> the service's denomination key
SERVICE_KEYS = {piece: d.key for piece, d in BY_PIECE.items()}


def _banner(name: str, colour: str) -> QLabel:
    """A white-on-red line that flags what blocks the close."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"background: {colour}; color: white; font-weight: bold; padding: 6px;")
    return label


class DayClosePage(Page):
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
        super().__init__(ctx, ops, parent, documents=documents)
        self.preview: ClosePreview | None = None
        self.record: DayCloseRecord | None = None  # the office's close of the day
        self.state: DayClosePageState | None = None
        self.approval: SupervisorApprovalDialog | None = None
        # a forgotten earlier day being closed late (补日结), else None: today
        self.late_date: dt.date | None = None
        self.forgotten: list[dt.date] = []
        self._counting = False
        self.sheets = DayCloseSheets(ctx, ops, self.documents, self)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_head())
        layout.addLayout(self._build_unclosed_row())
        # a close dated in the future by a wrong clock: a supervisor annuls it
        self.future_closes = FutureClosesBox(ctx, ops, self)
        layout.addWidget(self.future_closes)
        layout.addLayout(self._build_warning_row())
        self.open_box = OpenBox()  # the morning's opening float
        self.float_edit = self.open_box.float_edit
        self.open_box.open_button.clicked.connect(self.open_today)
        layout.addWidget(self.open_box)
        self.closed_box = ClosedBox()
        self.closed_box.print_button.clicked.connect(self.print_sheet)
        self.closed_box.print_office_button.clicked.connect(self.print_office_sheet)
        layout.addWidget(self.closed_box)
        layout.addLayout(self._build_work(), 1)
        self.office_box = OfficeDrawersBox()  # a supervisor's view of every drawer
        layout.addWidget(self.office_box)
        self.closed_spacer = QWidget()  # keeps a closed day's summary at the top
        layout.addWidget(self.closed_spacer, 1)

        self.open_chain = EnterChain(self)
        self.open_chain.set_fields([self.float_edit], self.open_today)
        self.reason_chain = EnterChain(self)
        self.reason_chain.set_fields([self.reason], self.request_close)
        page_shortcut(self, RELOAD, self.refresh)
        page_shortcut(self, "Ctrl+P", self.print_sheet)
        self.watch(REFRESH_TOPICS)  # one refresh per write to cash or the day
        self.refresh()

    # --- building --------------------------------------------------------------------

    def _build_head(self) -> QHBoxLayout:
        """The title, the day's state and the reprint of a past day's sheet."""
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.day_state = QLabel()
        self.day_state.setObjectName("dayState")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.day_state)
        head.addStretch(1)
        self.reprint_date = QDateEdit()
        self.reprint_date.setObjectName("reprintDate")
        self.reprint_date.setCalendarPopup(True)
        self.reprint_date.setDisplayFormat("yyyy-MM-dd")
        today = self.ctx.business_date()
        self.reprint_date.setDate(QDate(today.year, today.month, today.day))
        self.reprint_button = QPushButton("补打该日日结单")
        self.reprint_button.clicked.connect(self.reprint_sheet)
        head.addWidget(QLabel("往日日结单："))
        head.addWidget(self.reprint_date)
        head.addWidget(self.reprint_button)
        return head

    def _build_unclosed_row(self) -> QHBoxLayout:
        """Forgotten days: flagged, closed late by a supervisor."""
        self.unclosed_label = _banner("unclosedDays", "#7f0000")
        self.late_button = QPushButton("补日结(&L)")
        self.late_button.clicked.connect(self.start_late_close)
        row = QHBoxLayout()
        row.addWidget(self.unclosed_label, 1)
        row.addWidget(self.late_button)
        return row

    def _build_warning_row(self) -> QHBoxLayout:
        self.deposit_warning = _banner("dayCloseDepositWarning", "#d32f2f")
        self.go_deposit = QPushButton("去入库(&D)")
        self.go_deposit.clicked.connect(self.depositRequested)
        row = QHBoxLayout()
        row.addWidget(self.deposit_warning, 1)
        row.addWidget(self.go_deposit)
        return row

    def _build_work(self) -> QHBoxLayout:
        """Step 1 (the blind count) beside step 2 (the reconciliation)."""
        self.count_box = CountBox()
        self.count = self.count_box.count
        self.count.submitted.connect(self.confirm_count)
        self.confirm_button = self.count_box.confirm_button
        self.confirm_button.clicked.connect(self.confirm_count)
        self.result_box = box = ReconcileBox()
        self.figures, self.message, self.reason = box.figures, box.message, box.reason
        self.close_button = box.close_button
        box.recount_button.clicked.connect(self.recount)
        self.close_button.clicked.connect(self.request_close)
        work = QHBoxLayout()
        work.addWidget(self.count_box, 1)
        work.addWidget(self.result_box, 1)
        return work

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
        self.refresh_if_dirty()
        if self.state is not None and self.state.my_drawer_closed:
            self.closed_box.print_button.setFocus()
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
        self.forgotten = [d for d in state.forgotten if d != self.late_date]
        self._show_unclosed()
        closed = state.my_drawer_closed
        self._show_boxes(state)
        if closed:
            self.preview = None
            self.closed_box.show_state(state)
        self._show_day_state(state)
        self.office_box.show_state(state)
        self._show_deposit_warning(state)
        if self.preview is not None and not closed:
            self._run_preview()  # the figures may have moved (a payment, a deposit)
        self._set_counting(not closed and self.preview is None)

    def _show_unclosed(self) -> None:
        if self.late_date is None and self.forgotten:
            names = "、".join(f"{d:%Y-%m-%d}" for d in self.forgotten)
            self.unclosed_label.setText(
                f"以下日期有业务但尚未日结：{names}。须先由主管补日结（填写原因），再日结今天。"
            )
        self.unclosed_label.setVisible(self.late_date is None and bool(self.forgotten))
        self.late_button.setVisible(self.late_date is None and bool(self.forgotten))

    def _show_boxes(self, state: DayClosePageState) -> None:
        closed = state.my_drawer_closed
        self.closed_box.setVisible(closed)
        self.closed_spacer.setVisible(closed)
        self.count_box.setVisible(not closed)
        self.result_box.setVisible(not closed and self.preview is not None)
        # the float always opens the window's own drawer
        self.open_box.setVisible(not state.opened and self.late_date is None and not closed)
        self.closed_box.print_office_button.setVisible(state.office_record is not None)

    def _show_day_state(self, state: DayClosePageState) -> None:
        if state.my_drawer_closed:
            if state.office_record is not None:
                self.day_state.setText("已日结，当日不能再记账")
            else:
                self.day_state.setText("本窗口钱箱已日结，不能再收付现金")
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

    def _show_deposit_warning(self, state: DayClosePageState) -> None:
        status = state.deposit_status
        due = not state.my_drawer_closed and status.state in ("due_today", "overdue")
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
            self.count_box.set_locked(True)
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
        said = self.sheets.reprint(dt.date(qdate.year(), qdate.month(), qdate.day()))
        if said is not None:
            self.message.setText(said)

    def recount(self) -> None:
        self._set_counting(True)
        self.preview = None
        self.result_box.hide()
        self.message.clear()
        self.count_box.set_locked(False)
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
        title, explanation, reason_label = approval_wording(
            preview, self.late_date, self.reason.text().strip()
        )
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
            lambda a: self._close(
                a.supervisor_id,
                a.reason if preview.deposit_required else None,
                a.reason,
                a.password,
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
            self.sheets.drawer_sheet(state, late=self.late_date is not None)
        elif self.record is not None:
            self.sheets.office_sheet(self.record)

    def print_office_sheet(self) -> None:
        """The office's 日结单: all drawers together, with the day's anchor."""
        if self.record is not None:
            self.sheets.office_sheet(self.record)

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
        self.result_box.show_preview(preview)
        return True

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
