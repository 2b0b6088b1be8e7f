"""设置 — the office, its villages, its operators, and this computer.

Only a supervisor changes the office's settings (the services refuse anyone
else; the page also greys the forms out for a clerk). The 本机 tab holds what
belongs to this computer alone — printer, paper, backup folder — kept in its
``QSettings`` (``ui/machine_settings.py``), never in the shared database, so
any clerk may set it and no other window is affected. Four tabs, Alt + the underlined
letter to switch; in every form Enter moves to the next field and saves on the
last one; Ctrl+Shift+R reloads what is stored (``ui.keys``).

One class a tab, each in its own module (``settings_office_tab``,
``settings_villages_tab``, ``settings_operators_tab``, ``settings_machine_tab``,
``policy_tab``, ``backup_tab``, ``security_panel``); the page reads the office
once and hands each tab its part, and shows what any tab says below the tabs.

Some settings need service functions that may not exist in every version of
``services.office`` (payment link and instructions, printer, password reset);
the page looks them up and disables what it cannot save, saying why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.day_close_record import OfficeExtras, office_extras
from services.ledger_views import operators_of
from services.office import (
    OfficeInfo,
    office_info,
)
from ui.context import AppContext
from ui.keys import RELOAD, page_shortcut
from ui.machine_settings import MachineSettings
from ui.operations import OFFICE, OperationFailed, Operations
from ui.pages.backup_tab import BackupTab
from ui.pages.base import Page
from ui.pages.policy_tab import PolicyTab
from ui.pages.security_panel import SecurityPanel
from ui.pages.settings_machine_tab import MachineTab
from ui.pages.settings_office_tab import OfficeTab
from ui.pages.settings_operators_tab import OperatorsTab
from ui.pages.settings_villages_tab import VillagesTab
from ui.printing_bridge import DocumentOutput

READ_ONLY_NOTICE = (
    "仅主管可以修改单位、村（社区）和经办人设置，当前为只读；“本机”页的设置人人可改。"
)


def available_printers() -> list[str]:
    return [p.printerName() for p in QPrinterInfo.availablePrinters() if p.printerName()]


class SettingsPage(Page):
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
        super().__init__(ctx, ops, parent, documents=documents)
        self.machine = machine if machine is not None else MachineSettings()
        self.choose_folder = choose_folder or (
            lambda parent, start: QFileDialog.getExistingDirectory(parent, "选择备份文件夹", start)
        )
        self.office: OfficeInfo | None = None
        self.extras: OfficeExtras | None = None

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a6d3b; background: #fcf8e3; padding: 4px;")
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.office_tab = OfficeTab(ctx, ops)
        self.villages_tab = VillagesTab(ctx, ops)
        self.operators_tab = OperatorsTab(ctx, ops)
        self.machine_tab = MachineTab(ctx, ops, self.machine, printers)
        self.tabs = QTabWidget()
        for tab, title in (
            (self.office_tab, "单位(&U)"),
            (self.villages_tab, "村（社区）(&V)"),
            (self.operators_tab, "经办人(&O)"),
            (self.machine_tab, "本机(&I)"),
        ):
            self.tabs.addTab(tab, title)
            tab.said.connect(self._say)
        self.policy_tab = PolicyTab(ctx, ops)  # policy years
        self.tabs.addTab(self.policy_tab, "政策(&P)")
        self.backup_tab = BackupTab(ctx)
        self.tabs.addTab(self.backup_tab, "备份与日志(&B)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self._gate_for_supervisor()
        # own password for everyone; the panel enables its supervisor parts itself
        self.security = SecurityPanel(ctx, ops, documents)
        self.tabs.addTab(self.security, "账号与安全(&S)")
        page_shortcut(self, RELOAD, self.refresh)
        self.watch({OFFICE}, lambda _changes: self.refresh())
        self.refresh()

    def _gate_for_supervisor(self) -> None:
        """A clerk sees the office's settings read-only (the services refuse anyway)."""
        supervisor = self.ctx.session is not None and self.ctx.session.is_supervisor
        self.notice.setText("" if supervisor else READ_ONLY_NOTICE)
        self.notice.setVisible(not supervisor)
        editable = (QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QPushButton)
        for widget in self.tabs.findChildren(QWidget):
            if isinstance(widget, editable) and not self.machine_tab.isAncestorOf(widget):
                widget.setEnabled(supervisor)

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
        self.office_tab.show_office(office, extras)
        self.villages_tab.show_villages(office.villages)
        self.operators_tab.show_operators(operators)
        self.machine_tab.load_machine()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {'#b03a2e' if error else '#1b5e20'};")
