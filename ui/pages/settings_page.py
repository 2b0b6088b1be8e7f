"""设置 — the office, its villages, its operators, and this computer.

Only a supervisor changes the office's settings (the services refuse anyone
else; the page also greys the forms out for a clerk). The 本机 tab holds what
belongs to this computer alone — printer, paper, backup folder — kept in its
``QSettings`` (``ui/machine_settings.py``), never in the shared database, so
any clerk may set it and no other window is affected. Four tabs, Alt + the underlined
letter to switch; in every form Enter moves to the next field and saves on the
last one; Ctrl+Shift+R reloads what is stored (``ui.keys``).

Some settings need service functions that may not exist in every version of
``services.office`` (payment link and instructions, printer, password reset);
the page looks them up and disables what it cannot save, saying why.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from common.money import format_fen
from services.accounts import set_operator_role
from services.day_close_record import OfficeExtras, office_extras
from services.ledger_views import OperatorRow, operators_of
from services.office import (
    ROLES,
    OfficeInfo,
    VillageInfo,
    add_village,
    create_operator,
    office_info,
    reset_password,
    set_operator_active,
    set_village_target,
)
from services.office_input import LEVELS, MAX_DEPOSIT_DAYS
from services.policy_store import update_office_and_policy
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.keys import RELOAD, page_shortcut
from ui.machine_settings import PAPERS, MachineSettings
from ui.models import ObjectRole
from ui.models.table_model import RIGHT, Column, RowsTableModel, table_view
from ui.operations import OFFICE, OperationFailed, Operations
from ui.pages.backup_tab import BackupTab
from ui.pages.bank_days_box import BankDaysBox
from ui.pages.policy_tab import PolicyTab
from ui.pages.security_panel import SecurityPanel
from ui.printing_bridge import PAPER, DocumentOutput
from ui.widgets.enter_chain import EnterChain
from ui.widgets.money_edit import MoneyEdit

log = logging.getLogger(__name__)

NO_TARGET = -1  # the target spin box's "未设" value
#: Documents whose paper this computer's printer may hold differently.
PAPER_KINDS = {
    "receipt": "收据",
    "notice": "缴费通知单",
    "ledger": "现金台账",
    "day_close": "日结单",
    "deposit_register": "入库登记簿",
}

VILLAGE_COLUMNS: list[Column[VillageInfo]] = [
    Column("村（社区）", lambda v: v.name),
    Column("参保目标（人）", lambda v: str(v.target) if v.target is not None else "未设", RIGHT),
    Column("状态", lambda v: "在用" if v.active else "停用"),
]
OPERATOR_COLUMNS: list[Column[OperatorRow]] = [
    Column("用户名", lambda o: o.username),
    Column("姓名", lambda o: o.display_name),
    Column("角色", lambda o: o.role_label),
    Column("状态", lambda o: "在用" if o.active else "已停用"),
    Column("创建时间", lambda o: o.created_at.strftime("%Y-%m-%d %H:%M")),
]


def available_printers() -> list[str]:
    return [p.printerName() for p in QPrinterInfo.availablePrinters() if p.printerName()]


def _without_clock(fn: Callable[..., object]) -> Callable[..., object]:
    """``ops.write`` hands every function the clock; some services take none."""
    if "clock" in inspect.signature(fn).parameters:
        return fn

    def call(session, _clock, **kwargs):  # type: ignore[no-untyped-def]
        return fn(session, **kwargs)

    return call


class SettingsPage(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        printers: Callable[[], list[str]] = available_printers,
        machine: MachineSettings | None = None,
        choose_folder: Callable[[QWidget, str], str] | None = None,
        documents: DocumentOutput | None = None,
        **_: object,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.printers = printers
        self.machine = machine if machine is not None else MachineSettings()
        self.choose_folder = choose_folder or (
            lambda parent, start: QFileDialog.getExistingDirectory(parent, "选择备份文件夹", start)
        )
        self.documents = documents
        self.office: OfficeInfo | None = None
        self.extras: OfficeExtras | None = None

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a6d3b; background: #fcf8e3; padding: 4px;")
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._office_tab(), "单位(&U)")
        self.tabs.addTab(self._villages_tab(), "村（社区）(&V)")
        self.tabs.addTab(self._operators_tab(), "经办人(&O)")
        self.machine_tab = self._machine_tab()
        self.tabs.addTab(self.machine_tab, "本机(&I)")
        self.policy_tab = PolicyTab(ctx, ops)  # policy years
        self.tabs.addTab(self.policy_tab, "政策(&P)")
        self.backup_tab = BackupTab(ctx)
        self.tabs.addTab(self.backup_tab, "备份与日志(&B)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)

        supervisor = ctx.session is not None and ctx.session.is_supervisor
        self.notice.setText(
            "仅主管可以修改单位、村（社区）和经办人设置，当前为只读；“本机”页的设置人人可改。"
            if not supervisor
            else ""
        )
        self.notice.setVisible(not supervisor)
        editable = (QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QPushButton)
        for widget in self.tabs.findChildren(QWidget):
            if isinstance(widget, editable) and not self.machine_tab.isAncestorOf(widget):
                widget.setEnabled(supervisor)
        # own password for everyone; the panel enables its supervisor parts itself
        self.security = SecurityPanel(ctx, ops, documents)
        self.tabs.addTab(self.security, "账号与安全(&S)")
        page_shortcut(self, RELOAD, self.refresh)
        ops.subscribe({OFFICE}, lambda _changes: self.refresh(), self)
        self.refresh()

    # --- building ------------------------------------------------------------------

    def _office_tab(self) -> QWidget:
        self.name = QLineEdit()
        self.level = QComboBox()
        for key, label in LEVELS.items():
            self.level.addItem(label, key)
        self.policy = QComboBox()
        for key in self.ctx.policies.keys():
            self.policy.addItem(f"{key}　{self.ctx.policies.get(key).name}", key)
        self.prefix = QLineEdit()
        self.prefix.setMaxLength(8)
        self.deposit_days = QSpinBox()
        self.deposit_days.setRange(0, MAX_DEPOSIT_DAYS)
        self.deposit_days.setSuffix(" 天")
        self.deposit_limit = MoneyEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.link = QLineEdit()
        self.link.setPlaceholderText("例如 https://pay.example.cn/yb?no={notice_no}&amt={amount}")
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText("每行一种缴费方式，印在缴费通知单上")
        self.instructions.setTabChangesFocus(True)
        self.instructions.setMaximumHeight(90)
        self.save_office_button = QPushButton("保存单位设置(&S)")
        self.save_office_button.setAutoDefault(True)
        self.save_office_button.clicked.connect(self.save_office)
        self.updated = QLabel()
        self.updated.setStyleSheet("color: #666;")
        form = QFormLayout()
        form.addRow("单位名称", self.name)
        form.addRow("单位级别", self.level)
        form.addRow("执行政策", self.policy)
        form.addRow("收据号前缀", self.prefix)
        form.addRow("现金入库期限", self.deposit_days)
        form.addRow("库存现金限额（元）", self.deposit_limit)
        form.addRow("", self.deposit_limit.error_label)
        form.addRow("地址", self.address)
        form.addRow("电话", self.phone)
        form.addRow("缴费链接模板", self.link)
        form.addRow("缴费方式说明", self.instructions)
        form.addRow("", self.save_office_button)
        form.addRow("", self.updated)
        holder = QWidget()
        holder.setLayout(form)
        holder.setMaximumWidth(760)
        tab = QWidget()
        tab_layout = QVBoxLayout(tab)
        tab_layout.addWidget(holder)
        self.bank_days = BankDaysBox(self.ctx, self.ops, self)
        self.bank_days.setMaximumWidth(760)
        tab_layout.addWidget(self.bank_days)
        tab_layout.addStretch(1)
        self.office_chain = EnterChain(self)
        self.office_chain.set_fields(
            [
                self.name,
                self.level,
                self.policy,
                self.prefix,
                self.deposit_days,
                self.deposit_limit,
                self.address,
                self.phone,
                self.link,
            ],
            self.save_office,
        )
        return tab

    def _villages_tab(self) -> QWidget:
        self.villages = RowsTableModel(VILLAGE_COLUMNS, self, muted=lambda v: not v.active)
        self.village_view = table_view(self.villages)
        self.village_view.selectionModel().currentRowChanged.connect(self._village_selected)
        self.new_village = QLineEdit()
        self.new_village.setPlaceholderText("新村（社区）名称")
        self.new_target = self._target_spin()
        self.add_village_button = QPushButton("添加(&A)")
        self.add_village_button.clicked.connect(self.add_village)
        self.target = self._target_spin()
        self.target_button = QPushButton("设定所选村的目标(&T)")
        self.target_button.clicked.connect(self.set_target)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_village, 1)
        add_row.addWidget(QLabel("目标"))
        add_row.addWidget(self.new_target)
        add_row.addWidget(self.add_village_button)
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("所选村（社区）目标"))
        target_row.addWidget(self.target)
        target_row.addWidget(self.target_button)
        target_row.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.village_view, 1)
        layout.addLayout(target_row)
        layout.addLayout(add_row)
        self.village_chain = EnterChain(self)
        self.village_chain.set_fields([self.new_village, self.new_target], self.add_village)
        self.target_chain = EnterChain(self)
        self.target_chain.set_fields([self.target], self.set_target)
        return tab

    def _target_spin(self) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(NO_TARGET, 1_000_000)
        spin.setSpecialValueText("未设")
        spin.setValue(NO_TARGET)
        spin.setSuffix(" 人")
        return spin

    def _operators_tab(self) -> QWidget:
        self.operators = RowsTableModel(OPERATOR_COLUMNS, self, muted=lambda o: not o.active)
        self.operator_view = table_view(self.operators)
        self.username = QLineEdit()
        self.username.setPlaceholderText("小写字母、数字")
        self.display_name = QLineEdit()
        self.role = QComboBox()
        for key, label in ROLES.items():
            self.role.addItem(label, key)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_operator_button = QPushButton("添加经办人(&N)")
        self.add_operator_button.clicked.connect(self.add_operator)
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("姓名", self.display_name)
        form.addRow("角色", self.role)
        form.addRow("初始密码", self.password)
        form.addRow("再次输入密码", self.password2)
        form.addRow("", self.add_operator_button)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText("所选经办人的新密码")
        self.reset_button = QPushButton("重置密码(&R)")
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button = QPushButton("停用 / 启用所选(&D)")
        self.toggle_button.clicked.connect(self.toggle_operator)
        self.new_role = QComboBox()
        for key, label in ROLES.items():
            self.new_role.addItem(label, key)
        self.role_button = QPushButton("变更角色(&G)…")
        self.role_button.setToolTip("升为主管或改为经办人：须另一位主管输入密码确认，记入审计日志")
        self.role_button.clicked.connect(self.change_role)
        add_box = QGroupBox("添加经办人")
        add_box.setLayout(form)
        add_box.setMaximumWidth(560)
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
        bottom = QHBoxLayout()
        bottom.addWidget(add_box, 1)
        bottom.addWidget(selected_box, 1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.operator_view, 1)
        layout.addLayout(bottom)
        self.operator_chain = EnterChain(self)
        self.operator_chain.set_fields(
            [self.username, self.display_name, self.role, self.password, self.password2],
            self.add_operator,
        )
        self.reset_chain = EnterChain(self)
        self.reset_chain.set_fields([self.new_password], self.reset_password)
        return tab

    def _machine_tab(self) -> QWidget:
        self.printer = QComboBox()
        self.printer.setMinimumWidth(280)
        self.reload_printers_button = QPushButton("重新查找打印机")
        self.reload_printers_button.clicked.connect(self.load_printers)
        printer_row = QHBoxLayout()
        printer_row.addWidget(self.printer)
        printer_row.addWidget(self.reload_printers_button)
        printer_row.addStretch(1)
        self.papers: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("本机打印机", printer_row)
        for kind, label in PAPER_KINDS.items():
            combo = QComboBox()
            combo.addItems(list(PAPERS))
            self.papers[kind] = combo
            form.addRow(f"{label}纸张", combo)
        self.save_machine_button = QPushButton("保存本机设置(&P)")
        self.save_machine_button.clicked.connect(self.save_machine)
        form.addRow("", self.save_machine_button)
        holder = QWidget()
        holder.setLayout(form)
        holder.setMaximumWidth(760)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        hint = QLabel(
            "以下设置只保存在这台电脑上，不影响其他窗口；单位的规则（入库期限、收据号前缀等）"
            "在“单位”页，所有窗口共用。打印预览中仍可临时另选打印机和纸张；备份文件夹在“备份与日志”页。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        layout.addWidget(hint)
        layout.addWidget(holder)
        layout.addStretch(1)
        self.printer_chain = EnterChain(self)
        self.printer_chain.set_fields([self.printer], self.save_machine)
        return tab

    # --- reading -------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh()
        self.tabs.currentWidget().setFocus()

    def refresh(self) -> None:
        office_id = self.ctx.office_id
        try:
            office = self.ops.read(office_info, office_id, parent=self)
            extras = self.ops.read(office_extras, office_id, parent=self)
            operators = self.ops.read(operators_of, office_id, parent=self)
        except OperationFailed:
            return
        self.office, self.extras = office, extras
        self.name.setText(office.name)
        self.level.setCurrentIndex(max(self.level.findData(office.level), 0))
        if self.policy.count() != len(self.ctx.policies):  # files saved in 政策 since
            self.policy.clear()
            for key in self.ctx.policies.keys():
                self.policy.addItem(f"{key}　{self.ctx.policies.get(key).name}", key)
        index = self.policy.findData(office.policy_key)
        if index < 0:
            self.policy.addItem(office.policy_key, office.policy_key)
            index = self.policy.count() - 1
        self.policy.setCurrentIndex(index)
        self.prefix.setText(office.receipt_prefix)
        self.deposit_days.setValue(office.deposit_days)
        self.deposit_limit.setText(format_fen(office.deposit_limit_fen))
        self.address.setText(office.address)
        self.phone.setText(office.phone)
        self.link.setText(extras.payment_link_template)
        self.instructions.setPlainText(extras.payment_instructions)
        self.updated.setText(
            f"最近修改：{extras.updated_at:%Y-%m-%d %H:%M} {extras.updated_by_name}"
            if extras.updated_at
            else ""
        )
        self.villages.set_rows(office.villages)
        self.operators.set_rows(operators)
        self.bank_days.refresh()
        self.load_machine()

    def load_machine(self) -> None:
        """Show this computer's settings as stored in its QSettings."""
        self.load_printers()
        for kind, combo in self.papers.items():
            combo.setCurrentText(self.machine.paper(kind, PAPER.get(kind, "A4")))

    def load_printers(self) -> None:
        chosen = self.machine.printer
        found = list(self.printers())
        self.printer.clear()
        for name in found:
            self.printer.addItem(name, name)
        if chosen and chosen not in found:
            self.printer.addItem(f"{chosen}（本机未找到）", chosen)
        self.printer.insertItem(0, "（系统默认打印机）", "")
        self.printer.setCurrentIndex(max(self.printer.findData(chosen), 0))

    # --- writing -------------------------------------------------------------------

    def _write(self, fn: Callable[..., object], done: str, **kwargs: object) -> bool:
        try:
            self.ops.write(OFFICE, fn, parent=self, inline=True, **kwargs)
        except OperationFailed as exc:
            self._say(exc.message, error=True)
            return False
        self._say(done)
        return True

    def save_office(self) -> None:
        if not self.deposit_limit.validate():
            self.deposit_limit.setFocus()
            return
        kwargs: dict[str, object] = dict(
            office_id=self.ctx.office_id,
            operator_id=self.ctx.operator_id,
            name=self.name.text(),
            level=self.level.currentData(),
            policy_key=self.policy.currentData(),  # a change is recorded (policy_store)
            receipt_prefix=self.prefix.text(),
            deposit_days=self.deposit_days.value(),
            deposit_limit=self.deposit_limit.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            payment_link_template=self.link.text(),
            payment_instructions=self.instructions.toPlainText(),
            book=self.ctx.policies,
        )
        self._write(update_office_and_policy, "单位设置已保存。", **kwargs)

    def add_village(self) -> None:
        target = self.new_target.value()
        if self._write(
            add_village,
            f"已添加“{self.new_village.text().strip()}”。",
            office_id=self.ctx.office_id,
            name=self.new_village.text(),
            operator_id=self.ctx.operator_id,
            target=None if target == NO_TARGET else target,
        ):
            self.new_village.clear()
            self.new_target.setValue(NO_TARGET)
            self.new_village.setFocus()

    def set_target(self) -> None:
        village = self._selected(self.village_view)
        if village is None:
            self._say("请先在表中选择一个村（社区）。", error=True)
            return
        target = self.target.value()
        self._write(
            set_village_target,
            f"“{village.name}”的目标已设定。",
            village_id=village.id,
            target=None if target == NO_TARGET else target,
            operator_id=self.ctx.operator_id,
        )

    def add_operator(self) -> None:
        if self.password.text() != self.password2.text():
            self._say("两次输入的密码不一致。", error=True)
            self.password2.clear()
            self.password2.setFocus()
            return
        if self._write(
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

    def reset_password(self) -> None:
        operator = self._selected(self.operator_view)
        if operator is None:
            self._say("请先在表中选择一个经办人。", error=True)
            return
        if self._write(
            reset_password,
            f"“{operator.display_name}”的密码已重置，请通知本人登录后修改。",
            operator_id=operator.id,
            new_password=self.new_password.text(),
            supervisor_id=self.ctx.operator_id,
        ):
            self.new_password.clear()

    def toggle_operator(self) -> None:
        operator = self._selected(self.operator_view)
        if operator is None:
            self._say("请先在表中选择一个经办人。", error=True)
            return
        word = "启用" if not operator.active else "停用"
        self._write(
            _without_clock(set_operator_active),
            f"已{word}经办人“{operator.display_name}”。",
            operator_id=operator.id,
            active=not operator.active,
            supervisor_id=self.ctx.operator_id,
        )

    def change_role(self) -> SupervisorApprovalDialog | None:
        """Promote or demote the selected operator: another supervisor approves
        with their password (``services.accounts.set_operator_role``)."""
        operator = self._selected(self.operator_view)
        if operator is None:
            self._say("请先在表中选择一个经办人。", error=True)
            return None
        role = self.new_role.currentData()
        if role == operator.role:
            self._say(f"“{operator.display_name}”已是{self.new_role.currentText()}。", error=True)
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
        dialog.approved.connect(
            lambda sid, reason: self._write(
                set_operator_role,
                f"“{operator.display_name}”的角色已改为{ROLES[role]}。",
                operator_id=operator.id,
                role=role,
                supervisor_id=self.ctx.operator_id,
                approver_id=sid,
                approver_password=dialog.password.text(),
                reason=reason,
            )
        )
        self.role_dialog = dialog
        dialog.open()
        return dialog

    def save_machine(self) -> None:
        """Store printer and paper in this computer's settings."""
        self.machine.printer = self.printer.currentData() or ""
        for kind, combo in self.papers.items():
            default = PAPER.get(kind, "A4")
            paper = combo.currentText()
            self.machine.set_paper(kind, "" if paper == default else paper)
        printer = self.machine.printer or "系统默认打印机"
        self._say(f"本机设置已保存（打印机：{printer}）；只影响这台电脑。")

    # --- inside --------------------------------------------------------------------

    @staticmethod
    def _selected(view: QTableView):  # type: ignore[no-untyped-def]
        index = view.currentIndex()
        return index.data(ObjectRole) if index.isValid() else None

    def _village_selected(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        village = current.data(ObjectRole) if current.isValid() else None
        if village is not None:
            self.target.setValue(village.target if village.target is not None else NO_TARGET)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {'#b03a2e' if error else '#1b5e20'};")
