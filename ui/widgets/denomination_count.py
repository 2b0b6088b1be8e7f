"""The cash count sheet of the day close (券别清点).

One row per denomination — notes of 100, 50, 20, 10, 5 and 1 yuan; coins of
1 yuan, 5 jiao and 1 jiao (the list printed on the day-close sheet,
``printing.data.DENOMINATIONS``) — with the number of pieces, the subtotal and
the total. The widget knows nothing of what the drawer *should* hold: the
count is blind, the page shows the expected figure only after the count is
confirmed.

Keyboard: type a number, Enter goes to the next row; Enter on the last row
emits ``submitted``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from common.money import fen_in_words, format_fen_grouped
from printing.data import DENOMINATIONS

MAX_PIECES = 99_999
KIND_LABELS = {"note": "纸币", "coin": "硬币"}

Denomination = tuple[str, int]  # (kind, value in fen)


class DenominationCount(QWidget):
    totalChanged = Signal(int)
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spins: dict[Denomination, QSpinBox] = {}
        self._subtotals: dict[Denomination, QLabel] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        for column, title in enumerate(("类别", "券别", "张（枚）数", "金额（元）")):
            header = QLabel(f"<b>{title}</b>")
            if column >= 2:
                header.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(header, 0, column)
        row = 1
        previous_kind = ""
        for kind, value, label in DENOMINATIONS:
            key = (kind, value)
            kind_label = QLabel(KIND_LABELS[kind] if kind != previous_kind else "")
            previous_kind = kind
            spin = QSpinBox()
            spin.setRange(0, MAX_PIECES)
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setMinimumWidth(90)
            spin.setAccessibleName(f"{KIND_LABELS[kind]}{label}张数")
            spin.setObjectName(f"count_{kind}_{value}")
            spin.valueChanged.connect(self._on_changed)
            spin.lineEdit().returnPressed.connect(
                lambda key=key: self._advance(key)  # type: ignore[misc]
            )
            subtotal = QLabel("0.00")
            subtotal.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            subtotal.setMinimumWidth(110)
            name = QLabel(label)
            name.setBuddy(spin)
            grid.addWidget(kind_label, row, 0)
            grid.addWidget(name, row, 1)
            grid.addWidget(spin, row, 2)
            grid.addWidget(subtotal, row, 3)
            self._spins[key] = spin
            self._subtotals[key] = subtotal
            row += 1
        self._total = QLabel()
        self._total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._total.setObjectName("denomination_total")
        self._words = QLabel()
        self._words.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._words.setStyleSheet("color: #555;")
        grid.addWidget(QLabel("<b>实点合计</b>"), row, 0, 1, 2)
        grid.addWidget(self._total, row, 2, 1, 2)
        grid.addWidget(self._words, row + 1, 0, 1, 4)
        grid.setColumnStretch(4, 1)
        self._refresh_total()

    # --- reading -------------------------------------------------------------------

    def keys(self) -> list[Denomination]:
        return list(self._spins)

    def spin(self, kind: str, value_fen: int) -> QSpinBox:
        return self._spins[(kind, value_fen)]

    def counts(self) -> dict[Denomination, int]:
        return {key: spin.value() for key, spin in self._spins.items()}

    def notes(self) -> dict[int, int]:
        """Pieces per note value in fen (for ``printing.data.denomination_counts``)."""
        return {value: n for (kind, value), n in self.counts().items() if kind == "note"}

    def coins(self) -> dict[int, int]:
        return {value: n for (kind, value), n in self.counts().items() if kind == "coin"}

    def total_fen(self) -> int:
        return sum(value * n for (_kind, value), n in self.counts().items())

    # --- writing -------------------------------------------------------------------

    def set_count(self, kind: str, value_fen: int, pieces: int) -> None:
        self._spins[(kind, value_fen)].setValue(pieces)

    def clear(self) -> None:
        for spin in self._spins.values():
            spin.setValue(0)

    def set_read_only(self, read_only: bool) -> None:
        for spin in self._spins.values():
            spin.setReadOnly(read_only)

    def focus_first(self) -> None:
        first = next(iter(self._spins.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        first.selectAll()

    # --- inside --------------------------------------------------------------------

    def _advance(self, key: Denomination) -> None:
        keys = list(self._spins)
        index = keys.index(key)
        if index + 1 < len(keys):
            following = self._spins[keys[index + 1]]
            following.setFocus(Qt.FocusReason.TabFocusReason)
            following.selectAll()
        else:
            self.submitted.emit()

    def _on_changed(self, _value: int) -> None:
        self._refresh_total()
        self.totalChanged.emit(self.total_fen())

    def _refresh_total(self) -> None:
        for (_kind, value), spin in self._spins.items():
            self._subtotals[(_kind, value)].setText(format_fen_grouped(value * spin.value()))
        total = self.total_fen()
        self._total.setText(f"<b>{format_fen_grouped(total)} 元</b>")
        self._words.setText(f"人民币{fen_in_words(total)}")
