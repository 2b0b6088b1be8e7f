"""One way to build a form: label/field rows, Enter to the next field (the
last one runs the form's action), and a Chinese message under the rows.

Used by the settings tabs, the first-run set-up, the log-in dialogs and the
supervisor's approval, so that every form of the program behaves alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit, QWidget

from ui.widgets.enter_chain import EnterChain, no_default_buttons

W = TypeVar("W", bound=QWidget)

ERROR_COLOUR = "#c62828"


class Form:
    """The rows of one form; ``chained`` fields take part in Enter-to-next."""

    def __init__(self, owner: QWidget, *, error_name: str = "") -> None:
        self.layout = QFormLayout()
        self.chain = EnterChain(owner)
        self.chained: list[QWidget] = []
        self.error = QLabel()
        self.error.setObjectName(error_name)
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

    def on_enter(self, action: Callable[[], object] | None, *extra: QWidget) -> EnterChain:
        """Chain the fields (then ``extra``); Enter on the last one runs ``action``."""
        self.chain.set_fields([*self.chained, *extra], action)
        return self.chain

    def show_error(self, message: str) -> None:
        """A refusal in Chinese, next to the form."""
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")


def password_edit(name: str, placeholder: str = "") -> QLineEdit:
    """A password field (echo hidden) with its object name."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def ok_cancel(
    ok: str, cancel: str, on_ok: Callable[[], object], on_cancel: Callable[[], object]
) -> QDialogButtonBox:
    """A dialog's two buttons in Chinese; Enter never presses OK behind the chain."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(on_cancel)
    no_default_buttons(buttons)
    return buttons
