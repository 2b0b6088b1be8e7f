"""Taking payments (issue items 3, 4 and the refusals of "Done when")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from factories import (
    PASSWORD,
    Desk,
    close_day_row,
    make_desk,
    make_enrollment,
    policies,
    row_counts,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError

from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.engine import Database
from db.immutability import APPEND_ONLY_MESSAGE
from db.models import Enrollment, LedgerEntry, OverdueCashPayment, Override, Payment, Receipt
from services.clock import FixedClock
from services.ledger import verify_ledger
from services.notices import issue_notice
from services.payments import PaymentResult, take_payment


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


@pytest.fixture
def enrollment_id(db: Database, desk: Desk) -> int:
    with db.write() as s:
        return make_enrollment(s, desk)


def pay(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    amount: str | int | Decimal = "380.00",
    channel: str = "cash",
    **kw: object,
) -> PaymentResult:
    args: dict[str, object] = {
        "enrollment_id": enrollment_id,
        "amount": amount,
        "channel": channel,
        "reference": "" if channel == "cash" else "POS-0001",
        "operator_id": desk.clerk_id,
    }
    args.update(kw)
    with db.write() as s:
        return take_payment(s, clock, policies(), **args)  # type: ignore[arg-type]


def _status(db: Database, enrollment_id: int) -> str:
    with db.read() as s:
        row = s.get(Enrollment, enrollment_id)
        assert row is not None
        return row.status


def test_cash_payment_writes_payment_receipt_and_ledger_line(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    result = pay(db, clock, desk, enrollment_id, payer_name="", agent_name="李红")
    assert result.receipt_no == "LT2023-000001"
    assert result.amount_fen == 38_000 and result.ledger_seq == 1
    assert (result.benefit_start, result.benefit_end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    with db.read() as s:
        payment = s.get(Payment, result.payment_id)
        receipt = s.get(Receipt, result.receipt_id)
        line = s.scalars(select(LedgerEntry)).one()
        enrollment = s.get(Enrollment, enrollment_id)
        assert payment is not None and receipt is not None and enrollment is not None
        assert (payment.status, payment.business_date, payment.paid_at) == (
            "completed",
            clock.now().date(),
            clock.now(),
        )
        assert payment.operator_id == desk.clerk_id
        assert receipt.payment_id == payment.id and receipt.amount_fen == 38_000
        assert receipt.payer_name == "李明" and receipt.agent_name == "李红"
        assert (line.kind, line.amount_fen, line.cash_fen) == ("payment", 38_000, 38_000)
        assert (line.payment_id, line.receipt_id) == (payment.id, receipt.id)
        assert line.village_id == desk.village_ids[0] and line.tier == "low"
        assert enrollment.status == "paid"
        assert verify_ledger(s).ok


def test_receipt_numbers_follow_each_other(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        ids = [make_enrollment(s, desk) for _ in range(3)]
    numbers = [pay(db, clock, desk, i).receipt_no for i in ids]
    assert numbers == ["LT2023-000001", "LT2023-000002", "LT2023-000003"]


def test_non_cash_payment_has_reference_and_no_receipt(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    result = pay(db, clock, desk, enrollment_id, channel="qr", reference=" WX20231106001 ")
    assert result.receipt_id is None and result.receipt_no is None
    with db.read() as s:
        line = s.scalars(select(LedgerEntry)).one()
        assert (line.channel, line.amount_fen, line.cash_fen, line.reference) == (
            "qr",
            38_000,
            0,
            "WX20231106001",
        )
        assert s.scalars(select(Receipt)).first() is None


@pytest.mark.parametrize(
    ("amount", "code", "words"),
    [
        ("-380", "invalid_input", "负数"),
        ("abc", "invalid_input", "金额格式不正确"),
        ("三百八十", "invalid_input", "金额格式不正确"),
        ("380.001", "invalid_input", "两位小数"),
        ("", "invalid_input", "请输入金额"),
        ("400", "amount_mismatch", "应缴 380.00 元，实收 400.00 元，金额不符"),
        ("380.01", "amount_mismatch", "实收 380.01 元"),
        ("300", "amount_mismatch", "实收 300.00 元"),
        ("0", "amount_mismatch", "实收 0.00 元"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    amount: str,
    code: str,
    words: str,
) -> None:
    with db.read() as s:
        before = row_counts(s)
    with pytest.raises(InputError) as err:
        pay(db, clock, desk, enrollment_id, amount)
    assert err.value.code == code
    assert words in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
    assert _status(db, enrollment_id) == "registered"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fen=st.integers(min_value=0, max_value=10**9).filter(lambda f: f != 38_000))
def test_any_other_amount_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int, fen: int
) -> None:
    text = f"{fen // 100}.{fen % 100:02d}"
    with pytest.raises(InputError) as err:
        pay(db, clock, desk, enrollment_id, text)
    assert err.value.code == "amount_mismatch" and f"实收 {text} 元" in err.value.message
    assert _status(db, enrollment_id) == "registered"


@pytest.mark.parametrize("amount", ["380", "380.00", "¥380", "３８０．００", Decimal("380.0"), 380])
def test_the_exact_amount_in_any_written_form_is_taken(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int, amount: object
) -> None:
    assert pay(db, clock, desk, enrollment_id, amount).amount_fen == 38_000  # type: ignore[arg-type]


def test_float_amount_is_a_programming_error(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with pytest.raises(TypeError):
        pay(db, clock, desk, enrollment_id, 380.0)  # type: ignore[arg-type]


def test_second_payment_is_refused_naming_the_first(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    pay(db, clock, desk, enrollment_id)
    with db.read() as s:
        before = row_counts(s)
    clock.advance(minutes=5)
    with pytest.raises(ConflictError) as err:
        pay(db, clock, desk, enrollment_id, channel="pos")
    assert err.value.code == "already_paid"
    assert "LT2023-000001" in err.value.message and "2023-11-06 09:30" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before


def test_non_cash_without_reference_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with db.read() as s:
        before = row_counts(s)
    with pytest.raises(InputError) as err:
        pay(db, clock, desk, enrollment_id, channel="pos", reference="  ")
    assert err.value.code == "reference_required" and "POS刷卡" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"operator_id": 9999}, NotFound, "unknown_operator"),
        ({"channel": "bitcoin"}, InputError, "bad_channel"),
        ({"enrollment_id": 9999}, NotFound, "enrollment_not_found"),
        ({"payer_name": "张" * 65}, InputError, "name_too_long"),
    ],
)
def test_bad_requests_are_refused(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    kw: dict[str, object],
    error: type[ServiceError],
    code: str,
) -> None:
    with db.read() as s:
        before = row_counts(s)
    kw = dict(kw)
    target = int(kw.pop("enrollment_id", enrollment_id))  # type: ignore[call-overload]
    with pytest.raises(error) as err:
        pay(db, clock, desk, target, **kw)
    assert err.value.code == code
    with db.read() as s:
        assert row_counts(s) == before


def test_operator_of_another_office_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with db.write() as s:
        other = make_desk(s, code="XX", name="其他街道")
    with pytest.raises(PermissionDenied):
        pay(db, clock, desk, enrollment_id, operator_id=other.clerk_id)


def test_payment_dated_inside_a_closed_day_is_refused(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with db.write() as s:
        close_day_row(s, desk, clock.now().date())
        before = row_counts(s)
    with pytest.raises(ConflictError) as err:
        pay(db, clock, desk, enrollment_id)
    assert err.value.code == "day_closed" and "已日结" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
    assert _status(db, enrollment_id) == "registered"


def test_nothing_due_is_refused(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        free = make_enrollment(s, desk, category="orphan", due_fen=0, standard_fen=38_000)
    with pytest.raises(ConflictError) as err:
        pay(db, clock, desk, free, "0")
    assert err.value.code == "nothing_due"


def test_changed_due_is_refused(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        wrong = make_enrollment(s, desk, due_fen=40_000)
    with pytest.raises(ConflictError) as err:
        pay(db, clock, desk, wrong, "400")
    assert err.value.code == "due_changed" and "380.00" in err.value.message


def test_late_payment_fixes_benefit_dates_from_the_payment_date(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    clock.set(dt.datetime(2024, 3, 1, 10, 0))
    result = pay(db, clock, desk, enrollment_id)
    assert result.receipt_no == "LT2024-000001"  # a new series each calendar year
    assert (result.benefit_start, result.waiting_months) == (dt.date(2024, 9, 2), 6)
    with db.read() as s:
        row = s.get(Enrollment, enrollment_id)
        assert row is not None
        assert (row.benefit_start, row.benefit_end, row.waiting_months) == (
            dt.date(2024, 9, 2),
            dt.date(2024, 12, 31),
            6,
        )


def test_payment_marks_the_notice_paid(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    with db.write() as s:
        notice = issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
    result = pay(db, clock, desk, enrollment_id)
    assert result.notice_id == notice.notice_id
    with db.read() as s:
        from db.models import PaymentNotice

        row = s.get(PaymentNotice, notice.notice_id)
        assert row is not None and row.status == "paid"


# --- the deposit rule gate (B's rule, called here) --------------------------------------


def _make_overdue(db: Database, clock: FixedClock, desk: Desk) -> None:
    """Cash taken on 2023-10-30 and never deposited is overdue by 2023-11-06."""
    with db.write() as s:
        old = make_enrollment(s, desk, name="赵一")
    clock.set(dt.datetime(2023, 10, 30, 9, 0))
    pay(db, clock, desk, old)
    clock.set(dt.datetime(2023, 11, 6, 9, 30))


def test_cash_is_taken_while_overdue_and_marked(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    """POLICY §7.3 revised: never refuse a cash payer; mark the payment instead."""
    _make_overdue(db, clock, desk)
    result = pay(db, clock, desk, enrollment_id)
    assert result.receipt_no == "LT2023-000002"
    assert result.overdue_mark_id is not None
    assert "逾期未入库期间收取" in result.overdue_note and "2023-11-04" in result.overdue_note
    with db.read() as s:
        mark = s.get(OverdueCashPayment, result.overdue_mark_id)
        assert mark is not None
        assert (mark.payment_id, mark.operator_id, mark.deadline) == (
            result.payment_id,
            desk.clerk_id,
            dt.date(2023, 11, 4),
        )
        assert mark.overdue_fen == 38_000 and mark.cash_on_hand_fen == 38_000
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == result.ledger_seq)).one()
        assert "逾期未入库期间收取" in line.memo
        assert s.scalars(select(Override)).first() is None


def test_a_payment_while_not_overdue_is_not_marked(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    result = pay(db, clock, desk, enrollment_id)
    assert result.overdue_mark_id is None and result.overdue_note == ""
    with db.read() as s:
        assert s.scalars(select(OverdueCashPayment)).first() is None


def test_a_non_cash_payment_while_overdue_is_not_marked(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    _make_overdue(db, clock, desk)
    result = pay(db, clock, desk, enrollment_id, channel="pos")
    assert result.receipt_id is None and result.overdue_mark_id is None


def test_refusal_inside_the_writes_leaves_the_session_clean(
    db: Database,
    clock: FixedClock,
    desk: Desk,
    enrollment_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refusal after the payment row exists (here: the overdue mark, made to
    fail); a caller that catches the refusal and commits writes nothing."""
    import services.payments as payments_module

    def refuse(*args: object, **kwargs: object) -> None:
        raise ServiceError("模拟的拒绝", code="simulated")

    monkeypatch.setattr(payments_module, "mark_overdue_cash_payment", refuse)
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s:
        with pytest.raises(ServiceError):
            take_payment(
                s,
                clock,
                policies(),
                enrollment_id=enrollment_id,
                amount="380",
                channel="cash",
                operator_id=desk.clerk_id,
            )
        enrollment = s.get(Enrollment, enrollment_id)
        assert enrollment is not None and enrollment.status == "registered"
    with db.read() as s:
        assert row_counts(s) == before
    assert _status(db, enrollment_id) == "registered"


