"""First run: set up the office and its first supervisor.

Shown when the database has no office yet. One form, one transaction: the
office (name, level, policy, receipt prefix, villages) and the supervisor who
will add the clerks. Both are made by ``services.office``; nothing is written
unless both succeed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from services.office import OfficeInfo, OperatorInfo, create_office, create_operator
from services.office_input import LEVELS
from ui.context import AppContext
from ui.operations import OFFICE, OperationFailed, Operations
from ui.widgets.enter_chain import EnterChain, no_default_buttons


def set_up_office(
    session,  # type: ignore[no-untyped-def]
    clock,
    *,
    office: dict[str, object],
    supervisor: dict[str, str],
    known_policies: frozenset[str],
) -> tuple[OfficeInfo, OperatorInfo]:
    """The office and its first supervisor, in the caller's one transaction."""
    info = create_office(session, clock, known_policies=known_policies, **office)  # type: ignore[arg-type]
    operator = create_operator(
        session, clock, office_id=info.id, role="supervisor", created_by=None, **supervisor
    )
    return info, operator


def split_villages(text: str) -> list[str]:
    """One village per line (commas and 、 also separate); blanks dropped."""
    for sep in ("，", ",", "、", ";", "；"):
        text = text.replace(sep, "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


class FirstRunDialog(QDialog):
    """The set-up form. Emits ``officeCreated(OfficeInfo, OperatorInfo)``."""

    officeCreated = Signal(object, object)

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.setWindowTitle("首次使用 — 设置经办单位")
        self.setMinimumWidth(560)

        intro = QLabel(
            "数据库中还没有经办单位。请填写本单位信息，并设置第一位主管账号；"
            "主管登录后可在“设置”页添加经办人。"
        )
        intro.setWordWrap(True)

        self.code = QLineEdit()
        self.code.setObjectName("officeCode")
        self.code.setPlaceholderText("如 WY01（字母、数字）")
        self.name = QLineEdit()
        self.name.setObjectName("officeName")
        self.name.setPlaceholderText("如 忠县乌杨街道便民服务中心")
        self.level = QComboBox()
        self.level.setObjectName("officeLevel")
        for key, label in LEVELS.items():
            self.level.addItem(label, key)
        self.level.setCurrentIndex(self.level.findData("street_office"))
        self.policy = QComboBox()
        self.policy.setObjectName("officePolicy")
        for policy in ctx.policies:
            self.policy.addItem(policy.name, policy.key)
            self.policy.setItemData(
                self.policy.count() - 1, policy.key, Qt.ItemDataRole.ToolTipRole
            )
        self.prefix = QLineEdit()
        self.prefix.setObjectName("receiptPrefix")
        self.prefix.setPlaceholderText("1–8 位大写字母或数字，如 WY")
        self.villages = QPlainTextEdit()
        self.villages.setObjectName("villages")
        self.villages.setTabChangesFocus(True)
        self.villages.setPlaceholderText(
            "每行一个村（社区），如：\n乌杨村\n花桥社区\n（按 Tab 键到下一项）"
        )
        self.villages.setFixedHeight(90)

        office_box = QGroupBox("经办单位")
        office_form = QFormLayout(office_box)
        office_form.addRow("单位代码", self.code)
        office_form.addRow("单位名称", self.name)
        office_form.addRow("单位级别", self.level)
        office_form.addRow("执行政策", self.policy)
        office_form.addRow("收据号前缀", self.prefix)
        office_form.addRow("村（社区）", self.villages)

        self.username = QLineEdit()
        self.username.setObjectName("supervisorUsername")
        self.username.setPlaceholderText("小写字母、数字")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("supervisorName")
        self.password = QLineEdit()
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少 8 位")
        self.password2 = QLineEdit()
        self.password2.setObjectName("supervisorPassword2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        sup_box = QGroupBox("第一位主管")
        sup_form = QFormLayout(sup_box)
        sup_form.addRow("用户名", self.username)
        sup_form.addRow("姓名", self.display_name)
        sup_form.addRow("密码", self.password)
        sup_form.addRow("再次输入密码", self.password2)

        self.error = QLabel()
        self.error.setObjectName("firstRunError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("创建单位")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.try_create)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if ctx.training:
            from ui.training import TrainingBand

            layout.addWidget(TrainingBand(self))
        layout.addWidget(intro)
        layout.addWidget(office_box)
        layout.addWidget(sup_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        # The villages box takes several lines, so Enter there is a new line; Tab
        # leaves it. Enter on the prefix goes on into it (it used to stop there).
        self.enter_chain = EnterChain(self)
        self.enter_chain.set_fields(
            [self.code, self.name, self.level, self.policy, self.prefix],
            lambda: self.villages.setFocus(Qt.FocusReason.TabFocusReason),
        )
        self.enter_chain_2 = EnterChain(self)
        self.enter_chain_2.set_fields(
            [self.username, self.display_name, self.password, self.password2], self.try_create
        )
        QWidget.setTabOrder(self.prefix, self.villages)
        QWidget.setTabOrder(self.villages, self.username)
        no_default_buttons(self.buttons)
        self.code.setFocus()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def try_create(self) -> None:
        if self.password.text() != self.password2.text():
            self._show_error("两次输入的密码不一致。")
            self.password2.clear()
            self.password2.setFocus()
            return
        if self.policy.currentData() is None:
            self._show_error("没有可用的政策文件，无法创建单位。")
            return
        office = {
            "code": self.code.text(),
            "name": self.name.text(),
            "level": self.level.currentData(),
            "policy_key": self.policy.currentData(),
            "receipt_prefix": self.prefix.text(),
            "villages": split_villages(self.villages.toPlainText()),
        }
        supervisor = {
            "username": self.username.text(),
            "display_name": self.display_name.text(),
            "password": self.password.text(),
        }
        try:
            info, operator = self.ops.write(
                OFFICE,
                set_up_office,
                office=office,
                supervisor=supervisor,
                known_policies=frozenset(self.ctx.policies.keys()),
                parent=self,
                inline=True,  # the form shows the refusal itself
            )
        except OperationFailed as exc:
            self._show_error(exc.message)
            return
        self.officeCreated.emit(info, operator)
        self.accept()
