"""The policy year in the window: a status-bar label and the login-time warning.

The status bar names the policy year being collected (the office's policy in
use and its state today). When that policy has neither an open collection
period nor an open late-payment period today, a banner across the top says so
plainly and, for a supervisor, offers the editor (设置 → 政策).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from services.office import office_info
from services.policy_preview import (
    PERIOD_STATES,
    collection_warning,
    period_state,
)
from services.policy_types import Policy
from ui.context import AppContext
from ui.operations import OperationFailed, Operations
from ui.widgets.elided_label import ElidedLabel


def policy_in_use(ctx: AppContext, ops: Operations) -> tuple[str, Policy | None]:
    """The office's policy key and the loaded policy (None when not loaded)."""
    try:
        office = ops.read(office_info, ctx.office_id)
    except OperationFailed:
        return "", None
    return office.policy_key, ctx.policies.policies.get(office.policy_key)


class PolicyYearLabel(ElidedLabel):
    """状态栏：征缴年度 2026（tianjin-2026，集中缴费期）."""

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__("", parent, min_chars=9)
        self.setObjectName("policyYearLabel")
        self.ctx = ctx
        self.ops = ops
        self.refresh()

    def refresh(self) -> None:
        key, policy = policy_in_use(self.ctx, self.ops)
        if policy is None:
            self.setText(f"执行政策：{key or '无'}（未加载）")
            self.setStyleSheet("color: #c0392b;")
            return
        state = period_state(policy, self.ctx.business_date())
        self.setText(f"征缴年度：{policy.year}（{policy.key}，{PERIOD_STATES[state]}）")
        self.setStyleSheet("" if state in ("collection", "late") else "color: #c0392b;")


class PolicyWarningBanner(QFrame):
    """Shown while the policy in use is not open for payments today."""

    editorRequested = Signal()

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyWarningBanner")
        self.setStyleSheet(
            "QFrame#policyWarningBanner { background: #fff3cd; border-bottom: 1px solid #e0c36c; }"
        )
        self.ctx = ctx
        self.ops = ops
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton("打开政策设置…")
        self.button.clicked.connect(self.editorRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.refresh()

    def refresh(self) -> None:
        _key, policy = policy_in_use(self.ctx, self.ops)
        warning = collection_warning(policy, self.ctx.business_date())
        supervisor = self.ctx.session is not None and self.ctx.session.is_supervisor
        if warning is not None and not supervisor:
            warning += "（请联系主管。）"
        self.text.setText(warning or "")
        self.button.setVisible(supervisor)
        self.setVisible(warning is not None)
