"""Two windows, one office, one database (issue 11): two main windows, two
operators; each counts and closes its own drawer, and the office's deposit
state sums both drawers."""

from __future__ import annotations

import datetime as dt

from counter_fixtures import PASSWORD, make_id
from PySide6.QtWidgets import QLabel

from services.office import create_operator
from services.payments import take_payment
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from ui.context import AppContext, OperatorSession
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.pages.day_close_page import SERVICE_KEYS
from ui.printing_bridge import RecordingOutput


def take_cash(db, clock, policies, office, operator_id: int, seq: int, tier: str) -> int:  # type: ignore[no-untyped-def]
    with db.write() as s:
        _r, e, _q = register_and_enroll(
            s,
            clock,
            policies=policies,
            policy_key="tianjin-2024",
            data=ResidentInput(make_id(dt.date(1971, 2, 3), seq), "居民" + "甲乙丙丁"[seq % 4]),
            category="adult",
            tier=tier,
            facts=PersonFacts(),
            office_id=office.id,
            operator_id=operator_id,
        )
        take_payment(
            s,
            clock,
            policies,
            enrollment_id=e.id,
            amount=e.personal_due_fen // 100,
            channel="cash",
            operator_id=operator_id,
        )
        return e.personal_due_fen


def open_window(qtbot, db, clock, policies, office, operator_id: int, name: str) -> MainWindow:  # type: ignore[no-untyped-def]
    ctx = AppContext(
        db=db,
        clock=clock,
        policies=policies,
        session=OperatorSession(office.id, office.name, operator_id, name, "clerk"),
    )
    ops = Operations(ctx)
    ops.show_dialogs = False
    window = MainWindow(ctx, ops, documents=RecordingOutput())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def count_and_close(window: MainWindow, fen: int) -> None:
    page = window.show_page("day_close")
    page.refresh()  # the other window's writes came through the database only
    page.count.clear()
    by_key = {v: k for k, v in SERVICE_KEYS.items()}
    hundreds, rest = divmod(fen, 10_000)
    page.count.set_count(*by_key["note_100"], hundreds)
    page.count.set_count(*by_key["note_10"], rest // 1_000)
    page.confirm_count()
    assert page.preview is not None and page.preview.difference_fen == 0
    page.request_close()


def test_two_windows_each_close_their_own_drawer(qtbot, db, clock, policies, office):  # type: ignore[no-untyped-def]
    with db.write() as s:
        second = create_operator(
            s,
            clock,
            office_id=office.id,
            username="chuangkou2",
            display_name="赵二窗",
            role="clerk",
            password=PASSWORD,
            created_by=office.supervisor_id,
        ).id
    first_fen = take_cash(db, clock, policies, office, office.clerk_id, 1, "high")
    second_fen = take_cash(db, clock, policies, office, second, 3, "low") + take_cash(
        db, clock, policies, office, second, 5, "low"
    )
    one = open_window(qtbot, db, clock, policies, office, office.clerk_id, "李经办")
    two = open_window(qtbot, db, clock, policies, office, second, "赵二窗")

    # the office's deposit state counts both drawers and shows each one's share
    deposit = two.show_page("deposit")
    deposit.refresh()
    assert deposit.status.cash_on_hand_fen == first_fen + second_fen
    shares = deposit.findChild(QLabel, "drawerShares").text()
    assert "李经办 1,010.00 元" in shares and "赵二窗 760.00 元" in shares
    assert "共 1,770.00 元" in shares

    count_and_close(one, first_fen)
    first_page = one.show_page("day_close")
    assert first_page.state.my_close is not None
    assert first_page.state.office_record is None  # the other drawer is still open
    assert "等待 赵二窗" in first_page.closed_box.closed_text.text()
    assert first_page.documents.of_kind("day_close")  # its own 日结单
    assert "李经办的钱箱" in first_page.documents.of_kind("day_close")[0].title

    count_and_close(two, second_fen)
    second_page = two.show_page("day_close")
    assert second_page.state.office_record is not None
    assert "全所各窗口均已日结" in second_page.closed_box.closed_text.text()
    first_page.refresh()
    assert first_page.state.office_record is not None
    assert first_page.state.office_record.counted_fen == first_fen + second_fen
