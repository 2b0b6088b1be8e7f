"""设置 › 本机: this computer's printer and paper, kept in its ``QSettings``
(``ui/machine_settings.py``), never in the shared database: any clerk may set
them and no other window is affected."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.machine_settings import PAPERS, MachineSettings
from ui.operations import Operations
from ui.pages.settings_tab import SettingsTab
from ui.printing_bridge import PAPER
from ui.widgets.form import Form

#: Documents whose paper this computer's printer may hold differently.
PAPER_KINDS = {
    "receipt": "收据",
    "notice": "缴费通知单",
    "ledger": "现金台账",
    "day_close": "日结单",
    "deposit_register": "入库登记簿",
}
HINT = (
    "以下设置只保存在这台电脑上，不影响其他窗口；单位的规则（入库期限、收据号前缀等）"
    "在“单位”页，所有窗口共用。打印预览中仍可临时另选打印机和纸张；备份文件夹在“备份与日志”页。"
)


class MachineTab(SettingsTab):
    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        machine: MachineSettings,
        printers: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, ops, parent)
        self.machine = machine
        self.printers = printers
        form = Form(self)
        self.printer = QComboBox()
        self.printer.setMinimumWidth(280)
        self.reload_printers_button = QPushButton("重新查找打印机")
        self.reload_printers_button.clicked.connect(self.load_printers)
        printer_row = QHBoxLayout()
        printer_row.addWidget(self.printer)
        printer_row.addWidget(self.reload_printers_button)
        printer_row.addStretch(1)
        form.row("本机打印机", printer_row)
        self.papers: dict[str, QComboBox] = {}
        for kind, label in PAPER_KINDS.items():
            combo = QComboBox()
            combo.addItems(list(PAPERS))
            self.papers[kind] = form.field(f"{label}纸张", combo, chained=False)
        self.save_machine_button = QPushButton("保存本机设置(&P)")
        self.save_machine_button.clicked.connect(self.save_machine)
        form.row("", self.save_machine_button)
        holder = QWidget()
        holder.setLayout(form.layout)
        holder.setMaximumWidth(760)
        layout = QVBoxLayout(self)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        layout.addWidget(hint)
        layout.addWidget(holder)
        layout.addStretch(1)
        self.printer_chain = form.on_enter(self.save_machine, self.printer)

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

    def save_machine(self) -> None:
        """Store printer and paper in this computer's settings."""
        self.machine.printer = self.printer.currentData() or ""
        for kind, combo in self.papers.items():
            default = PAPER.get(kind, "A4")
            paper = combo.currentText()
            self.machine.set_paper(kind, "" if paper == default else paper)
        printer = self.machine.printer or "系统默认打印机"
        self.say(f"本机设置已保存（打印机：{printer}）；只影响这台电脑。")
