"""入库 page: 导出缴费清册… exports the 缴费清册 of the deposit selected in the
register; the workbook is reopened and compared with the payments to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from seeded_desk import add_payment, ctx, ops, seed  # noqa: F401
from sqlalchemy import select

from db.models import Payment
from ui.data_exchange.file_chooser import FixedFileChooser
from ui.pages.deposit_page import DepositPage
from ui.printing_bridge import RecordingOutput

WAIT = 60_000


def fen(value: object) -> int:
    assert isinstance(value, int | float), value
    return int(Decimal(str(value)) * 100)


@pytest.fixture
def page(qtbot, ctx, ops, db, seed, tmp_path):  # noqa: F811
    # 11-01: two cash payments (760.00, due today); 11-03: cash and a POS payment
    add_payment(db, seed, when=dt.datetime(2023, 11, 1, 9, 0))
    add_payment(db, seed, when=dt.datetime(2023, 11, 1, 9, 30), village="红旗村")
    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 0), amount_fen=101000, tier="high")
    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 5), channel="pos")
    widget = DepositPage(
        ctx, ops, documents=RecordingOutput(), chooser=FixedFileChooser(save_to=tmp_path)
    )
    qtbot.addWidget(widget)
    widget.resize(1024, 700)
    widget.show()
    return widget


def test_export_the_payments_list_of_the_selected_deposit(qtbot, page, db, tmp_path: Path):  # noqa: F811
    button = page.payments_export.button
    assert button.text().startswith("导出缴费清册") and not button.isEnabled()
    page.fill_due.click()  # 760.00: the cash of 11-01
    page.slip_no.setText("ZJ/20231106 01")
    page.ask_confirmation()
    assert page.submit() is not None
    assert page.register.rowCount() == 1 and not button.isEnabled()  # nothing selected yet

    page.register_view.selectRow(0)
    assert button.isEnabled()
    with qtbot.waitSignal(page.payments_export.runner.finished, timeout=WAIT) as done:
        button.click()
    message, ok = done.args
    assert ok, message
    assert page.payments_export.runner.chooser.asked == ["导出缴费清册"]
    path = tmp_path / "缴费清册_20231106_ZJ_20231106_01.xlsx"
    assert str(path) in message and page.payments_export.message.text() == message

    with db.read() as s:
        expected = s.execute(
            select(Payment.amount_fen, Payment.channel, Payment.reference)
            .where(Payment.business_date == dt.date(2023, 11, 1), Payment.channel == "cash")
            .order_by(Payment.paid_at, Payment.id)
        ).all()
    sheet = load_workbook(path)["缴费清册"]
    assert "ZJ/20231106 01" in sheet["A1"].value and "760.00" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    col = {h: i for i, h in enumerate(headers)}
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    body, total = rows[: len(expected)], rows[len(expected)]
    assert len(expected) == 2
    for row, (amount, _channel, reference) in zip(body, expected, strict=True):
        assert row[col["渠道"]] == "现金"
        assert (row[col["交易参考号"]] or "") == (reference or "")
        assert fen(row[col["金额（元）"]]) == amount
        assert row[col["缴费日期"]].date() == dt.date(2023, 11, 1)
    assert total[col["票据号"]] == "合计（有效）"
    assert fen(total[col["金额（元）"]]) == 76000


def test_the_button_waits_for_a_selection(qtbot, page):  # noqa: F811
    page.payments_export.start()  # e.g. by its shortcut with nothing selected
    assert not page.payments_export.runner.chooser.asked
    assert "选中一笔入库" in page.payments_export.message.text()
