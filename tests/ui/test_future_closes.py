"""日结 page: a supervisor annuls a day close a wrong clock dated in the future
(issue 9 item 9), without going through the login flow."""

from __future__ import annotations

import datetime as dt

from seeded_desk import PASSWORD, add_payment, ctx, ops, seed  # noqa: F401
from sqlalchemy import select

from db.models import DayClose, DayCloseAnnulment
from services.clock import FixedClock
from services.clock_sanity import confirm_business_date
from services.day_close import close_day
from services.day_totals import count_for_amount
from ui.pages.day_close_page import DayClosePage
from ui.printing_bridge import RecordingOutput

WRONG = dt.datetime(2031, 11, 7, 17, 0)  # the clock set eight years ahead


def close_in_the_future(db, seed) -> int:  # type: ignore[no-untyped-def]  # noqa: F811
    add_payment(db, seed, when=dt.datetime(2023, 11, 3, 9, 0))  # 380.00 cash
    with db.write() as s:
        close_day(
            s,
            FixedClock(dt.datetime(2023, 11, 3, 17, 0)),
            office_id=seed.office_id,
            operator_id=seed.clerk_id,
            denominations=count_for_amount(38_000),
        )
    wrong = FixedClock(WRONG)
    with db.write() as s:
        # a careless supervisor confirms the wrong date, and the day is closed
        confirm_business_date(
            s,
            wrong,
            office_id=seed.office_id,
            supervisor_id=seed.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=seed.clerk_id,
            reason="看错了日期",
        )
        record = close_day(
            s,
            wrong,
            office_id=seed.office_id,
            operator_id=seed.clerk_id,
            denominations=count_for_amount(38_000),
            supervisor_id=seed.supervisor_id,
            supervisor_password=PASSWORD,
            override_reason="看错日期",
        )
        return int(record.id)


def make_page(qtbot, ctx, ops) -> DayClosePage:  # type: ignore[no-untyped-def]  # noqa: F811
    page = DayClosePage(ctx, ops, documents=RecordingOutput())
    qtbot.addWidget(page)
    page.resize(1366, 720)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    return page


def test_no_box_without_a_future_close(qtbot, ctx, ops, db, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    assert not page.future_closes.isVisible()


def test_a_supervisor_annuls_a_future_close_from_the_page(qtbot, ctx, ops, db, seed):  # noqa: F811
    close_id = close_in_the_future(db, seed)
    page = make_page(qtbot, ctx, ops)  # the clock is right again: 2023-11-06
    box = page.future_closes
    assert box.isVisible()
    assert "2031-11-07" in box.text.text() and box.choice.currentData() == close_id

    # a clerk's password is not a supervisor's: nothing written
    box.ask_annulment()
    dialog = box.approval
    assert dialog is not None and "撤销" in dialog.windowTitle()
    dialog.fill("wangfang", PASSWORD, "时钟错误")
    dialog.try_approve()
    assert dialog.error.text()
    # no reason: refused by the dialog
    dialog.fill("zhangli", PASSWORD, "  ")
    dialog.try_approve()
    assert "原因" in dialog.error.text()
    with db.read() as s:
        assert s.scalars(select(DayCloseAnnulment)).all() == []

    dialog.fill("zhangli", PASSWORD, "电脑时钟错误造成的 2031 年日结")
    dialog.try_approve()
    assert ops.last_error is None, ops.last_error
    with db.read() as s:
        (row,) = s.scalars(select(DayCloseAnnulment)).all()
        assert row.day_close_id == close_id and row.reason.startswith("电脑时钟错误")
        assert row.supervisor_id == seed.supervisor_id
        assert s.get(DayClose, close_id) is not None  # the close itself is kept
    assert not box.isVisible()
    assert "已撤销 2031-11-07" in box.message.text()
