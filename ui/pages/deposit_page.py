"""入库 — hand the collected cash to the bank and see what it settles.

Top: the deposit state by POLICY.md §7.3 (cash on hand, what is due by when,
the undeposited cash of each collection day) for the whole office, and each
window's drawer's share of that cash (issue 11); a deposit says which drawers'
cash it took (the oldest cash first). Middle: the form — amount,
channel, slip number — with a confirmation step, because a deposit can never
be changed afterwards. After the write, the page says which collection days the
deposit settled and the state after it. Bottom: the deposit register of a
period, printable; the 缴费清册 of the deposit selected there exports to Excel.

Keys: Enter moves through amount → channel → slip number → 登记; Y confirms,
N / Esc goes back to the form; Ctrl+Shift+R reloads; Ctrl+P prints the register
(keys scoped to the page, ``ui.keys``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.glossary import DEPOSIT_CHANNELS
from common.money import fen_in_words, format_fen_grouped
from printing.deposits import render_deposit_register
from services.deposit_rule import Bucket, DepositStatus
from services.deposit_state import current_deposit_status
from services.deposits import DepositResult, DepositRow, deposit_register, record_deposit
from services.documents import deposit_register_document
from services.drawers import OfficeDrawers, office_drawers
from ui.blind import BlindCover
from ui.context import AppContext
from ui.data_exchange.deposit_payments_export import DepositPaymentsExport
from ui.data_exchange.file_chooser import FileChooser
from ui.deposit_clock import STATE_COLOURS
from ui.keys import RELOAD, page_shortcut
from ui.models.table_model import RIGHT, Column, RowsTableModel, fit_rows, table_view
from ui.operations import DAY, DEPOSITS, LEDGER, OFFICE, PAYMENTS, OperationFailed, Operations
from ui.pages.base import Page
from ui.printing_bridge import DocumentOutput
from ui.widgets.enter_chain import EnterChain
from ui.widgets.money_edit import MoneyEdit

log = logging.getLogger(__name__)

REFRESH_TOPICS = frozenset({LEDGER, PAYMENTS, DEPOSITS, DAY, OFFICE})
#: collection days of undeposited cash listed at once; more scroll
BUCKET_ROWS_SHOWN = 5

BUCKET_COLUMNS: list[Column[Bucket]] = [
    Column("收款日期", lambda b: b.collection_date.isoformat()),
    Column("未入库金额（元）", lambda b: format_fen_grouped(b.remaining_fen), RIGHT),
    Column("最迟入库日", lambda b: b.due_date.isoformat()),
]


def _settled_text(row: DepositRow) -> str:
    return "；".join(
        f"{b.collection_date:%m-%d} {format_fen_grouped(b.remaining_fen)}" for b in row.settled
    )


REGISTER_COLUMNS: list[Column[DepositRow]] = [
    Column("入库日期", lambda r: r.business_date.isoformat()),
    Column("缴款时间", lambda r: r.deposited_at.strftime("%H:%M")),
    Column("金额（元）", lambda r: format_fen_grouped(r.amount_fen), RIGHT),
    Column("入库方式", lambda r: r.channel_label),
    Column("缴款单号", lambda r: r.slip_no),
    Column("经办人", lambda r: r.operator_name),
    Column("冲抵的收款日及金额", _settled_text, tooltip=_settled_text),
]


def drawers_sentence(drawers: OfficeDrawers) -> str:
    """Each drawer's share of the office's cash on hand."""
    parts = [
        f"{d.operator_name} {format_fen_grouped(d.cash_on_hand_fen)} 元"
        + (f"（最早 {d.oldest_undeposited_date:%m-%d}）" if d.oldest_undeposited_date else "")
        + ("，已日结" if d.closed is not None else "")
        for d in drawers.drawers
        if d.cash_on_hand_fen or d.used
    ]
    if not parts:
        return "各钱箱：无库存现金。"
    return (
        f"各钱箱（共 {format_fen_grouped(drawers.cash_on_hand_fen)} 元）："
        + "；".join(parts)
        + "。"
    )


def settled_sentence(result: DepositResult, names: dict[int, str] | None = None) -> str:
    """What a deposit settled, in words for the clerk."""
    parts = [
        f"{b.collection_date:%Y-%m-%d} 收取的 {format_fen_grouped(b.remaining_fen)} 元"
        for b in result.settled
    ]
    settled = "；".join(parts) if parts else "（无）"
    after = result.status_after
    names = names or {}
    taken = "、".join(
        f"{names.get(op, f'经办人 {op}')} {format_fen_grouped(fen)} 元" for op, fen in result.shares
    )
    return (
        f"已登记入库 {format_fen_grouped(result.amount_fen)} 元"
        f"（{DEPOSIT_CHANNELS.get(result.channel, result.channel)}，缴款单号 {result.slip_no}）。\n"
        f"冲抵：{settled}。\n"
        + (f"取自钱箱：{taken}。\n" if taken else "")
        + f"库存现金 {format_fen_grouped(result.cash_on_hand_before_fen)} 元 → "
        f"{format_fen_grouped(result.cash_on_hand_after_fen)} 元；"
        f"入库状态：{after.label_zh}。{after.sentence_zh}"
    )


class DepositPage(Page):
    depositRecorded = Signal(object)  # DepositResult

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        documents: DocumentOutput | None = None,
        chooser: FileChooser | None = None,
    ) -> None:
        super().__init__(ctx, ops, parent, documents=documents)
        self.status: DepositStatus | None = None
        self.last_result: DepositResult | None = None

        state_box = self._build_state()
        form_box = self._build_form()
        register_box = self._build_register(chooser)

        # during a blind count on 日结 the state and the form (cash on
        # hand, "fill in all cash", the settled sentence) are covered
        self.blind_cover = BlindCover(hide=(state_box, form_box), parent=self)
        left = QVBoxLayout()
        left.addWidget(self.blind_cover.notice)
        left.addWidget(state_box)
        left.addWidget(form_box)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(register_box, 3)

        self.enter_chain = EnterChain(self)
        self.enter_chain.set_fields(
            [self.amount, self.channel, self.slip_no], self.ask_confirmation
        )
        page_shortcut(self, RELOAD, self.refresh)
        page_shortcut(self, "Ctrl+P", self.print_register)
        page_shortcut(self, "Esc", self._escape)
        self.watch(REFRESH_TOPICS)  # one refresh per write (a deposit: DEPOSITS and LEDGER)
        self.refresh()

    def _build_register(self, chooser: FileChooser | None) -> QGroupBox:
        """入库登记簿 between two dates, its total, print and the 缴费清册 export."""
        today = self.ctx.business_date()
        self.reg_from = QDateEdit(QDate(today.year, today.month, 1))
        self.reg_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.reg_from, self.reg_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self.load_register)
        self.print_button = QPushButton("打印入库登记(&P)")
        self.print_button.clicked.connect(self.print_register)
        self.register = RowsTableModel(REGISTER_COLUMNS, self)
        self.register_view = table_view(self.register, stretch=False)
        self.register_total = QLabel()
        self.register_total.setWordWrap(True)  # its own line: beside the dates it was cut off
        # the 缴费清册 of the deposit selected in the register (issue 13)
        self.payments_export = DepositPaymentsExport(
            self.ctx, self.register_view, self.register, self, chooser
        )
        bar = QHBoxLayout()
        bar.addWidget(QLabel("入库登记："))
        bar.addWidget(self.reg_from)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.reg_to)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        totals_bar = QHBoxLayout()  # at 1024x768 the dates' line has no room for it
        totals_bar.addWidget(self.register_total, 1)
        totals_bar.addWidget(self.payments_export.button)
        register_box = QGroupBox("入库登记簿")
        register_layout = QVBoxLayout(register_box)
        register_layout.addLayout(bar)
        register_layout.addLayout(totals_bar)
        register_layout.addWidget(self.payments_export.message)
        register_layout.addWidget(self.register_view)
        return register_box

    def _build_form(self) -> QGroupBox:
        """登记入库: amount (with fill buttons and words), channel, slip number."""
        self.amount = MoneyEdit()
        self.amount.setObjectName("depositAmount")
        # wide enough for 9,999,999.99 beside the two fill buttons (it was cut off)
        self.amount.setMinimumWidth(
            self.amount.fontMetrics().horizontalAdvance("9,999,999.99") + 40
        )
        self.amount_words = QLabel()
        self.amount_words.setObjectName("depositAmountWords")
        self.amount_words.setStyleSheet("color: #555;")
        # the line keeps its height while empty: the form does not jump as the
        # clerk types
        self.amount_words.setMinimumHeight(self.amount_words.fontMetrics().height() + 4)
        self.amount.amountChanged.connect(self._show_words)
        self.fill_due = QPushButton("填入今日应入库(&F)")
        self.fill_due.clicked.connect(lambda: self._fill("due"))
        self.fill_all = QPushButton("填入全部库存(&A)")
        self.fill_all.clicked.connect(lambda: self._fill("all"))
        self.channel = QComboBox()
        for key, label in DEPOSIT_CHANNELS.items():
            self.channel.addItem(label, key)
        self.slip_no = QLineEdit()
        self.slip_no.setObjectName("depositSlipNo")
        self.slip_no.setPlaceholderText("银行缴款单 / 税票号码")
        self.slip_no.setMaxLength(64)
        self.submit_button = QPushButton("登记入库(&S)")
        self.submit_button.clicked.connect(self.ask_confirmation)
        # the fill buttons under the amount: beside it they squeezed the field
        fill_row = QHBoxLayout()
        fill_row.addWidget(self.fill_due)
        fill_row.addWidget(self.fill_all)
        fill_row.addStretch(1)
        form = QFormLayout()
        form.addRow("入库金额（元）", self.amount)
        form.addRow("", fill_row)
        form.addRow("", self.amount.error_label)
        form.addRow("", self.amount_words)
        form.addRow("入库方式", self.channel)
        form.addRow("缴款单号", self.slip_no)
        form.addRow("", self.submit_button)

        self._build_confirm()

        self.result_label = QLabel()
        self.result_label.setObjectName("depositResult")
        self.result_label.setWordWrap(True)
        self.result_label.setStyleSheet("color: #1b5e20;")
        self.result_label.hide()

        form_box = QGroupBox("登记入库")
        form_layout = QVBoxLayout(form_box)
        form_layout.addLayout(form)
        form_layout.addWidget(self.confirm_frame)
        form_layout.addWidget(self.result_label)
        return form_box

    def _build_state(self) -> QGroupBox:
        """The deposit rule's state: the sentence, the drawers' shares, the buckets by day."""
        self.state_label = QLabel()
        self.state_label.setObjectName("depositPageState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setMinimumWidth(110)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.drawer_shares = QLabel()
        self.drawer_shares.setObjectName("drawerShares")
        self.drawer_shares.setWordWrap(True)
        self.drawer_names: dict[int, str] = {}
        self.open_cash_fen = 0  # cash in drawers not yet closed today
        self.buckets = RowsTableModel(BUCKET_COLUMNS, self, negative=self._bucket_late)
        self.bucket_view = table_view(self.buckets, stretch=False)
        state_box = QGroupBox("当前入库状态（入库时限 / 资金规模“双限”）")
        top = QHBoxLayout()
        top.addWidget(self.state_label)
        top.addWidget(self.sentence, 1)
        state_layout = QVBoxLayout(state_box)
        state_layout.addLayout(top)
        state_layout.addWidget(self.drawer_shares)
        state_layout.addWidget(self.bucket_view)
        return state_box

    def _build_confirm(self) -> None:
        """The confirmation line: the amount in words, 确认入库 or 返回修改."""
        self.confirm_frame = QFrame()
        self.confirm_frame.setObjectName("depositConfirm")
        self.confirm_frame.setStyleSheet(
            "#depositConfirm { background: #fff8e1; border: 1px solid #f9a825; }"
        )
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_button = QPushButton("确认入库(&Y)")
        self.confirm_button.clicked.connect(self.submit)
        self.back_button = QPushButton("返回修改(&N)")
        self.back_button.clicked.connect(self.cancel_confirmation)
        for button in (self.submit_button, self.confirm_button, self.back_button):
            button.setAutoDefault(True)  # Enter on the focused button presses it
        confirm_layout = QHBoxLayout(self.confirm_frame)
        confirm_layout.addWidget(self.confirm_text, 1)
        confirm_layout.addWidget(self.confirm_button)
        confirm_layout.addWidget(self.back_button)
        self.confirm_frame.hide()

    def _bucket_late(self, bucket: Bucket) -> bool:
        return bucket.due_date <= self.ctx.business_date()

    # --- public --------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh_if_dirty()
        self.amount.setFocus(Qt.FocusReason.OtherFocusReason)
        self.amount.selectAll()

    def set_blind(self, blind: bool) -> None:
        """The window's blind count (ui.blind): no cash figure while counting."""
        self.blind_cover.set_blind(blind)

    def refresh(self) -> None:
        self._dirty = False
        try:
            status = self.ops.read(
                current_deposit_status, self.ctx.clock, self.ctx.office_id, parent=self
            )
        except OperationFailed:
            self.state_label.setText("未知")
            return
        self.status = status
        fg, bg = STATE_COLOURS[status.state]
        self.state_label.setText(status.label_zh)
        self.state_label.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; font-size: 16px; font-weight: bold;"
            " padding: 10px; border-radius: 4px; }"
        )
        self.sentence.setText(status.sentence_zh)
        try:
            drawers = self.ops.read(
                office_drawers, self.ctx.office_id, self.ctx.business_date(), parent=self
            )
        except OperationFailed:
            return
        self.drawer_names = {d.operator_id: d.operator_name for d in drawers.drawers}
        # a drawer closed today keeps its counted cash until its next day
        self.open_cash_fen = sum(
            max(d.cash_on_hand_fen, 0) for d in drawers.drawers if d.closed is None
        )
        self.drawer_shares.setText(drawers_sentence(drawers))
        self.buckets.set_rows(status.buckets)
        self.bucket_view.setVisible(bool(status.buckets))
        fit_rows(self.bucket_view, len(status.buckets), most=BUCKET_ROWS_SHOWN)
        self.fill_due.setEnabled(status.due_by_today_fen > 0)
        self.fill_all.setEnabled(status.cash_on_hand_fen > 0)
        self.load_register()

    def load_register(self) -> None:
        start, end = self.reg_from.date(), self.reg_to.date()
        date_from = dt.date(start.year(), start.month(), start.day())
        date_to = dt.date(end.year(), end.month(), end.day())
        if date_to < date_from:
            self.register.set_rows([])
            self.register_total.setText("截止日期早于起始日期")
            return
        try:
            rows = self.ops.read(
                deposit_register, self.ctx.office_id, date_from, date_to, parent=self
            )
        except OperationFailed:
            return
        self.register.set_rows(rows)
        total = sum(r.amount_fen for r in rows)
        self.register_total.setText(f"　共 {len(rows)} 笔，合计 {format_fen_grouped(total)} 元")

    def ask_confirmation(self) -> None:
        """Check the form, then show what will be written and wait for Y."""
        self.result_label.hide()
        if not self.amount.validate():
            self.amount.setFocus()
            return
        slip = self.slip_no.text().strip()
        if not slip:
            self._show_result("请填写缴款单号。", error=True)
            self.slip_no.setFocus()
            return
        fen = self.amount.amount_fen()
        assert fen is not None
        self.confirm_text.setText(
            f"请核对：入库 <b>{format_fen_grouped(fen)}</b> 元（人民币{fen_in_words(fen)}），"
            f"{self.channel.currentText()}，缴款单号 <b>{slip}</b>。入库登记后不能修改。"
        )
        self._set_confirming(True)
        self.confirm_button.setFocus()

    def cancel_confirmation(self) -> None:
        self._set_confirming(False)
        self.amount.setFocus()

    def _escape(self) -> None:
        if self.confirm_frame.isVisible():
            self.cancel_confirmation()

    def submit(self) -> DepositResult | None:
        """Write the deposit (after confirmation)."""
        self._set_confirming(False)
        try:
            result = self.ops.write(
                (DEPOSITS, LEDGER),
                record_deposit,
                office_id=self.ctx.office_id,
                amount=self.amount.text(),
                channel=self.channel.currentData(),
                slip_no=self.slip_no.text(),
                operator_id=self.ctx.operator_id,
                parent=self,
                inline=True,
            )
        except OperationFailed as exc:
            self._show_result(exc.message, error=True)
            self.amount.setFocus()
            return None
        self.last_result = result
        self.amount.clear()
        self.slip_no.clear()
        self._show_result(settled_sentence(result, self.drawer_names))
        self.depositRecorded.emit(result)
        self.amount.setFocus()
        return result

    def print_register(self) -> None:
        start, end = self.reg_from.date(), self.reg_to.date()
        date_from = dt.date(start.year(), start.month(), start.day())
        date_to = dt.date(end.year(), end.month(), end.day())
        try:
            data = self.read_for_print(deposit_register_document, date_from, date_to)
        except OperationFailed:
            return
        pdf = render_deposit_register(data)
        self.documents.present("deposit_register", f"入库登记 {date_from} 至 {date_to}", pdf, self)

    # --- inside --------------------------------------------------------------------

    def _fill(self, which: str) -> None:
        if self.status is None:
            return
        fen = self.status.due_by_today_fen if which == "due" else self.status.cash_on_hand_fen
        fen = min(fen, self.open_cash_fen)
        self.amount.set_amount_fen(max(fen, 0))
        self.amount.setFocus()

    def _show_words(self, fen: object) -> None:
        self.amount_words.setText(f"人民币{fen_in_words(fen)}" if isinstance(fen, int) else "")

    def _set_confirming(self, on: bool) -> None:
        self.confirm_frame.setVisible(on)
        for widget in (
            self.amount,
            self.channel,
            self.slip_no,
            self.submit_button,
            self.fill_due,
            self.fill_all,
        ):
            widget.setEnabled(not on)
        if not on and self.status is not None:
            self.fill_due.setEnabled(self.status.due_by_today_fen > 0)
            self.fill_all.setEnabled(self.status.cash_on_hand_fen > 0)

    def _show_result(self, text: str, *, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(f"color: {'#b03a2e' if error else '#1b5e20'};")
        self.result_label.show()
