"""The ledger list: a table model that fetches its lines a page at a time.

A year of a street office's ledger is ~300,000 lines; the model never holds
more than the clerk has scrolled through. It is given a *fetch* function
``fetch(after_key, limit) -> list[LedgerLine]`` (keyset paging, see
``services.ledger_views.ledger_lines``); the view asks for more with
``canFetchMore``/``fetchMore`` when the clerk scrolls near the end.

The model knows nothing about the database: the page builds the fetch
function around ``ops.read`` and the current filter. Totals are not computed
here (they come from an aggregate query).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from common.money import format_fen_grouped
from services.ledger_views import PAGE_SIZE, LedgerLine
from ui.models import ObjectRole

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
Key = tuple[Any, ...]
Fetch = Callable[[Key | None, int], Sequence[LedgerLine]]

COL_SEQ = 0
COL_DATE = 1
COL_TIME = 2
COL_KIND = 3
COL_RECEIPT = 4
COL_NAME = 5
COL_ID = 6
COL_VILLAGE = 7
COL_TIER = 8
COL_CHANNEL = 9
COL_AMOUNT = 10
COL_CASH = 11
COL_STATUS = 12
COL_OPERATOR = 13
COL_NOTE = 14

HEADERS = (
    "序号",
    "日期",
    "时间",
    "类型",
    "收据号",
    "姓名",
    "身份证号",
    "村（社区）",
    "档次",
    "渠道",
    "金额（元）",
    "现金变动",
    "状态",
    "经办人",
    "备注",
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_NUMERIC = {COL_SEQ, COL_AMOUNT, COL_CASH}
_MUTED = QBrush(QColor("#8a8a8a"))
_NEGATIVE = QBrush(QColor("#b03a2e"))
_DEPOSIT = QBrush(QColor("#1f5f99"))


def masked_id(number: str) -> str:
    """120104196203140011 → 120104********0011: the screen faces the counter."""
    if len(number) < 10:
        return number
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _note(line: LedgerLine) -> str:
    parts = []
    if line.slip_no:
        parts.append(f"凭证号 {line.slip_no}")
    if line.reference and line.reference != line.slip_no:
        parts.append(line.reference)
    if line.memo:
        parts.append(line.memo)
    return "；".join(parts)


def _display(line: LedgerLine, column: int) -> str:
    if column == COL_SEQ:
        return str(line.seq)
    if column == COL_DATE:
        return line.business_date.isoformat()
    if column == COL_TIME:
        return line.recorded_at.strftime("%H:%M:%S")
    if column == COL_KIND:
        return line.kind_label
    if column == COL_RECEIPT:
        return line.receipt_no
    if column == COL_NAME:
        return line.resident_name
    if column == COL_ID:
        return masked_id(line.id_number)
    if column == COL_VILLAGE:
        return line.village_name
    if column == COL_TIER:
        return line.tier_label
    if column == COL_CHANNEL:
        return line.channel_label
    if column == COL_AMOUNT:
        return format_fen_grouped(line.amount_fen)
    if column == COL_CASH:
        return format_fen_grouped(line.cash_fen) if line.cash_fen else ""
    if column == COL_STATUS:
        return line.status_label
    if column == COL_OPERATOR:
        return line.operator_name
    if column == COL_NOTE:
        return _note(line)
    return ""


class LedgerModel(QAbstractTableModel):
    """Ledger lines, fetched on demand in pages of ``page_size``."""

    #: Emitted after each page is appended, with the number of lines loaded.
    loaded = Signal(int)

    def __init__(self, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._fetch: Fetch | None = None
        self._lines: list[LedgerLine] = []
        self._exhausted = True
        # fetchMore is re-entered when a listener of rowsAboutToBeInserted
        # (a view, the model tester) asks for more while a page goes in.
        self._fetching = False
        self._bold = QFont()
        self._bold.setBold(True)

    # --- the page's side -------------------------------------------------------------

    def set_fetch(self, fetch: Fetch | None) -> None:
        """Start over with a new query (a new filter); loads the first page."""
        self.beginResetModel()
        self._fetch = fetch
        self._lines = []
        self._exhausted = fetch is None
        self.endResetModel()
        if fetch is not None:
            self.fetchMore(QModelIndex())

    def reload(self) -> None:
        """Load again from the start with the same query (after new lines)."""
        self.set_fetch(self._fetch)

    def line(self, row: int) -> LedgerLine:
        return self._lines[row]

    def loaded_count(self) -> int:
        return len(self._lines)

    def fully_loaded(self) -> bool:
        return self._exhausted

    # --- Qt: paging ------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._fetching or self._fetch is None:
            return
        self._fetching = True
        try:
            self._fetch_page()
        finally:
            self._fetching = False

    def _fetch_page(self) -> None:
        assert self._fetch is not None
        after = self._lines[-1].key if self._lines else None
        try:
            page = list(self._fetch(after, self.page_size))
        except Exception:  # noqa: BLE001 - ops.read already told the clerk
            log.warning("ledger page could not be loaded; stop fetching", exc_info=True)
            self._exhausted = True
            return
        if len(page) < self.page_size:
            self._exhausted = True
        if page:
            first = len(self._lines)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._lines.extend(page)
            self.endInsertRows()
        self.loaded.emit(len(self._lines))

    # --- Qt: table -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in _NUMERIC else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        column = index.column()
        if not 0 <= column < len(HEADERS):
            return None
        line = self._lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(line, column)
        if role == ObjectRole:
            return line
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _NUMERIC else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            if line.is_reversed:
                return _MUTED
            if line.amount_fen < 0 and line.kind != "deposit":
                return _NEGATIVE
            if line.kind == "deposit":
                return _DEPOSIT
            return None
        if role == Qt.ItemDataRole.FontRole and column == COL_STATUS and line.kind != "payment":
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_ID and line.id_number:
                return line.id_number
            if column == COL_NOTE:
                return _note(line) or None
            if column == COL_TIME:
                return line.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
        return None
