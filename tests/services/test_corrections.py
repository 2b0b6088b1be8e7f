"""Voids and refunds: corrections are new records, never edits (issue item 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import (
    PASSWORD,
    Desk,
    close_day_row,
    confirm_date,
    make_desk,
    make_enrollment,
    policies,
    row_counts,
)
from sqlalchemy import select

from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.engine import Database
from db.models import (
    Enrollment,
    LedgerEntry,
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptVoid,
    Refund,
)
from services.clock import FixedClock
from services.corrections import void_receipt
from services.ledger import verify_ledger
from services.notices import issue_notice
from services.payments import PaymentResult, take_payment
from services.refunds import refund_payment


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


@pytest.fixture
def enrollment_id(db: Database, desk: Desk) -> int:
    with db.write() as s:
        return make_enrollment(s, desk)


def pay(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int, channel: str = "cash"
) -> PaymentResult:
    with db.write() as s:
        return take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="380",
            channel=channel,
            reference="" if channel == "cash" else "BANK-77",
            operator_id=desk.clerk_id,
        )


def void(db: Database, clock: FixedClock, desk: Desk, receipt_id: int | None, **kw: object):  # type: ignore[no-untyped-def]
    assert receipt_id is not None
    args: dict[str, object] = {
        "receipt_id": receipt_id,
        "supervisor_id": desk.supervisor_id,
        "supervisor_password": PASSWORD,
        "reason": "档次选错，重新缴费",
        "operator_id": desk.clerk_id,
    }
    args.update(kw)
    with db.write() as s:
        return void_receipt(s, clock, **args)  # type: ignore[arg-type]


def refund(db: Database, clock: FixedClock, desk: Desk, payment_id: int, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "payment_id": payment_id,
        "reason": "已在职工医保参保",
        "approver_id": desk.supervisor_id,
        "approver_password": PASSWORD,
        "operator_id": desk.clerk_id,
    }
    args.update(kw)
    with db.write() as s:
        return refund_payment(s, clock, **args)  # type: ignore[arg-type]


# --- void ------------------------------------------------------------------------------


def test_void_keeps_the_receipt_and_writes_a_reversing_line(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    clock.advance(hours=2)
    result = void(db, clock, desk, paid.receipt_id)
    assert result.receipt_no == "LT2023-000001" and result.ledger_seq == 2
    with db.read() as s:
        receipt = s.get(Receipt, paid.receipt_id)
        mark = s.scalars(select(ReceiptVoid)).one()
        lines = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        payment = s.get(Payment, paid.payment_id)
        enrollment = s.get(Enrollment, enrollment_id)
        assert receipt is not None and receipt.amount_fen == 38_000
        assert (mark.receipt_id, mark.reason, mark.supervisor_id, mark.operator_id) == (
            paid.receipt_id,
            "档次选错，重新缴费",
            desk.supervisor_id,
            desk.clerk_id,
        )
        assert mark.voided_at == clock.now()
        assert [(x.kind, x.amount_fen, x.cash_fen) for x in lines] == [
            ("payment", 38_000, 38_000),
            ("void", -38_000, -38_000),
        ]
        assert lines[1].receipt_id == paid.receipt_id and "LT2023-000001" in lines[1].memo
        assert payment is not None and payment.status == "voided"
        assert enrollment is not None and enrollment.status == "registered"
        assert verify_ledger(s).ok
    # The resident pays again and gets the next number; the voided one stays used.
    again = pay(db, clock, desk, enrollment_id)
    assert again.receipt_no == "LT2023-000002"


def test_void_reopens_the_notice(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with db.write() as s:
        notice = issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
    paid = pay(db, clock, desk, enrollment_id)
    void(db, clock, desk, paid.receipt_id)
    with db.read() as s:
        row = s.get(PaymentNotice, notice.notice_id)
        assert row is not None and row.status == "issued"


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"supervisor_id": "clerk"}, PermissionDenied, "supervisor_required"),
        ({"reason": "   "}, InputError, "reason_required"),
        ({"operator_id": 9999}, NotFound, "unknown_operator"),
        ({"supervisor_id": 9999}, NotFound, "unknown_operator"),
        ({"receipt_id": 9999}, NotFound, "receipt_not_found"),
    ],
)
def test_void_refusals_write_nothing(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    kw: dict[str, object],
    error: type[ServiceError],
    code: str,
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    kw = dict(kw)
    if kw.get("supervisor_id") == "clerk":
        kw = {"supervisor_id": desk.clerk_id}
    with db.read() as s:
        before = row_counts(s)
    target = kw.pop("receipt_id", paid.receipt_id) if "receipt_id" in kw else paid.receipt_id
    with pytest.raises(error) as err:
        void(db, clock, desk, target, **kw)  # type: ignore[arg-type]
    assert err.value.code == code
    with db.read() as s:
        assert row_counts(s) == before
        payment = s.get(Payment, paid.payment_id)
        assert payment is not None and payment.status == "completed"


def test_void_by_a_clerk_says_a_supervisor_is_needed(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    with pytest.raises(PermissionDenied) as err:
        void(db, clock, desk, paid.receipt_id, supervisor_id=desk.clerk_id)
    assert err.value.message == "需要主管（supervisor）授权"


def test_void_only_on_the_same_day(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    clock.advance(days=1)
    with db.read() as s:
        before = row_counts(s)
    with pytest.raises(ConflictError) as err:
        void(db, clock, desk, paid.receipt_id)
    assert err.value.code == "void_not_same_day" and "退费" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before


def test_void_twice_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    void(db, clock, desk, paid.receipt_id)
    with pytest.raises(ConflictError) as err:
        void(db, clock, desk, paid.receipt_id)
    assert err.value.code == "already_voided"


def test_void_inside_a_closed_day_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    with db.write() as s:
        close_day_row(s, desk, clock.now().date())
        before = row_counts(s)
    with pytest.raises(ConflictError) as err:
        void(db, clock, desk, paid.receipt_id)
    assert err.value.code == "day_closed"
    with db.read() as s:
        assert row_counts(s) == before


# --- refund ----------------------------------------------------------------------------


def confirm_clock(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        confirm_date(s, clock, desk, "假期后开门，日期无误")


def test_refund_before_benefits_start(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    clock.set(dt.datetime(2023, 12, 20, 10, 0))
    confirm_clock(db, clock, desk)  # six quiet weeks: a supervisor confirms the date
    result = refund(db, clock, desk, paid.payment_id, category="withdraw", reason="本人申请退保")
    assert (result.amount_fen, result.channel, result.ledger_seq) == (38_000, "cash", 2)
    assert result.method == "cash" and result.cash_out_fen == 38_000
    with db.read() as s:
        row = s.scalars(select(Refund)).one()
        lines = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        payment = s.get(Payment, paid.payment_id)
        enrollment = s.get(Enrollment, enrollment_id)
        receipt = s.get(Receipt, paid.receipt_id)
        assert (row.reason, row.approver_id, row.operator_id, row.category) == (
            "本人申请退保",
            desk.supervisor_id,
            desk.clerk_id,
            "withdraw",
        )
        assert row.business_date == dt.date(2023, 12, 20)
        assert [(x.kind, x.amount_fen, x.cash_fen) for x in lines] == [
            ("payment", 38_000, 38_000),
            ("refund", -38_000, -38_000),
        ]
        assert lines[1].refund_id == row.id
        assert payment is not None and payment.status == "refunded"
        assert enrollment is not None and enrollment.status == "refunded"
        assert receipt is not None and receipt.amount_fen == 38_000  # untouched
        assert s.scalars(select(ReceiptVoid)).first() is None
        assert verify_ledger(s).ok


def test_non_cash_refund_does_not_touch_cash(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id, channel="bank")
    result = refund(db, clock, desk, paid.payment_id, reference="BANK-RET-1")
    # POLICY §6 revised: the money is not in this drawer, so it is an application
    assert result.method == "application" and result.cash_out_fen == 0
    assert "银行" in result.why_application
    with db.read() as s:
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "refund")).one()
        assert (line.channel, line.amount_fen, line.cash_fen, line.reference) == (
            "bank",
            0,
            0,
            "BANK-RET-1",
        )
        row = s.scalars(select(Refund)).one()
        assert (row.method, row.amount_fen, row.channel) == ("application", 38_000, "bank")


def test_no_refund_after_benefits_start(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    clock.set(dt.datetime(2024, 1, 1, 9, 0))
    with db.read() as s:
        before = row_counts(s)
    with pytest.raises(ConflictError) as err:
        refund(db, clock, desk, paid.payment_id)
    assert err.value.code == "benefits_started" and "2024-01-01" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
    confirm_clock(db, clock, desk)
    # …unless the whole year is covered elsewhere (POLICY.md §6).
    result = refund(
        db, clock, desk, paid.payment_id, category="duplicate_other_province", reason="外省参保"
    )
    assert result.category == "duplicate_other_province"
    # from 01-01 of the policy year the tax department pays refunds back
    assert result.method == "application" and "年度已开始" in result.why_application


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"approver_id": "clerk"}, PermissionDenied, "supervisor_required"),
        ({"reason": ""}, InputError, "reason_required"),
        ({"category": "whim"}, InputError, "bad_refund_category"),
        ({"channel": "gold"}, InputError, "bad_channel"),
        ({"operator_id": 9999}, NotFound, "unknown_operator"),
        ({"payment_id": 9999}, NotFound, "payment_not_found"),
    ],
)
def test_refund_refusals_write_nothing(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    kw: dict[str, object],
    error: type[ServiceError],
    code: str,
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    if kw.get("approver_id") == "clerk":
        kw = {"approver_id": desk.clerk_id}
    kw = {"payment_id": paid.payment_id} | kw
    with db.read() as s:
        before = row_counts(s)
    with pytest.raises(error) as err:
        refund(db, clock, desk, **kw)  # type: ignore[arg-type]
    assert err.value.code == code
    with db.read() as s:
        assert row_counts(s) == before


def test_refund_twice_or_of_a_voided_payment_is_refused(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        first, second = make_enrollment(s, desk), make_enrollment(s, desk)
    a = pay(db, clock, desk, first)
    refund(db, clock, desk, a.payment_id)
    with pytest.raises(ConflictError) as err:
        refund(db, clock, desk, a.payment_id)
    assert err.value.code == "already_refunded"
    b = pay(db, clock, desk, second)
    void(db, clock, desk, b.receipt_id)
    with pytest.raises(ConflictError) as err:
        refund(db, clock, desk, b.payment_id)
    assert err.value.code == "payment_voided"
    # …and a refunded payment's receipt cannot be voided afterwards.
    with pytest.raises(ConflictError) as err:
        void(db, clock, desk, a.receipt_id)
    assert err.value.code == "already_refunded"


def test_refund_inside_a_closed_day_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    paid = pay(db, clock, desk, enrollment_id)
    with db.write() as s:
        close_day_row(s, desk, clock.now().date())
    with pytest.raises(ConflictError) as err:
        refund(db, clock, desk, paid.payment_id)
    assert err.value.code == "day_closed"
    # Corrections go into the next open day.
    clock.advance(days=1)
    assert refund(db, clock, desk, paid.payment_id).business_date == dt.date(2023, 11, 7)
