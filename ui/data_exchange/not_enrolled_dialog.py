"""登记未参保原因 — record on a person why they will not enrol this year
(参军、服刑、死亡、失联、外出/异地参保、职工医保、自愿放弃). The reasons are
counted in the weekly return and keep the person off the unpaid list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.roster_import import REASON_LABELS
from services.roster_marks import record_not_enrolled_by_id_number
from ui.context import AppContext
from ui.operations import ENROLLMENTS, OperationFailed, Operations


class NotEnrolledDialog(QDialog):
    def __init__(
        self, ctx: AppContext, ops: Operations, policy_year: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.policy_year = policy_year
        self.setWindowTitle(f"登记未参保原因（{policy_year} 年度）")
        self.id_number = QLineEdit()
        self.id_number.setAccessibleName("身份证号")
        self.reason = QComboBox()
        for key, label in REASON_LABELS.items():
            self.reason.addItem(label, key)
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：2023年9月入伍")
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("身份证号", self.id_number)
        form.addRow("未参保原因", self.reason)
        form.addRow("说明", self.note)
        self.record_button = QPushButton("记录(&S)")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def record(self) -> None:
        try:
            name = self.ops.write(
                ENROLLMENTS,
                record_not_enrolled_by_id_number,
                id_number=self.id_number.text(),
                policy_year=self.policy_year,
                reason=str(self.reason.currentData()),
                operator_id=self.ctx.operator_id,
                note=self.note.text(),
                parent=self,
            )
        except OperationFailed as exc:
            self.status.setStyleSheet("color: #b00000;")
            self.status.setText(exc.message)
            return
        self.status.setStyleSheet("")
        self.status.setText(f"已记录：{name}，{self.reason.currentText()}。")
        self.id_number.clear()
        self.note.clear()
        self.id_number.setFocus()
