"""What the tabs of 设置 share: the context, the operations, one way to write
(a refusal is said under the tabs, not in a box) and the selected row of a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTableView, QWidget

from ui.context import AppContext
from ui.models import ObjectRole
from ui.operations import OFFICE, OperationFailed, Operations


class SettingsTab(QWidget):
    #: (Chinese text, is it a refusal) for the page's message line
    said = Signal(str, bool)

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops

    def say(self, text: str, *, error: bool = False) -> None:
        self.said.emit(text, error)

    def write(self, fn: Callable[..., object], done: str, **kwargs: object) -> bool:
        """One office write; ``done`` is said when it succeeded, the refusal when not."""
        try:
            self.ops.write(OFFICE, fn, parent=self, inline=True, **kwargs)
        except OperationFailed as exc:
            self.say(exc.message, error=True)
            return False
        self.say(done)
        return True

    @staticmethod
    def selected(view: QTableView) -> Any:
        """The object of the table's current row, or None."""
        index = view.currentIndex()
        return index.data(ObjectRole) if index.isValid() else None
