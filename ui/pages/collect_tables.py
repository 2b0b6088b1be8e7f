"""The tables of the collect page: the search results model and column set-up."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from common.glossary import PAYMENT_CHANNELS, PAYMENT_STATUS_LABELS
from common.money import format_fen
from services.page_views import EnrollmentView
from services.resident_records import ResidentRecord
from ui.pages.collect_dialogs import PaymentEntry

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


def results_view(model: ResidentResultsModel) -> QTableView:
    """The search results: whole rows, one at a time, read-only, columns fixed."""
    view = QTableView()
    view.setObjectName("searchResults")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setWordWrap(False)
    fixed_columns(view, ResidentResultsModel.WIDEST)
    return view


def enrollment_table() -> QTableWidget:
    """The resident's enrolments; long category names (托育机构儿童、未成年居民)
    wrap instead of being cut."""
    table = make_table(
        ("年度", "参保类别", "缴费档次", "应缴（元）", "状态", "待遇起止"), "enrollmentTable"
    )
    fit_columns(table.horizontalHeader(), stretch=1)
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def payment_entries(detail: EnrollmentView) -> list[PaymentEntry]:
    """The enrolment's payments as the acts of the page take them."""
    return [
        PaymentEntry(
            r.payment_id,
            r.enrollment_id,
            r.receipt_id,
            r.receipt_no,
            r.amount_fen,
            r.channel,
            r.reference,
            r.paid_at,
            r.status,
        )
        for r in detail.payments
    ]


def fill_payment_table(table: QTableWidget, payments: list[PaymentEntry]) -> None:
    """One row a payment (no selection signal while filling)."""
    table.blockSignals(True)
    table.setRowCount(len(payments))
    for row, p in enumerate(payments):
        cells = (
            p.paid_at.strftime("%Y-%m-%d %H:%M"),
            PAYMENT_CHANNELS.get(p.channel, p.channel),
            format_fen(p.amount_fen),
            p.receipt_no or p.reference,
            PAYMENT_STATUS_LABELS.get(p.status, p.status),
        )
        for col, text in enumerate(cells):
            table.setItem(row, col, QTableWidgetItem(text))
    table.blockSignals(False)
