"""The collect page (缴费): search, notice, cash and non-cash payments, void,
refund, and the supervisor's override while deposits are overdue."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

from counter_fixtures import PASSWORD, SUPERVISOR, make_id, type_text
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import (
    AuditEntry,
    OverdueCashPayment,
    Override,
    Payment,
    Receipt,
    ReceiptPrint,
    ReceiptVoid,
    Refund,
)
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from ui.dialogs.supervisor_approval import SupervisorApprovalDialog
from ui.pages.collect_dialogs import PaymentDialog, RefundDialog
from ui.pages.collect_page import CollectPage
from ui.printing.print_preview import PrintPreviewDialog
from ui.printing_bridge import PreviewOutput


def enrol(db, clock, policies, office, name, number, tier="low", phone=""):  # type: ignore[no-untyped-def]
    with db.write() as s:
        _r, e, _q = register_and_enroll(
            s,
            clock,
            policies=policies,
            policy_key="tianjin-2024",
            data=ResidentInput(number, name, office.villages["东村"], phone=phone),
            category="adult",
            tier=tier,
            facts=PersonFacts(),
            office_id=office.id,
            operator_id=office.clerk_id,
        )
    return e.id


def make_page(qtbot, ctx, ops, documents) -> CollectPage:  # type: ignore[no-untyped-def]
    page = CollectPage(ctx, ops, documents=documents)
    qtbot.addWidget(page)
    page.resize(1230, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def search(qtbot, page: CollectPage, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_box.setFocus()
    page.search_box.clear()
    type_text(page.search_box, text)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)


def pay_cash(page: CollectPage, agent: str = "") -> None:
    page.start_payment(cash=True)
    dialog = page.collect_actions.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.agent.setText(agent)
    dialog.try_submit()


def test_search_finds_by_tail_name_pinyin_and_phone(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    number = make_id(dt.date(1970, 3, 4), 321)
    enrol(db, clock, policies, office, "张三", number, phone="13912345678")
    enrol(db, clock, policies, office, "张三丰", make_id(dt.date(1960, 1, 1), 11))
    page = make_page(qtbot, ctx, ops, documents)
    for text, expected in (
        (number, 1),
        (number[-4:], 1),
        ("张三", 2),
        ("zs", 2),
        ("1391234", 1),
        ("nobody", 0),
    ):
        search(qtbot, page, text)
        assert page.results_model.rowCount() == expected, text
    search(qtbot, page, number)
    assert page.resident is not None and page.resident.name == "张三"
    assert page.enrollment_table.rowCount() == 1
    assert page.enrollment_table.item(0, 4).text() == "待缴费"


def test_notice_cash_receipt_and_void(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    number = make_id(dt.date(1970, 3, 4), 321)
    enrollment_id = enrol(db, clock, policies, office, "张三", number, tier="high")
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    assert page.cash_button.isEnabled()

    page.print_notice()
    (notice,) = documents.of_kind("notice")
    assert notice.pdf.startswith(b"%PDF")
    page.print_notice()  # the notice already issued prints again, no second notice
    assert len(documents.of_kind("notice")) == 2
    assert documents.documents[0].title == documents.documents[1].title

    pay_cash(page, agent="张小三")
    assert ops.last_error is None
    (receipt,) = documents.of_kind("receipt")
    assert receipt.pdf.startswith(b"%PDF")
    assert "LT2023-000001" in page.message_label.text()
    assert page.enrollment_table.item(0, 4).text() == "已缴费"
    assert not page.cash_button.isEnabled()
    assert page.payment_table.rowCount() == 1
    with db.read() as s:
        payment = s.scalars(select(Payment)).one()
        assert (payment.amount_fen, payment.channel, payment.agent_name) == (
            101000,
            "cash",
            "张小三",
        )

    page.reprint()
    assert documents.documents[-1].title.endswith("（重打）")

    page.start_void()
    dialog = page.collect_actions.dialog
    assert isinstance(dialog, SupervisorApprovalDialog)
    dialog.fill(SUPERVISOR, "wrong-password", "收错档次")
    dialog.try_approve()
    assert dialog.error.isVisible() and "用户名或密码错误" in dialog.error.text()
    dialog.fill("jingban", PASSWORD, "收错档次")  # a clerk cannot approve
    dialog.try_approve()
    assert "主管" in dialog.error.text()
    dialog.fill(SUPERVISOR, PASSWORD, "收错档次")
    dialog.try_approve()
    assert ops.last_error is None
    assert "已作废" in page.message_label.text()
    assert page.enrollment_table.item(0, 4).text() == "待缴费"
    with db.read() as s:
        assert s.scalars(select(Payment.status)).one() == "voided"
        void = s.scalars(select(ReceiptVoid)).one()
        assert (void.reason, void.supervisor_id) == ("收错档次", office.supervisor_id)
        assert s.scalars(select(Receipt.receipt_no)).one() == "LT2023-000001"
        # the two refusals in the dialog are journalled (issue 10)
        refused = s.scalars(
            select(AuditEntry.subject)
            .where(AuditEntry.action == "approval_refused")
            .order_by(AuditEntry.seq)
        ).all()
        assert refused == [f"login:{SUPERVISOR}", "login:jingban"]


class FakePrinter:
    """The print job of the preview: keeps the jobs, or fails like a jammed printer."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.error: Exception | None = None

    def __call__(self, pdf: bytes, printer: str, copies: int, paper: str) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.append(pdf)


