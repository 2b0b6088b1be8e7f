"""Checks made when the window opens.

* **Forgotten days.** A day with business that was never closed is flagged in
  the status bar (red) until a supervisor closes it late on 日结.
* **The clock.** When the computer's date disagrees with the newest business
  date in the database (backwards, or far ahead) writes are refused by the
  services; here a supervisor is asked at once to confirm the date, with a
  reason (``services.clock_sanity.confirm_business_date``); day closes a
  wrong clock dated in the future are then annulled by a supervisor
  (``services.over_short.annul_day_close``). Each is its own row and is
  journalled, and so is the clock warning itself (``clock_warning``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from services.clock_sanity import ClockCheck, clock_check, confirm_business_date
from services.close_checks import unclosed_days
from services.over_short import annul_day_close, future_closes
from ui.context import AppContext
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.journalled_output import journal_event
from ui.operations import DAY, LEDGER, OperationFailed, Operations
from ui.widgets.elided_label import ElidedLabel

log = logging.getLogger(__name__)


class DeskChecks(QObject):
    """Owns the status-bar flag of forgotten days and the clock confirmation."""

    def __init__(self, ctx: AppContext, ops: Operations, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.ops = ops
        self.window = window
        self.clock: ClockCheck | None = None
        self.dialog: SupervisorApprovalDialog | None = None
        self.unclosed_label = ElidedLabel(min_chars=8)
        self.unclosed_label.setObjectName("unclosedDaysFlag")
        self.unclosed_label.setStyleSheet(
            "QLabel { color: white; background: #7f0000; font-weight: bold; padding: 1px 8px; }"
        )
        self.unclosed_label.hide()
        ops.changed.connect(self._on_changed)

    def run(self) -> None:
        self.refresh_unclosed()
        self.check_clock()

    def _on_changed(self, topic: str) -> None:
        if topic in (DAY, LEDGER):
            self.refresh_unclosed()

    def refresh_unclosed(self) -> None:
        if self.ctx.session is None:
            return
        try:
            days = self.ops.read(unclosed_days, self.ctx.clock, self.ctx.office_id)
        except OperationFailed:
            return
        if days:
            names = "、".join(f"{d:%m-%d}" for d in days)
            self.unclosed_label.setText(f"未日结：{names}（请主管补日结）")
        self.unclosed_label.setVisible(bool(days))

    def check_clock(self) -> None:
        try:
            check = self.ops.read(clock_check, self.ctx.clock, self.ctx.office_id)
        except OperationFailed:
            return
        self.clock = check
        if check.ok:
            return
        log.warning("clock check at login: %s (newest %s)", check.state, check.newest)
        # a clock warning goes into the audit journal (issue 10)
        journal_event(
            self.ctx,
            "clock_warning",
            f"clock:{check.today.isoformat()}",
            {
                "state": check.state,
                "today": check.today.isoformat(),
                "newest": check.newest.isoformat() if check.newest else None,
            },
        )
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title="核对电脑日期：主管确认",
            explanation=check.message,
            reason_label="确认原因",
            parent=self.window,
        )
        dialog.approved.connect(lambda a: self._confirm(a.supervisor_id, a.reason, a.password))
        self.dialog = dialog
        dialog.open()

    def _confirm(self, supervisor_id: int, reason: str, password: str | None = None) -> None:
        try:
            self.ops.write(
                DAY,
                confirm_business_date,
                office_id=self.ctx.office_id,
                supervisor_id=supervisor_id,
                supervisor_password=password,
                operator_id=self.ctx.operator_id,
                reason=reason,
                parent=self.window,
            )
            future = self.ops.read(future_closes, self.ctx.clock, self.ctx.office_id)
        except OperationFailed:
            return
        self.clock = None
        if future:
            self.ask_annulment(future)

    def ask_annulment(self, future: list[tuple[int, dt.date]]) -> None:
        """Day closes dated in the future lock every earlier day: a supervisor
        annuls them with a reason (a new row each; the closes stay)."""
        names = "、".join(f"{d}" for _i, d in future)
        dialog = SupervisorApprovalDialog(
            self.ctx,
            self.ops,
            title="撤销未来日期的日结：主管确认",
            explanation=(
                f"系统中有日期在未来的日结（{names}），应是电脑时钟错误所致，"
                "它们使今天及以前的日期都不能记账。主管确认并填写原因后撤销（原记录保留）。"
            ),
            reason_label="撤销原因",
            parent=self.window,
        )
        dialog.approved.connect(
            lambda a: self._annul(future, a.supervisor_id, a.reason, a.password)
        )
        self.dialog = dialog
        dialog.open()

    def _annul(
        self,
        future: list[tuple[int, dt.date]],
        supervisor_id: int,
        reason: str,
        password: str | None = None,
    ) -> None:
        for close_id, _day in future:
            try:
                self.ops.write(
                    DAY,
                    annul_day_close,
                    day_close_id=close_id,
                    supervisor_id=supervisor_id,
                    supervisor_password=password,
                    operator_id=self.ctx.operator_id,
                    reason=reason,
                    parent=self.window,
                )
            except OperationFailed:
                return
