"""The counter's window: navigation, pages, and who/when/cash in the status bar.

Eight pages, each reachable by F1…F8 and Ctrl+1…Ctrl+8. Pages are built the
first time they are shown, so the window appears at once even on a register
of 300,000 residents. Every page receives the context and the operations
object explicitly (STYLE.md: pages receive their context).

The status bar always shows the operator, the office, the business date and
the deposit clock; the deposit banner spans the window below the page while
cash is due today or overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from common import glossary
from ui.context import AppContext
from ui.deposit_clock import DepositBanner, DepositClock
from ui.idle_lock import IdleLock
from ui.journalled_output import JournalledOutput
from ui.login_checks import DeskChecks
from ui.machine_settings import MachineSettings
from ui.operations import OperationFailed, Operations
from ui.page_registry import (
    LOGOUT_KEY,
    PAGES,
    PRELOAD_DELAY_MS,
    PRINTING_PAGES,
    QUIT_KEY,
    RESERVED_KEYS,
)
from ui.policy_status import PolicyWarningBanner, PolicyYearLabel
from ui.printing_bridge import DocumentOutput, PreviewOutput
from ui.widgets.elided_label import ElidedLabel

log = logging.getLogger(__name__)


def preload_pages() -> None:
    """Import every page's code and what printing a notice or a receipt needs
    (reportlab, fonts) ahead of its first use."""
    for spec in PAGES:
        spec.load()
    import printing.notice  # noqa: F401
    import printing.receipt  # noqa: F401
    import ui.printing.print_preview  # noqa: F401


def warm_up_widgets() -> None:
    """Build and drop one of each costly widget the first page (登记) uses.

    The first date field of a process loads Qt's locale and calendar data, and
    PySide6 creates each enum type on first use: about a third of a cold
    window. Done while the clerk types the password, the window after login
    does not pay for it (the window within 0.5 s of login)."""
    from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QTableWidget

    holder = QWidget()
    form = QFormLayout(holder)
    date = QDateEdit()
    date.setCalendarPopup(True)
    date.setDisplayFormat("yyyy-MM-dd")
    combo = QComboBox()
    combo.addItem("男", "M")
    combo.setPlaceholderText("性别")
    form.addRow("出生日期", date)
    form.addRow("性别", combo)
    table = QTableWidget(1, 2)
    table.setVerticalHeaderLabels(["低档"])
    form.addRow(table)
    holder.ensurePolished()
    holder.adjustSize()
    holder.deleteLater()


def _idle_minutes(ops: Operations, office_id: int) -> int:
    from services.accounts import DEFAULT_IDLE_MINUTES
    from services.security_settings import security_settings

    try:
        return ops.read(security_settings, office_id).idle_lock_minutes
    except OperationFailed:
        return DEFAULT_IDLE_MINUTES


class MainWindow(QMainWindow):
    logoutRequested = Signal()
    pageChanged = Signal(str)
    #: relayed from the 日结 page (DayCloseResult): the controller backs up then
    dayClosed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        *,
        documents: DocumentOutput | None = None,
        machine: MachineSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert ctx.session is not None, "log in before opening the window"
        self.ctx = ctx
        self.ops = ops
        # printer, paper, window size: this computer's, not the office's
        self.machine = machine if machine is not None else MachineSettings()
        # every print and reprint goes to the audit journal
        self.documents: DocumentOutput = JournalledOutput(
            documents
            if documents is not None
            else PreviewOutput(
                default_printer=self.machine.default_printer, paper_for=self.machine.paper
            ),
            ctx,
            ops,
        )
        if ctx.training:  # 培训 across every document printed or saved
            from ui.training import TrainingOutput

            if not isinstance(self.documents, TrainingOutput):
                self.documents = TrainingOutput(self.documents)
        self._pages: dict[str, QWidget] = {}
        self.blind_count = False  # a drawer is being counted (ui.blind)
        self._slots: dict[str, QWidget] = {}
        self._frames: dict[str, QScrollArea] = {}
        self.setWindowTitle(
            ("【培训模式】" if ctx.training else "")
            + f"城乡居民医保柜台 — {ctx.session.office_name}"
        )
        if not self.machine.restore_window(self):
            self.resize(1366, 768)

        self._build_navigation()
        self._build_central()
        self._build_status_bar()
        self._build_keys()
        self.idle_lock = IdleLock(ctx, ops, _idle_minutes(ops, ctx.session.office_id), self)
        self.idle_lock.locked.connect(self.logoutRequested)

        self.show_page("register")
        # What the window reads for itself comes once it is on the screen
        # (issue 14: the window within 0.5 s of login on a big office): the
        # deposit clock, then the checks (forgotten days flagged; a wrong clock
        # asks a supervisor, over the window).
        QTimer.singleShot(0, self._after_shown)
        # Load the other pages' code once the window is up, so that the first
        # F2 does not wait for reportlab and friends to import.
        QTimer.singleShot(PRELOAD_DELAY_MS, self._preload_pages)

    def _build_keys(self) -> None:
        """F1…/Ctrl+1… for the pages, log out and quit."""
        for number, spec in enumerate(PAGES, start=1):
            for seq in (f"F{number}", f"Ctrl+{number}"):
                shortcut = QShortcut(QKeySequence(seq), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(lambda key=spec.key: self.show_page(key))
        QShortcut(QKeySequence(LOGOUT_KEY), self).activated.connect(self.logoutRequested)
        QShortcut(QKeySequence(QUIT_KEY), self).activated.connect(self.close)

    def _build_status_bar(self) -> None:
        """Who works, the office, the date, the policy year, unclosed days, the deposit clock."""
        session = self.ctx.session
        assert session is not None
        # On a 1,024-pixel screen these give way with "…" (the whole text in
        # the tooltip) rather than being cut off (issue 14).
        self.operator_label = ElidedLabel(
            f"{glossary.OPERATOR}：{session.operator_name}"
            + (f"（{glossary.SUPERVISOR}）" if session.is_supervisor else ""),
            min_chars=20,  # who is working never gives way
        )
        self.operator_label.setObjectName("operatorLabel")
        # the office is in the title too: its label gives way first
        self.office_label = ElidedLabel(f"单位：{session.office_name}", min_chars=4)
        self.office_label.setObjectName("officeLabel")
        self.date_label = ElidedLabel(min_chars=20)
        self.date_label.setObjectName("businessDateLabel")
        bar = self.statusBar()
        self.policy_label = PolicyYearLabel(self.ctx, self.ops)
        for widget in (self.operator_label, self.office_label, self.date_label, self.policy_label):
            widget.setContentsMargins(6, 0, 6, 0)
            bar.addWidget(widget)
        self.checks = DeskChecks(self.ctx, self.ops, self)
        bar.addPermanentWidget(self.checks.unclosed_label)
        bar.addPermanentWidget(self.clock)
        self._update_date()
        self.date_timer = QTimer(self)
        self.date_timer.setInterval(60_000)
        self.date_timer.timeout.connect(self._update_date)
        self.date_timer.start()
        self.ops.failed.connect(lambda _code, message: bar.showMessage(message, 10_000))
        self.ops.changed.connect(self._policy_changed)

    def _build_central(self) -> None:
        """The pages with the banners below them (never above: they moved what was under the mouse)."""
        self.clock = DepositClock(self.ctx, self.ops)
        self.banner = DepositBanner(self.clock)
        self.banner.depositRequested.connect(lambda: self.show_page("deposit"))

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.training_band: QWidget | None = None
        if self.ctx.training:  # 培训模式 above every page
            from ui.training import TrainingBand

            self.training_band = TrainingBand()
            right_layout.addWidget(self.training_band)
        # no open collection or late window for the policy in use
        self.policy_banner = PolicyWarningBanner(self.ctx, self.ops)
        self.policy_banner.editorRequested.connect(self.show_policy_settings)
        # The banners come and go while the clerk works; below the page they
        # never move what is under the mouse (they used to push the
        # whole page down when they appeared above it).
        right_layout.addWidget(self.stack, 1)
        right_layout.addWidget(self.policy_banner)
        right_layout.addWidget(self.banner)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)

    def _build_navigation(self) -> None:
        """The page list on the left (F1…) and the stack whose slots become pages when first shown."""
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(132)
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 16px; border: none; background: #263238;"
            " color: #eceff1; outline: 0; }"
            " QListWidget#navigation::item { padding: 12px 10px; }"
            " QListWidget#navigation::item:selected { background: #1565c0; color: white; }"
        )
        self.stack = QStackedWidget()
        for number, spec in enumerate(PAGES, start=1):
            item = QListWidgetItem(f"{spec.title}　F{number}")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(f"{spec.title}（F{number} 或 Ctrl+{number}）")
            self.nav.addItem(item)
            slot = QWidget()  # replaced by the page when first shown
            self._slots[spec.key] = slot
            self.stack.addWidget(slot)
        self.nav.currentRowChanged.connect(self._on_nav_row)

    def _after_shown(self) -> None:
        if self.ctx.session is None:  # logged out (or closed) before it came
            return
        self.clock.refresh()
        self.checks.run()

    def _preload_pages(self) -> None:
        preload_pages()

    # --- pages ----------------------------------------------------------------------

    @property
    def current_key(self) -> str:
        row = self.nav.currentRow()
        return PAGES[row].key if row >= 0 else ""

    def page(self, key: str) -> QWidget:
        """The page ``key``, built now if it was not yet."""
        if key in self._pages:
            return self._pages[key]
        spec = next(s for s in PAGES if s.key == key)
        factory: Callable[..., QWidget] = spec.load()
        widget: QWidget
        if key == "settings":
            # this computer's settings, and the printer for the audit journal
            widget = factory(self.ctx, self.ops, machine=self.machine, documents=self.documents)
        elif key in PRINTING_PAGES:
            widget = factory(self.ctx, self.ops, documents=self.documents)
        else:
            widget = factory(self.ctx, self.ops)
        self._wire(key, widget)
        slot = self._slots[key]
        index = self.stack.indexOf(slot)
        # In a scroll area, a page wider than a 1,024-pixel screen scrolls
        # instead of making the whole window too wide for it.
        frame = QScrollArea()
        frame.setObjectName(f"pageFrame_{key}")
        frame.setWidgetResizable(True)
        frame.setFrameShape(QFrame.Shape.NoFrame)
        frame.setWidget(widget)
        self._frames[key] = frame
        self.stack.insertWidget(index, frame)
        self.stack.removeWidget(slot)
        slot.deleteLater()
        self._pages[key] = widget
        return widget

    def current_page(self) -> QWidget | None:
        frame = self.stack.currentWidget()
        return frame.widget() if isinstance(frame, QScrollArea) else None

    def show_page(self, key: str) -> QWidget:
        row = next(i for i, s in enumerate(PAGES) if s.key == key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _on_nav_row
        return self._pages[key]

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        key = PAGES[row].key
        widget = self.page(key)
        self.stack.setCurrentWidget(self._frames[key])
        activate = getattr(widget, "activate", None)
        if callable(activate):
            activate()
        else:
            widget.setFocus()
        self._update_blind()
        self.pageChanged.emit(key)

    def _update_blind(self) -> None:
        """Blind count: while the drawer is being counted on 日结, no
        screen shows a cash figure — the status bar, the banner and every page
        with a ``set_blind`` method (入库, 台账) follow :attr:`blind_count`.

        The count is under way while it is not yet confirmed and the clerk is
        on 日结 or has entered pieces; leaving 日结 with nothing counted (or
        after 清零) abandons it."""
        page = self._pages.get("day_close")
        counting = False
        if page is not None and getattr(page, "counting", False):
            count = getattr(page, "count", None)
            started = count is not None and any(count.counts().values())
            counting = started or self.current_key == "day_close"
        self.set_blind_count(counting)

    def set_blind_count(self, blind: bool) -> None:
        """The one place the blind count is kept; pages built later get it too."""
        self.blind_count = blind
        self.clock.set_blind(blind)
        for widget in self._pages.values():
            set_blind = getattr(widget, "set_blind", None)
            if callable(set_blind):
                set_blind(blind)

    def _wire(self, key: str, widget: QWidget) -> None:
        """Connect page signals that lead to other pages; keep the page keys free."""
        for shortcut in widget.findChildren(QShortcut):
            if shortcut.key().toString() in RESERVED_KEYS:
                # F1…F8 and Ctrl+1…8 switch pages everywhere (Ctrl+L, Ctrl+Q log
                # out and quit); a page binding one would make the key ambiguous
                # on that page and do nothing. tests/ui/test_main_window.py
                # checks that no page does.
                log.warning(
                    "page %s: shortcut %s is reserved by the window; disabled",
                    key,
                    shortcut.key().toString(),
                )
                shortcut.setEnabled(False)
        if key == "register" and hasattr(widget, "collectRequested"):
            widget.collectRequested.connect(self.collect_enrollment)
        if hasattr(widget, "personRequested") and key != "residents":
            widget.personRequested.connect(self.show_person)
        if hasattr(widget, "depositRequested"):
            widget.depositRequested.connect(lambda: self.show_page("deposit"))
        if hasattr(widget, "dayClosed"):
            widget.dayClosed.connect(self.dayClosed)
        if hasattr(widget, "countingChanged"):
            widget.countingChanged.connect(lambda _counting: self._update_blind())
            count = getattr(widget, "count", None)
            if count is not None and hasattr(count, "totalChanged"):
                count.totalChanged.connect(lambda _total: self._update_blind())
        set_blind = getattr(widget, "set_blind", None)
        if callable(set_blind):
            set_blind(self.blind_count)

    def collect_enrollment(self, enrollment_id: int) -> None:
        """Switch to 缴费 with this enrolment selected (after registering)."""
        page = self.show_page("collect")
        show = getattr(page, "show_enrollment", None)
        if callable(show):
            show(enrollment_id)

    def show_person(self, resident_id: int) -> None:
        """Switch to 居民 with this person shown (from a 台账 row)."""
        page = self.show_page("residents")
        show = getattr(page, "show_resident", None)
        if callable(show):
            show(resident_id)

    def show_policy_settings(self) -> None:
        """设置 → 政策 (from the policy warning banner)."""
        page = self.show_page("settings")
        tab = getattr(page, "policy_tab", None)
        tabs = getattr(page, "tabs", None)
        if tab is not None and tabs is not None:
            tabs.setCurrentWidget(tab)

    def _policy_changed(self, topic: str) -> None:
        if topic == "office":
            self.policy_label.refresh()
            self.policy_banner.refresh()

    # --- status bar -----------------------------------------------------------------------

    def _update_date(self) -> None:
        day = self.ctx.business_date()
        weekday = "一二三四五六日"[day.weekday()]
        self.date_label.setText(f"营业日期：{day:%Y-%m-%d} 星期{weekday}")
        self.policy_label.refresh()  # the state of the policy year changes with the date

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.clock.refresh_timer.stop()
        self.clock.blink_timer.stop()
        self.date_timer.stop()
        self.machine.save_window(self)
        for widget in self._pages.values():  # no reading thread outlives its page
            stop = getattr(widget, "stop_background", None)
            if callable(stop):
                stop()
        super().closeEvent(event)
