"""The small forms of the collect page: a payment (cash or not) and a refund.

Each opens with ``open()``, chains its fields with Enter and reports the
values through ``submitted(dict)``; the flows in ``collect_actions`` do the
writing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from common.errors import ServiceError
from common.glossary import PAYMENT_CHANNELS, tier_label
from common.money import format_fen, parse_amount
from services.payments import PaymentResult
from services.references import clean_reference
from services.refunds import REFUND_CATEGORIES, REFUND_METHODS
from services.resident_records import EnrollmentRecord, ResidentRecord
from ui.widgets.enter_chain import EnterChain, no_default_buttons

NON_CASH_CHANNELS = ("pos", "qr", "bank", "other")


def masked_id(number: str) -> str:
    """An ID number with its middle hidden, as read aloud at the counter."""
    if len(number) < 10:
        return number
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


@dataclasses.dataclass(frozen=True)
class PaymentEntry:
    """A payment of an enrolment as the collect page lists it."""

    payment_id: int
    enrollment_id: int
    receipt_id: int | None
    receipt_no: str | None
    amount_fen: int
    channel: str
    reference: str
    paid_at: dt.datetime
    status: str  # completed | voided | refunded

    @classmethod
    def from_result(cls, r: PaymentResult) -> PaymentEntry:
        return cls(
            r.payment_id,
            r.enrollment_id,
            r.receipt_id,
            r.receipt_no,
            r.amount_fen,
            r.channel,
            r.reference,
            r.paid_at,
            "completed",
        )


# --- dialogs ----------------------------------------------------------------------------


class _FormDialog(QDialog):
    """A small form: fields chained by Enter, OK on the last one."""

    submitted = Signal(dict)

    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(440)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)
        no_default_buttons(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.enter_chain = EnterChain(self)

    def set_ok_text(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(text)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def values(self) -> dict:  # pragma: no cover - overridden
        return {}

    def try_submit(self) -> None:
        try:
            values = self.values()
        except ServiceError as exc:
            self.show_error(exc.message)
            return
        self.submitted.emit(values)
        self.accept()


class PaymentDialog(_FormDialog):
    """Cash (``channel='cash'``) or a non-cash payment."""

    def __init__(
        self,
        resident: ResidentRecord,
        enrollment: EnrollmentRecord,
        *,
        cash: bool,
        parent: QWidget | None = None,
    ) -> None:
        due = format_fen(enrollment.personal_due_fen)
        title = "现金收款" if cash else "非现金缴费"
        super().__init__(
            title,
            f"{enrollment.policy_year} 年度，应缴 {due} 元。请向缴款人读出姓名、身份证号和档次核对。"
            + ("" if cash else "\n非现金缴费不计入库存现金，须填写交易流水号。"),
            parent,
        )
        # the right person, large enough to read aloud
        self.who = QLabel(
            f"{resident.name}　{masked_id(resident.id_number)}<br>"
            f"{resident.village_name or '未指定村（社区）'}　{tier_label(enrollment.tier)}"
        )
        self.who.setObjectName("paymentWho")
        self.who.setStyleSheet("font-size: 22px; font-weight: bold; color: #0d47a1;")
        layout = self.layout()
        assert isinstance(layout, QBoxLayout)
        layout.insertWidget(0, self.who)
        self.cash = cash
        self.due_fen = enrollment.personal_due_fen
        self.channel = QComboBox()
        self.channel.setObjectName("paymentChannel")
        for key in NON_CASH_CHANNELS:
            self.channel.addItem(PAYMENT_CHANNELS[key], key)
        self.reference = QLineEdit()
        self.reference.setObjectName("paymentReference")
        self.reference.setMaxLength(100)
        self.amount = QLineEdit(due)
        self.amount.setObjectName("paymentAmount")
        self.received = QLineEdit()
        self.received.setObjectName("cashReceived")
        self.received.setPlaceholderText("可不填；填写后显示找零")
        self.change = QLabel()
        self.change.setObjectName("cashChange")
        self.received.textChanged.connect(self._show_change)
        self.payer = QLineEdit(resident.name)
        self.payer.setObjectName("payerName")
        self.agent = QLineEdit()
        self.agent.setObjectName("agentName")
        self.agent.setPlaceholderText("本人缴费不填")
        self._lay_out_fields(cash)

    def _lay_out_fields(self, cash: bool) -> None:
        """The rows the payment needs (non-cash: channel and reference; cash: the change)."""
        fields: list[QWidget] = []
        if not cash:
            self.form.addRow("缴费方式", self.channel)
            self.form.addRow("交易流水号", self.reference)
            fields += [self.channel, self.reference]
        self.form.addRow("金额（元）", self.amount)
        fields.append(self.amount)
        if cash:
            self.form.addRow("收到现金", self.received)
            self.form.addRow("找零", self.change)
            fields.append(self.received)
        self.form.addRow("缴款人", self.payer)
        self.form.addRow("代办人", self.agent)
        fields += [self.payer, self.agent]
        self.set_ok_text("收款并打印收据" if cash else "记录缴费")
        self.enter_chain.set_fields(fields, self.try_submit)
        fields[0].setFocus()
        if isinstance(fields[0], QLineEdit):
            fields[0].selectAll()

    def _show_change(self, text: str) -> None:
        try:
            received = parse_amount(text) if text.strip() else None
            amount = parse_amount(self.amount.text())
        except ServiceError:
            self.change.setText("")
            return
        if received is None:
            self.change.setText("")
        elif received < amount:
            self.change.setText(
                f"<span style='color:#c62828'>不足 {format_fen(amount - received)} 元</span>"
            )
        else:
            self.change.setText(f"<b>{format_fen(received - amount)} 元</b>")

    def values(self) -> dict:
        parse_amount(self.amount.text())  # refuses a malformed amount here, in words
        if not self.cash:  # a missing reference keeps the dialog and what was typed
            clean_reference(self.channel.currentData(), self.reference.text())
        return {
            "amount": self.amount.text().strip(),
            "channel": "cash" if self.cash else self.channel.currentData(),
            "reference": "" if self.cash else self.reference.text(),
            "payer_name": self.payer.text(),
            "agent_name": self.agent.text(),
        }


class RefundDialog(_FormDialog):
    """The ground and the way back of a refund; the approver signs next."""

    def __init__(self, entry: PaymentEntry, parent: QWidget | None = None) -> None:
        super().__init__(
            "退费",
            f"退还 {format_fen(entry.amount_fen)} 元（{PAYMENT_CHANNELS.get(entry.channel, entry.channel)}"
            f"{'，收据 ' + entry.receipt_no if entry.receipt_no else ''}）。"
            "退费另记一笔，原收据不作改动。现金只能退还仍在本柜台、尚未入库的现金缴费；"
            "其他情况登记退费申请，由税务部门退付。下一步须主管审批。",
            parent,
        )
        self.category = QComboBox()
        self.category.setObjectName("refundCategory")
        for key, label in REFUND_CATEGORIES.items():
            self.category.addItem(label, key)
        self.method = QComboBox()
        self.method.setObjectName("refundMethod")
        self.method.addItem("按款项所在自动确定", None)
        for key, label in REFUND_METHODS.items():
            self.method.addItem(label, key)
        self.reference = QLineEdit()
        self.reference.setObjectName("refundReference")
        self.form.addRow("退费类别", self.category)
        self.form.addRow("退还方式", self.method)
        self.form.addRow("退款流水号", self.reference)
        self.set_ok_text("下一步：主管审批")
        self.enter_chain.set_fields([self.category, self.method, self.reference], self.try_submit)
        self.category.setFocus()

    def values(self) -> dict:
        return {
            "category": self.category.currentData(),
            "method": self.method.currentData(),
            "reference": self.reference.text(),
        }
