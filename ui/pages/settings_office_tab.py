"""设置 › 单位: the office's name, level, policy, receipt prefix, deposit rule,
address, payment link and instructions, and the bank's closed days."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from common.money import format_fen
from services.day_close_record import OfficeExtras
from services.office import OfficeInfo
from services.office_input import LEVELS, MAX_DEPOSIT_DAYS
from services.policy_store import update_office_and_policy
from ui.context import AppContext
from ui.operations import Operations
from ui.pages.bank_days_box import BankDaysBox
from ui.pages.settings_tab import SettingsTab
from ui.widgets.form import Form
from ui.widgets.money_edit import MoneyEdit

FORM_WIDTH = 760


class OfficeTab(SettingsTab):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ctx, ops, parent)
        form = Form(self)
        self.name = form.field("单位名称", QLineEdit())
        self.level = form.field("单位级别", QComboBox())
        for key, label in LEVELS.items():
            self.level.addItem(label, key)
        self.policy = form.field("执行政策", QComboBox())
        self._fill_policies()
        self.prefix = form.field("收据号前缀", QLineEdit())
        self.prefix.setMaxLength(8)
        self.deposit_days = form.field("现金入库期限", QSpinBox())
        self.deposit_days.setRange(0, MAX_DEPOSIT_DAYS)
        self.deposit_days.setSuffix(" 天")
        self.deposit_limit = form.field("库存现金限额（元）", MoneyEdit())
        form.row("", self.deposit_limit.error_label)
        self.address = form.field("地址", QLineEdit())
        self.phone = form.field("电话", QLineEdit())
        self.link = form.field("缴费链接模板", QLineEdit())
        self.link.setPlaceholderText("例如 https://pay.example.cn/yb?no={notice_no}&amt={amount}")
        self.instructions = form.field("缴费方式说明", QPlainTextEdit(), chained=False)
        self.instructions.setPlaceholderText("每行一种缴费方式，印在缴费通知单上")
        self.instructions.setTabChangesFocus(True)
        self.instructions.setMaximumHeight(90)
        self.save_office_button = QPushButton("保存单位设置(&S)")
        self.save_office_button.setAutoDefault(True)
        self.save_office_button.clicked.connect(self.save_office)
        form.row("", self.save_office_button)
        self.updated = QLabel()
        self.updated.setStyleSheet("color: #666;")
        form.row("", self.updated)
        holder = QWidget()
        holder.setLayout(form.layout)
        holder.setMaximumWidth(FORM_WIDTH)
        layout = QVBoxLayout(self)
        layout.addWidget(holder)
        self.bank_days = BankDaysBox(ctx, ops, self)
        self.bank_days.setMaximumWidth(FORM_WIDTH)
        layout.addWidget(self.bank_days)
        layout.addStretch(1)
        # chained once the fields share the tab (Qt's tab order is per window)
        self.office_chain = form.on_enter(self.save_office)

    def _fill_policies(self) -> None:
        self.policy.clear()
        for key in self.ctx.policies.keys():
            self.policy.addItem(f"{key}　{self.ctx.policies.get(key).name}", key)

    def show_office(self, office: OfficeInfo, extras: OfficeExtras) -> None:
        self.name.setText(office.name)
        self.level.setCurrentIndex(max(self.level.findData(office.level), 0))
        if self.policy.count() != len(self.ctx.policies):  # files saved in 政策 since
            self._fill_policies()
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
        self.bank_days.refresh()

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
        self.write(update_office_and_policy, "单位设置已保存。", **kwargs)
