"""修改密码: the logged-in operator changes their own password.

The old password proves it is them; the change is kept as operator history
and in the audit journal (``services.office.change_password``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from services.office import PASSWORD_MIN_LENGTH, change_password
from ui.context import AppContext
from ui.operations import OFFICE, OperationFailed, Operations
from ui.widgets.form import Form, ok_cancel, password_edit


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert ctx.session is not None
        self.ctx = ctx
        self.ops = ops
        self.setWindowTitle("修改本人密码")
        self.setMinimumWidth(380)
        self.form = form = Form(self, error_name="passwordError")
        self.old = form.field("原密码", password_edit("oldPassword"))
        self.new = form.field(
            f"新密码（至少 {PASSWORD_MIN_LENGTH} 位）", password_edit("newPassword")
        )
        self.again = form.field("再输一次", password_edit("newAgain"))
        self.error = form.error
        buttons = ok_cancel("修改", "取消", self.submit, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"经办人：{ctx.session.operator_name}"))
        layout.addLayout(form.layout)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        # Enter: old -> new -> again -> change
        self.enter_chain = form.on_enter(self.submit)

    def submit(self) -> bool:
        if self.new.text() != self.again.text():
            self._error("两次输入的新密码不一致。")
            return False
        assert self.ctx.session is not None
        try:
            self.ops.write(
                OFFICE,
                change_password,
                operator_id=self.ctx.session.operator_id,
                old_password=self.old.text(),
                new_password=self.new.text(),
                parent=self,
            )
        except OperationFailed as exc:
            self._error(exc.message)
            return False
        self.accept()
        return True

    def _error(self, text: str) -> None:
        self.form.show_error(text)
