"""The window: pages by keyboard, the status bar, the deposit clock and banner."""

from __future__ import annotations

import datetime as dt

from counter_fixtures import PASSWORD, SUPERVISOR, make_id
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton
from sqlalchemy import select

from services.deposits import record_deposit
from services.payments import take_payment
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from ui.deposit_clock import STATE_COLOURS
from ui.keys import RELOAD
from ui.main_window import MainWindow
from ui.operations import DEPOSITS
from ui.page_registry import NAVIGATION_KEYS, PAGES, PRINTING_PAGES, RESERVED_KEYS


def make_window(qtbot, ctx, ops, documents) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    # the login checks run once the window is up; a question they ask takes the focus
    qtbot.waitUntil(lambda: window.isActiveWindow() or window.checks.dialog is not None)
    return window


def cash_payment(db, clock, policies, office, seq: int, tier: str = "high") -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        _r, e, _q = register_and_enroll(
            s,
            clock,
            policies=policies,
            policy_key="tianjin-2024",
            data=ResidentInput(
                make_id(dt.date(1970, 1, 1), seq), "居民" + "甲乙丙丁戊己庚辛壬癸子丑"[seq % 12]
            ),
            category="adult",
            tier=tier,
            facts=PersonFacts(),
            office_id=office.id,
            operator_id=office.clerk_id,
        )
        take_payment(
            s,
            clock,
            policies,
            enrollment_id=e.id,
            amount=e.personal_due_fen // 100,
            channel="cash",
            operator_id=office.clerk_id,
        )


def test_function_keys_and_ctrl_digits_switch_pages(qtbot, ctx, ops, documents):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx, ops, documents)
    assert window.current_key == "register"
    for number, spec in enumerate(PAGES, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_F{number}"))
        assert window.current_key == spec.key
        assert window.current_page() is window.page(spec.key)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "collect"
    assert window.focusWidget() is window.page("collect").search_box
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "register"
    assert window.focusWidget() is window.page("register").id_input


def test_page_keys_are_scoped_and_never_a_window_key(qtbot, ctx, ops, documents):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx, ops, documents)
    assert {"F5", "Ctrl+5"} <= NAVIGATION_KEYS <= RESERVED_KEYS
    for spec in PAGES:
        page = window.page(spec.key)
        keys = []
        for shortcut in page.findChildren(QShortcut):
            key = shortcut.key().toString()
            keys.append(key)
            assert key not in RESERVED_KEYS, (spec.key, key)
            assert shortcut.isEnabled(), (spec.key, key)  # _wire disabled none
            assert shortcut.context() == Qt.ShortcutContext.WidgetWithChildrenShortcut, (
                spec.key,
                key,
            )
        for button in page.findChildren(QAbstractButton):
            assert button.shortcut().toString() not in RESERVED_KEYS, (spec.key, button.text())
            assert "F5" not in button.text() and "F5" not in button.toolTip()
        assert len(keys) == len(set(keys)), (spec.key, keys)
        if spec.key in ("ledger", "deposit", "day_close", "reports", "settings"):
            assert RELOAD in keys, spec.key
    assert QKeySequence(RELOAD).toString() not in RESERVED_KEYS


def test_reload_key_reloads_the_page_and_f5_still_means_day_close(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx, ops, documents)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    ledger = window.page("ledger")
    assert ledger.totals is not None and ledger.totals.lines == 0
    cash_payment(db, clock, policies, office, 5)  # written behind the page's back
    assert ledger.totals.lines == 0
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_R, modifiers)
    assert window.current_key == "ledger"
    assert ledger.totals.lines == 1
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_F5)
    assert window.current_key == "day_close"


def test_every_page_prints_through_the_window_output(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 7)
    window = make_window(qtbot, ctx, ops, documents)
    assert {"collect", "ledger", "deposit", "day_close"} <= PRINTING_PAGES
    for key in PRINTING_PAGES:
        assert window.page(key).documents is window.documents, key
    assert window.documents.inner is documents
    for key, number, kind in (("ledger", 3, "ledger"), ("deposit", 4, "deposit_register")):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_F{number}"))
        assert window.current_key == key
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        assert len(documents.of_kind(kind)) == 1, kind
    assert [d.kind for d in documents.documents] == ["ledger", "deposit_register"]


