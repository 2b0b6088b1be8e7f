"""Small shared pieces of the 居民 page's tabs: their base class and a plain read-only table."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ui.context import AppContext
from ui.operations import Operations
from ui.printing_bridge import DocumentOutput


@dataclass(frozen=True)
class TabServices:
    """What every tab of the 居民 page works with: the context, the one write path
    (``Operations``) and the output for the documents it prints."""

    ctx: AppContext
    ops: Operations
    documents: DocumentOutput


class ResidentTab(QWidget):
    """A tab of the 居民 page, given its services by the page (never found through
    ``self.window()``)."""

    def __init__(self, services: TabServices) -> None:
        super().__init__()
        self.ctx = services.ctx
        self.ops = services.ops
        self.documents = services.documents


def table(columns: tuple[str, ...]) -> QTableWidget:
    """A read-only, row-selecting table with these columns (lists here are short:
    a household, a village's renewals, the pending changes)."""
    view = QTableWidget(0, len(columns))
    view.setHorizontalHeaderLabels(list(columns))
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def fill_row(view: QTableWidget, row: int, texts: tuple[str, ...], colour: str = "") -> None:
    """Set a row's texts; ``colour`` paints the last column (the status)."""
    for column, text in enumerate(texts):
        item = QTableWidgetItem(text)
        if colour and column == len(texts) - 1:
            item.setForeground(QBrush(QColor(colour)))
        view.setItem(row, column, item)
