"""The acts of the collect page (缴费), each a small dialog and one service call.

* print the payment notice (``services.notices.issue_notice``, or the notice
  already issued), then the preview;
* take cash (``services.payments.take_payment``), then print the receipt:
  the preview shows the next print (重打 after the first) and the print is
  recorded when the printer took it, not when the preview opens.
  While the deposit rule is overdue a cash payment is still taken (POLICY.md
  §7.3 revised: never refuse a cash payer) and marked on the stub and ledger;
* record a non-cash payment (POS, QR, bank counter, other) with its reference;
* void a receipt, approved by a supervisor with a reason;
* refund, with a ground, a reason and a supervisor as approver.

All dialogs open with ``open()`` and report through signals; every write goes
through ``ops.write``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QWidget,
)

from common.glossary import PAYMENT_CHANNELS
from common.money import format_fen
from printing.cash_desk import render_refund_application, render_refund_slip, render_voucher
from printing.notice import render_notice
from printing.receipt import render_receipt
from services.cash_documents import refund_document, voucher_document
from services.corrections import void_receipt
from services.documents import (
    notice_document,
    receipt_document_next_print,
    record_receipt_print,
)
from services.notices import issue_notice, notices_of
from services.payments import PaymentResult, check_payable_now, take_payment
from services.refunds import REFUND_CATEGORIES, refund_payment
from services.resident_records import EnrollmentRecord, ResidentRecord
from ui.context import AppContext
from ui.dialogs.supervisor_approval import Approval, SupervisorApprovalDialog
from ui.operations import ENROLLMENTS, LEDGER, PAYMENTS, OperationFailed, Operations
from ui.pages.collect_dialogs import (
    PaymentDialog,
    PaymentEntry,
    RefundDialog,
)
from ui.printing_bridge import DocumentOutput

log = logging.getLogger(__name__)

PAYMENT_TOPICS = (PAYMENTS, LEDGER, ENROLLMENTS)


# --- the flows --------------------------------------------------------------------------


class CollectActions(QObject):
    """Runs the acts for the page; the page shows what they report."""

    paymentTaken = Signal(object)  # PaymentEntry
    entryChanged = Signal(object)  # PaymentEntry with a new status
    message = Signal(str)  # a sentence for the page's result line
    dialogOpened = Signal(object)  # every dialog, so tests can drive it

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        documents: DocumentOutput,
        parent_widget: QWidget,
    ) -> None:
        super().__init__(parent_widget)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.widget = parent_widget
        self.dialog: QDialog | None = None

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.open()
        self.dialogOpened.emit(dialog)
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    # --- notice -----------------------------------------------------------------------

    def print_notice(self, resident: ResidentRecord, enrollment: EnrollmentRecord) -> None:
        try:
            notice = self.ops.write(
                ENROLLMENTS,
                issue_notice,
                self.ctx.policies,
                enrollment_id=enrollment.id,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
            )
        except OperationFailed as exc:
            if exc.code != "notice_exists":
                return
            # The notice already issued is printed again.
            notices = self.ops.read(notices_of, enrollment.id)
            issued = [n for n in notices if n.status == "issued"]
            if not issued:
                return
            notice = issued[-1]
        try:
            data = self.ops.read(notice_document, self.ctx.policies, notice.notice_id)
        except OperationFailed:
            return
        pdf = render_notice(data)
        self.documents.present("notice", f"缴费通知单 {notice.notice_no}", pdf, self.widget)
        self.message.emit(
            f"已开具缴费通知单 {notice.notice_no}，应缴 {format_fen(notice.amount_due_fen)} 元。"
        )

    # --- payments ------------------------------------------------------------------------

    def start_payment(
        self, resident: ResidentRecord, enrollment: EnrollmentRecord, *, cash: bool
    ) -> PaymentDialog | None:
        # what can be refused before typing is refused before the dialog opens
        try:
            self.ops.read(
                check_payable_now,
                self.ctx.clock,
                self.ctx.policies,
                enrollment_id=enrollment.id,
                parent=self.widget,
            )
        except OperationFailed as exc:
            self.message.emit(exc.message)
            return None
        dialog = PaymentDialog(resident, enrollment, cash=cash, parent=self.widget)
        dialog.submitted.connect(lambda values: self._payment_entered(enrollment, values))
        self._open(dialog)
        return dialog

    def _payment_entered(self, enrollment: EnrollmentRecord, values: dict) -> None:
        self.take(enrollment, values)

    def take(self, enrollment: EnrollmentRecord, values: dict) -> PaymentResult | None:
        try:
            result = self.ops.write(
                PAYMENT_TOPICS,
                take_payment,
                self.ctx.policies,
                enrollment_id=enrollment.id,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
                **values,
            )
        except OperationFailed:
            return None
        entry = PaymentEntry.from_result(result)
        self.paymentTaken.emit(entry)
        if result.receipt_id is not None:
            self.message.emit(
                f"已收现金 {format_fen(result.amount_fen)} 元，收据号 {result.receipt_no}。"
                + (
                    f"注意：{result.overdue_note}，已在存根和台账上标注。"
                    if result.overdue_note
                    else ""
                )
            )
            self.print_receipt(result.receipt_id)
        else:
            self.message.emit(
                f"已记录{PAYMENT_CHANNELS[result.channel]}缴费 {format_fen(result.amount_fen)} 元，"
                f"流水号 {result.reference}。"
            )
            self.print_voucher(result.payment_id)
        if not result.covered:
            self.message.emit("注意：本次缴费在本年度不能享受待遇，请向参保人说明。")
        return result

    def print_receipt(self, receipt_id: int) -> None:
        """Show the receipt as it will print; record the print once it is printed.

        A preview closed without printing records nothing, so the next print
        is still the original (or the same reprint number).
        """
        try:
            data = self.ops.read(
                receipt_document_next_print,
                self.ctx.policies,
                receipt_id,
                printed_at=self.ctx.clock.now(),
                parent=self.widget,
            )
        except OperationFailed:
            return
        title = f"收据 {data.receipt_no}" + ("（重打）" if data.reprint_count else "")
        self.documents.present(
            "receipt",
            title,
            render_receipt(data),
            self.widget,
            on_printed=lambda: self._record_print(receipt_id),
        )

    def print_voucher(self, payment_id: int) -> None:
        """缴费凭证 of a non-cash payment, for the payer to keep and the office to file."""
        try:
            data = self.ops.read(voucher_document, payment_id, parent=self.widget)
        except OperationFailed:
            return
        self.documents.present(
            "voucher", f"缴费凭证 {data.voucher_no}", render_voucher(data), self.widget
        )

    def print_refund(self, refund_id: int) -> None:
        """The refund slip for the payer's signature; for an application also the
        application form for the tax department."""
        try:
            data = self.ops.read(refund_document, refund_id, parent=self.widget)
        except OperationFailed:
            return
        self.documents.present(
            "refund_slip", f"退费单 {data.refund_no}", render_refund_slip(data), self.widget
        )
        if data.method == "application":
            self.documents.present(
                "refund_application",
                f"退费申请表 {data.refund_no}",
                render_refund_application(data),
                self.widget,
            )

    def _record_print(self, receipt_id: int) -> None:
        try:
            self.ops.write(
                (),
                record_receipt_print,
                receipt_id=receipt_id,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
            )
        except OperationFailed:
            return  # the clerk was told why (ops shows it)

    # --- corrections ---------------------------------------------------------------------------

    def start_void(self, entry: PaymentEntry) -> SupervisorApprovalDialog | None:
        if entry.receipt_id is None:
            self.message.emit("非现金缴费没有收据，不能作废；如需退还请办理退费。")
            return None
        return self._ask_approval(
            "作废收据",
            f"作废收据 {entry.receipt_no}（{format_fen(entry.amount_fen)} 元）。"
            "作废只能在收款当日办理，收据号保留不再使用，须主管授权。",
            "作废原因",
            lambda a: self.void(entry, a.supervisor_id, a.reason, a.password),
        )

    def void(
        self, entry: PaymentEntry, supervisor_id: int, reason: str, password: str | None = None
    ) -> None:
        assert entry.receipt_id is not None
        try:
            result = self.ops.write(
                PAYMENT_TOPICS,
                void_receipt,
                receipt_id=entry.receipt_id,
                supervisor_id=supervisor_id,
                supervisor_password=password,
                reason=reason,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
            )
        except OperationFailed:
            return
        if entry.payment_id:
            self.entryChanged.emit(dataclasses.replace(entry, status="voided"))
        self.message.emit(
            f"收据 {result.receipt_no} 已作废，金额 {format_fen(result.amount_fen)} 元已冲回。"
        )

    def start_refund(self, entry: PaymentEntry) -> RefundDialog:
        dialog = RefundDialog(entry, parent=self.widget)
        dialog.submitted.connect(lambda values: self._refund_entered(entry, values))
        self._open(dialog)
        return dialog

    def _refund_entered(self, entry: PaymentEntry, values: dict) -> None:
        self._ask_approval(
            "退费审批",
            f"退费 {format_fen(entry.amount_fen)} 元："
            f"{REFUND_CATEGORIES.get(values['category'], values['category'])}。须主管审批。",
            "退费原因",
            lambda a: self.refund(entry, values, a.supervisor_id, a.reason, a.password),
        )

    def _ask_approval(
        self, title: str, explanation: str, reason_label: str, then: Callable[[Approval], None]
    ) -> SupervisorApprovalDialog:
        """A supervisor approves (void, refund); ``then`` gets what the dialog collected."""
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title=title,
            explanation=explanation,
            reason_label=reason_label,
            parent=self.widget,
        )
        dialog.approved.connect(then)
        self._open(dialog)
        return dialog

    def refund(
        self,
        entry: PaymentEntry,
        values: dict,
        approver_id: int,
        reason: str,
        password: str | None = None,
    ) -> None:
        try:
            result = self.ops.write(
                PAYMENT_TOPICS,
                refund_payment,
                payment_id=entry.payment_id,
                reason=reason,
                approver_id=approver_id,
                approver_password=password,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
                **values,
            )
        except OperationFailed:
            return
        self.entryChanged.emit(dataclasses.replace(entry, status="refunded"))
        if result.method == "cash":
            self.message.emit(
                f"已从柜台现金退付 {format_fen(result.amount_fen)} 元，请缴款人在退费单上签字。"
            )
        else:
            self.message.emit(
                f"已登记退费申请 {format_fen(result.amount_fen)} 元（{result.why_application}），"
                "柜台不付现金；请打印退费申请表交税务部门，并请缴款人在退费单上签字。"
            )
        self.print_refund(result.refund_id)