def test_status_bar_shows_operator_office_date_and_clock(qtbot, ctx, ops, documents):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx, ops, documents)
    assert "李经办" in window.operator_label.text() and "经办人" in window.operator_label.text()
    assert "芦台街道便民服务中心" in window.office_label.text()
    assert "2023-11-06" in window.date_label.text() and "星期一" in window.date_label.text()
    assert window.clock.state == "ok"
    assert "正常" in window.clock.state_label.text()
    assert STATE_COLOURS["ok"][1] in window.clock.state_label.styleSheet()
    assert not window.banner.isVisible()


def test_register_then_go_collect(qtbot, ctx, ops, documents):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ctx, ops, documents)
    page = window.page("register")
    page.id_input.setText(make_id(dt.date(1988, 8, 8), 9))
    page.name.setText("周八")
    page.choose_tier("low")
    page.eligibility.setCurrentIndex(page.eligibility.findData("household_registration"))
    page.save()
    assert page.result_frame.isVisible()
    qtbot.keyClick(page, Qt.Key.Key_F9)
    assert window.current_key == "collect"
    collect = window.page("collect")
    assert collect.resident is not None and collect.resident.name == "周八"
    assert collect.current_enrollment is not None
    assert collect.current_enrollment.id == page.last_enrollment_id


def test_deposit_clock_warns_then_banner_until_deposit(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 1)  # 1010.00 on 11-06, due by 11-11
    window = make_window(qtbot, ctx, ops, documents)
    assert window.clock.state == "ok"
    assert "1,010.00" in window.clock.detail_label.text()
    assert "2023-11-11" in window.clock.detail_label.text()

    clock.advance(days=4)  # 11-10: due tomorrow
    window.clock.refresh()
    assert window.clock.state == "warning"
    assert not window.banner.isVisible()

    clock.advance(days=1)  # 11-11: due today
    changes: list[tuple[str, str]] = []
    window.clock.stateChanged.connect(lambda new, old: changes.append((new, old)))
    window.clock.refresh()
    assert changes == [("due_today", "warning")]
    assert window.banner.isVisible()
    assert "今日须入库" in window.banner.text_label.text()
    assert window.clock.blink_timer.isActive()
    window.clock.refresh()  # still due: the banner stays
    assert window.banner.isVisible()

    window.banner.button.click()
    assert window.current_key == "deposit"

    ops.write(
        DEPOSITS,
        record_deposit,
        office_id=office.id,
        amount="1010.00",
        channel="bank",
        slip_no="JK-0001",
        operator_id=office.clerk_id,
    )
    # changed(DEPOSITS) refreshed the clock
    assert window.clock.state == "ok"
    assert not window.banner.isVisible()
    assert not window.clock.blink_timer.isActive()


def test_overdue_is_dark_red_with_banner(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 3)
    clock.advance(days=8)
    window = make_window(qtbot, ctx, ops, documents)
    assert window.clock.state == "overdue"
    assert STATE_COLOURS["overdue"][1] in window.clock.state_label.styleSheet()
    assert window.banner.isVisible()
    assert "逾期" in window.banner.text_label.text()
    # POLICY §7.3 revised: cash payers are not refused; the marking is said
    assert "照常收取现金" in window.banner.text_label.text()
    assert "标注" in window.banner.text_label.text()


