"""A clerk's whole day through the window (the issue's "done when").

Log in; register three residents on 登记 (the first by keyboard, as a scanner
would); print a notice; take two cash payments and print their receipts; void
one with a supervisor; record a deposit on 入库; close the day on 日结 with a
difference and its reason. Then the database and the PDFs are checked.

Then (issue 9) the next day expects the counted drawer, a refund after the
deposit becomes an application (no cash moves), and a week later a cash payer
is served while the deposit is overdue, the payment marked on stub and ledger.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from counter_fixtures import CLERK, PASSWORD, SUPERVISOR, make_id, type_text
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from db.models import (
    DayClose,
    Deposit,
    Enrollment,
    LedgerEntry,
    OverdueCashPayment,
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptPrint,
    ReceiptVoid,
    Refund,
    Resident,
)
from services.ledger import verify_ledger
from ui.app import AppController
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.pages.collect_dialogs import PaymentDialog, RefundDialog

PEOPLE = (
    # (ID, name, tier, due in fen)
    (make_id(dt.date(1968, 4, 12), 135), "张三", "high", 101000),
    (make_id(dt.date(1975, 9, 30), 246), "李四", "low", 38000),
    (make_id(dt.date(1990, 2, 14), 357), "王五", "low", 38000),
)


def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True
    ).stdout
    return out.decode("utf-8")


def log_in(qtbot, ctx, ops, documents) -> MainWindow:  # type: ignore[no-untyped-def]
    ctx.session = None  # nobody is logged in yet
    controller = AppController(ctx, ops, documents=documents)
    controller.start()
    login = controller.dialog
    assert isinstance(login, LoginDialog)
    login.username.setFocus()
    qtbot.keyClicks(login.username, CLERK)
    qtbot.keyClick(login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)  # Enter logs in
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts work in the active window
    window._controller = controller  # keep it alive with the window
    return window


def register(qtbot, window: MainWindow, number: str, name: str, tier: str) -> int:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F1)
    page = window.page("register")
    assert window.current_key == "register"
    type_text(page.id_input, number)
    qtbot.keyClick(page.id_input, Qt.Key.Key_Return)  # the scanner's Enter
    assert page.focusWidget() is page.name
    type_text(page.name, name)
    qtbot.keyClick(page.name, Qt.Key.Key_Return)
    page.village.setCurrentIndex(page.village.findText("东村"))
    page.choose_tier(tier)
    page.eligibility.setCurrentIndex(page.eligibility.findData("household_registration"))
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.result_frame.isVisible(), page.error_label.text()
    assert page.last_enrollment_id is not None
    return page.last_enrollment_id


def test_a_full_day_at_the_counter(qtbot, ctx, ops, documents, db, clock, office, tmp_path):  # type: ignore[no-untyped-def]
    window = log_in(qtbot, ctx, ops, documents)
    assert "李经办" in window.operator_label.text()
    assert "2023-11-06" in window.date_label.text()
    assert window.clock.state == "ok"

    # --- 登记: three residents ---------------------------------------------------------
    enrollment_ids = []
    for number, name, tier, _due in PEOPLE:
        clock.advance(minutes=4)
        enrollment_ids.append(register(qtbot, window, number, name, tier))

    # --- 缴费: a notice, two cash payments with receipts ------------------------------
    register_page = window.page("register")
    register_page.last_enrollment_id = enrollment_ids[0]
    qtbot.keyClick(register_page, Qt.Key.Key_F9)  # 去缴费
    assert window.current_key == "collect"
    collect = window.page("collect")
    assert collect.resident.name == "张三"
    qtbot.keyClick(collect, Qt.Key.Key_F9)  # 打印缴费通知单
    (notice,) = documents.of_kind("notice")

    receipts_before = len(documents.of_kind("receipt"))
    for number, _name, _tier, _due in PEOPLE[:2]:
        clock.advance(minutes=6)
        collect.search_box.setFocus()
        collect.search_box.clear()
        qtbot.keyClicks(collect.search_box, number[-6:])
        qtbot.keyClick(collect.search_box, Qt.Key.Key_Return)
        assert collect.results_model.rowCount() == 1
        qtbot.keyClick(collect, Qt.Key.Key_F10)  # 现金收款
        dialog = collect.collect_actions.dialog
        assert isinstance(dialog, PaymentDialog)
        for field in (dialog.amount, dialog.received, dialog.payer, dialog.agent):
            qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter through; the last one takes it
        assert ops.last_error is None, ops.last_error
    receipts = documents.of_kind("receipt")[receipts_before:]
    assert [r.title for r in receipts] == ["收据 LT2023-000001", "收据 LT2023-000002"]
    assert window.clock.status.cash_on_hand_fen == 101000 + 38000

    # --- 作废: the second receipt, with a supervisor ------------------------------------
    clock.advance(minutes=3)
    assert collect.resident.name == "李四"
    qtbot.keyClick(collect, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    approval = collect.collect_actions.dialog
    assert isinstance(approval, SupervisorApprovalDialog)
    approval.username.setFocus()
    qtbot.keyClicks(approval.username, SUPERVISOR)
    qtbot.keyClick(approval.username, Qt.Key.Key_Return)
    qtbot.keyClicks(approval.password, PASSWORD)
    qtbot.keyClick(approval.password, Qt.Key.Key_Return)
    type_text(approval.reason, "档次选错，重新收费")
    qtbot.keyClick(approval.reason, Qt.Key.Key_Return)
    assert ops.last_error is None, ops.last_error
    assert "已作废" in collect.message_label.text()
    assert window.clock.status.cash_on_hand_fen == 101000

    # --- 入库: a deposit ------------------------------------------------------------------
    clock.advance(hours=2)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    deposit = window.page("deposit")
    assert window.current_key == "deposit"
    deposit.amount.setText("1000.00")
    deposit.channel.setCurrentIndex(deposit.channel.findData("bank"))
    deposit.slip_no.setText("JK-20231106-01")
    deposit.ask_confirmation()
    assert deposit.submit() is not None
    assert window.clock.status.cash_on_hand_fen == 1000  # 10.00 left in the drawer

    # --- 日结: counted 5.00, short 5.00, with reason and supervisor ---------------------------
    clock.advance(hours=5)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    close = window.page("day_close")
    assert window.current_key == "day_close"
    close.count.clear()
    close.count.set_count("note", 500, 1)
    close.confirm_count()
    assert close.preview is not None and close.preview.difference_fen == -500
    close.reason.setText("找零时多付 5 元")
    close.request_close()
    approval = close.approval
    assert approval is not None
    approval.fill(SUPERVISOR, PASSWORD, "找零时多付 5 元，已核实")
    approval.try_approve()
    assert close.record is not None, ops.last_error
    (sheet,) = documents.of_kind("day_close")

    # --- the database ---------------------------------------------------------------------
    with db.read() as s:
        assert s.scalar(select(func.count(Resident.id))) == 3
        enrollments = {e.id: e for e in s.scalars(select(Enrollment)).all()}
        assert sorted(enrollments) == sorted(enrollment_ids)
        assert [enrollments[i].status for i in enrollment_ids] == [
            "paid",
            "registered",
            "registered",
        ]
        assert s.scalars(select(PaymentNotice.enrollment_id)).all() == [enrollment_ids[0]]
        payments = s.scalars(select(Payment).order_by(Payment.id)).all()
        assert [(p.amount_fen, p.channel, p.status) for p in payments] == [
            (101000, "cash", "completed"),
            (38000, "cash", "voided"),
        ]
        assert s.scalars(select(Receipt.receipt_no).order_by(Receipt.id)).all() == [
            "LT2023-000001",
            "LT2023-000002",
        ]
        # each receipt went to the output once (RecordingOutput counts as printed)
        prints = s.execute(
            select(Receipt.receipt_no, ReceiptPrint.is_reprint)
            .join(Receipt, Receipt.id == ReceiptPrint.receipt_id)
            .order_by(ReceiptPrint.id)
        ).all()
        assert [tuple(p) for p in prints] == [
            ("LT2023-000001", False),
            ("LT2023-000002", False),
        ]
        void = s.scalars(select(ReceiptVoid)).one()
        assert void.reason == "档次选错，重新收费"
        assert void.supervisor_id == office.supervisor_id
        assert void.operator_id == office.clerk_id
        dep = s.scalars(select(Deposit)).one()
        assert (dep.amount_fen, dep.slip_no) == (100000, "JK-20231106-01")
        day = s.scalars(select(DayClose)).one()
        assert day.business_date == dt.date(2023, 11, 6)
        assert (day.expected_fen, day.counted_fen, day.difference_fen) == (1000, 500, -500)
        assert day.difference_reason == "找零时多付 5 元"
        assert day.supervisor_id == office.supervisor_id
        kinds = s.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.seq)).all()
        # the confirmed shortage is booked (POLICY §7.3 revised)
        assert kinds == ["payment", "payment", "void", "deposit", "adjustment"]
        assert verify_ledger(s, office.id).ok

    # --- the PDFs ----------------------------------------------------------------------------
    text = pdf_text(notice.pdf, tmp_path)
    assert "缴费通知单" in text and "张三" in text and "1010.00" in text
    first = pdf_text(receipts[0].pdf, tmp_path)
    assert "LT2023-000001" in first and "1010.00" in first and "壹仟零壹拾元整" in first
    second = pdf_text(receipts[1].pdf, tmp_path)
    assert "LT2023-000002" in second and "380.00" in second
    day_text = pdf_text(sheet.pdf, tmp_path)
    assert "短款" in day_text and "找零时多付" in day_text

    # the day is closed: a further payment today is refused in words
    qtbot.keyClick(window, Qt.Key.Key_F2)
    collect.show_enrollment(enrollment_ids[2])
    collect.start_payment(cash=True)
    # refused before any typing: no dialog opens (issue 9 item 6)
    assert collect.collect_actions.dialog is None
    assert ops.last_error is not None and ops.last_error[0] == "day_closed"

    # --- the next day: yesterday's shortage is what the drawer is expected to hold --------
    clock.set(dt.datetime(2023, 11, 7, 9, 0))
    window.clock.refresh()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    close.refresh()
    assert close.record is None and close.counting
    close.count.clear()
    close.count.set_count("note", 500, 1)
    close.confirm_count()
    assert close.preview is not None
    assert (close.preview.expected_fen, close.preview.difference_fen) == (500, 0)
    close.recount()  # the day goes on; the count is made again in the evening

    # --- a refund after the deposit: an application, no cash leaves the drawer ------------
    clock.advance(minutes=30)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    collect.show_enrollment(enrollment_ids[0])  # 张三, 1010.00 cash, deposited yesterday
    collect.start_refund()
    refund_dialog = collect.collect_actions.dialog
    assert isinstance(refund_dialog, RefundDialog)
    refund_dialog.try_submit()
    approval = collect.collect_actions.dialog
    assert isinstance(approval, SupervisorApprovalDialog)
    approval.fill(SUPERVISOR, PASSWORD, "本人申请退保，已在外省参保")
    approval.try_approve()
    assert ops.last_error is None, ops.last_error
    assert "退费申请" in collect.message_label.text()
    (application,) = documents.of_kind("refund_application")
    assert len(documents.of_kind("refund_slip")) == 1
    assert window.clock.status.cash_on_hand_fen == 500  # the drawer is untouched

    clock.advance(hours=8)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    close.refresh()
    close.count.clear()
    close.count.set_count("note", 500, 1)
    close.confirm_count()
    close.request_close()
    assert close.record is not None, ops.last_error

    # --- overdue: the cash payer is served, the payment marked -------------------------------
    clock.set(dt.datetime(2023, 11, 13, 9, 30))  # 11-06 cash was due by 11-11
    window.clock.refresh()
    assert window.clock.state == "overdue" and window.banner.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    collect.show_enrollment(enrollment_ids[2])  # 王五
    collect.start_payment(cash=True)
    collect.collect_actions.dialog.try_submit()
    assert ops.last_error is None, ops.last_error
    assert "逾期未入库期间收取" in collect.message_label.text()
    stub = pdf_text(documents.of_kind("receipt")[-1].pdf, tmp_path)
    assert "逾期未入库期间收取" in stub and "LT2023-000003" in stub

    with db.read() as s:
        refund = s.scalars(select(Refund)).one()
        assert (refund.method, refund.amount_fen) == ("application", 101000)
        mark = s.scalars(select(OverdueCashPayment)).one()
        assert mark.deadline == dt.date(2023, 11, 11)
        last = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).first()
        assert last is not None and "逾期未入库期间收取" in last.memo
        closes = s.scalars(select(DayClose).order_by(DayClose.business_date)).all()
        assert [(c.expected_fen, c.counted_fen) for c in closes] == [(1000, 500), (500, 500)]
        assert verify_ledger(s, office.id).ok
    app_text = pdf_text(application.pdf, tmp_path)
    assert "社会保险费退费申请表" in app_text and "张三" in app_text and "1010.00" in app_text