def receipt_prints(db) -> list[bool]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.scalars(select(ReceiptPrint.is_reprint).order_by(ReceiptPrint.id)).all())


def printed_text(pdf: bytes, tmp_path) -> str | None:  # type: ignore[no-untyped-def]
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def test_a_receipt_print_is_recorded_when_printed_not_when_previewed(
    qtbot, ctx, ops, db, clock, policies, office, tmp_path
):  # type: ignore[no-untyped-def]
    printer = FakePrinter()
    output = PreviewOutput(
        printers=lambda: ["柜台打印机"], default_printer=lambda: "柜台打印机", print_job=printer
    )
    enrollment_id = enrol(db, clock, policies, office, "赵六", make_id(dt.date(1966, 6, 6), 61))
    page = make_page(qtbot, ctx, ops, output)
    page.show_enrollment(enrollment_id)

    pay_cash(page)  # the preview of the receipt opens ...
    assert ops.last_error is None, ops.last_error
    (preview,) = output.dialogs
    assert isinstance(preview, PrintPreviewDialog)
    assert preview.windowTitle() == "打印预览 — 收据 LT2023-000001"
    assert receipt_prints(db) == []  # ... and records nothing yet
    preview.close_button.click()  # the clerk closes it without printing
    assert output.dialogs == [] and printer.jobs == []
    assert receipt_prints(db) == []

    page.reprint()  # not printed yet: still the original, no 重打
    (preview,) = output.dialogs
    assert "重打" not in preview.windowTitle()
    printer.error = OSError("卡纸")
    assert not preview.print_now()  # a failed print records nothing either
    assert receipt_prints(db) == []
    printer.error = None
    assert preview.print_now()
    assert len(printer.jobs) == 1 and output.dialogs == []
    assert receipt_prints(db) == [False]  # exactly one print, the original
    first = printed_text(printer.jobs[0], tmp_path)
    assert first is None or ("LT2023-000001" in first and "重打" not in first)

    page.reprint()  # the second print is a reprint
    (preview,) = output.dialogs
    assert preview.windowTitle().endswith("（重打）")
    assert receipt_prints(db) == [False]
    preview.print_now()
    assert receipt_prints(db) == [False, True]
    second = printed_text(printer.jobs[1], tmp_path)
    assert second is None or "重打（第1次）" in second


