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
from ui.widgets.form import Form, ok_cancel, password_edit


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

        office_box = self._build_office()
        sup_form = Form(self, error_name="firstRunError")
        self.username = sup_form.field("用户名", QLineEdit())
        self.username.setObjectName("supervisorUsername")
        self.username.setPlaceholderText("小写字母、数字")
        self.display_name = sup_form.field("姓名", QLineEdit())
        self.display_name.setObjectName("supervisorName")
        self.password = sup_form.field("密码", password_edit("supervisorPassword", "至少 8 位"))
        self.password2 = sup_form.field("再次输入密码", password_edit("supervisorPassword2"))
        sup_box = QGroupBox("第一位主管")
        sup_box.setLayout(sup_form.layout)
        self.form = sup_form
        self.error = sup_form.error
        self.buttons = ok_cancel("创建单位", "退出", self.try_create, self.reject)

        layout = QVBoxLayout(self)
        if ctx.training:
            from ui.training import TrainingBand

            layout.addWidget(TrainingBand(self))
        layout.addWidget(intro)
        layout.addWidget(office_box)
        layout.addWidget(sup_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        # Enter on the prefix goes on into the villages box (it used to stop there)
        self.enter_chain = self.office_form.on_enter(
            lambda: self.villages.setFocus(Qt.FocusReason.TabFocusReason)
        )
        self.enter_chain_2 = sup_form.on_enter(self.try_create)
        QWidget.setTabOrder(self.prefix, self.villages)
        QWidget.setTabOrder(self.villages, self.username)
        self.code.setFocus()

    def _build_office(self) -> QGroupBox:
        """经办单位: code, name, level, policy, receipt prefix and the villages."""
        office_form = self.office_form = Form(self)
        self.code = office_form.field("单位代码", QLineEdit())
        self.code.setObjectName("officeCode")
        self.code.setPlaceholderText("如 WY01（字母、数字）")
        self.name = office_form.field("单位名称", QLineEdit())
        self.name.setObjectName("officeName")
        self.name.setPlaceholderText("如 忠县乌杨街道便民服务中心")
        self.level = office_form.field("单位级别", QComboBox())
        self.level.setObjectName("officeLevel")
        for key, label in LEVELS.items():
            self.level.addItem(label, key)
        self.level.setCurrentIndex(self.level.findData("street_office"))
        self.policy = office_form.field("执行政策", QComboBox())
        self.policy.setObjectName("officePolicy")
        for policy in self.ctx.policies:
            self.policy.addItem(policy.name, policy.key)
            self.policy.setItemData(
                self.policy.count() - 1, policy.key, Qt.ItemDataRole.ToolTipRole
            )
        self.prefix = office_form.field("收据号前缀", QLineEdit())
        self.prefix.setObjectName("receiptPrefix")
        self.prefix.setPlaceholderText("1–8 位大写字母或数字，如 WY")
        # several lines, so Enter there is a new line; Tab leaves it
        self.villages = office_form.field("村（社区）", QPlainTextEdit(), chained=False)
        self.villages.setObjectName("villages")
        self.villages.setTabChangesFocus(True)
        self.villages.setPlaceholderText(
            "每行一个村（社区），如：\n乌杨村\n花桥社区\n（按 Tab 键到下一项）"
        )
        self.villages.setFixedHeight(90)

        office_box = QGroupBox("经办单位")
        office_box.setLayout(office_form.layout)
        return office_box

    def _show_error(self, message: str) -> None:
        self.form.show_error(message)

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
