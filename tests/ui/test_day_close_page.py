"""日结 page: blind count, reconciliation, supervisor confirmation, override, sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from seeded_desk import PASSWORD, add_deposit, add_payment, clerk_ctx, ctx, ops, seed  # noqa: F401

from services.clock import FixedClock
from services.day_close import close_day
from services.day_totals import count_for_amount
from ui.operations import DAY
from ui.pages.day_close_page import SERVICE_KEYS, DayClosePage
from ui.printing_bridge import RecordingOutput

TODAY = dt.datetime(2023, 11, 6, 9, 0)


def make_page(qtbot, ctx, ops):  # noqa: F811
    output = RecordingOutput()
    page = DayClosePage(ctx, ops, documents=output)
    page.output = output
    qtbot.addWidget(page)
    page.resize(1366, 720)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    return page


def count(page, **pieces):
    page.count.clear()
    for key, n in pieces.items():
        kind, value = {v: k for k, v in SERVICE_KEYS.items()}[key]
        page.count.set_count(kind, value, n)


def visible_text(page) -> str:
    return " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisibleTo(page))


@pytest.fixture
def quiet_day(db, seed):  # noqa: F811
    """Only today's cash: nothing due, 380 + 1010 in the drawer."""
    add_payment(db, seed, when=TODAY)
    add_payment(db, seed, when=TODAY, amount_fen=101000, tier="high")
    add_payment(db, seed, when=TODAY, channel="qr")
    return seed


@pytest.fixture
def due_day(db, seed):  # noqa: F811
    """11-01 cash is due today (5 days) and nothing was deposited."""
    add_payment(db, seed, when=dt.datetime(2023, 11, 1, 10, 0), amount_fen=101000, tier="high")
    evening = FixedClock(dt.datetime(2023, 11, 1, 18, 0))
    with db.write() as s:  # 11-01 closed as usual, its cash kept in the drawer
        close_day(
            s,
            evening,
            office_id=seed.office_id,
            operator_id=seed.clerk_id,
            denominations=count_for_amount(101000),
        )
    add_payment(db, seed, when=TODAY)
    return seed


