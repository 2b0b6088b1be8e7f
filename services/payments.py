"""Taking a payment at the counter (缴费).

One call, one transaction: the enrolment is claimed (``registered`` → ``paid``),
the payment row is written, a cash payment gets its receipt number from the
office's gapless series, and a ledger line is appended — all or nothing
(issue item 8). Every check that can refuse runs before the first write, and
the writes run in a savepoint, so a refusal leaves the caller's session as it
was even if the caller goes on to commit.

The amount must equal what is due exactly; the benefit dates are fixed by
re-quoting the enrolment with the real payment date (POLICY.md §4).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.glossary import PAYMENT_CHANNELS
from common.money import format_fen, parse_amount
from db.models import Enrollment, LedgerEntry, Office, Payment, PaymentNotice, Receipt, Resident
from services.business_day import ensure_day_open
from services.clock import Clock
from services.concurrency import lock_office
from services.ledger import append_entry
from services.numbering import take_next_number
from services.office import require_operator
from services.overdue_cash import mark_overdue_cash_payment, overdue_memo
from services.policy import PolicyBook
from services.quote import PersonFacts, Quote, quote
from services.references import clean_reference

NAME_MAX = 64


@dataclasses.dataclass(frozen=True)
class PaymentResult:
    payment_id: int
    enrollment_id: int
    resident_id: int
    office_id: int
    amount_fen: int
    channel: str
    reference: str
    business_date: dt.date
    paid_at: dt.datetime
    receipt_id: int | None  # cash only
    receipt_no: str | None  # cash only
    notice_id: int | None
    ledger_seq: int
    benefit_tier: str
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    waiting_months: int
    covered: bool  # False: the payment buys no cover this year (POLICY.md §4)
    # a cash payment taken while the deposit state was overdue (POLICY.md §7.3
    # revised): the payer is never refused, the payment is marked instead
    overdue_mark_id: int | None
    overdue_note: str  # the mark's words, for the receipt stub ("" when not overdue)


def receipt_series(prefix: str, year: int) -> str:
    """The receipt series of an office prefix and calendar year: ``LT2023``."""
    return f"{prefix}{year}"


def format_receipt_no(series: str, number: int) -> str:
    return f"{series}-{number:06d}"


def clean_channel(channel: str) -> str:
    if channel not in PAYMENT_CHANNELS:
        allowed = "、".join(PAYMENT_CHANNELS.values())
        raise InputError(f"缴费方式只能是{allowed}。", code="bad_channel")
    return channel


def clean_person_name(value: str | None, label: str) -> str:
    text = (value or "").strip()
    if len(text) > NAME_MAX:
        raise InputError(f"{label}过长（最多 {NAME_MAX} 个字）。", code="name_too_long")
    return text


def load_enrollment(session: Session, enrollment_id: int) -> Enrollment:
    row = session.get(Enrollment, enrollment_id)
    if row is None:
        raise NotFound(f"没有编号为 {enrollment_id} 的参保登记。", code="enrollment_not_found")
    if row.office_id is None:
        raise ConflictError(
            "该参保登记不属于任何经办单位，不能收费。", code="enrollment_without_office"
        )
    return row


def _paid_message(session: Session, enrollment: Enrollment) -> str:
    row = session.execute(
        select(Payment, Receipt.receipt_no)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .where(Payment.enrollment_id == enrollment.id, Payment.status == "completed")
        .order_by(Payment.id.desc())
    ).first()
    if row is None:  # another window's payment is not committed yet
        return "该参保登记正在另一窗口缴费，不能重复缴费。"
    payment, receipt_no = row
    proof = (
        f"收据号 {receipt_no}"
        if receipt_no
        else f"{PAYMENT_CHANNELS[payment.channel]}，参考号 {payment.reference}"
    )
    return (
        f"该参保登记已于 {payment.paid_at:%Y-%m-%d %H:%M} 缴费 {format_fen(payment.amount_fen)} 元"
        f"（{proof}），不能重复缴费。"
    )


def _check_payable(session: Session, enrollment: Enrollment) -> None:
    if enrollment.status == "paid":
        raise ConflictError(_paid_message(session, enrollment), code="already_paid")
    if enrollment.status == "refunded":
        raise ConflictError("该参保登记已退费，不能再缴费。", code="enrollment_refunded")
    if enrollment.status != "registered":  # pragma: no cover - the schema allows no other
        raise ConflictError(f"参保登记状态异常（{enrollment.status}）。", code="bad_status")


def person_facts(enrollment: Enrollment, resident: Resident) -> PersonFacts:
    """The facts the enrolment was quoted with, to quote it again."""
    return PersonFacts(
        birth_date=resident.birth_date,
        continuous_years=enrollment.continuous_years,
        gap_months=enrollment.gap_months,
        gap_years=enrollment.gap_years,
        repaired_years=enrollment.repaired_years,
        via_school=enrollment.via_school,
        job_change=enrollment.job_change,
        hardship_certified=enrollment.hardship_certified,
        freshman=enrollment.freshman,
    )


def requote(
    policies: PolicyBook, enrollment: Enrollment, resident: Resident, paid_on: dt.date
) -> Quote:
    """The enrolment quoted as of ``paid_on``; refuses when the amount due changed
    since registration (the enrolment must then be re-assessed first)."""
    policy = policies.get(enrollment.policy_key)
    q = quote(
        policy, enrollment.category, enrollment.tier, paid_on, person_facts(enrollment, resident)
    )
    if q.personal_due_fen != enrollment.personal_due_fen:
        raise ConflictError(
            f"按今天（{paid_on}）的政策应缴 {format_fen(q.personal_due_fen)} 元，"
            f"与登记时核定的 {format_fen(enrollment.personal_due_fen)} 元不同，"
            "请先重新核定应缴金额再收费。",
            code="due_changed",
        )
    return q


def check_payable_now(
    session: Session, clock: Clock, policies: PolicyBook, *, enrollment_id: int
) -> None:
    """Every refusal of :func:`take_payment` that can be known before the clerk
    types anything: already paid, refunded, nothing due, the
    day closed (or a clock that needs confirming), the amount due changed.
    Raises the same error ``take_payment`` would; writes nothing."""
    today = clock.now().date()
    enrollment = load_enrollment(session, enrollment_id)
    assert enrollment.office_id is not None
    _check_payable(session, enrollment)
    if enrollment.personal_due_fen == 0:
        raise ConflictError("该参保人个人应缴金额为 0.00 元，无需缴费。", code="nothing_due")
    ensure_day_open(session, enrollment.office_id, today)
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    requote(policies, enrollment, resident, today)


def take_payment(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    enrollment_id: int,
    amount: str | int | Decimal,
    channel: str,
    reference: str = "",
    payer_name: str = "",
    agent_name: str = "",
    operator_id: int,
) -> PaymentResult:
    """Take the payment for an enrolment; see the module docstring.

    ``amount`` is what the clerk typed, in yuan (``"380"``, ``"380.00"``).
    A cash payment is taken also while the deposit rule is overdue (POLICY.md
    §7.3 revised: never refuse a cash payer); it is then marked as such.
    """
    now = clock.now()
    today = now.date()
    enrollment = load_enrollment(session, enrollment_id)
    office_id = enrollment.office_id
    assert office_id is not None
    lock_office(session, office_id)  # no check-then-write
    require_operator(session, operator_id, office_id=office_id)
    channel = clean_channel(channel)
    ref = clean_reference(channel, reference)
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    payer = clean_person_name(payer_name, "缴款人姓名") or resident.name
    agent = clean_person_name(agent_name, "代办人姓名")
    amount_fen = parse_amount(amount)
    _check_payable(session, enrollment)
    _check_amount(enrollment, amount_fen)
    ensure_day_open(session, office_id, today, operator_id=operator_id)
    q = requote(policies, enrollment, resident, today)
    office = session.get(Office, office_id)
    assert office is not None
    notice_id = _issued_notice_id(session, enrollment.id)

    try:
        with session.begin_nested():
            return _write_payment(
                session, clock, enrollment=enrollment, resident=resident, office=office, q=q,
                notice_id=notice_id, amount_fen=amount_fen, channel=channel, reference=ref,
                payer=payer, agent=agent, operator_id=operator_id,
            )  # fmt: skip
    except BaseException:
        # The savepoint is gone; drop whatever the session remembers of it.
        session.expire_all()
        raise


def _check_amount(enrollment: Enrollment, amount_fen: int) -> None:
    """Something is due, and the clerk took exactly that."""
    due = enrollment.personal_due_fen
    if due == 0:
        raise ConflictError("该参保人个人应缴金额为 0.00 元，无需缴费。", code="nothing_due")
    if amount_fen != due:
        raise InputError(
            f"应缴 {format_fen(due)} 元，实收 {format_fen(amount_fen)} 元，金额不符。",
            code="amount_mismatch",
        )


def _issued_notice_id(session: Session, enrollment_id: int) -> int | None:
    """The newest 缴费通知单 still open for the enrolment, which this payment settles."""
    return session.scalar(
        select(PaymentNotice.id)
        .where(PaymentNotice.enrollment_id == enrollment_id, PaymentNotice.status == "issued")
        .order_by(PaymentNotice.id.desc())
        .limit(1)
    )


def _write_payment(
    session: Session,
    clock: Clock,
    *,
    enrollment: Enrollment,
    resident: Resident,
    office: Office,
    q: Quote,
    notice_id: int | None,
    amount_fen: int,
    channel: str,
    reference: str,
    payer: str,
    agent: str,
    operator_id: int,
) -> PaymentResult:
    """The writes of :func:`take_payment`, after every check has passed."""
    now = clock.now()
    today = now.date()
    office_id = office.id
    _claim_enrollment(session, enrollment, q)
    payment = Payment(
        office_id=office_id,
        enrollment_id=enrollment.id,
        notice_id=notice_id,
        amount_fen=amount_fen,
        channel=channel,
        reference=reference,
        payer_name=payer,
        agent_name=agent,
        business_date=today,
        paid_at=now,
        operator_id=operator_id,
        status="completed",
    )
    session.add(payment)
    session.flush()
    receipt: Receipt | None = None
    overdue_mark = None
    if channel == "cash":
        overdue_mark = mark_overdue_cash_payment(
            session, clock, office_id, operator_id=operator_id, payment_id=payment.id
        )
        receipt = _issue_receipt(session, office, payment, now)
    memo = overdue_memo(overdue_mark) if overdue_mark is not None else ""
    entry = _payment_line(session, payment, receipt, enrollment, resident, memo)
    if notice_id is not None:
        session.execute(
            update(PaymentNotice)
            .where(
                PaymentNotice.enrollment_id == enrollment.id,
                PaymentNotice.status == "issued",
            )
            .values(status="paid")
        )
    mark_id = overdue_mark.id if overdue_mark is not None else None
    return _result_of(payment, receipt, entry.seq, resident.id, q, mark_id, memo)


def _result_of(
    payment: Payment,
    receipt: Receipt | None,
    ledger_seq: int,
    resident_id: int,
    q: Quote,
    overdue_mark_id: int | None,
    overdue_note: str,
) -> PaymentResult:
    return PaymentResult(
        payment_id=payment.id,
        enrollment_id=payment.enrollment_id,
        resident_id=resident_id,
        office_id=payment.office_id,
        amount_fen=payment.amount_fen,
        channel=payment.channel,
        reference=payment.reference,
        business_date=payment.business_date,
        paid_at=payment.paid_at,
        receipt_id=receipt.id if receipt is not None else None,
        receipt_no=receipt.receipt_no if receipt is not None else None,
        notice_id=payment.notice_id,
        ledger_seq=ledger_seq,
        benefit_tier=q.benefit_tier,
        benefit_start=q.benefit_start,
        benefit_end=q.benefit_end,
        waiting_months=q.waiting_months,
        covered=q.covered,
        overdue_mark_id=overdue_mark_id,
        overdue_note=overdue_note,
    )


def _claim_enrollment(session: Session, enrollment: Enrollment, q: Quote) -> None:
    """Claim the enrolment first: the conditional UPDATE is what makes two
    windows paying the same enrolment at once safe (one gets rowcount 0)."""
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == "registered")
        .values(
            status="paid",
            benefit_tier=q.benefit_tier,
            benefit_start=q.benefit_start,
            benefit_end=q.benefit_end,
            waiting_months=q.waiting_months,
        )
    )
    if claimed.rowcount != 1:
        raise ConflictError(_paid_message(session, enrollment), code="already_paid")


def _issue_receipt(session: Session, office: Office, payment: Payment, now: dt.datetime) -> Receipt:
    """The cash payment's receipt, with the next number of the office's series."""
    series = receipt_series(office.receipt_prefix, now.date().year)
    number = take_next_number(session, office.id, series)
    receipt = Receipt(
        office_id=office.id,
        series=series,
        number=number,
        receipt_no=format_receipt_no(series, number),
        payment_id=payment.id,
        amount_fen=payment.amount_fen,
        payer_name=payment.payer_name,
        agent_name=payment.agent_name,
        issued_at=now,
        operator_id=payment.operator_id,
    )
    session.add(receipt)
    session.flush()
    return receipt


def _payment_line(
    session: Session,
    payment: Payment,
    receipt: Receipt | None,
    enrollment: Enrollment,
    resident: Resident,
    memo: str,
) -> LedgerEntry:
    """The payment's line in the office's ledger."""
    return append_entry(
        session,
        office_id=payment.office_id,
        kind="payment",
        business_date=payment.business_date,
        recorded_at=payment.paid_at,
        operator_id=payment.operator_id,
        channel=payment.channel,
        amount_fen=payment.amount_fen,
        cash_fen=payment.amount_fen if payment.channel == "cash" else 0,
        payment_id=payment.id,
        receipt_id=receipt.id if receipt is not None else None,
        resident_id=resident.id,
        village_id=resident.village_id,
        tier=enrollment.tier,
        reference=payment.reference,
        memo=memo,
    )


@dataclasses.dataclass(frozen=True)
class PaymentRecord:
    """A payment as the collect page lists it under its enrolment."""

    payment_id: int
    enrollment_id: int
    receipt_id: int | None  # cash only
    receipt_no: str | None
    amount_fen: int
    channel: str
    reference: str
    paid_at: dt.datetime
    status: str  # completed | voided | refunded


def payments_of(session: Session, enrollment_id: int) -> list[PaymentRecord]:
    """Every payment ever taken for an enrolment, oldest first: a voided one
    stays listed beside the payment that replaced it."""
    rows = session.execute(
        select(Payment, Receipt.id, Receipt.receipt_no)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .where(Payment.enrollment_id == enrollment_id)
        .order_by(Payment.id)
    ).all()
    return [
        PaymentRecord(
            payment_id=p.id,
            enrollment_id=p.enrollment_id,
            receipt_id=receipt_id,
            receipt_no=receipt_no,
            amount_fen=p.amount_fen,
            channel=p.channel,
            reference=p.reference,
            paid_at=p.paid_at,
            status=p.status,
        )
        for p, receipt_id, receipt_no in rows
    ]
