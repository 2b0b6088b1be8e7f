"""The paged ledger model: Qt's model checks, and fetching on demand."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from seeded_desk import add_deposit, add_payment, bulk_ledger, make_office

from services.ledger_views import LedgerFilter, LedgerLine, ledger_lines
from ui.models import ObjectRole
from ui.models.ledger_model import (
    COL_AMOUNT,
    COL_ID,
    COL_NAME,
    COL_SEQ,
    COL_STATUS,
    HEADERS,
    LedgerModel,
    masked_id,
)
from ui.models.table_model import Column, RowsTableModel


def _fetcher(db, office_id, flt=None, calls=None):
    def fetch(after, limit):
        if calls is not None:
            calls.append(after)
        with db.read() as s:
            return ledger_lines(s, office_id, flt, after=after, limit=limit)

    return fetch


@pytest.fixture
def big(db, clock):
    seed = make_office(db, clock)
    bulk_ledger(db, seed, 3_000, start=dt.date(2023, 11, 1), per_day=700)
    return seed


def test_model_checks_with_real_lines(qtmodeltester, db, clock):
    seed = make_office(db, clock)
    when = dt.datetime(2023, 11, 6, 9, 0)
    add_payment(db, seed, when=when, name="张秀英")
    add_payment(db, seed, when=when, status="voided")
    add_deposit(db, seed, when=when, amount_fen=38000, slip_no="YH001")
    model = LedgerModel(page_size=2)
    model.set_fetch(_fetcher(db, seed.office_id))
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 4
    qtmodeltester.check(model)
    first = model.index(0, COL_NAME)
    assert first.data() == "张秀英"
    assert isinstance(first.data(ObjectRole), LedgerLine)
    assert model.index(0, COL_ID).data().count("*") == 8
    assert model.index(1, COL_STATUS).data() == "已作废"
    assert model.index(2, COL_AMOUNT).data() == "-380.00"
    assert model.index(3, COL_STATUS).data() == "入库"
    assert model.headerData(COL_AMOUNT, Qt.Orientation.Horizontal) == HEADERS[COL_AMOUNT]


def test_fetches_pages_on_demand(qtmodeltester, db, big):
    calls: list = []
    model = LedgerModel(page_size=200)
    model.set_fetch(_fetcher(db, big.office_id, calls=calls))
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 3_000 and model.fully_loaded()
    # 15 full pages, then one empty page says "no more"; each asked after the last
    assert len(calls) == 16 and calls[0] is None
    assert [after[1] for after in calls[1:]] == list(range(200, 3_001, 200))
    seqs = [model.index(r, COL_SEQ).data() for r in range(model.rowCount())]
    assert seqs == [str(n) for n in range(1, 3_001)]
    qtmodeltester.check(model)


def test_view_loads_only_what_it_shows(qtbot, db, big):
    model = LedgerModel(page_size=200)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.setModel(model)
    model.set_fetch(_fetcher(db, big.office_id))
    with qtbot.waitExposed(view):
        view.show()
    assert model.rowCount() < 3_000
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 200)
    assert model.rowCount() < 3_000


def test_filter_change_resets(qtmodeltester, db, big):
    model = LedgerModel(page_size=100)
    model.set_fetch(_fetcher(db, big.office_id, LedgerFilter(channel="pos")))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 600
    model.set_fetch(_fetcher(db, big.office_id, LedgerFilter(date_from=dt.date(2023, 11, 10))))
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    model.set_fetch(None)
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_a_failing_fetch_stops_paging(db, big):
    def broken(after, limit):
        raise RuntimeError("database gone")

    model = LedgerModel()
    model.set_fetch(broken)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_rows_table_model(qtmodeltester):
    columns = [Column("名称", lambda r: r[0]), Column("数", lambda r: str(r[1]))]
    model = RowsTableModel(columns, negative=lambda r: r[1] < 0)
    model.set_rows([("甲", 1), ("乙", -2)])
    qtmodeltester.check(model)
    assert model.index(1, 0).data(ObjectRole) == ("乙", -2)
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_masked_id():
    assert masked_id("120104196203140011") == "120104********0011"
    assert masked_id("") == ""
