"""Pieces of the policy editor and the policy tab: the preview's columns, the
figures-above-quotes splitter, one tier's figures and one category's subsidy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from common.money import format_fen
from services.policy_form import (
    SUBSIDY_LABELS,
    TierFigures,
)
from services.policy_preview import (
    DAY_KINDS,
    PreviewCell,
    PreviewFigure,
    PreviewRow,
)
from ui.models.table_model import Column


def _cell_date(cell: PreviewCell | None) -> str:
    return "" if cell is None or cell.paid_on is None else f"{cell.paid_on:%Y-%m-%d}"


def _cell_start(cell: PreviewCell | None) -> str:
    if cell is None or cell.quote is None:
        return ""
    start = cell.quote.benefit_start
    return "" if start is None else f"{start:%Y-%m-%d}"


PREVIEW_COLUMNS: list[Column[PreviewRow]] = [
    Column("类别", lambda r: r.category_label),
    Column("档次", lambda r: r.tier_label),
    Column("缴费日", lambda r: DAY_KINDS[r.day]),
    Column("日期", lambda r: _cell_date(r.new)),
    Column("资助", lambda r: _cell_subsidy(r.new)),
    Column("应缴", lambda r: r.new.due_text),
    Column("待遇起始", lambda r: _cell_start(r.new)),
    Column("上年日期", lambda r: _cell_date(r.old)),
    Column("上年应缴", lambda r: r.old.due_text if r.old is not None else "—"),
    Column("说明", lambda r: _note(r), tooltip=lambda r: _note(r, full=True)),
]


FIGURE_COLUMNS: list[Column[PreviewFigure]] = [
    Column("项目", lambda f: f.label),
    Column("本年度", lambda f: f.value, tooltip=lambda f: f.value),
    Column("依据", lambda f: f.source, tooltip=lambda f: f.source),
    Column("上年度", lambda f: f.previous or "—", tooltip=lambda f: f.previous or ""),
    Column("上年依据", lambda f: f.previous_source or "—"),
]


def _cell_subsidy(cell: PreviewCell) -> str:
    return "" if cell.quote is None else format_fen(cell.quote.subsidy_fen)


def _note(row: PreviewRow, *, full: bool = False) -> str:
    """Why a quote was refused: this year's first, then last year's."""
    notes = []
    if row.new.message:
        notes.append(row.new.message)
    if row.old is not None and row.old.message and (full or not notes):
        notes.append(f"上年：{row.old.message}")
    return "\n".join(notes)


def preview_splitter(figures: QWidget, quotes: QWidget) -> QSplitter:
    """The figures and their sources above, the quotes below (editor and import)."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    for title, view in (("各项数字及依据（与上年度对照）", figures), ("报价预览", quotes)):
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(view)
        splitter.addWidget(box)
    splitter.setSizes([260, 420])
    return splitter


class TierBox(QGroupBox):
    """The figures of one tier."""

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(f"{label}（{key}）", parent)
        self.key = key
        self.standard = QLineEdit()
        self.standard.setPlaceholderText("例如 390.00；通知未给出则留空")
        self.fiscal_subsidy = QLineEdit()
        self.fiscal_subsidy.setPlaceholderText("通知未给出则留空")
        self.benefits = QPlainTextEdit()
        self.benefits.setPlaceholderText("每行一项；通知未给出则留空")
        self.benefits.setFixedHeight(64)
        self.source = QLineEdit()
        self.source.setPlaceholderText("例如 津医保发〔2026〕1号 §2；留空则用通知文号")
        self.fiscal_subsidy_source = QLineEdit()
        self.fiscal_subsidy_source.setPlaceholderText("例如 津财社〔2026〕3号；留空则用通知文号")
        form = QFormLayout(self)
        form.addRow("个人缴费标准（元）", self.standard)
        form.addRow("缴费标准依据", self.source)
        form.addRow("财政补助（元/人）", self.fiscal_subsidy)
        form.addRow("财政补助依据", self.fiscal_subsidy_source)
        form.addRow("待遇标准", self.benefits)

    def figures(self) -> TierFigures:
        return TierFigures(
            key=self.key,
            standard=self.standard.text(),
            fiscal_subsidy=self.fiscal_subsidy.text(),
            benefits=self.benefits.toPlainText(),
            source=self.source.text(),
            fiscal_subsidy_source=self.fiscal_subsidy_source.text(),
        )


class SubsidyRow:
    """One category's subsidy: its class, the sum of a fixed amount, and the source."""

    def __init__(self, grid: QGridLayout, row: int, label: str, kind: str) -> None:
        self.kind = QComboBox()
        for key, text in SUBSIDY_LABELS.items():
            self.kind.addItem(text, key)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("资助金额（元）")
        self.source = QLineEdit()
        self.source.setPlaceholderText("依据；留空则用通知文号")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        grid.addWidget(QLabel(label), row, 0)
        grid.addWidget(self.kind, row, 1)
        grid.addWidget(self.amount, row, 2)
        grid.addWidget(self.source, row, 3)

    def _kind_changed(self, *_: object) -> None:
        # only a fixed-amount subsidy has a sum (a stale one is not kept), and
        # only a subsidy has a source to cite
        fixed = self.kind.currentData() == "amount"
        self.amount.setEnabled(fixed)
        if not fixed:
            self.amount.clear()
        self.source.setEnabled(self.kind.currentData() != "none")