def test_non_cash_payment_then_refund(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    enrollment_id = enrol(db, clock, policies, office, "王五", make_id(dt.date(1985, 6, 6), 41))
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    page.start_payment(cash=False)
    dialog = page.collect_actions.dialog
    assert isinstance(dialog, PaymentDialog)
    dialog.channel.setCurrentIndex(dialog.channel.findData("qr"))
    dialog.payer.setText("王五之子")
    dialog.try_submit()
    # refused in the dialog, which stays open with what was typed (issue 9 item 6)
    assert page.collect_actions.dialog is dialog and dialog.isVisible()
    assert "流水号" in dialog.error.text() and dialog.payer.text() == "王五之子"
    assert "王五" in dialog.who.text() and "*" in dialog.who.text()
    dialog.reference.setText("WX20231106001")
    dialog.try_submit()
    assert ops.last_error is None
    assert documents.of_kind("receipt") == []  # no cash, no receipt
    (voucher,) = documents.of_kind("voucher")  # 缴费凭证 with the reference instead
    assert voucher.title.startswith("缴费凭证")
    assert "WX20231106001" in page.message_label.text()
    assert not page.void_button.isEnabled() and page.refund_button.isEnabled()

    page.start_refund()
    refund_dialog = page.collect_actions.dialog
    assert isinstance(refund_dialog, RefundDialog)
    refund_dialog.reference.setText("WX-R-1")
    refund_dialog.try_submit()
    approval = page.collect_actions.dialog
    assert isinstance(approval, SupervisorApprovalDialog)
    approval.fill(SUPERVISOR, PASSWORD, "本人申请退保")
    approval.try_approve()
    assert ops.last_error is None, ops.last_error
    assert page.enrollment_table.item(0, 4).text() == "已退费"
    # the money is not in the drawer: an application, printed with the slip
    assert "退费申请" in page.message_label.text()
    assert len(documents.of_kind("refund_slip")) == 1
    assert len(documents.of_kind("refund_application")) == 1
    with db.read() as s:
        refund = s.scalars(select(Refund)).one()
        assert (refund.amount_fen, refund.approver_id, refund.channel, refund.method) == (
            38000,
            office.supervisor_id,
            "qr",
            "application",
        )


def test_overdue_cash_is_taken_and_marked(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    """POLICY §7.3 revised: a cash payer is never refused, also while overdue."""
    first = enrol(db, clock, policies, office, "赵一", make_id(dt.date(1980, 1, 1), 1))
    second = enrol(db, clock, policies, office, "钱二", make_id(dt.date(1981, 1, 1), 3))
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(first)
    pay_cash(page)
    assert ops.last_error is None
    clock.advance(days=7)  # collected 11-06, due by 11-11: overdue on 11-13

    page.show_enrollment(second)
    pay_cash(page)
    assert ops.last_error is None
    assert not isinstance(page.collect_actions.dialog, SupervisorApprovalDialog)
    assert len(documents.of_kind("receipt")) == 2
    assert "逾期未入库期间收取" in page.message_label.text()
    with db.read() as s:
        assert len(s.scalars(select(Payment)).all()) == 2
        mark = s.scalars(select(OverdueCashPayment)).one()
        assert mark.deadline == dt.date(2023, 11, 11)
        assert s.scalars(select(Override)).first() is None


def test_cash_dialog_keyboard_and_change(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    enrollment_id = enrol(db, clock, policies, office, "孙七", make_id(dt.date(1979, 9, 9), 7))
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    page.start_payment(cash=True)
    dialog = page.collect_actions.dialog
    assert dialog.amount.text() == "380.00"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.received
    qtbot.keyClicks(dialog.received, "400")
    assert "20.00" in dialog.change.text()
    for field in (dialog.received, dialog.payer, dialog.agent):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert ops.last_error is None
    assert len(documents.of_kind("receipt")) == 1


def test_a_restarted_window_lists_the_payment_and_voids_it(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    enrollment_id = enrol(db, clock, policies, office, "周九", make_id(dt.date(1966, 6, 1), 19))
    first = make_page(qtbot, ctx, ops, documents)
    first.show_enrollment(enrollment_id)
    pay_cash(first)
    # another window (after a restart) reads the payment from the database
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    assert page.enrollment_table.item(0, 4).text() == "已缴费"
    assert page.payment_table.rowCount() == 1
    assert page.payment_table.item(0, 3).text() == "LT2023-000001"
    assert page.void_button.isEnabled()
    page.start_void()
    approval = page.collect_actions.dialog
    assert isinstance(approval, SupervisorApprovalDialog)
    assert "LT2023-000001" in approval.explanation.text()
    approval.fill(SUPERVISOR, PASSWORD, "重复收费")
    approval.try_approve()
    assert ops.last_error is None
    assert page.enrollment_table.item(0, 4).text() == "待缴费"
    with db.read() as s:
        assert s.scalars(select(Payment.status)).one() == "voided"


def test_a_failed_search_clears_the_person_and_every_action(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    """Issue 9 item 6: one misread card must not leave the previous person selected."""
    enrollment_id = enrol(db, clock, policies, office, "周九", make_id(dt.date(1966, 6, 6), 9))
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    assert page.cash_button.isEnabled()
    page.search_box.setText("不存在的人")
    page.search_now()
    assert page.resident is None and page.enrollment_table.rowCount() == 0
    for button in (page.cash_button, page.noncash_button, page.notice_button, page.refund_button):
        assert not button.isEnabled()
    page.start_payment(cash=True)  # F10 does nothing now
    assert page.collect_actions.dialog is None


def test_a_refusal_known_before_typing_opens_no_dialog(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    enrollment_id = enrol(db, clock, policies, office, "吴十", make_id(dt.date(1967, 7, 7), 11))
    with db.write() as s:
        from services.day_close import close_day

        close_day(s, clock, office_id=office.id, operator_id=office.clerk_id, denominations={})
    page = make_page(qtbot, ctx, ops, documents)
    page.show_enrollment(enrollment_id)
    page.start_payment(cash=True)
    assert page.collect_actions.dialog is None
    assert ops.last_error is not None and ops.last_error[0] == "day_closed"
    assert "已日结" in page.message_label.text()
