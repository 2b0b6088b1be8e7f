"""One confirmation for a household paid by one agent.

Lists each member with tier and amount (the ones who cannot be paid named,
with why), the total, the agent's name (required), how the money is paid and,
for cash, what was handed over and the change. Opened with ``open()``; the
page pays on ``accepted``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from common.glossary import tier_label
from common.money import fen_in_words, format_fen
from services.households import Member
from ui.pages.resident_widgets import fill_row, table
from ui.widgets.money_edit import MoneyEdit


class HouseholdPaymentDialog(QDialog):
    def __init__(
        self,
        members: Sequence[Member],
        channels: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("代缴确认")
        self.members = list(members)
        payable = [m for m in members if m.payable]
        self.total_fen = sum(m.due_fen for m in payable)
        self._build_table()
        self.total_label = QLabel(
            f"合计 {len(payable)} 人　¥{format_fen(self.total_fen)}"
            f"　人民币{fen_in_words(self.total_fen)}"
        )
        self.total_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.agent = QLineEdit()
        self.agent.setPlaceholderText("代办人姓名（必填）")
        self.channel_box = QComboBox()
        for key, label in channels:
            self.channel_box.addItem(label, key)
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("非现金缴费的交易流水号")
        self.tendered = MoneyEdit(required=False)
        self.change_label = QLabel("")
        self.tendered.amountChanged.connect(self._show_change)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #c62828;")
        form = QFormLayout()
        form.addRow("代办人", self.agent)
        form.addRow("缴费方式", self.channel_box)
        form.addRow("交易参考号", self.reference_edit)
        form.addRow("实收现金", self.tendered)
        form.addRow("找零", self.change_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确认收款并打印收据")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("返回")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("请与代办人核对每位参保人的姓名、身份证号、档次和金额："))
        layout.addWidget(self.table)
        layout.addWidget(self.total_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def _build_table(self) -> None:
        """One row a member: what each pays, or why they cannot (in red)."""
        self.table = table(("姓名", "身份证号", "档次", "金额", "说明"))
        self.table.setRowCount(len(self.members))
        for row, m in enumerate(self.members):
            fill_row(
                self.table,
                row,
                (
                    m.name,
                    m.id_number,
                    tier_label(m.tier) if m.payable else "",
                    format_fen(m.due_fen) if m.payable else "",
                    "" if m.payable else m.refusal().split("：", 1)[-1],
                ),
                "" if m.payable else "#c62828",
            )

    def channel(self) -> str:
        return str(self.channel_box.currentData())

    def agent_name(self) -> str:
        return self.agent.text().strip()

    def reference(self) -> str:
        return self.reference_edit.text()

    def change_fen(self, total_fen: int) -> int | None:
        tendered = self.tendered.amount_fen()
        if self.channel() != "cash" or tendered is None:
            return None
        return tendered - total_fen

    def _show_change(self, _value: object) -> None:
        change = self.change_fen(self.total_fen)
        self.change_label.setText("" if change is None else f"{format_fen(max(change, 0))} 元")

    def try_accept(self) -> None:
        """Refusals that need no database are shown here, once, in the dialog."""
        if not self.agent_name():
            self.error_label.setText("请填写代办人姓名。")
            self.agent.setFocus()
            return
        change = self.change_fen(self.total_fen)
        if change is not None and change < 0:
            self.error_label.setText(
                f"实收不足：应收 {format_fen(self.total_fen)} 元，"
                f"实收 {format_fen(self.tendered.amount_fen() or 0)} 元。"
            )
            return
        self.accept()
