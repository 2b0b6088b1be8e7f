"""The tables of the collect page: the search results model and column set-up."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTableWidget, QWidget

from services.resident_records import ResidentRecord

RESIDENT_ROLE = Qt.ItemDataRole.UserRole + 1


class ResidentResultsModel(QAbstractTableModel):
    """Search results: at most SEARCH_LIMIT rows, replaced as a whole.

    The texts are made once in ``set_rows``: a view asks ``data()`` thousands
    of times per search, and the search must show within 50 ms.
    """

    COLUMNS = ("姓名", "性别", "出生日期", "证件号码", "村（社区）", "联系电话")
    #: the widest value of each column ("" stretches), measured once in the view's font
    WIDEST = ("欧阳晓明", "性别", "2000-00-00", "00000000000000000X", "", "00000000000")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResidentRecord] = []
        self._texts: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[ResidentRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [
            (
                r.name,
                r.sex_label,
                r.birth_date.isoformat(),
                r.id_number,
                r.village_name,
                r.phone,
            )
            for r in self._rows
        ]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):  # type: ignore[no-untyped-def]  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[index.row()][index.column()]
        if role == RESIDENT_ROLE:
            return self._rows[index.row()]
        return None

    def resident(self, row: int) -> ResidentRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


def fixed_columns(view: QTableView, widest: tuple[str, ...]) -> None:
    """Column widths fixed once from sample texts ("" stretches): nothing is
    measured per search."""
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    for column, sample in enumerate(widest):
        if sample:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 20)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


def fit_columns(header: QHeaderView, *, stretch: int) -> None:
    """Columns as wide as their contents; column ``stretch`` takes the rest."""
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def make_table(headers: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table
