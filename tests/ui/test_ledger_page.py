"""台账 page: filters, aggregate totals, paging, refresh on change, printing."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import QStyle
from seeded_desk import add_deposit, add_payment, bulk_ledger, ctx, ops, seed  # noqa: F401

from services.ledger_views import NO_VILLAGE
from ui.models.ledger_model import (
    COL_DATE,
    COL_NAME,
    COL_NOTE,
    COL_SEQ,
    COL_STATUS,
    COL_TIME,
    HEADERS,
)
from ui.operations import LEDGER
from ui.pages.ledger_page import LedgerPage
from ui.printing_bridge import RecordingOutput

TODAY = dt.datetime(2023, 11, 6, 9, 0)
EARLIER = dt.datetime(2023, 11, 3, 10, 0)


@pytest.fixture
def filled(db, seed):  # noqa: F811
    add_payment(db, seed, when=EARLIER, village="红旗村", name="李建国")
    add_deposit(db, seed, when=EARLIER.replace(hour=16), amount_fen=38000, slip_no="YH-1103")
    add_payment(db, seed, when=TODAY, village="东风村", name="张秀英")
    add_payment(
        db, seed, when=TODAY, village="红旗村", channel="pos", amount_fen=101000, name="王桂兰"
    )
    add_payment(db, seed, when=TODAY, village="东风村", status="voided", name="刘洋")
    return seed


@pytest.fixture
def page(qtbot, ctx, ops, filled):  # noqa: F811
    output = RecordingOutput()
    widget = LedgerPage(ctx, ops, documents=output)
    widget.output = output
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def test_opens_on_today_with_totals(page):
    assert page.model.rowCount() == 4  # 3 payments + the void line, all today
    assert page.totals.receipts == 3 and page.totals.net_fen == 38000 + 101000
    text = page.totals_label.text()
    assert "共 <b>4</b> 行" in text and "1,390.00" in text
    assert "POS刷卡 1 笔 1,010.00 元" in page.channels_label.text()
    assert "已载入 4 / 共 4 行" in page.loaded_label.text()


def test_columns_fit_seven_digit_numbers_and_their_values(page):
    view = page.view
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    metrics = view.fontMetrics()
    for number in ("2845123", "9999999"):  # a busy office after a few years
        assert view.columnWidth(COL_SEQ) >= metrics.horizontalAdvance(number) + margin
    header = view.horizontalHeader().fontMetrics()
    for column in range(len(HEADERS)):
        if column == COL_NOTE:
            continue
        width = view.columnWidth(column)
        assert width >= header.horizontalAdvance(HEADERS[column]), HEADERS[column]
        for row in range(page.model.rowCount()):
            text = page.model.index(row, column).data() or ""
            assert width >= metrics.horizontalAdvance(text) + margin, (HEADERS[column], text)


def test_columns_follow_a_larger_font(qtbot, ctx, ops, filled):  # noqa: F811
    widget = LedgerPage(ctx, ops, documents=RecordingOutput())
    qtbot.addWidget(widget)
    widget.setStyleSheet("QWidget { font-size: 22px; }")  # as the app's style sheet does
    widget.resize(1366, 700)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.view
    assert view.font().pixelSize() == 22
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    for column, sample in ((COL_SEQ, "2845123"), (COL_DATE, "2023-11-06"), (COL_TIME, "16:30:00")):
        assert view.columnWidth(column) >= view.fontMetrics().horizontalAdvance(sample) + margin


def test_filters_by_village_channel_status(page, filled):
    page.set_dates(dt.date(2023, 11, 1), dt.date(2023, 11, 30))
    page.village.setCurrentIndex(page.village.findData(filled.villages["红旗村"]))
    page.apply_filter()
    names = {page.model.index(r, COL_NAME).data() for r in range(page.model.rowCount())}
    assert names == {"李建国", "王桂兰"}
    page.village.setCurrentIndex(page.village.findData(NO_VILLAGE))
    page.apply_filter()
    assert page.model.rowCount() == 1 and page.totals.deposited_fen == 38000
    page.village.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("voided"))
    page.apply_filter()
    statuses = [page.model.index(r, COL_STATUS).data() for r in range(page.model.rowCount())]
    assert statuses == ["已作废", "作废冲销"]
    assert page.totals.net_fen == 0
    page.status.setCurrentIndex(0)
    page.channel.setCurrentIndex(page.channel.findData("pos"))
    page.apply_filter()
    assert page.model.rowCount() == 1 and page.totals.collected_fen == 101000


def test_quick_ranges_and_bad_range(page):
    page.show_month()
    assert page.current_filter().date_from == dt.date(2023, 11, 1)
    assert page.model.rowCount() == 6
    page.date_from.setDate(QDate(2023, 11, 10))
    page.date_to.setDate(QDate(2023, 11, 1))
    page.apply_filter()
    assert "截止日期早于起始日期" in page.message.text()
    assert page.current_filter().date_from == dt.date(2023, 11, 1)  # unchanged
    page.show_today()
    assert page.message.isHidden()


def test_enter_walks_the_filter_and_runs_the_query(qtbot, page, filled):
    page.activate()
    assert page.date_from.hasFocus()
    page.date_from.setDate(QDate(2023, 11, 1))
    for _ in range(4):
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.status.hasFocus()
    qtbot.keyClick(page.status, Qt.Key.Key_Return)
    assert page.current_filter().date_from == dt.date(2023, 11, 1)
    assert page.model.rowCount() == 6


def test_refreshes_when_the_ledger_changes(page, ops, db, filled):  # noqa: F811
    add_payment(db, filled, when=TODAY, name="陈德明")
    assert page.model.rowCount() == 4
    ops.changes.emit(frozenset({LEDGER}))  # what a write announces
    assert page.model.rowCount() == 5 and page.totals.receipts == 4


def test_a_year_of_lines_loads_page_by_page(qtbot, ctx, ops, db, seed):  # noqa: F811
    bulk_ledger(db, seed, 5_000, start=dt.date(2023, 1, 2), per_day=20)
    widget = LedgerPage(ctx, ops)
    qtbot.addWidget(widget)
    widget.show_year()
    assert widget.totals.lines == 5_000
    assert widget.model.rowCount() == 200 and widget.model.canFetchMore(QModelIndex())
    assert "已载入 200 / 共 5000 行" in widget.loaded_label.text()


def test_print_the_days_ledger(page):
    page.show_month()
    page.print_ledger()
    [document] = page.output.of_kind("ledger")
    assert document.pdf.startswith(b"%PDF") and "2023-11-01 至 2023-11-06" in document.title


def test_print_limit(page, monkeypatch):
    monkeypatch.setattr("ui.pages.ledger_page.PRINT_LIMIT", 2)
    page.print_ledger()
    assert "超过一次打印的上限" in page.message.text()
    assert page.output.documents == []
