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
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.accounts import verify_approver
from ui.context import AppContext
from ui.operations import OperationFailed, Operations
from ui.widgets.form import Form, ok_cancel, password_edit


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
        form = Form(self)
        self.username = form.field("主管用户名", QLineEdit())
        self.username.setObjectName("supervisorUsername")
        self.password = form.field("主管密码", password_edit("supervisorPassword"))
        self.reason = form.field(reason_label, QLineEdit())
        self.reason.setObjectName("approvalReason")
        self.reason.setPlaceholderText("必须填写")
        self.form = form
        self.error = form.error
        if ctx.session is not None and ctx.session.is_supervisor:
            self.username.setPlaceholderText("主管本人亦须输入密码")
        self.buttons = ok_cancel("确认授权", "取消", self.try_approve, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form.layout)
        layout.addWidget(form.error)
        layout.addWidget(self.buttons)

        # Enter moves on: user name -> password -> reason -> approve.
        self.enter_chain = form.on_enter(self.try_approve)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def fill(self, username: str, password: str, reason: str) -> None:
        """Type everything at once (tests, scripted runs)."""
        self.username.setText(username)
        self.password.setText(password)
        self.reason.setText(reason)

    def show_error(self, message: str) -> None:
        self.form.show_error(message)

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
