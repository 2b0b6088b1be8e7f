"""设置 → 银行休息日: whether the office's bank is closed on
Saturdays and Sundays, and the office's own closed days. Statutory holidays and
调休 working days come from the ``chinesecalendar`` package and need no entry."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.bank_calendar import (
    calendar_covers,
    closed_days_text,
    office_weekends,
    update_bank_days,
)
from ui.context import AppContext
from ui.operations import OFFICE, OperationFailed, Operations


class BankDaysBox(QGroupBox):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__("银行休息日（现金入库期限遇休息日顺延）", parent)
        self.ctx = ctx
        self.ops = ops
        self.weekends = QCheckBox("本单位开户银行周六、周日不办理缴存（调休上班日除外）")
        self.days = QPlainTextEdit()
        self.days.setObjectName("closedDays")
        self.days.setPlaceholderText("每行一个日期，可加备注，例如：2026-10-09 网点装修")
        self.days.setTabChangesFocus(True)
        self.days.setMaximumHeight(90)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("保存银行休息日")
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.weekends)
        layout.addWidget(QLabel("本单位另行公布的休息日："))
        layout.addWidget(self.days)
        layout.addWidget(self.note)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        office_id = self.ctx.office_id
        try:
            text = self.ops.read(closed_days_text, office_id, parent=self)
            weekends = self.ops.read(office_weekends, office_id, parent=self)
        except OperationFailed:
            return
        self.days.setPlainText(text)
        self.weekends.setChecked(weekends)
        year = self.ctx.business_date().year
        covered = [y for y in (year, year + 1) if calendar_covers(y)]
        missing = [y for y in (year, year + 1) if y not in covered]
        self.note.setText(
            "法定节假日及调休按国家公布的日历（chinesecalendar）自动计算，无需填写。"
            + (
                f"注意：{'、'.join(map(str, missing))} 年的法定节假日尚未收录，"
                "请在上面列出银行休息日，或升级程序。"
                if missing
                else ""
            )
        )

    def save(self) -> None:
        try:
            self.ops.write(
                OFFICE,
                update_bank_days,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                closed_weekends=self.weekends.isChecked(),
                closed_days=self.days.toPlainText(),
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setStyleSheet("color: #b03a2e;")
            self.message.setText(exc.message)
            return
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(f"银行休息日已保存（{self.ctx.clock.now():%H:%M}）。")
