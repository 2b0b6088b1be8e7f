"""A supervisor's approval at the counter: user name, password and a reason.

Used to void a receipt, approve a refund and let a cash payment through while
deposits are overdue. The supervisor types their own credentials on the
clerk's screen; the dialog checks them (``services.accounts.verify_approver``,
which journals a refusal) and hands back who approved and why.

Open it with ``open()`` and listen to ``approved(Approval)``: the value object
carries everything the dialog collected (who approved, why, and the password a
service checks again), so no caller reaches into the dialog's widgets. It never
blocks in ``exec()``.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.accounts import verify_approver
from ui.context import AppContext
from ui.operations import OperationFailed, Operations
from ui.widgets.enter_chain import EnterChain, no_default_buttons


@dataclasses.dataclass(frozen=True)
class Approval:
    """What the dialog collected once the supervisor's credentials checked out."""

    supervisor_id: int
    reason: str
    # the service checks the approver's password again in its own transaction
    password: str = dataclasses.field(repr=False)


class SupervisorApprovalDialog(QDialog):
    """Ask for a supervisor's user name, password and a reason."""

    approved = Signal(object)  # Approval

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        *,
        title: str,
        explanation: str,
        reason_label: str = "原因",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(420)

        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("supervisorUsername")
        self.password = QLineEdit()
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setObjectName("approvalReason")
        self.reason.setPlaceholderText("必须填写")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        if ctx.session is not None and ctx.session.is_supervisor:
            self.username.setPlaceholderText("主管本人亦须输入密码")

        form = QFormLayout()
        form.addRow("主管用户名", self.username)
        form.addRow("主管密码", self.password)
        form.addRow(reason_label, self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确认授权")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_approve)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        # Enter moves on: user name -> password -> reason -> approve.
        self.enter_chain = EnterChain(self)
        self.enter_chain.set_fields([self.username, self.password, self.reason], self.try_approve)
        no_default_buttons(self.buttons)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def fill(self, username: str, password: str, reason: str) -> None:
        """Type everything at once (tests, scripted runs)."""
        self.username.setText(username)
        self.password.setText(password)
        self.reason.setText(reason)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def try_approve(self) -> None:
        reason = self.reason.text().strip()
        if not self.username.text().strip() or not self.password.text():
            self.show_error("请输入主管用户名和密码。")
            return
        if not reason:
            self.show_error("请填写原因。")
            self.reason.setFocus()
            return
        try:
            # a write: a refused approval is journalled (issue 10)
            supervisor_id = self.ops.write(
                (),
                verify_approver,
                username=self.username.text(),
                password=self.password.text(),
                office_id=self.ctx.office_id,
                requester_id=self.ctx.operator_id,
                parent=self,
                inline=True,
            )
        except OperationFailed as exc:
            self.show_error(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.approved.emit(Approval(supervisor_id, reason, self.password.text()))
        self.accept()
