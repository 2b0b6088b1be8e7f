"""报表 → 现金异常: settling an open over/short case.

A shortage is made up by the clerk (补足短款: cash into the drawer, a ledger
line) or written off by a supervisor with a reason (核销); an overage held as
待查 is decided by a supervisor: kept with the office's cash (归入库存现金) or
handed back to whom it belongs (退还长款: cash out of the drawer, a ledger
line, never below zero cash on hand). ``services.over_short`` does it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from common.money import format_fen
from services.cash_reports import CashException
from services.over_short import settle_difference
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.operations import LEDGER, OperationFailed, Operations
from ui.widgets.money_edit import MoneyEdit


class OverShortBox(QWidget):
    """Amount field and the acts, for the selected exception row."""

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        selected: Callable[[], CashException | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.selected = selected
        self.approval: SupervisorApprovalDialog | None = None
        self.amount = MoneyEdit()
        self.amount.setObjectName("settleAmount")
        self.make_up_button = QPushButton("补足短款(&B)")
        self.make_up_button.clicked.connect(self.make_up)
        self.decide_button = QPushButton("主管处理(&H)…")
        self.decide_button.clicked.connect(self.decide)
        self.return_button = QPushButton("主管退还长款(&T)…")
        self.return_button.setObjectName("overReturnButton")
        self.return_button.clicked.connect(self.hand_back)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("金额（元）"))
        row.addWidget(self.amount)
        row.addWidget(self.make_up_button)
        row.addWidget(self.decide_button)
        row.addWidget(self.return_button)
        row.addWidget(self.message, 1)
        self.update_for(None)

    def update_for(self, row: CashException | None) -> None:
        open_case = row is not None and row.difference_id is not None and row.still_open
        self.make_up_button.setEnabled(open_case and row is not None and row.kind == "short")
        self.decide_button.setEnabled(open_case)
        self.return_button.setEnabled(open_case and row is not None and row.kind == "over")
        if open_case and row is not None:
            self.amount.setText(format_fen(row.open_fen))
            word = "核销短款" if row.kind == "short" else "长款归入库存现金"
            self.decide_button.setText(f"主管{word}(&H)…")

    def _settle(
        self, action: str, supervisor_id: int | None, reason: str, password: str | None = None
    ) -> None:
        row = self.selected()
        if row is None or row.difference_id is None:
            return
        try:
            self.ops.write(
                LEDGER,
                settle_difference,
                difference_id=row.difference_id,
                action=action,
                amount=self.amount.text(),
                operator_id=self.ctx.operator_id,
                supervisor_id=supervisor_id,
                supervisor_password=password,
                reason=reason,
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setStyleSheet("color: #b03a2e;")
            self.message.setText(exc.message)
            return
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText("已处理。")

    def make_up(self) -> None:
        if self.amount.validate():
            self._settle("cash_in", None, "经办人补足短款")

    def decide(self) -> None:
        row = self.selected()
        if row is None or row.difference_id is None or not self.amount.validate():
            return
        action = "write_off" if row.kind == "short" else "over_kept"
        title = "核销短款：主管确认" if row.kind == "short" else "长款归入库存现金：主管确认"
        self._ask_supervisor(row, action, title)

    def hand_back(self) -> None:
        """An overage handed back to whom it belongs: cash leaves the drawer."""
        row = self.selected()
        if row is None or row.difference_id is None or row.kind != "over":
            return
        if not self.amount.validate():
            return
        self._ask_supervisor(row, "over_returned", "退还长款（现金付出）：主管确认")

    def _ask_supervisor(self, row: CashException, action: str, title: str) -> None:
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title=title,
            explanation=f"{row.business_date} {row.kind_label} {self.amount.text()} 元：{row.detail}",
            reason_label="处理原因",
            parent=self,
        )
        dialog.approved.connect(
            lambda a: self._settle(action, a.supervisor_id, a.reason, a.password)
        )
        self.approval = dialog
        dialog.open()
