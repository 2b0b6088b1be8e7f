"""日结 → 未来日期的日结: a supervisor annuls a day close a wrong clock dated in
the future.

Such a close locks its day and every day before it, so nothing can be booked
today. The login checks offer the annulment right after a supervisor confirms
the date; this box offers it on the 日结 page at any time: the closes dated
after today are listed, and the chosen one is annulled with a supervisor's
name, password and reason (``services.over_short.annul_day_close``: a new row,
the close itself is kept). The box is hidden while there is none.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from services.over_short import annul_day_close, future_closes
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.operations import DAY, OperationFailed, Operations

log = logging.getLogger(__name__)


class FutureClosesBox(QFrame):
    """The future-dated closes and the supervisor's act that annuls one."""

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.closes: list[tuple[int, dt.date]] = []
        self.approval: SupervisorApprovalDialog | None = None
        self.setObjectName("futureCloses")
        self.setStyleSheet(
            "#futureCloses { background: #fff3e0; border: 1px solid #e65100; }"
            " #futureCloses QLabel#futureClosesText { color: #bf360c; font-weight: bold; }"
        )
        self.text = QLabel()
        self.text.setObjectName("futureClosesText")
        self.text.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setObjectName("futureCloseChoice")
        self.choice.setAccessibleName("未来日期的日结")
        self.annul_button = QPushButton("撤销该日结（主管）(&U)…")
        self.annul_button.setObjectName("annulCloseButton")
        self.annul_button.clicked.connect(self.ask_annulment)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.choice)
        row.addWidget(self.annul_button)
        row.addWidget(self.message)
        ops.changed.connect(self._on_changed)
        self.refresh()

    def refresh(self) -> None:
        if self.ctx.session is None:
            self.hide()
            return
        try:
            closes = self.ops.read(future_closes, self.ctx.clock, self.ctx.office_id, parent=self)
        except OperationFailed:
            return
        self.closes = closes
        self.choice.clear()
        for close_id, day in closes:
            self.choice.addItem(f"{day:%Y-%m-%d}", close_id)
        if closes:
            names = "、".join(f"{d:%Y-%m-%d}" for _i, d in closes)
            self.text.setText(
                f"有日期在未来的日结：{names}。应是电脑时钟错误所致，它使今天及以前的日期都不能记账；"
                "主管核实后可撤销（原记录保留，撤销另记一行）。"
            )
        self.setVisible(bool(closes))

    def ask_annulment(self) -> None:
        close_id = self.choice.currentData()
        if close_id is None:
            return
        day = self.choice.currentText()
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title="撤销未来日期的日结：主管确认",
            explanation=(
                f"撤销 {day} 的日结。该日期在未来，应是电脑时钟错误所致；"
                "撤销后该日结不再锁定今天及以前的日期，原日结记录保留。"
            ),
            reason_label="撤销原因",
            parent=self,
        )
        dialog.approved.connect(
            lambda a: self._annul(int(close_id), day, a.supervisor_id, a.reason, a.password)
        )
        self.approval = dialog
        dialog.open()

    def _annul(
        self, close_id: int, day: str, supervisor_id: int, reason: str, password: str
    ) -> None:
        try:
            self.ops.write(
                DAY,
                annul_day_close,
                day_close_id=close_id,
                supervisor_id=supervisor_id,
                supervisor_password=password,
                operator_id=self.ctx.operator_id,
                reason=reason,
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setStyleSheet("color: #b03a2e;")
            self.message.setText(exc.message)
            return
        log.info("day close %s (%s) annulled by supervisor %s", close_id, day, supervisor_id)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(f"已撤销 {day} 的日结。")
        self.refresh()

    def _on_changed(self, topic: str) -> None:
        if topic == DAY:
            self.refresh()