def test_the_count_is_blind_in_the_status_bar_and_banner(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    """Issue 9 item 1: while the drawer is counted, no cash figure shows anywhere."""
    cash_payment(db, clock, policies, office, 3)
    clock.advance(days=8)
    window = make_window(qtbot, ctx, ops, documents)
    assert "1,010.00" in window.clock.detail_label.text()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    page = window.page("day_close")
    assert page.counting and window.clock.blind
    shown = " ".join(
        (
            window.clock.detail_label.text(),
            window.clock.toolTip(),
            window.banner.text_label.text(),
            page.deposit_warning.text(),
        )
    )
    assert "1,010.00" not in shown and "库存现金" not in shown
    assert "点钞中" in window.clock.detail_label.text()
    page.count.set_count("note", 10000, 10)
    page.confirm_count()
    assert not page.counting and not window.clock.blind
    assert "1,010.00" in window.clock.detail_label.text()  # shown once counted
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert not window.clock.blind


def test_amount_limit_makes_it_due_today(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    for seq in range(1, 11):  # 10 × 1010.00 = 10,100.00 ≥ 10,000.00
        cash_payment(db, clock, policies, office, seq)
    window = make_window(qtbot, ctx, ops, documents)
    assert window.clock.state == "due_today"
    assert window.banner.isVisible()


def test_a_forgotten_day_is_flagged_at_login(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 3)  # 11-06, never closed
    clock.advance(days=1)
    window = make_window(qtbot, ctx, ops, documents)
    flag = window.checks.unclosed_label
    assert flag.isVisibleTo(window) and "11-06" in flag.text()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    page = window.page("day_close")
    assert page.unclosed_label.isVisibleTo(page) and "2023-11-06" in page.unclosed_label.text()
    page.start_late_close()
    assert page.late_date == dt.date(2023, 11, 6) and "补日结" in page.title.text()
    page.count.set_count("note", 10000, 10)
    page.count.set_count("note", 1000, 1)
    page.confirm_count()
    assert page.preview is not None and page.preview.difference_fen == 0
    page.request_close()  # a late close always asks a supervisor
    approval = page.approval
    assert approval is not None and "补日结" in approval.windowTitle()
    approval.fill(SUPERVISOR, PASSWORD, "经办人生病，今日补日结")
    approval.try_approve()
    assert ops.last_error is None, ops.last_error
    assert page.late_date is None  # back to today
    (sheet,) = documents.of_kind("day_close")
    assert "补日结" in sheet.title
    assert not flag.isVisibleTo(window)


def test_a_clock_far_ahead_asks_a_supervisor_at_login(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 3)
    clock.advance(days=400)
    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.show()
    assert window.checks.dialog is None  # the window is on the screen first ...
    qtbot.waitUntil(lambda: window.checks.dialog is not None)  # ... then it asks
    dialog = window.checks.dialog
    assert dialog is not None and dialog.isVisible()
    assert "电脑时钟可能不准" in dialog.explanation.text()
    dialog.fill(SUPERVISOR, PASSWORD, "停办一年后重新开门，日期无误")
    dialog.try_approve()
    assert ops.last_error is None, ops.last_error
    with db.read() as s:
        from db.models import ClockConfirmation

        row = s.scalars(select(ClockConfirmation)).one()
        assert row.reason == "停办一年后重新开门，日期无误"
        from db.models import AuditEntry

        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        assert actions.count("clock_warning") == 1  # the warning is journalled (issue 10)
        assert actions.index("clock_warning") < actions.index("business_date_confirmed")


def test_a_close_in_the_future_is_annulled_after_the_clock_is_put_right(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    from services.clock import FixedClock
    from services.day_close import close_day
    from services.day_totals import count_for_amount

    cash_payment(db, clock, policies, office, 3)
    evening = FixedClock(clock.now().replace(hour=18))
    with db.write() as s:
        close_day(
            s,
            evening,
            office_id=office.id,
            operator_id=office.clerk_id,
            denominations=count_for_amount(101000),
        )
    wrong = FixedClock(dt.datetime(2031, 11, 7, 17, 0))
    with db.write() as s:  # a supervisor let a wrong clock through, then the day was closed
        from services.clock_sanity import confirm_business_date

        confirm_business_date(
            s,
            wrong,
            office_id=office.id,
            supervisor_id=office.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=office.clerk_id,
            reason="看错日期",
        )
        close_day(
            s,
            wrong,
            office_id=office.id,
            operator_id=office.clerk_id,
            denominations=count_for_amount(101000),
            supervisor_id=office.supervisor_id,
            supervisor_password=PASSWORD,
            override_reason="看错日期",
        )
    clock.advance(days=1)  # the clock is right again
    window = make_window(qtbot, ctx, ops, documents)
    dialog = window.checks.dialog
    assert dialog is not None and "早于" in dialog.explanation.text()
    dialog.fill(SUPERVISOR, PASSWORD, "时钟已校正")
    dialog.try_approve()
    annul = window.checks.dialog
    assert annul is not None and annul is not dialog and "2031-11-07" in annul.explanation.text()
    annul.fill(SUPERVISOR, PASSWORD, "电脑时钟错误造成的日结")
    annul.try_approve()
    assert ops.last_error is None, ops.last_error
    with db.read() as s:
        from db.models import DayCloseAnnulment

        assert s.scalars(select(DayCloseAnnulment)).one().reason == "电脑时钟错误造成的日结"
