"""An amount field: the clerk types yuan, the program gets integer fen.

Parsing is the one in ``common.money.parse_amount`` (full-width digits,
thousands separators, ¥ …), so the field accepts exactly what the services
accept and shows the same Chinese message when it does not. The message is
shown in a companion label (``error_label``) that the page places under or
beside the field, and as the field's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from common.errors import InputError
from common.money import format_fen, parse_amount

_ERROR_STYLE = "QLineEdit { border: 1px solid #c0392b; background: #fdf0ef; }"


class MoneyEdit(QLineEdit):
    """A line edit for an amount in yuan.

    ``amount_fen()`` is the amount in fen or None (empty or invalid);
    ``amountChanged(object)`` carries the new value (int or None) whenever the
    text changes; ``errorChanged(str)`` the Chinese message ("" when valid).
    The error is shown once the clerk leaves the field or presses Enter, or
    when :meth:`validate` is called, not at every key stroke.
    """

    amountChanged = Signal(object)
    errorChanged = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        allow_zero: bool = False,
        required: bool = True,
    ) -> None:
        super().__init__(parent)
        self.allow_zero = allow_zero
        self.required = required
        self._error = ""
        self._shown_error = ""
        self.setPlaceholderText("0.00")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaxLength(24)
        # The page puts this label in its layout; until it has a parent it is
        # never shown (a parentless label would open as a window of its own).
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.setVisible(False)
        self.textChanged.connect(self._on_text_changed)
        self.editingFinished.connect(self.validate)

    # --- reading -------------------------------------------------------------------

    def _parse(self) -> tuple[int | None, str]:
        text = self.text()
        if not text.strip():
            return None, "请输入金额" if self.required else ""
        try:
            fen = parse_amount(text)
        except InputError as exc:
            return None, exc.message
        if fen == 0 and not self.allow_zero:
            return None, "金额须大于 0"
        return fen, ""

    def amount_fen(self) -> int | None:
        """The amount in fen, or None when the field is empty or invalid."""
        return self._parse()[0]

    def error(self) -> str:
        """The Chinese message for the current text ("" when it is valid)."""
        return self._parse()[1]

    def is_valid(self) -> bool:
        fen, error = self._parse()
        return not error and (fen is not None or not self.required)

    # --- writing -------------------------------------------------------------------

    def set_amount_fen(self, fen: int | None) -> None:
        self.setText("" if fen is None else format_fen(fen))

    def validate(self) -> bool:
        """Show the message for the current text; True when the amount is valid."""
        _fen, error = self._parse()
        self._show_error(error)
        return not error

    def clear_error(self) -> None:
        self._show_error("")

    def _show_error(self, error: str) -> None:
        if error == self._shown_error:
            return
        self._shown_error = error
        self.error_label.setText(error)
        if self.error_label.parent() is not None:
            self.error_label.setVisible(bool(error))
        self.setToolTip(error)
        self.setStyleSheet(_ERROR_STYLE if error else "")

    def _on_text_changed(self, _text: str) -> None:
        fen, error = self._parse()
        # While typing, only take an error away, never add one.
        if not error:
            self._show_error("")
        if error != self._error:
            self._error = error
            self.errorChanged.emit(error)
        self.amountChanged.emit(fen)
