"""Checks of the stored records against their ledger: receipt series, closed days,
operators and enrolments."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    DayClose,
    Enrollment,
    NumberSeries,
    Payment,
    Receipt,
    Refund,
)
from services.operator_history import operator_problems
from services.verification_model import (
    CheckResult,
    Finding,
    VerifyRequest,
    check_result,
    where_office,
    where_since,
)


def check_receipts(session: Session, req: VerifyRequest) -> CheckResult:
    stmt = where_office(
        select(Receipt.office_id, Receipt.series, Receipt.number, Receipt.receipt_no),
        Receipt,
        req.office_id,
    )
    numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
    count = 0
    for office_id, series, number, _no in session.execute(stmt):
        numbers[(office_id, series)].append(number)
        count += 1
    nexts = {(s.office_id, s.series): s.next_number for s in session.scalars(select(NumberSeries))}
    findings: list[Finding] = []
    for (office_id, series), nums in sorted(numbers.items()):
        nums.sort()
        missing = sorted(set(range(1, nums[-1] + 1)) - set(nums))
        if missing:
            shown = "、".join(str(n) for n in missing[:5])
            findings.append(
                Finding(
                    "receipts",
                    f"单位 {office_id} 收据号段 {series} 缺号：{shown}",
                    office_id,
                    None,
                    "receipt_gap",
                )
            )
        nxt = nexts.get((office_id, series))
        if nxt is not None and nxt != nums[-1] + 1:
            findings.append(
                Finding(
                    "receipts",
                    f"单位 {office_id} 收据号段 {series} 的下一号为 {nxt}，而已开到 {nums[-1]}",
                    office_id,
                    None,
                    "series_mismatch",
                )
            )
    return check_result("receipts", "收据连号", count, findings)


def check_closed_days(session: Session, req: VerifyRequest) -> CheckResult:
    from services.day_totals import day_totals

    findings: list[Finding] = []
    closes = list(
        session.scalars(
            where_since(
                where_office(select(DayClose), DayClose, req.office_id),
                DayClose.business_date,
                req,
            )
        )
    )
    for c in closes:
        t = day_totals(session, c.office_id, c.business_date)
        ours = (c.cash_received_fen, c.cash_refunded_fen, c.deposited_fen)
        theirs = (t.cash_received_fen, t.cash_out_fen, t.deposited_fen)
        if t.cash_adjusted_fen != c.difference_fen:
            # the over/short found at this close is booked as the day's adjustment
            findings.append(
                Finding(
                    "closed_days",
                    f"单位 {c.office_id} {c.business_date} 日结的长短款 {c.difference_fen} 分"
                    f"与台账中该日的长短款行合计 {t.cash_adjusted_fen} 分不符",
                    c.office_id,
                    None,
                    "close_difference",
                )
            )
        if ours != theirs:
            findings.append(
                Finding(
                    "closed_days",
                    f"单位 {c.office_id} {c.business_date} 的日结数字（收 {ours[0]}、退 {ours[1]}、入库 {ours[2]} 分）"
                    f"与台账合计（{theirs[0]}、{theirs[1]}、{theirs[2]} 分）不符",
                    c.office_id,
                    None,
                    "close_totals",
                )
            )
    return check_result("closed_days", "已日结各日合计", len(closes), findings)


def check_operators(session: Session, req: VerifyRequest) -> CheckResult:
    problems = operator_problems(session)
    findings = [Finding("operators", why, None, None, "operator_state") for _oid, why in problems]
    return check_result("operators", "经办人与其变更记录", 0, findings)


def check_enrollments(session: Session, req: VerifyRequest) -> CheckResult:
    stmt = where_office(select(Payment.enrollment_id, Payment.status), Payment, req.office_id)
    if req.trusted is not None:
        # the enrolments paid, voided or refunded in the incremental check's days
        since = req.trusted.since
        recent = (
            select(Payment.enrollment_id)
            .where(Payment.business_date >= since)
            .union(
                select(Payment.enrollment_id)
                .join(Refund, Refund.payment_id == Payment.id)
                .where(Refund.business_date >= since)
            )
        )
        stmt = stmt.where(Payment.enrollment_id.in_(recent))
    by_enrollment: dict[int, list[str]] = defaultdict(list)
    for enrollment_id, status in session.execute(stmt):
        by_enrollment[enrollment_id].append(status)
    findings: list[Finding] = []
    paid_ids: Any = select(Payment.enrollment_id)
    if req.trusted is not None:
        paid_ids = recent
    rows = session.execute(
        select(Enrollment.id, Enrollment.office_id, Enrollment.status).where(
            Enrollment.id.in_(paid_ids)
        )
    )
    for e_id, e_office, e_status in rows:
        statuses = by_enrollment.get(e_id)
        if statuses is None:
            continue
        if "completed" in statuses:
            want = "paid"
        elif "refunded" in statuses:
            want = "refunded"
        else:
            want = "registered"
        if e_status != want:
            findings.append(
                Finding(
                    "enrollments",
                    f"参保登记 {e_id} 的状态为 {e_status}，按缴费记录应为 {want}",
                    e_office,
                    None,
                    "enrollment_status",
                )
            )
    return check_result("enrollments", "参保状态与缴费相符", len(by_enrollment), findings)
