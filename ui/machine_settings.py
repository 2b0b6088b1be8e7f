"""Settings of this computer, kept in its ``QSettings`` — not in the shared database.

Several windows share one office database; each has its own printer, its own
paper in that printer, its own backup folder (ui/backup_schedule.py) and its own screen. Those live
here (the registry on Windows, ``~/.config/yibao-counter/counter.conf`` on
Linux); the office's rules (deposit limits, receipt prefix…) stay in the
database, the same for every window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

ORGANIZATION = "yibao-counter"
APPLICATION = "counter"

#: The paper a printer may hold (ui/printing/print_job.py PAPER_SIZES; named here so
#: that the window need not load QtPdf before the first print).
PAPERS = ("A4", "A5", "B5")

PRINTER_KEY = "printing/printer"
PAPER_KEY = "printing/paper/{kind}"
GEOMETRY_KEY = "window/geometry"


class MachineSettings:
    """This computer's printer, paper and window size.

    ``store`` is the ``QSettings`` to use (a test hands in an INI file);
    ``system_printer`` gives the system's default printer.
    """

    def __init__(
        self,
        store: QSettings | None = None,
        *,
        system_printer: Callable[[], str] | None = None,
    ) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)
        self._system_printer = system_printer or _system_default_printer

    def _text(self, key: str) -> str:
        value = self.store.value(key, "")
        return value if isinstance(value, str) else ""

    def _set_text(self, key: str, value: str) -> None:
        if value:
            self.store.setValue(key, value)
        else:
            self.store.remove(key)
        self.store.sync()

    # --- printer and paper ------------------------------------------------------------

    @property
    def printer(self) -> str:
        """The printer chosen on this computer ("" = the system's default)."""
        return self._text(PRINTER_KEY)

    @printer.setter
    def printer(self, name: str) -> None:
        self._set_text(PRINTER_KEY, name.strip())

    def default_printer(self) -> str:
        """The printer a preview starts with: this computer's choice, else the system's."""
        return self.printer or self._system_printer()

    def paper(self, kind: str, default: str) -> str:
        """The paper this computer's printer holds for a kind of document."""
        chosen = self._text(PAPER_KEY.format(kind=kind))
        return chosen if chosen in PAPERS else default

    def set_paper(self, kind: str, paper: str) -> None:
        if paper and paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}")
        self._set_text(PAPER_KEY.format(kind=kind), paper)

    # --- window size and place ------------------------------------------------------------

    def restore_window(self, window: QWidget) -> bool:
        """Put ``window`` where it was last closed on this computer; False if never."""
        value = self.store.value(GEOMETRY_KEY)
        if not isinstance(value, QByteArray) or value.isEmpty():
            return False
        return bool(window.restoreGeometry(value))

    def save_window(self, window: QWidget) -> None:
        self.store.setValue(GEOMETRY_KEY, window.saveGeometry())
        self.store.sync()


def _system_default_printer() -> str:
    from PySide6.QtPrintSupport import QPrinterInfo

    return QPrinterInfo.defaultPrinterName()