def test_the_count_is_blind_until_confirmed(qtbot, ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    assert page.count_box.isVisible() and not page.result_box.isVisible()
    assert "1,390.00" not in visible_text(page)
    assert page.preview is None
    count(page, note_100=13, note_50=1, note_20=2)
    assert page.count.total_fen() == 139000
    page.confirm_count()
    assert page.result_box.isVisible()
    assert page.figures["expected"].text() == "1,390.00 元"
    assert "无差额" in page.figures["difference"].text()
    assert "扫码/APP 380.00 元" in page.result_box.non_cash.text()
    assert not page.reason.isVisibleTo(page)
    assert page.count.spin("note", 10000).isReadOnly()


def test_keyboard_count_then_close_without_supervisor(qtbot, ctx, ops, quiet_day):  # noqa: F811
    topics = []
    ops.changed.connect(topics.append)
    page = make_page(qtbot, ctx, ops)
    page.activate()
    first = page.count.spin("note", 10000)
    assert first.hasFocus()
    qtbot.keyClicks(first, "13")
    qtbot.keyClick(first, Qt.Key.Key_Return)
    fifty = page.count.spin("note", 5000)
    assert fifty.hasFocus()
    qtbot.keyClicks(fifty, "1")
    qtbot.keyClick(fifty, Qt.Key.Key_Return)
    qtbot.keyClicks(page.focusWidget(), "2")
    for _ in range(7):  # through to the last row: Enter there confirms the count
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.preview is not None and page.preview.difference_fen == 0
    assert page.close_button.hasFocus()
    qtbot.keyClick(page.close_button, Qt.Key.Key_Return)
    assert DAY in topics
    assert page.closed_box.isVisible() and not page.count_box.isVisible()
    assert "无差额" in page.closed_box.closed_text.text()
    [sheet] = page.output.of_kind("day_close")
    assert sheet.pdf.startswith(b"%PDF") and sheet.title == "日结单 2023-11-06"


def test_a_difference_needs_reason_and_supervisor(qtbot, clerk_ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, clerk_ctx, ops)
    count(page, note_100=13, note_50=1, note_10=2)  # 20.00 short
    page.confirm_count()
    assert "短款 20.00 元" in page.figures["difference"].text()
    assert page.reason.isVisibleTo(page)
    page.request_close()
    assert "请填写差额原因" in page.message.text() and page.approval is None
    page.reason.setText("找零多付")
    page.request_close()
    dialog = page.approval
    assert dialog is not None and dialog.isVisible()
    assert dialog.reason.text() == "找零多付"
    dialog.fill("zhangli", "wrong-password", "找零多付")
    dialog.try_approve()
    assert dialog.error.isVisibleTo(dialog) and page.record is None
    dialog.fill("zhangli", PASSWORD, "找零多付，已核实")
    dialog.try_approve()
    assert page.record is not None
    assert page.record.difference_fen == -2000 and page.record.supervisor_name == "张丽"
    assert page.record.difference_reason == "找零多付"
    assert "短款 20.00 元" in page.closed_box.closed_text.text()
    assert len(page.output.of_kind("day_close")) == 1


def test_due_today_without_deposit_needs_an_override(qtbot, clerk_ctx, ops, due_day):  # noqa: F811
    page = make_page(qtbot, clerk_ctx, ops)
    assert page.deposit_warning.isVisible() and "今日须入库" in page.deposit_warning.text()
    count(page, note_100=13, note_50=1, note_20=2)
    page.confirm_count()
    assert page.preview.deposit_required
    assert "须主管确认" in page.close_button.text()
    page.request_close()
    dialog = page.approval
    assert dialog.windowTitle() == "未入库日结：主管放行"
    dialog.fill("zhangli", PASSWORD, "银行系统故障，明早入库")
    dialog.try_approve()
    record = page.record
    assert record is not None and record.override_reason == "银行系统故障，明早入库"
    assert record.deposit_state == "due_today"
    assert "主管放行原因：银行系统故障" in page.closed_box.closed_text.text()


def test_after_a_deposit_no_override_is_needed(qtbot, ctx, ops, db, due_day):  # noqa: F811
    add_deposit(
        db, due_day, when=dt.datetime(2023, 11, 6, 9, 10), amount_fen=101000, slip_no="ZJ-1"
    )
    page = make_page(qtbot, ctx, ops)
    assert not page.deposit_warning.isVisible()
    count(page, note_100=3, note_50=1, note_20=1, note_10=1)
    page.confirm_count()
    assert page.figures["deposited"].text() == "1,010.00 元"
    assert not page.preview.deposit_required
    page.request_close()
    assert page.record is not None and page.record.supervisor_name == ""


def test_recount_hides_the_figures_again(qtbot, ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    count(page, note_100=1)
    page.confirm_count()
    page.recount()
    assert not page.result_box.isVisible() and page.preview is None
    assert not page.count.spin("note", 10000).isReadOnly()


def test_open_the_day_with_a_float(qtbot, ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    assert page.open_box.isVisible()
    page.float_edit.setText("200")
    qtbot.keyClick(page.float_edit, Qt.Key.Key_Return)
    assert not page.open_box.isVisible()
    assert "备用金 200.00 元" in page.day_state.text()
    # issue 11: the float opens the supervisor's own drawer; the clerk's
    # takings of the seed stay in the clerk's drawer (shown in the office view)
    count(page, note_100=2)
    page.confirm_count()
    assert page.figures["float"].text() == "200.00 元"
    assert page.preview.difference_fen == 0
    assert page.office_box.drawer_table.rowCount() == 2


def test_a_closed_day_shows_its_summary_and_reprints(qtbot, ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    count(page, note_100=13, note_50=1, note_20=2)
    page.confirm_count()
    page.request_close()
    again = make_page(qtbot, ctx, ops)
    assert again.closed_box.isVisible() and not again.count_box.isVisible()
    again.print_sheet()
    assert len(again.output.of_kind("day_close")) == 1


def test_a_past_days_sheet_is_reprinted_from_the_window(qtbot, ctx, ops, due_day):  # noqa: F811
    """Issue 9 item 8: any past day's sheet (11-01 here, closed by the fixture)."""
    from PySide6.QtCore import QDate

    page = make_page(qtbot, ctx, ops)
    page.reprint_date.setDate(QDate(2023, 10, 31))
    page.reprint_sheet()
    assert "没有日结记录" in page.message.text() and page.output.of_kind("day_close") == []
    page.reprint_date.setDate(QDate(2023, 11, 1))
    page.reprint_sheet()
    (sheet,) = page.output.of_kind("day_close")
    assert sheet.title == "日结单 2023-11-01"


def test_a_supervisor_cannot_approve_their_own_close(qtbot, ctx, ops, quiet_day):  # noqa: F811
    page = make_page(qtbot, ctx, ops)  # the supervisor is the one at the drawer
    count(page, note_100=13, note_50=1, note_10=2)  # 20.00 short
    page.confirm_count()
    page.reason.setText("找零多付")
    page.request_close()
    dialog = page.approval
    assert dialog is not None
    dialog.fill("zhangli", PASSWORD, "找零多付")
    dialog.try_approve()
    assert page.record is None
    assert "不能自己批准自己的日结" in page.message.text()
