"""修改密码: the logged-in operator changes their own password.

The old password proves it is them; the change is kept as operator history
and in the audit journal (``services.office.change_password``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.office import PASSWORD_MIN_LENGTH, change_password
from ui.context import AppContext
from ui.operations import OFFICE, OperationFailed, Operations


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert ctx.session is not None
        self.ctx = ctx
        self.ops = ops
        self.setWindowTitle("修改本人密码")
        self.setMinimumWidth(380)
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.again = QLineEdit()
        for name, field in (
            ("oldPassword", self.old),
            ("newPassword", self.new),
            ("newAgain", self.again),
        ):
            field.setObjectName(name)
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("passwordError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("原密码", self.old)
        form.addRow(f"新密码（至少 {PASSWORD_MIN_LENGTH} 位）", self.new)
        form.addRow("再输一次", self.again)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("修改")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"经办人：{ctx.session.operator_name}"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

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
        self.error.setText(text)
        self.error.show()
