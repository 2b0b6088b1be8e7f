"""The deposit clock (入库时限): always in the status bar, never missed.

POLICY.md §7.3: cash must be deposited within 5 days, or the same day once
10,000 yuan are on hand. The status-bar widget shows the cash on hand, the
deadline and the state in colour; it re-reads the state whenever the ledger,
the deposits or the day change, and once a minute, since "due tomorrow"
becomes "due today" at midnight without anyone writing anything.

While the drawer is being counted on 日结 the clock is *blind*: it
shows the state and the deadline, never a cash figure, and so does the banner.

When the state is ``due_today`` or ``overdue`` the :class:`DepositBanner`
spans the window below the page. It has no close button: it goes away only when a
deposit brings the state back to normal.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from common.money import format_fen_grouped
from services.bank_calendar import weekday_zh
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from ui.context import AppContext
from ui.operations import DAY, DEPOSITS, LEDGER, OFFICE, OperationFailed, Operations
from ui.widgets.elided_label import ElidedLabel

log = logging.getLogger(__name__)

REFRESH_MS = 60_000
BLINK_MS = 600
REFRESH_TOPICS = frozenset({LEDGER, DEPOSITS, DAY, OFFICE})

# (text colour, background) per state
STATE_COLOURS = {
    "ok": ("#ffffff", "#2e7d32"),
    "warning": ("#000000", "#f9a825"),
    "due_today": ("#ffffff", "#d32f2f"),
    "overdue": ("#ffffff", "#7f0000"),
}
UNKNOWN_COLOURS = ("#000000", "#bdbdbd")


def clock_text(status: DepositStatus) -> str:
    """The words of the status-bar clock, short enough for a status bar."""
    cash = format_fen_grouped(status.cash_on_hand_fen)
    if status.deadline is None:
        return f"库存现金 ¥{cash}　无待入库"
    if status.state == "overdue":
        return f"库存现金 ¥{cash}　应于 {status.deadline:%m-%d} 入库，已逾期"
    if status.state == "due_today":
        return f"库存现金 ¥{cash}　今日须入库 ¥{format_fen_grouped(status.due_by_today_fen)}"
    return f"库存现金 ¥{cash}　入库期限 {status.deadline:%Y-%m-%d} {weekday_zh(status.deadline)}"


def blind_text(status: DepositStatus) -> str:
    """The clock's words during a blind count: the deadline, never an amount."""
    if status.deadline is None:
        return "点钞中（不显示库存金额）"
    return (
        f"点钞中（不显示库存金额）　入库期限 {status.deadline:%Y-%m-%d} "
        f"{weekday_zh(status.deadline)}"
    )


class DepositClock(QWidget):
    """Status-bar widget: state word in colour, cash on hand, deadline."""

    # (state, previous state); the previous is "" on the first reading
    stateChanged = Signal(str, str)
    # every fresh reading
    statusRead = Signal(object)

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.status: DepositStatus | None = None
        self.blind = False
        self._blink_on = True

        self.state_label = QLabel("入库：—")
        self.state_label.setObjectName("depositState")
        self.state_label.setMinimumWidth(96)
        # the amounts give way only after the office and the policy labels on
        # the left (issue 14: 1,024 pixels); the state word never does
        self.detail_label = ElidedLabel(min_chars=40)
        self.detail_label.setObjectName("depositDetail")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        layout.addWidget(self.state_label)
        layout.addWidget(self.detail_label)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh_timer.start()
        self.blink_timer = QTimer(self)
        self.blink_timer.setInterval(BLINK_MS)
        self.blink_timer.timeout.connect(self._blink)
        # once per write, however many of these topics it changed
        ops.subscribe(REFRESH_TOPICS, lambda _changes: self.refresh(), self)

    @property
    def state(self) -> str:
        return self.status.state if self.status is not None else ""

    def refresh(self) -> None:
        if self.ctx.session is None:
            return
        previous = self.state
        try:
            status = self.ops.read(current_deposit_status, self.ctx.clock, self.ctx.office_id)
        except OperationFailed:
            # the message was shown (or recorded); keep the last known state
            self.state_label.setText("入库：未知")
            self._paint(*UNKNOWN_COLOURS)
            return
        self.status = status
        self._show(status)
        self.statusRead.emit(status)
        if status.state != previous:
            log.info("deposit state %s -> %s", previous or "-", status.state)
            self.stateChanged.emit(status.state, previous)

    def set_blind(self, blind: bool) -> None:
        if blind == self.blind:
            return
        self.blind = blind
        if self.status is not None:
            self._show(self.status)
            self.statusRead.emit(self.status)

    def _show(self, status: DepositStatus) -> None:
        self.state_label.setText(f"入库：{status.label_zh}")
        self.state_label.setMinimumWidth(max(96, self.state_label.sizeHint().width()))
        if self.blind:
            self.detail_label.setText(blind_text(status))
            self.setToolTip("")
        else:
            self.detail_label.setText(clock_text(status))
            self.setToolTip(status.sentence_zh)
        self._blink_on = True
        self._paint(*STATE_COLOURS[status.state])
        if status.state == "due_today":
            self.blink_timer.start()
        else:
            self.blink_timer.stop()

    def _paint(self, fg: str, bg: str) -> None:
        self.state_label.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; font-weight: bold;"
            " padding: 1px 8px; border-radius: 3px; }"
        )

    def _blink(self) -> None:
        self._blink_on = not self._blink_on
        if self._blink_on:
            self._paint(*STATE_COLOURS["due_today"])
        else:
            self._paint("#d32f2f", "#ffffff")


class DepositBanner(QFrame):
    """A red band across the window, below the page, while cash is due today or overdue.

    Non-modal (the clerk keeps working) but impossible to overlook, and not
    dismissible: it hides itself only when a deposit settles the due cash.
    """

    depositRequested = Signal()

    def __init__(self, clock: DepositClock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.setObjectName("depositBanner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.button = QPushButton("去入库（F4）")
        self.button.setObjectName("depositBannerButton")
        self.button.clicked.connect(self.depositRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.button)
        self.hide()
        clock.statusRead.connect(self.show_status)

    def show_status(self, status: DepositStatus) -> None:
        if status.state not in ("due_today", "overdue"):
            self.hide()
            return
        bg = STATE_COLOURS[status.state][1]
        self.setStyleSheet(
            f"#depositBanner {{ background: {bg}; }}"
            " #depositBanner QLabel { color: white; font-size: 15px; font-weight: bold; }"
        )
        # sentence_zh starts with "今日须入库：" or "已逾期："
        tail = (
            "逾期期间照常收取现金，每笔在存根和台账上标注；日结前须入库或由主管填写原因。"
            if status.state == "overdue"
            else ""
        )
        if self.clock.blind:
            text = f"{status.label_zh}：入库期限 {status.deadline}（点钞中，不显示金额）。"
        else:
            text = status.sentence_zh
        self.text_label.setText(f"{text}{tail}")
        self.show()
