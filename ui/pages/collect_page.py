"""缴费 — find the resident, see the enrolment, print the notice, take the money.

Search by full ID number (a scanner types it and Enter), its last digits, a
name, pinyin initials (``zs`` → 张三) or a phone number; the results (at most
50) sit in a table the arrow keys walk through. The chosen resident's
enrolments are listed with what is due; the buttons below act on the chosen
enrolment and its payments (``ui/pages/collect_actions.py``).

Keys: Ctrl+F search, F9 notice, Ctrl+B a village's notices, F10 cash, F11 non-cash, F12 reprint receipt,
Ctrl+D void, Ctrl+R refund.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import (
    QModelIndex,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.glossary import ENROLLMENT_STATUS_LABELS
from common.money import format_fen
from services.page_views import CollectView, EnrollmentView, collect_view, enrollment_view
from services.registry import get_enrollment, get_resident
from services.resident_records import EnrollmentRecord, ResidentRecord
from services.resident_search import SEARCH_LIMIT, search_residents
from services.roster_marks import PaidElsewhere
from ui.context import AppContext
from ui.data_exchange.paid_elsewhere_hint import paid_elsewhere_line
from ui.keys import page_shortcut
from ui.operations import (
    ENROLLMENTS,
    PAYMENTS,
    RESIDENTS,
    ChangeSet,
    OperationFailed,
    Operations,
)
from ui.pages.base import Page
from ui.pages.collect_actions import CollectActions, PaymentEntry
from ui.pages.collect_tables import (
    ResidentResultsModel,
    enrollment_table,
    fill_payment_table,
    make_table,
    payment_entries,
    results_view,
)
from ui.pages.village_notices import VillageNoticeBatch
from ui.printing_bridge import DocumentOutput, category_label, tier_label

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
REFRESH_TOPICS = frozenset({PAYMENTS, ENROLLMENTS, RESIDENTS})
DETAIL_DELAY_MS = 80
DETAIL_STYLE = (
    "QLabel { background: #fffde7; border: 1px solid #fbc02d; border-radius: 3px; padding: 6px; }"
)


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setMinimumHeight(32)
    button.clicked.connect(slot)
    return button


class CollectPage(Page):
    searched = Signal(int)  # number of results

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        *,
        documents: DocumentOutput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, ops, parent, documents=documents)
        self.resident: ResidentRecord | None = None
        self.enrollments: list[EnrollmentRecord] = []
        self.collect_actions = CollectActions(ctx, ops, self.documents, self)
        self.collect_actions.message.connect(self._show_message)
        self.village_notices = VillageNoticeBatch(ctx, ops, self.documents, self)
        self.village_notices.message.connect(self._show_message)
        self._build()
        # one refresh, in one read, per write that touched what the page shows
        # (the write's change set); a cash payment used to reload the
        # enrolments twice and the payments three times
        self.watch(REFRESH_TOPICS, self._on_changes)

    # --- building -------------------------------------------------------------------

    def _build(self) -> None:
        layout = QHBoxLayout(self)
        layout.addWidget(self._build_search(), 1)
        layout.addWidget(self._build_detail(), 1)
        for seq, slot in (
            ("Ctrl+F", self.focus_search),
            ("F9", self.print_notice),
            ("F10", lambda: self.start_payment(cash=True)),
            ("F11", lambda: self.start_payment(cash=False)),
            ("F12", self.reprint),
            ("Ctrl+D", self.start_void),
            ("Ctrl+R", self.start_refund),
            ("Ctrl+B", self.start_village_notices),
        ):
            page_shortcut(self, seq, slot)
        QWidget.setTabOrder(self.search_box, self.results)
        QWidget.setTabOrder(self.results, self.enrollment_table)
        QWidget.setTabOrder(self.enrollment_table, self.payment_table)
        self._update_buttons()

    def _build_search(self) -> QGroupBox:
        """The search line (searching as the clerk pauses) and its results."""
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("身份证号 / 后四位 / 姓名 / 拼音首字母 / 电话，回车查询")
        self.search_box.setClearButtonEnabled(True)
        font = self.search_box.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.search_box.setFont(font)
        self.search_box.returnPressed.connect(self.search_now)
        self.search_timer = QTimer(self)
        self.search_box.textEdited.connect(lambda _t: self.search_timer.start())
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.search_now)
        self.search_status = QLabel()
        self.search_status.setObjectName("searchStatus")
        self.results_model = ResidentResultsModel(self)
        self.results = results_view(self.results_model)
        # Walking a list with the arrow keys loads the resident once the
        # cursor rests, not on every key press.
        self.detail_timer = QTimer(self)
        self.detail_timer.setSingleShot(True)
        self.detail_timer.setInterval(DETAIL_DELAY_MS)
        self.detail_timer.timeout.connect(
            lambda: self._choose_resident_row(self.results.currentIndex().row())
        )
        self.results.selectionModel().currentRowChanged.connect(
            lambda _cur, _prev: self.detail_timer.start()
        )
        self.results.activated.connect(self._result_activated)
        search_group = QGroupBox("查找参保人（Ctrl+F）")
        search_layout = QVBoxLayout(search_group)
        row = QHBoxLayout()
        row.addWidget(self.search_box, 1)
        row.addWidget(self.search_status)
        search_layout.addLayout(row)
        search_layout.addWidget(self.results)
        return search_group

    def _build_detail(self) -> QGroupBox:
        """The chosen resident: enrolments, the chosen one's payments, the acts."""
        self.resident_label = QLabel("未选择参保人")
        self.resident_label.setObjectName("residentSummary")
        self.resident_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.enrollment_table = enrollment_table()
        self.enrollment_table.itemSelectionChanged.connect(self._on_enrollment_selected)
        self.enrollment_detail = QLabel()
        self.enrollment_detail.setObjectName("enrollmentDetail")
        self.enrollment_detail.setWordWrap(True)
        self.enrollment_detail.setStyleSheet(DETAIL_STYLE)
        self.payment_table = make_table(
            ("缴费时间", "方式", "金额（元）", "收据号/流水号", "状态"), "paymentTable"
        )
        self.payment_table.itemSelectionChanged.connect(self._update_buttons)
        self.message_label = QLabel()
        self.message_label.setObjectName("collectMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        detail = QGroupBox("参保登记与缴费")
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.resident_label)
        detail_layout.addWidget(QLabel("参保登记："))
        detail_layout.addWidget(self.enrollment_table, 1)
        detail_layout.addWidget(self.enrollment_detail)
        detail_layout.addWidget(QLabel("缴费记录："))
        detail_layout.addWidget(self.payment_table, 1)
        detail_layout.addLayout(self._build_buttons())
        detail_layout.addWidget(self.message_label)
        return detail

    def _build_buttons(self) -> QGridLayout:
        self.notice_button = _button("打印缴费通知单（F9）", "noticeButton", self.print_notice)
        self.cash_button = _button("现金收款（F10）", "cashButton", self.start_cash)
        self.cash_button.setStyleSheet("font-weight: bold;")
        self.noncash_button = _button("非现金缴费（F11）", "nonCashButton", self.start_non_cash)
        self.reprint_button = _button("重打收据（F12）", "reprintButton", self.reprint)
        self.void_button = _button("作废收据（Ctrl+D）", "voidButton", self.start_void)
        self.refund_button = _button("退费（Ctrl+R）", "refundButton", self.start_refund)
        self.batch_button = _button(
            "按村批量打印通知单（Ctrl+B）", "batchNoticeButton", self.start_village_notices
        )
        grid = QGridLayout()
        for i, button in enumerate(
            (
                self.notice_button,
                self.cash_button,
                self.noncash_button,
                self.reprint_button,
                self.void_button,
                self.refund_button,
            )
        ):
            grid.addWidget(button, i // 3, i % 3)
        grid.addWidget(self.batch_button, 2, 0, 1, 3)
        return grid

    # --- searching ------------------------------------------------------------------------

    def activate(self) -> None:
        if self.resident is None:
            self.focus_search()

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def search_now(self) -> list[ResidentRecord]:
        self.search_timer.stop()
        text = self.search_box.text().strip()
        if not text:
            self.results_model.set_rows([])
            self.search_status.setText("")
            self.clear_resident()
            return []
        try:
            rows = self.ops.read(search_residents, text, limit=SEARCH_LIMIT, parent=self)
        except OperationFailed:
            self.clear_resident()
            return []
        if not rows:
            # never leave the previous person selected
            self.clear_resident()
        self.results_model.set_rows(rows)
        more = "（仅显示前 50 条，请输入更多信息）" if len(rows) >= SEARCH_LIMIT else ""
        self.search_status.setText(f"找到 {len(rows)} 人{more}" if rows else "没有找到")
        self.searched.emit(len(rows))
        if len(rows) == 1:  # a scanned or typed ID number: straight to the enrolment
            self.results.selectRow(0)
            self.detail_timer.stop()
            self.show_resident(rows[0])  # always fresh: the clerk asked again
            self.enrollment_table.setFocus()
        elif rows:
            self.results.setFocus()
            self.results.selectRow(0)  # its enrolments follow when the cursor rests
        return rows

    def _result_activated(self, index: QModelIndex) -> None:
        """Enter on a result: show it now and move on to its enrolments."""
        self.detail_timer.stop()
        self._choose_resident_row(index.row())
        self.enrollment_table.setFocus()

    def _choose_resident_row(self, row: int) -> None:
        resident = self.results_model.resident(row)
        if resident is not None and (self.resident is None or resident.id != self.resident.id):
            self.show_resident(resident)

    # --- showing a resident and the enrolments ---------------------------------------------

    def clear_resident(self) -> None:
        """Nobody selected: every action is disabled until a person is chosen."""
        self.resident = None
        self.resident_label.setText("未选择参保人")
        self.message_label.clear()
        self.enrollments = []
        self.enrollment_table.setRowCount(0)
        self.payment_table.setRowCount(0)
        self.payments: list[PaymentEntry] = []
        self.enrollment_detail.setText("")
        self._update_buttons()

    def show_resident(self, resident: ResidentRecord, enrollment_id: int | None = None) -> None:
        self.resident = resident
        self.resident_label.setText(
            f"{resident.name}　{resident.sex_label}　{resident.birth_date:%Y-%m-%d}　"
            f"{resident.id_number}　{resident.village_name}"
        )
        self.message_label.clear()
        self.refresh(enrollment_id)

    def show_enrollment(self, enrollment_id: int) -> None:
        """Select this enrolment (after registering it on the 登记 page)."""
        try:
            enrollment = self.ops.read(get_enrollment, enrollment_id)
            resident = self.ops.read(get_resident, enrollment.resident_id)
        except OperationFailed:
            return
        self.search_box.setText(resident.id_number)
        self.results_model.set_rows([resident])
        self.results.selectRow(0)
        self.detail_timer.stop()
        self.show_resident(resident, enrollment_id)
        self.cash_button.setFocus()

    def refresh(self, select_id: int | None = None) -> None:
        """Show the resident's enrolments, the chosen one and its payments
        again: one read (``services.page_views.collect_view``)."""
        if self.resident is None:
            return
        keep = select_id if select_id is not None else self._selected_enrollment_id()
        try:
            view: CollectView = self.ops.read(collect_view, self.resident.id, keep, parent=self)
        except OperationFailed:
            return
        self.enrollments = view.enrollments
        table = self.enrollment_table
        table.blockSignals(True)
        table.setRowCount(len(self.enrollments))
        chosen = 0
        for row, e in enumerate(self.enrollments):
            policy = self.ctx.policies.policies.get(e.policy_key)
            cover = (
                f"{e.benefit_start:%Y-%m-%d} 至 {e.benefit_end:%Y-%m-%d}"
                if e.benefit_start and e.benefit_end
                else "—"
            )
            cells = (
                str(e.policy_year),
                category_label(policy, e.category),
                tier_label(policy, e.tier),
                format_fen(e.personal_due_fen),
                ENROLLMENT_STATUS_LABELS.get(e.status, e.status),
                cover,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, col, item)
            if view.selected is not None and e.id == view.selected.id:
                chosen = row
        if self.enrollments:
            table.selectRow(chosen)
        table.blockSignals(False)
        self._show_view(view.selected, view.detail)

    def _selected_enrollment_id(self) -> int | None:
        e = self.current_enrollment
        return e.id if e is not None else None

    @property
    def current_enrollment(self) -> EnrollmentRecord | None:
        row = self.enrollment_table.currentRow()
        rows = self.enrollment_table.selectionModel().selectedRows()
        if rows:
            row = rows[0].row()
        return self.enrollments[row] if 0 <= row < len(self.enrollments) else None

    def _on_enrollment_selected(self) -> None:
        """The clerk chose another enrolment: its payments, in one read."""
        e = self.current_enrollment
        try:
            detail = self.ops.read(enrollment_view, e, parent=self)
        except OperationFailed:
            detail = EnrollmentView([], None)
        self._show_view(e, detail)

    def _show_view(self, e: EnrollmentRecord | None, detail: EnrollmentView) -> None:
        self._show_enrollment_detail(e, detail.paid_elsewhere)
        self._show_payments(detail)
        self._update_buttons()

    def _show_enrollment_detail(
        self, e: EnrollmentRecord | None, mark: PaidElsewhere | None = None
    ) -> None:
        if e is None:
            self.enrollment_detail.setText(
                "该参保人尚无参保登记，请先到“登记”页办理。" if self.resident else ""
            )
            return
        policy = self.ctx.policies.policies.get(e.policy_key)
        if e.benefit_start is None:
            cover = "按登记日计算本年度无待遇"
        else:
            cover = f"待遇 {e.benefit_start:%Y-%m-%d} 至 {e.benefit_end:%Y-%m-%d}"
            if e.waiting_months:
                cover += f"（含 {e.waiting_months} 个月等待期）"
        if e.status == "registered":
            cover += "；以实际缴费日为准"
        if e.personal_due_fen == 0:
            due = "全额资助，无需缴费"
        elif e.status == "registered":
            due = f"<span style='font-size:18px; font-weight:bold; color:#b71c1c'>应缴 {format_fen(e.personal_due_fen)} 元</span>"
        else:
            due = f"<span style='font-size:18px; font-weight:bold; color:#2e7d32'>已缴 {format_fen(e.personal_due_fen)} 元</span>"
        subsidy = f"，资助 {format_fen(e.subsidy_fen)} 元" if e.subsidy_fen else ""
        self.enrollment_detail.setText(
            f"{due}　{'' if e.status == 'paid' else ENROLLMENT_STATUS_LABELS.get(e.status, e.status)}<br>"
            f"{e.policy_year} 年度　{category_label(policy, e.category)}　"
            f"{tier_label(policy, e.tier)}（标准 {format_fen(e.standard_fen)} 元{subsidy}）<br>{cover}"
            f"<br>登记：{e.created_at:%Y-%m-%d %H:%M}　{e.office_name}"
            + (paid_elsewhere_line(mark) if e.status == "registered" else "")
        )

    # --- payments of the enrolment --------------------------------------------------------

    def _show_payments(self, detail: EnrollmentView) -> None:
        self.payments = payment_entries(detail)
        fill_payment_table(self.payment_table, self.payments)
        if self.payments:
            self.payment_table.selectRow(len(self.payments) - 1)

    @property
    def current_payment(self) -> PaymentEntry | None:
        rows = self.payment_table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.payments[row] if 0 <= row < len(getattr(self, "payments", [])) else None

    def _update_buttons(self) -> None:
        e = self.current_enrollment if self.resident is not None else None
        payable = e is not None and e.status == "registered" and e.personal_due_fen > 0
        self.notice_button.setEnabled(payable)
        self.cash_button.setEnabled(payable)
        self.noncash_button.setEnabled(payable)
        p = self.current_payment if self.resident is not None else None
        completed = p is not None and p.status == "completed"
        self.void_button.setEnabled(completed and p is not None and p.receipt_id is not None)
        self.refund_button.setEnabled(completed)
        self.reprint_button.setEnabled(p is not None and p.receipt_id is not None)

    def _on_changes(self, _changes: ChangeSet) -> None:
        if self.resident is not None:
            self.refresh()

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)

    # --- acts -------------------------------------------------------------------------------

    def print_notice(self) -> None:
        e = self.current_enrollment
        if self.resident is not None and e is not None and self.notice_button.isEnabled():
            self.collect_actions.print_notice(self.resident, e)

    def start_cash(self) -> None:
        self.start_payment(cash=True)

    def start_non_cash(self) -> None:
        self.start_payment(cash=False)

    def start_payment(self, *, cash: bool) -> None:
        e = self.current_enrollment
        button = self.cash_button if cash else self.noncash_button
        if self.resident is not None and e is not None and button.isEnabled():
            self.collect_actions.start_payment(self.resident, e, cash=cash)

    def reprint(self) -> None:
        p = self.current_payment
        if p is not None and p.receipt_id is not None:
            self.collect_actions.print_receipt(p.receipt_id)

    def start_void(self) -> None:
        if not self.void_button.isEnabled():
            return
        p = self.current_payment
        if p is not None:
            self.collect_actions.start_void(p)

    def start_village_notices(self) -> None:
        self.village_notices.start()

    def start_refund(self) -> None:
        p = self.current_payment
        if p is not None and self.refund_button.isEnabled():
            self.collect_actions.start_refund(p)
