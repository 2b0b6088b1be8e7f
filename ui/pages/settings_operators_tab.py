"""设置 › 经办人: the office's operators; add one, reset a password, stop or
start one, and change a role (another supervisor approves with a password)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.accounts import set_operator_role
from services.ledger_views import OperatorRow
from services.office import ROLES, create_operator, reset_password, set_operator_active
from ui.context import AppContext
from ui.dialogs.supervisor_approval import Approval, SupervisorApprovalDialog
from ui.models.table_model import Column, RowsTableModel, table_view
from ui.operations import Operations
from ui.pages.settings_tab import SettingsTab
from ui.widgets.enter_chain import EnterChain
from ui.widgets.form import Form

OPERATOR_COLUMNS: list[Column[OperatorRow]] = [
    Column("用户名", lambda o: o.username),
    Column("姓名", lambda o: o.display_name),
    Column("角色", lambda o: o.role_label),
    Column("状态", lambda o: "在用" if o.active else "已停用"),
    Column("创建时间", lambda o: o.created_at.strftime("%Y-%m-%d %H:%M")),
]


def _without_clock(fn: Callable[..., object]) -> Callable[..., object]:
    """``ops.write`` hands every function the clock; some services take none."""
    if "clock" in inspect.signature(fn).parameters:
        return fn

    def call(session, _clock, **kwargs):  # type: ignore[no-untyped-def]
        return fn(session, **kwargs)

    return call


def _roles() -> QComboBox:
    combo = QComboBox()
    for key, label in ROLES.items():
        combo.addItem(label, key)
    return combo


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class OperatorsTab(SettingsTab):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ctx, ops, parent)
        self.role_dialog: SupervisorApprovalDialog | None = None
        self.operators = RowsTableModel(OPERATOR_COLUMNS, self, muted=lambda o: not o.active)
        self.operator_view = table_view(self.operators)
        bottom = QHBoxLayout()
        bottom.addWidget(self._build_add_box(), 1)
        bottom.addWidget(self._build_selected_box(), 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.operator_view, 1)
        layout.addLayout(bottom)
        # chained once the fields share the tab (Qt's tab order is per window)
        self.operator_chain = self.add_form.on_enter(self.add_operator)
        self.reset_chain = EnterChain(self)
        self.reset_chain.set_fields([self.new_password], self.reset_password)

    def _build_add_box(self) -> QGroupBox:
        form = Form(self)
        self.username = form.field("用户名", QLineEdit())
        self.username.setPlaceholderText("小写字母、数字")
        self.display_name = form.field("姓名", QLineEdit())
        self.role = form.field("角色", _roles())
        self.password = form.field("初始密码", _password())
        self.password2 = form.field("再次输入密码", _password())
        self.add_operator_button = QPushButton("添加经办人(&N)")
        self.add_operator_button.clicked.connect(self.add_operator)
        form.row("", self.add_operator_button)
        self.add_form = form
        add_box = QGroupBox("添加经办人")
        add_box.setLayout(form.layout)
        add_box.setMaximumWidth(560)
        return add_box

    def _build_selected_box(self) -> QGroupBox:
        self.new_password = _password()
        self.new_password.setPlaceholderText("所选经办人的新密码")
        self.reset_button = QPushButton("重置密码(&R)")
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button = QPushButton("停用 / 启用所选(&D)")
        self.toggle_button.clicked.connect(self.toggle_operator)
        self.new_role = _roles()
        self.role_button = QPushButton("变更角色(&G)…")
        self.role_button.setToolTip("升为主管或改为经办人：须另一位主管输入密码确认，记入审计日志")
        self.role_button.clicked.connect(self.change_role)
        selected_box = QGroupBox("所选经办人")
        selected = QVBoxLayout(selected_box)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.new_password, 1)
        reset_row.addWidget(self.reset_button)
        selected.addLayout(reset_row)
        selected.addWidget(self.toggle_button, 0, Qt.AlignmentFlag.AlignLeft)
        role_row = QHBoxLayout()
        role_row.addWidget(QLabel("新角色"))
        role_row.addWidget(self.new_role)
        role_row.addWidget(self.role_button)
        role_row.addStretch(1)
        selected.addLayout(role_row)
        selected.addStretch(1)
        return selected_box

    def show_operators(self, operators: Sequence[OperatorRow]) -> None:
        self.operators.set_rows(operators)

    def add_operator(self) -> None:
        if self.password.text() != self.password2.text():
            self.say("两次输入的密码不一致。", error=True)
            self.password2.clear()
            self.password2.setFocus()
            return
        if self.write(
            create_operator,
            f"已添加经办人“{self.display_name.text().strip()}”。",
            office_id=self.ctx.office_id,
            username=self.username.text(),
            display_name=self.display_name.text(),
            role=self.role.currentData(),
            password=self.password.text(),
            created_by=self.ctx.operator_id,
        ):
            for edit in (self.username, self.display_name, self.password, self.password2):
                edit.clear()
            self.username.setFocus()

    def _chosen(self) -> OperatorRow | None:
        operator: OperatorRow | None = self.selected(self.operator_view)
        if operator is None:
            self.say("请先在表中选择一个经办人。", error=True)
        return operator

    def reset_password(self) -> None:
        operator = self._chosen()
        if operator is not None and self.write(
            reset_password,
            f"“{operator.display_name}”的密码已重置，请通知本人登录后修改。",
            operator_id=operator.id,
            new_password=self.new_password.text(),
            supervisor_id=self.ctx.operator_id,
        ):
            self.new_password.clear()

    def toggle_operator(self) -> None:
        operator = self._chosen()
        if operator is None:
            return
        word = "启用" if not operator.active else "停用"
        self.write(
            _without_clock(set_operator_active),
            f"已{word}经办人“{operator.display_name}”。",
            operator_id=operator.id,
            active=not operator.active,
            supervisor_id=self.ctx.operator_id,
        )

    def change_role(self) -> SupervisorApprovalDialog | None:
        """Promote or demote the selected operator: another supervisor approves
        with their password (``services.accounts.set_operator_role``)."""
        operator = self._chosen()
        if operator is None:
            return None
        role = self.new_role.currentData()
        if role == operator.role:
            self.say(f"“{operator.display_name}”已是{self.new_role.currentText()}。", error=True)
            return None
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title="变更角色：另一位主管确认",
            explanation=(
                f"将“{operator.display_name}”（{operator.username}）由{operator.role_label}"
                f"改为{self.new_role.currentText()}。须由另一位主管输入用户名和密码确认。"
            ),
            reason_label="变更原因",
            parent=self,
        )
        dialog.approved.connect(lambda a: self._set_role(operator, role, a))
        self.role_dialog = dialog
        dialog.open()
        return dialog

    def _set_role(self, operator: OperatorRow, role: str, approval: Approval) -> None:
        self.write(
            set_operator_role,
            f"“{operator.display_name}”的角色已改为{ROLES[role]}。",
            operator_id=operator.id,
            role=role,
            supervisor_id=self.ctx.operator_id,
            approver_id=approval.supervisor_id,
            approver_password=approval.password,
            reason=approval.reason,
        )
