"""报表 page: day and month takings by village/tier/channel, progress, overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from seeded_desk import PASSWORD, add_payment, ctx, ops, seed  # noqa: F401

from db.models import Override
from services.reports import VillageProgress
from ui.models import ObjectRole
from ui.operations import PAYMENTS
from ui.pages.report_tables import FITTED_GROUPS, rate_text
from ui.pages.reports_page import ReportsPage

TODAY = dt.datetime(2023, 11, 6, 9, 0)


@pytest.fixture
def page(qtbot, ctx, ops, db, seed):  # noqa: F811
    add_payment(db, seed, when=TODAY, village="东风村", tier="low")
    add_payment(
        db, seed, when=TODAY, village="东风村", tier="high", amount_fen=101000, channel="pos"
    )
    add_payment(db, seed, when=TODAY, village="红旗村", tier="low", status="voided")
    add_payment(db, seed, when=dt.datetime(2023, 11, 2, 9, 0), village="新华社区", channel="qr")
    add_payment(db, seed, when=dt.datetime(2023, 10, 20, 9, 0), village="新华社区")
    with db.write() as s:
        s.add(
            Override(
                office_id=seed.office_id,
                kind="due_today_close",
                reason="银行停电，次日入库",
                supervisor_id=seed.supervisor_id,
                operator_id=seed.clerk_id,
                business_date=dt.date(2023, 11, 3),
                created_at=dt.datetime(2023, 11, 3, 17, 5),
            )
        )
    widget = ReportsPage(ctx, ops)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    widget.finish_loading()  # the reports are read off the GUI thread
    return widget


def rows(model):
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_day_totals_by_village_tier_channel(page):
    day = page.day_panel
    assert "收款 3 笔，净额 1,390.00 元（含作废/退费 1 笔）" == day.summary.text()
    villages = {r[0]: r for r in rows(day.models["by_village"])}
    assert villages["东风村"][1:] == ["2", "", "1,390.00"]
    assert villages["红旗村"][1:] == ["1", "1", "0.00"]
    tiers = {r[0]: r[3] for r in rows(day.models["by_tier"])}
    assert tiers == {"高档": "1,010.00", "低档": "380.00"}
    channels = {r[0]: r[3] for r in rows(day.models["by_channel"])}
    assert channels["POS刷卡"] == "1,010.00" and channels["现金"] == "380.00"


def test_month_totals(page):
    month = page.month_panel
    assert month.summary.text().startswith("收款 4 笔，净额 1,770.00 元")
    villages = {r[0]: r[3] for r in rows(month.models["by_village"])}
    assert villages["新华社区"] == "380.00"  # the October payment is not in November
    page.month_edit.setDate(QDate(2023, 10, 1))
    page.refresh()
    page.finish_loading()
    assert page.month.payments == 1


def test_progress_against_targets(page):
    page.tabs.setCurrentIndex(1)
    table = {r[0]: r for r in rows(page.progress)}
    assert table["东风村"][1:] == ["320", "2", "2", "0", "0.6%", "318"]
    assert table["柳河村"][1] == "—" and table["柳河村"][5] == "未设目标"
    assert "已登记 5 人，已缴费 4 人" in page.progress_summary.text()
    assert isinstance(page.progress.index(0, 0).data(ObjectRole), VillageProgress)


def test_overrides_of_the_month(page):
    assert page.overrides.rowCount() == 1
    row = rows(page.overrides)[0]
    assert row[2] == "当日应入库未入库即日结" and row[3] == "银行停电，次日入库"
    assert row[4] == "张丽" and row[5] == "王芳" and row[6] == ""
    assert "主管放行 1 次" in page.overrides_summary.text()


def test_refresh_on_change_and_keyboard(qtbot, page, ops, db, seed):  # noqa: F811
    add_payment(db, seed, when=TODAY, village="柳河村")
    ops.changes.emit(frozenset({PAYMENTS}))
    page.finish_loading()
    assert page.day_report.payments == 4
    page.activate()
    assert page.day_edit.hasFocus()
    page.day_edit.setDate(QDate(2023, 11, 2))
    for _ in range(3):
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    page.finish_loading()
    assert page.day_report.date_from == dt.date(2023, 11, 2) and page.day_report.payments == 1
    qtbot.keyClick(page, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert page.tabs.currentIndex() == 1


def lines_shown(view) -> float:  # type: ignore[no-untyped-def]
    return view.viewport().height() / view.verticalHeader().defaultSectionSize()


def test_short_lists_are_as_high_as_their_lines(page):
    for attr in FITTED_GROUPS:
        day, month = page.day_panel.views[attr], page.month_panel.views[attr]
        assert day.height() == month.height(), attr  # side by side, the same height
        rows = max(day.model().rowCount(), month.model().rowCount())
        assert rows <= lines_shown(day) < rows + 1, attr  # every line, no blank space
    # the village list takes the height that is left
    villages = page.day_panel.views["by_village"]
    assert villages.height() > page.day_panel.views["by_channel"].height()


def test_rate_text():
    assert rate_text(VillageProgress(1, "x", 3, 2, 2)) == "66.6%"
    assert rate_text(VillageProgress(1, "x", None, 2, 2)) == "未设目标"


def _close_nov_3(db, seed, counted_fen, reason):  # noqa: F811
    """A 380.00 cash payment on 3 November and that day's close counting ``counted_fen``."""
    from services.clock import FixedClock
    from services.day_close import close_day
    from services.day_totals import count_for_amount

    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 0))
    with db.write() as s:
        close_day(
            s,
            FixedClock(dt.datetime(2023, 11, 3, 17, 0)),
            office_id=seed.office_id,
            operator_id=seed.clerk_id,
            denominations=count_for_amount(counted_fen),
            difference_reason=reason,
            supervisor_id=seed.supervisor_id,
            supervisor_password=PASSWORD,
        )


