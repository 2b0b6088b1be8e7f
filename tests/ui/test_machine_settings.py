"""Per-computer settings (issue 11): printer, paper and window
size live in this computer's QSettings, not in the office's shared database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ui.journalled_output import JournalledOutput
from ui.machine_settings import MachineSettings
from ui.main_window import MainWindow
from ui.printing_bridge import PreviewOutput


def _machine(path: Path, printer: str = "System-Printer") -> MachineSettings:
    store = QSettings(str(path), QSettings.Format.IniFormat)
    return MachineSettings(store, system_printer=lambda: printer)


def test_a_preview_starts_with_this_computers_printer_and_paper(tmp_path: Path):
    machine = _machine(tmp_path / "m.ini")
    assert machine.default_printer() == "System-Printer"  # nothing chosen: the system's
    machine.printer = "Receipts-A5"
    machine.set_paper("receipt", "A5")
    again = _machine(tmp_path / "m.ini")
    assert again.default_printer() == "Receipts-A5"
    assert again.paper("receipt", "A4") == "A5"
    assert again.paper("ledger", "A4") == "A4"  # not chosen: the document's own
    machine.printer = ""
    assert _machine(tmp_path / "m.ini").default_printer() == "System-Printer"


def test_the_window_comes_back_at_the_size_it_was_closed(qtbot, ctx, ops, documents, tmp_path):  # type: ignore[no-untyped-def]
    machine = _machine(tmp_path / "m.ini")
    first = MainWindow(ctx, ops, documents=documents, machine=machine)
    qtbot.addWidget(first)
    assert (first.width(), first.height()) == (1366, 768)  # first start on this computer
    first.show()
    qtbot.waitExposed(first)
    first.resize(900, 560)  # the offscreen screen is 800 × 600: the height tells
    closed_at = (first.width(), first.height())
    first.close()
    second = MainWindow(ctx, ops, documents=documents, machine=_machine(tmp_path / "m.ini"))
    qtbot.addWidget(second)
    # Qt fits a restored window on the screen: the offscreen screen is 800 wide
    screen = second.screen().availableGeometry()
    assert second.height() == closed_at[1] == 560
    assert second.width() <= screen.width()


def test_the_windows_own_preview_uses_this_computers_settings(qtbot, ctx, ops, tmp_path):  # type: ignore[no-untyped-def]
    machine = _machine(tmp_path / "m.ini")
    machine.printer = "Counter-2"
    window = MainWindow(ctx, ops, machine=machine)
    qtbot.addWidget(window)
    # every print is journalled (issue 10): the preview sits inside that wrapper
    assert isinstance(window.documents, JournalledOutput)
    preview = window.documents.inner
    assert isinstance(preview, PreviewOutput)
    assert preview._dialog_options["default_printer"]() == "Counter-2"
    settings_page = window.page("settings")
    assert settings_page.machine is machine  # type: ignore[attr-defined]