# --- the database keeps receipts as written ---------------------------------------------


@pytest.mark.parametrize(
    "sql", ["UPDATE receipt SET amount_fen = 1", "DELETE FROM receipt", "DELETE FROM ledger_entry"]
)
def test_database_refuses_changing_receipts(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int, sql: str
) -> None:
    pay(db, clock, desk, enrollment_id)
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE), db.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    with db.read() as s:
        assert s.scalar(select(Receipt.amount_fen)) == 38_000


# --- several windows at once (PostgreSQL) ------------------------------------------------


@pytest.mark.postgres
def test_concurrent_windows_on_postgres(pg_db: Database) -> None:
    """Four windows pay at once: one payment per enrolment, receipt numbers
    gapless, one ledger chain — the row locks do on PostgreSQL what BEGIN
    IMMEDIATE does on SQLite."""
    import threading

    with pg_db.write() as s:
        desk = make_desk(s)
        shared = make_enrollment(s, desk, name="共同")
        own = [[make_enrollment(s, desk) for _ in range(5)] for _ in range(4)]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(4)

    def window(ids: list[int]) -> None:
        clock = FixedClock(dt.datetime(2023, 11, 6, 10, 0))
        try:
            gate.wait()
            for enrollment_id in [shared, *ids]:
                try:
                    with pg_db.write() as s:
                        take_payment(
                            s,
                            clock,
                            policies(),
                            enrollment_id=enrollment_id,
                            amount="380",
                            channel="cash",
                            operator_id=desk.clerk_id,
                        )
                    outcomes.append("paid")
                except ConflictError as refusal:
                    outcomes.append(refusal.code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=window, args=(ids,)) for ids in own]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes).count("paid") == 21
    assert sorted(outcomes).count("already_paid") == 3
    with pg_db.read() as s:
        numbers = sorted(s.scalars(select(Receipt.number)).all())
        assert numbers == list(range(1, 22))
        assert len(s.scalars(select(Payment.id).where(Payment.enrollment_id == shared)).all()) == 1
        result = verify_ledger(s)
        assert result.ok and result.rows_checked == 21