def _exceptions_tab(qtbot, ctx, ops, *, show):  # noqa: F811
    """The reports page on November 2023, its exceptions tab (异常) open."""
    widget = ReportsPage(ctx, ops)
    qtbot.addWidget(widget)
    if show:
        with qtbot.waitActive(widget):
            widget.show()
            widget.activateWindow()
    widget.month_edit.setDate(QDate(2023, 11, 1))
    widget.refresh()
    widget.finish_loading()
    widget.tabs.setCurrentIndex(3)
    return widget


def test_an_open_shortage_is_made_up_and_written_off_from_the_report(qtbot, ctx, ops, db, seed):  # noqa: F811
    """Issue 9 item 2: a shortage stays open until made up or written off."""

    from db.models import CashDifferenceSettlement

    # 380.00 cash taken on 3 November; 10.00 short at the close
    _close_nov_3(db, seed, 37_000, "找零多付")
    widget = _exceptions_tab(qtbot, ctx, ops, show=True)
    (row,) = widget.exceptions.rows()
    assert row.kind == "short" and row.still_open and row.open_fen == 1000
    widget.exceptions_view.setCurrentIndex(widget.exceptions.index(0, 0))
    box = widget.over_short
    assert box.make_up_button.isEnabled() and box.amount.text() == "10.00"
    box.amount.setText("6.00")
    box.make_up()
    assert ops.last_error is None, ops.last_error
    widget.finish_loading()  # the change set refreshed the page off the GUI thread
    widget.exceptions_view.setCurrentIndex(widget.exceptions.index(0, 0))
    assert box.amount.text() == "4.00"
    box.decide()
    dialog = box.approval
    assert dialog is not None and "核销短款" in dialog.windowTitle()
    dialog.fill("zhangli", PASSWORD, "无法追回，核销")
    dialog.try_approve()
    assert ops.last_error is None, ops.last_error
    widget.finish_loading()  # the change set refreshed the page off the GUI thread
    assert not widget.exceptions.rows()[0].still_open
    with db.read() as s:
        actions = s.query(CashDifferenceSettlement.action).order_by(CashDifferenceSettlement.id)
        assert [a for (a,) in actions] == ["cash_in", "write_off"]


def test_an_overage_is_handed_back_from_the_report(qtbot, ctx, ops, db, seed):  # noqa: F811
    """Issue 9: an overage handed back to whom it belongs (长款退还) has its own
    button; the cash leaves the drawer as a ledger line."""
    from seeded_desk import PASSWORD

    from db.models import CashDifferenceSettlement, LedgerEntry

    # 380.00 cash taken on 3 November; 5.00 over at the close
    _close_nov_3(db, seed, 38_500, "多收一位居民的零钱")
    widget = _exceptions_tab(qtbot, ctx, ops, show=True)
    (row,) = widget.exceptions.rows()
    assert row.kind == "over" and row.still_open and row.open_fen == 500
    box = widget.over_short
    assert not box.return_button.isEnabled()  # nothing selected yet
    widget.exceptions_view.setCurrentIndex(widget.exceptions.index(0, 0))
    assert box.return_button.isEnabled() and not box.make_up_button.isEnabled()
    assert box.amount.text() == "5.00"
    # an amount over what is open is refused, nothing written
    box.amount.setText("6.00")
    box.hand_back()
    box.approval.fill("zhangli", PASSWORD, "退还给多付的居民")
    box.approval.try_approve()
    assert "超过" in box.message.text()
    box.amount.setText("5.00")
    box.hand_back()
    dialog = box.approval
    assert dialog is not None and "退还长款" in dialog.windowTitle()
    dialog.fill("zhangli", PASSWORD, "退还给多付的居民")
    dialog.try_approve()
    assert ops.last_error is None, ops.last_error
    widget.finish_loading()  # the change set refreshed the page off the GUI thread
    assert box.message.text() == "已处理。"
    assert not widget.exceptions.rows()[0].still_open
    with db.read() as s:
        (settlement,) = s.query(CashDifferenceSettlement).all()
        assert (settlement.action, settlement.amount_fen) == ("over_returned", 500)
        out = s.query(LedgerEntry).filter(LedgerEntry.kind == "cash_out").one()
        assert out.cash_fen == -500


def test_a_shortage_cannot_be_handed_back(qtbot, ctx, ops, db, seed):  # noqa: F811
    _close_nov_3(db, seed, 37_000, "找零多付")
    widget = _exceptions_tab(qtbot, ctx, ops, show=False)
    widget.exceptions_view.setCurrentIndex(widget.exceptions.index(0, 0))
    box = widget.over_short
    assert box.make_up_button.isEnabled() and not box.return_button.isEnabled()
    box.hand_back()  # a stray shortcut does nothing
    assert box.approval is None
