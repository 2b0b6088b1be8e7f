"""台账 — the cash ledger: filter by date, village, channel and status, with totals.

The list is a :class:`~ui.models.ledger_model.LedgerModel` that fetches pages
of 200 lines as the clerk scrolls, so a year of lines opens as fast as a day.
The totals above the list come from one aggregate query over *every* line the
filter selects (``services.ledger_views.ledger_totals``), never from the
lines loaded so far.

Keys: Enter moves through the filter fields and runs the query on the last;
Ctrl+F goes to the filter, Ctrl+Shift+R reloads, Ctrl+P prints the ledger of
the chosen dates. All keys are scoped to the page (``ui.keys``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from common.glossary import LEDGER_KIND_LABELS, PAYMENT_CHANNELS, PAYMENT_STATUS_LABELS
from common.money import format_fen_grouped
from printing.ledger import render_ledger
from services.documents import ledger_document
from services.find import resident_of_ledger_entry
from services.ledger_views import (
    NO_VILLAGE,
    STATUS_FILTERS,
    LedgerFilter,
    LedgerTotals,
    ledger_lines,
    ledger_totals,
)
from services.office import office_info
from ui.blind import BLIND_NOTICE, BlindCover
from ui.context import AppContext
from ui.data_exchange.file_chooser import FileChooser
from ui.data_exchange.ledger_export import LedgerExport
from ui.keys import RELOAD, page_shortcut
from ui.models.ledger_model import (
    COL_AMOUNT,
    COL_CASH,
    COL_CHANNEL,
    COL_DATE,
    COL_ID,
    COL_KIND,
    COL_NAME,
    COL_NOTE,
    COL_OPERATOR,
    COL_RECEIPT,
    COL_SEQ,
    COL_STATUS,
    COL_TIER,
    COL_TIME,
    COL_VILLAGE,
    HEADERS,
    LedgerModel,
)
from ui.operations import (
    DEPOSITS,
    LEDGER,
    OFFICE,
    PAYMENTS,
    ChangeSet,
    OperationFailed,
    Operations,
)
from ui.pages.base import Page
from ui.printing_bridge import DocumentOutput
from ui.widgets.enter_chain import EnterChain

log = logging.getLogger(__name__)

REFRESH_TOPICS = frozenset({LEDGER, PAYMENTS, DEPOSITS})
#: More lines than this are not printed at once: choose fewer days.
PRINT_LIMIT = 5_000
FILTER_CHANNELS = ("cash", "pos", "qr", "bank", "other")
#: The widest values each column is sized for. Widths follow the font (a larger
#: system font must not cut 序号 to "2845…"); 序号 has room for 7 digits, a
#: few years of a busy street office.
COLUMN_SAMPLES: dict[int, tuple[str, ...]] = {
    COL_SEQ: ("9999999",),
    COL_DATE: ("2023-11-06",),
    COL_TIME: ("23:59:59",),
    COL_KIND: tuple(LEDGER_KIND_LABELS.values()),
    COL_RECEIPT: ("NHLT2023-000000",),  # prefixes are up to 8 letters; most 2–4
    COL_NAME: ("欧阳某某",),
    COL_ID: ("120104********0011",),
    COL_VILLAGE: ("芦台一街社区",),
    COL_TIER: ("高档", "一档"),
    COL_CHANNEL: tuple(PAYMENT_CHANNELS[key] for key in FILTER_CHANNELS),
    COL_AMOUNT: ("-10,000.00",),
    COL_CASH: ("-10,000.00",),
    # bold on reversing lines and deposits
    COL_STATUS: (*PAYMENT_STATUS_LABELS.values(), *LEDGER_KIND_LABELS.values()),
    COL_OPERATOR: ("某某某",),
}
# the note stretches into what is left; this much at least (a 1366-pixel screen
# shows every column without scrolling sideways)
NOTE_WIDTH_CHARS = 8


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def totals_text(totals: LedgerTotals) -> str:
    """The totals line above the list (rich text)."""
    parts = [
        f"共 <b>{totals.lines}</b> 行",
        f"收款 <b>{totals.receipts}</b> 笔 <b>{format_fen_grouped(totals.collected_fen)}</b> 元",
    ]
    if totals.reversed_fen:
        parts.append(f"作废/退费 <b>{format_fen_grouped(totals.reversed_fen)}</b> 元")
    parts.append(f"净收 <b>{format_fen_grouped(totals.net_fen)}</b> 元")
    parts.append(f"其中现金 <b>{format_fen_grouped(totals.cash_net_fen)}</b> 元")
    if totals.deposited_fen:
        parts.append(f"入库 <b>{format_fen_grouped(totals.deposited_fen)}</b> 元")
    return "<span style='color:#999'>　|　</span>".join(parts)


def channels_text(totals: LedgerTotals) -> str:
    if not totals.by_channel:
        return ""
    return "按渠道：" + "　".join(
        f"{c.label} {c.receipts} 笔 {format_fen_grouped(c.net_fen)} 元" for c in totals.by_channel
    )


def fit_columns(view: QTableView) -> None:
    """Give each column room for its title and its widest expected value."""
    # a style sheet's font (``font-size``) is only in place once polished
    view.ensurePolished()
    view.horizontalHeader().ensurePolished()
    style = view.style()
    # QItemDelegate/QStyledItemDelegate leave this much on each side of the text
    cell_margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    header = view.horizontalHeader()
    header_margin = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    bold = QFont(view.font())
    bold.setBold(True)  # the status of reversing lines and deposits is bold
    cell, strong, title = view.fontMetrics(), QFontMetrics(bold), header.fontMetrics()
    for column, samples in COLUMN_SAMPLES.items():
        metrics = strong if column == COL_STATUS else cell
        width = max(
            max(metrics.horizontalAdvance(sample) for sample in samples) + cell_margin,
            title.horizontalAdvance(HEADERS[column]) + header_margin,
        )
        view.setColumnWidth(column, width + 4)
    view.setColumnWidth(COL_NOTE, cell.horizontalAdvance("备") * NOTE_WIDTH_CHARS)


class LedgerPage(Page):
    #: the resident of the chosen line (from a 台账 row to the person)
    personRequested = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        documents: DocumentOutput | None = None,
        chooser: FileChooser | None = None,
    ) -> None:
        super().__init__(ctx, ops, parent, documents=documents)
        self.exports = LedgerExport(self, chooser)
        self.totals: LedgerTotals | None = None
        self._filter = LedgerFilter()
        self._columns_fitted = False

        bar = self._build_bar(self._build_filters())
        self._build_labels()
        self._build_view()
        # during a blind count on 日结 the lines and totals (cash net,
        # from which the drawer could be worked out) are covered
        self.blind_cover = BlindCover(
            hide=(self.totals_label, self.channels_label, self.view, self.loaded_label),
            disable=(self.print_button, self.exports.button),
            parent=self,
        )
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.blind_cover.notice)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.channels_label)
        layout.addWidget(self.message)
        layout.addWidget(self.exports.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.loaded_label)

        self.enter_chain = EnterChain(self)
        self.enter_chain.set_fields(
            [self.date_from, self.date_to, self.village, self.channel, self.status],
            self.apply_filter,
        )
        QWidget.setTabOrder(self.status, self.query_button)
        QWidget.setTabOrder(self.query_button, self.view)
        page_shortcut(self, "Ctrl+F", self.activate)
        page_shortcut(self, RELOAD, self.refresh)
        page_shortcut(self, "Ctrl+P", self.print_ledger)
        # Enter or a double click on a line opens the person on 居民
        self.view.doubleClicked.connect(lambda _index: self.open_person())
        page_shortcut(self, "Ctrl+G", self.open_person)

        self.watch(REFRESH_TOPICS | {OFFICE})
        self.load_villages()
        self.apply_filter()

    # --- public --------------------------------------------------------------------

    def _build_labels(self) -> None:
        """The totals, the channels, the count of loaded lines and the message line."""
        self.totals_label = QLabel()
        self.totals_label.setObjectName("ledgerTotals")
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)
        self.channels_label = QLabel()
        self.channels_label.setStyleSheet("color: #444;")
        self.loaded_label = QLabel()
        self.loaded_label.setStyleSheet("color: #666;")
        self.message = QLabel()
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.setWordWrap(True)
        self.message.hide()

    def _build_view(self) -> None:
        """The ledger lines, fetched page by page as the clerk scrolls."""
        self.model = LedgerModel(self)
        self.model.loaded.connect(self._show_loaded)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)  # one line per entry; long notes end in …
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        fit_columns(self.view)

    def _build_bar(self, quick: QHBoxLayout) -> QVBoxLayout:
        """The filter bar, in two rows: in one the filters made the window wider than a 1,024 screen."""
        # two rows: in one the filters made the window wider than a 1,024 screen
        dates = QHBoxLayout()
        dates.addWidget(QLabel("日期"))
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.date_to)
        dates.addLayout(quick)
        dates.addStretch(1)
        dates.addWidget(self.exports.button)
        dates.addWidget(self.print_button)
        filters = QHBoxLayout()
        filters.addWidget(self.village)
        filters.addWidget(self.channel)
        filters.addWidget(self.status)
        filters.addWidget(self.query_button)
        filters.addStretch(1)
        bar = QVBoxLayout()
        bar.addLayout(dates)
        bar.addLayout(filters)
        return bar

    def _build_filters(self) -> QHBoxLayout:
        """The dates, village, channel and status filters; returns the row of quick dates."""
        today = self.ctx.business_date()
        self.date_from = QDateEdit(_qdate(today))
        self.date_to = QDateEdit(_qdate(today))
        for edit, name in ((self.date_from, "起始日期"), (self.date_to, "截止日期")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.village = QComboBox()
        self.village.setAccessibleName("村（社区）")
        self.village.setMinimumWidth(120)
        self.channel = QComboBox()
        self.channel.setAccessibleName("渠道")
        self.channel.addItem("全部渠道", None)
        for key in FILTER_CHANNELS:
            self.channel.addItem(PAYMENT_CHANNELS[key], key)
        self.status = QComboBox()
        self.status.setAccessibleName("状态")
        self.status.addItem("全部状态", None)
        for key, label in STATUS_FILTERS.items():
            self.status.addItem(label, key)
        self.query_button = QPushButton("查询(&Q)")
        self.query_button.clicked.connect(self.apply_filter)
        self.query_button.setToolTip(f"按所选条件查询（Alt+Q）；{RELOAD} 按当前条件刷新")
        self.print_button = QPushButton("打印台账(&P)")
        self.print_button.setToolTip("打印所选日期内的全部台账（不按村、渠道、状态筛选）")
        self.print_button.clicked.connect(self.print_ledger)
        quick = QHBoxLayout()
        for text, slot in (
            ("今日(&T)", self.show_today),
            ("本月(&M)", self.show_month),
            ("本年(&Y)", self.show_year),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            quick.addWidget(button)
        return quick

    def activate(self) -> None:
        self.refresh_if_dirty()
        self.date_from.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_blind(self, blind: bool) -> None:
        """The window's blind count (ui.blind): no cash figure while counting."""
        self.blind_cover.set_blind(blind)
        if not blind and self.message.text() == BLIND_NOTICE:
            self._show_message("")

    def current_filter(self) -> LedgerFilter:
        return self._filter

    def set_dates(self, date_from: dt.date, date_to: dt.date) -> None:
        self.date_from.setDate(_qdate(date_from))
        self.date_to.setDate(_qdate(date_to))

    def show_today(self) -> None:
        today = self.ctx.business_date()
        self.set_dates(today, today)
        self.apply_filter()

    def show_month(self) -> None:
        today = self.ctx.business_date()
        self.set_dates(today.replace(day=1), today)
        self.apply_filter()

    def show_year(self) -> None:
        today = self.ctx.business_date()
        self.set_dates(today.replace(month=1, day=1), today)
        self.apply_filter()

    def load_villages(self) -> None:
        chosen = self.village.currentData()
        try:
            office = self.ops.read(office_info, self.ctx.office_id, parent=self)
        except OperationFailed:
            return
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem("全部村（社区）", None)
        for village in office.villages:
            self.village.addItem(village.name, village.id)
        self.village.addItem("（无村/入库）", NO_VILLAGE)
        index = self.village.findData(chosen)
        self.village.setCurrentIndex(max(index, 0))
        self.village.blockSignals(False)

    def apply_filter(self) -> None:
        """Read the filter fields, then reload the list and the totals."""
        date_from, date_to = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        if date_to < date_from:
            self._show_message("截止日期早于起始日期，请重新选择。")
            self.date_to.setFocus()
            return
        self._filter = LedgerFilter(
            date_from=date_from,
            date_to=date_to,
            village_id=self.village.currentData(),
            channel=self.channel.currentData(),
            status=self.status.currentData(),
        )
        self.refresh()

    def refresh(self) -> None:
        """Reload with the current filter (new lines may have been written)."""
        self._dirty = False
        self._show_message("")
        flt = self._filter
        office_id = self.ctx.office_id
        try:
            self.totals = self.ops.read(ledger_totals, office_id, flt, parent=self)
        except OperationFailed:
            self.totals = None
        if self.totals is not None:
            self.totals_label.setText(totals_text(self.totals))
            self.channels_label.setText(channels_text(self.totals))
        else:
            self.totals_label.setText("合计读取失败")
            self.channels_label.setText("")

        def fetch(after, limit):  # type: ignore[no-untyped-def]
            return self.ops.read(
                ledger_lines, office_id, flt, after=after, limit=limit, parent=self
            )

        self.model.set_fetch(fetch)

    def open_person(self) -> None:
        """Jump from the selected 台账 line to its resident (居民 page)."""
        row = self.view.currentIndex().row()
        if row < 0 or row >= self.model.loaded_count():
            return
        try:
            rid = self.ops.read(resident_of_ledger_entry, self.model.line(row).entry_id)
        except OperationFailed:
            return
        if rid is not None:
            self.personRequested.emit(rid)

    def print_ledger(self) -> None:
        """The printed cash book of the chosen dates (every line of those days)."""
        if self.blind_cover.blind:  # Ctrl+P during a blind count
            self._show_message(BLIND_NOTICE)
            return
        date_from, date_to = self._filter.date_from, self._filter.date_to
        assert date_from is not None and date_to is not None
        flt = LedgerFilter(date_from=date_from, date_to=date_to)
        try:
            count = self.ops.read(ledger_totals, self.ctx.office_id, flt, parent=self).lines
            if count > PRINT_LIMIT:
                self._show_message(
                    f"所选日期共 {count} 行，超过一次打印的上限 {PRINT_LIMIT} 行，请缩小日期范围。"
                )
                return
            data = self.read_for_print(ledger_document, date_from, date_to)
        except OperationFailed:
            return
        span = f"{date_from}" if date_from == date_to else f"{date_from} 至 {date_to}"
        self.documents.present("ledger", f"现金台账 {span}", render_ledger(data), self)

    # --- inside --------------------------------------------------------------------

    def _show_loaded(self, loaded: int) -> None:
        total = self.totals.lines if self.totals is not None else loaded
        more = "（向下滚动继续载入）" if not self.model.fully_loaded() else ""
        self.loaded_label.setText(f"已载入 {loaded} / 共 {total} 行{more}")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def on_changes(self, changes: ChangeSet) -> bool:
        """One refresh per write, however many of our topics it changed."""
        if OFFICE in changes:
            self.load_villages()
        return bool(changes & REFRESH_TOPICS)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self._columns_fitted:
            # once more with the final fonts (a style sheet set after building)
            fit_columns(self.view)
            self._columns_fitted = True
        super().showEvent(event)