def test_payments_of_lists_a_voided_payment_beside_its_replacement(
    db: Database, clock: FixedClock, desk: Desk, enrollment_id: int
) -> None:
    from services.corrections import void_receipt
    from services.payments import payments_of

    first = pay(db, clock, desk, enrollment_id)
    with db.write() as s:
        void_receipt(
            s,
            clock,
            receipt_id=first.receipt_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="档次选错",
            operator_id=desk.clerk_id,
        )
    clock.advance(minutes=3)
    second = pay(db, clock, desk, enrollment_id, channel="qr", reference="WX-42")
    with db.read() as s:
        listed = payments_of(s, enrollment_id)
    assert [(p.payment_id, p.status, p.channel) for p in listed] == [
        (first.payment_id, "voided", "cash"),
        (second.payment_id, "completed", "qr"),
    ]
    assert listed[0].receipt_no == first.receipt_no and listed[1].receipt_no is None
    assert listed[1].reference == "WX-42"


def _status_backed_by_its_act(database: Database) -> None:
    """The database refuses a payment status without its refund (or void) row
    (migration 0011); the refund service, which writes the row first, passes."""
    from sqlalchemy import text

    from services.refunds import refund_payment

    clock = FixedClock(dt.datetime(2023, 11, 6, 10, 0))
    with database.write() as s:
        desk = make_desk(s)
        enrollment_id = make_enrollment(s, desk)
        paid = take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="380",
            channel="cash",
            operator_id=desk.clerk_id,
        )
    for status in ("refunded", "voided"):
        with pytest.raises(DatabaseError, match="void or refund row"), database.write() as s:
            s.execute(
                text("UPDATE payment SET status = :s WHERE id = :id"),
                {"s": status, "id": paid.payment_id},
            )
    with database.write() as s:
        refund_payment(
            s,
            clock,
            payment_id=paid.payment_id,
            reason="全年参加职工医保",
            approver_id=desk.supervisor_id,
            approver_password=PASSWORD,
            operator_id=desk.clerk_id,
            category="employee_insurance",
        )
    with database.read() as s:
        assert s.get(Payment, paid.payment_id).status == "refunded"  # type: ignore[union-attr]


def test_a_payment_status_needs_its_act_in_the_database(db: Database) -> None:
    _status_backed_by_its_act(db)


@pytest.mark.postgres
def test_a_payment_status_needs_its_act_on_postgres(pg_db: Database) -> None:
    _status_backed_by_its_act(pg_db)
