"""One way to build a form: label/field rows, Enter to the next field (the
last one runs the form's action), and a Chinese message under the rows.

Used by the settings tabs, the first-run set-up, the log-in dialogs and the
supervisor's approval, so that every form of the program behaves alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget

from ui.widgets.enter_chain import EnterChain

W = TypeVar("W", bound=QWidget)

ERROR_COLOUR = "#c62828"


class Form:
    """The rows of one form; ``chained`` fields take part in Enter-to-next."""

    def __init__(self, owner: QWidget) -> None:
        self.layout = QFormLayout()
        self.chain = EnterChain(owner)
        self.chained: list[QWidget] = []
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setWordWrap(True)
        self.error.hide()

    def field(self, label: str, widget: W, *, chained: bool = True) -> W:
        """A labelled field; Enter in it moves on (unless ``chained`` is False)."""
        self.layout.addRow(label, widget)
        if chained:
            self.chained.append(widget)
        return widget

    def row(self, label: str, item: QWidget | QLayout) -> None:
        """A row outside the Enter chain (a button, a note, a row of widgets)."""
        if isinstance(item, QLayout):  # two overloads of addRow
            self.layout.addRow(label, item)
        else:
            self.layout.addRow(label, item)

    def on_enter(self, action: Callable[[], None] | None, *extra: QWidget) -> EnterChain:
        """Chain the fields (then ``extra``); Enter on the last one runs ``action``."""
        self.chain.set_fields([*self.chained, *extra], action)
        return self.chain

    def show_error(self, message: str) -> None:
        """A refusal in Chinese, next to the form."""
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")
