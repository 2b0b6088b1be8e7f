"""入库 page: the state, recording a deposit with confirmation, what it settles."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from seeded_desk import add_payment, ctx, ops, seed  # noqa: F401

from ui.operations import DEPOSITS, LEDGER
from ui.pages.deposit_page import DepositPage
from ui.printing_bridge import RecordingOutput


@pytest.fixture
def page(qtbot, ctx, ops, db, seed):  # noqa: F811
    # 11-01: 760.00 cash (due 11-06, i.e. today); 11-03: 1,010.00 cash; a POS payment
    add_payment(db, seed, when=dt.datetime(2023, 11, 1, 9, 0))
    add_payment(db, seed, when=dt.datetime(2023, 11, 1, 9, 30))
    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 0), amount_fen=101000, tier="high")
    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 5), channel="pos")
    output = RecordingOutput()
    widget = DepositPage(ctx, ops, documents=output)
    widget.output = output
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def test_shows_the_state_and_the_undeposited_days(page):
    assert page.status.state == "due_today"
    assert page.state_label.text() == "今日须入库"
    assert "库存现金 1,770.00 元" in page.sentence.text()
    assert page.buckets.rowCount() == 2
    assert page.buckets.index(0, 1).data() == "760.00"
    view = page.bucket_view  # both days shown, no blank space under them
    assert 2 <= view.viewport().height() / view.verticalHeader().defaultSectionSize() < 3
    assert page.fill_due.isEnabled()


def test_record_a_deposit_by_keyboard(qtbot, page, ops):  # noqa: F811
    topics = []
    ops.changed.connect(topics.append)
    page.activate()
    page.fill_due.click()
    assert page.amount.text() == "760.00"
    assert page.amount_words.text() == "人民币柒佰陆拾元整"
    qtbot.keyClick(page.amount, Qt.Key.Key_Return)
    assert page.channel.hasFocus()
    qtbot.keyClick(page.channel, Qt.Key.Key_Return)
    qtbot.keyClicks(page.slip_no, "ZJ20231106-01")
    qtbot.keyClick(page.slip_no, Qt.Key.Key_Return)
    # nothing written yet: the clerk must confirm
    assert page.confirm_frame.isVisible() and topics == []
    assert "760.00" in page.confirm_text.text() and "ZJ20231106-01" in page.confirm_text.text()
    assert page.confirm_button.hasFocus()
    qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)
    assert set(topics) == {DEPOSITS, LEDGER}
    assert not page.confirm_frame.isVisible()
    text = page.result_label.text()
    assert "已登记入库 760.00 元" in text and "2023-11-01 收取的 760.00 元" in text
    assert "1,770.00 元 → 1,010.00 元" in text
    assert page.status.state == "ok"  # 11-03 cash is due 11-08
    assert page.register.rowCount() == 1
    assert page.register.index(0, 4).data() == "ZJ20231106-01"
    assert page.register.index(0, 6).data() == "11-01 760.00"
    assert page.amount.text() == "" and page.amount.hasFocus()


def test_going_back_from_the_confirmation(qtbot, page, ops):  # noqa: F811
    page.amount.setText("100")
    page.slip_no.setText("X1")
    page.ask_confirmation()
    assert page.confirm_frame.isVisible() and not page.amount.isEnabled()
    page.back_button.click()
    assert not page.confirm_frame.isVisible() and page.amount.isEnabled()
    assert page.register.rowCount() == 0


def test_form_errors_are_shown_before_confirming(page):
    page.amount.setText("12.345")
    page.ask_confirmation()
    assert not page.confirm_frame.isVisible()
    assert page.amount.error_label.text() == "金额最多两位小数"
    assert page.amount.error_label.isVisible()
    page.amount.setText("100")
    page.ask_confirmation()
    assert "请填写缴款单号" in page.result_label.text()


def test_refusal_from_the_service_is_shown(page, ops):  # noqa: F811
    page.amount.setText("5000")
    page.slip_no.setText("ZJ-9")
    page.ask_confirmation()
    assert page.submit() is None
    assert ops.last_error[0] == "deposit_exceeds_cash"
    assert "超过库存现金" in page.result_label.text()
    assert page.register.rowCount() == 0


def test_print_the_register(page):
    page.amount.setText("1770")
    page.slip_no.setText("ZJ-1")
    page.ask_confirmation()
    page.submit()
    page.print_register()
    [doc] = page.output.of_kind("deposit_register")
    assert doc.pdf.startswith(b"%PDF") and "2023-11-01 至 2023-11-06" in doc.title
