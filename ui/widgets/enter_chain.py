"""Enter moves forward: the counter's keyboard rhythm.

Clerks type a field and press Enter, as on the paper-era terminals they know,
and scanners end every number with Enter. :class:`EnterChain` makes Enter (and
the keypad's Enter) move focus to the next field of a list and, on the last
one, run the form's action. Tab still works as usual. Multi-line text fields
are not put in a chain; fields that handle Enter themselves (the ID-number
field) join with :meth:`EnterChain.add_custom`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterChain(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets: list[QWidget] = []
        self._finish: Callable[[], object] | None = None

    def set_fields(self, widgets: list[QWidget], finish: Callable[[], object] | None) -> None:
        """Chain ``widgets`` in this order; Enter on the last one calls ``finish``."""
        for widget in self._widgets:
            widget.removeEventFilter(self)
        self._widgets = list(widgets)
        self._finish = finish
        for widget in self._widgets:
            if not getattr(widget, "_enter_custom", False):
                widget.installEventFilter(self)
        for first, second in zip(self._widgets, self._widgets[1:], strict=False):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def mark_custom(widget: QWidget) -> None:
        """``widget`` handles Enter itself and calls :meth:`advance_from`."""
        widget._enter_custom = True  # type: ignore[attr-defined]

    def advance_from(self, widget: QWidget) -> None:
        """Move to the field after ``widget`` (skipping hidden/disabled ones)."""
        try:
            index = self._widgets.index(widget)
        except ValueError:
            return
        for nxt in self._widgets[index + 1 :]:
            if nxt.isVisibleTo(nxt.window()) and nxt.isEnabled():
                nxt.setFocus(Qt.FocusReason.TabFocusReason)
                if hasattr(nxt, "selectAll"):
                    nxt.selectAll()  # type: ignore[attr-defined]
                return
        if self._finish is not None:
            self._finish()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() in ENTER_KEYS and mods == Qt.KeyboardModifier.NoModifier:
                if isinstance(watched, QAbstractButton) and watched is self._widgets[-1]:
                    watched.click()
                    return True
                if isinstance(watched, QWidget):
                    self.advance_from(watched)
                    return True
        return False


def no_default_buttons(box: QDialogButtonBox) -> None:
    """Stop a dialog's Enter from pressing OK behind the chain's back."""
    for button in box.buttons():
        if hasattr(button, "setAutoDefault"):
            button.setAutoDefault(False)  # type: ignore[attr-defined]
            button.setDefault(False)  # type: ignore[attr-defined]
