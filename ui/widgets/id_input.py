"""The ID-number field: typed by hand, by a barcode scanner or by an ID-card reader.

Scanners and card readers act as keyboards: they type the 18 characters very
fast and then press Enter. The field therefore normalises as it goes
(full-width digits, lower-case x, spaces and hyphens a paste may bring), parses
as soon as 18 characters are there, and treats Enter as "done, move on". A
wrong number is shown in red under the field, in the words of
``common.idcard`` — never as a dialog that would swallow the scanner's Enter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from common.idcard import (
    IdNumberError,
    ManualIdentityRequired,
    ParsedId,
    is_foreign_2017,
    normalize_id,
    parse_id,
)

ERROR_STYLE = "color: #c62828;"
WARNING_STYLE = "color: #a15c00;"


class IdNumberInput(QLineEdit):
    """A line edit for identity numbers.

    Signals:
      ``parsed(ParsedId)``  a valid number was read (on the 18th character or Enter);
      ``rejected(str)``     the number is wrong; the Chinese reason;
      ``cleared()``         the field no longer holds a valid number;
      ``accepted()``        Enter was pressed on a valid number: move to the next field;
      ``manualNeeded(str)`` a 2017 foreign permanent residence ID: its birth date and
                            sex must be typed (``set_manual_identity``, then ``reparse``).
    """

    parsed = Signal(object)
    rejected = Signal(str)
    cleared = Signal()
    accepted = Signal()
    manualNeeded = Signal(str)

    def __init__(
        self, today: Callable[[], dt.date] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._result: ParsedId | None = None
        self._normalising = False
        self._manual: tuple[dt.date, str] | None = None
        self.setObjectName("idNumberInput")
        self.setPlaceholderText("18位身份证号码，可扫码或读卡")
        self.setMaxLength(40)  # room for spaces and hyphens a paste may bring
        self.setClearButtonEnabled(True)
        font = self.font()
        font.setFamilies(["DejaVu Sans Mono", "Monospace", *font.families()])
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)
        # The message under the field; the page decides where it goes.
        self.message_label = QLabel()
        self.message_label.setObjectName("idNumberMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.textEdited.connect(self._on_edited)
        self.textChanged.connect(self._on_changed)

    # --- what the page reads -----------------------------------------------------

    @property
    def result(self) -> ParsedId | None:
        """The parsed number while the field holds a valid one, else None."""
        return self._result

    def number(self) -> str:
        return normalize_id(self.text())

    def reset(self) -> None:
        self.clear()
        self._manual = None
        self._show_message("", "")

    def set_manual_identity(self, value: tuple[dt.date, str] | None) -> None:
        """Birth date and sex ('M'/'F') typed from a 2017 foreign permanent residence card."""
        self._manual = value

    def reparse(self) -> None:
        """Read the number again (after the manual birth date or sex changed)."""
        if self._result is not None:
            self._result = None
            self.cleared.emit()
        if self.number():
            self._parse()

    # --- behaviour -----------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._enter()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_edited(self, text: str) -> None:
        normal = normalize_id(text)
        if normal != text and not self._normalising:
            # Rewrite what a scanner or a paste typed into the canonical form.
            self._normalising = True
            self.setText(normal)
            self.setCursorPosition(len(normal))
            self._normalising = False

    def _on_changed(self, text: str) -> None:
        if self._normalising:
            return
        number = normalize_id(text)
        if self._result is not None and number != self._result.number:
            self._result = None
            self.cleared.emit()
        if len(number) == 18 or is_foreign_2017(number):
            self._parse()
        elif not number:
            self._show_message("", "")
        elif self.message_label.isVisible() and self._result is None:
            # Still typing after an error: the old message no longer applies.
            self._show_message("", "")

    def _enter(self) -> None:
        number = self.number()
        if self._result is not None and self._result.number == number:
            self.accepted.emit()
            return
        if self._parse() is not None:
            self.accepted.emit()

    def _parse(self) -> ParsedId | None:
        today = self._today() if self._today is not None else None
        try:
            birth, sex = self._manual if self._manual is not None else (None, None)
            result = parse_id(self.text(), today=today, birth_date=birth, sex=sex)
        except ManualIdentityRequired as exc:
            self._result = None
            self._show_message(exc.message, WARNING_STYLE)
            self.manualNeeded.emit(exc.number)
            return None
        except IdNumberError as exc:
            self._result = None
            self._show_message(exc.message, ERROR_STYLE)
            self.rejected.emit(exc.message)
            return None
        self._result = result
        if result.number != self.text():
            # a 15-digit number became 18 digits: show the stored form
            self._normalising = True
            self.setText(result.number)
            self._normalising = False
        self._show_message("；".join(result.warnings), WARNING_STYLE)
        self.parsed.emit(result)
        return result

    def _show_message(self, text: str, style: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(style)
        self.message_label.setVisible(bool(text))
        # a red frame too, so the error is seen even without reading it
        self.setStyleSheet(
            "QLineEdit { border: 2px solid #c62828; }" if style == ERROR_STYLE and text else ""
        )
