"""Payment notices (缴费通知单): the slip the office prints and the resident pays with.

Notices are numbered per office and calendar year of issue without gaps
(series ``N2024`` → ``{prefix}-TZ2024-000001``), the number being taken in the
transaction that writes the notice. A notice goes ``issued`` → ``paid`` (when
the payment is taken, :mod:`services.payments`) or ``cancelled``; a void of its
payment makes it ``issued`` again. Its deadline is the end of the collection
period, or of the late-payment window when issued after the collection period,
but never later than the day before the policy would price the enrolment
differently (Chongqing: a notice printed before 07-01 is due by 06-30); a
notice whose amount cannot be known today is refused, naming the missing figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from db.models import Enrollment, Office, PaymentNotice, Resident, Village
from services.clock import Clock
from services.concurrency import lock_office
from services.numbering import take_next_number
from services.office import require_operator
from services.payments import load_enrollment, person_facts, requote
from services.policy import PolicyBook
from services.policy_types import Policy, Unset
from services.quote import due_holds_until
from services.write_clock import check_write_clock

STATUS_LABELS = {"issued": "待缴费", "paid": "已缴费", "cancelled": "已作废"}


@dataclasses.dataclass(frozen=True)
class NoticeResult:
    notice_id: int
    notice_no: str
    enrollment_id: int
    amount_due_fen: int
    tier: str
    deadline: dt.date
    status: str
    created_at: dt.datetime


def notice_series(year: int) -> str:
    return f"N{year}"


def format_notice_no(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-TZ{year}-{number:06d}"


def notice_deadline(policy: Policy, issued_on: dt.date) -> dt.date:
    """The last day to pay: the collection period's end, or the late window's end
    when issued after the collection period. Refuses when both are over."""
    if issued_on <= policy.collection.end:
        return policy.collection.end
    if isinstance(policy.late, Unset):
        raise ConflictError(
            f"{policy.name}的集中缴费期已于 {policy.collection.end} 结束，"
            f"补缴期限未定（{policy.late.reason}），不能开具缴费通知单。",
            code="late_window_unknown",
        )
    if issued_on <= policy.late.end:
        return policy.late.end
    raise ConflictError(
        f"{policy.name}的补缴期已于 {policy.late.end} 结束，不能再开具缴费通知单。",
        code="collection_closed",
    )


def _result(row: PaymentNotice) -> NoticeResult:
    return NoticeResult(
        notice_id=row.id,
        notice_no=row.notice_no,
        enrollment_id=row.enrollment_id,
        amount_due_fen=row.amount_due_fen,
        tier=row.tier,
        deadline=row.deadline,
        status=row.status,
        created_at=row.created_at,
    )


def _check_no_valid_notice(session: Session, enrollment: Enrollment) -> None:
    """Only an unpaid enrolment, and one valid notice per enrolment."""
    if enrollment.status != "registered":
        raise ConflictError("该参保登记已缴费或已退费，不能再开具缴费通知单。", code="not_payable")
    existing = session.scalars(
        select(PaymentNotice).where(
            PaymentNotice.enrollment_id == enrollment.id, PaymentNotice.status == "issued"
        )
    ).first()
    if existing is not None:
        raise ConflictError(
            f"该参保登记已有有效的缴费通知单 {existing.notice_no}，可直接重新打印，"
            "或先作废后再开具。",
            code="notice_exists",
        )


def _deadline(
    session: Session, policies: PolicyBook, enrollment: Enrollment, today: dt.date
) -> dt.date:
    """The notice's deadline: the amount must be knowable today and the notice must
    not promise it past the day the policy prices it differently (Chongqing 07-01)."""
    policy = policies.get(enrollment.policy_key)
    deadline = notice_deadline(policy, today)
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    requote(policies, enrollment, resident, today)
    return due_holds_until(
        policy,
        enrollment.category,
        enrollment.tier,
        person_facts(enrollment, resident),
        today,
        deadline,
    )


def issue_notice(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    enrollment_id: int,
    operator_id: int,
) -> NoticeResult:
    """Issue a payment notice for a registered (unpaid) enrolment.

    One valid notice per enrolment: while one is ``issued`` a second is
    refused, naming it (print it again, or cancel it first).
    """
    now = clock.now()
    enrollment = load_enrollment(session, enrollment_id)
    office_id = enrollment.office_id
    assert office_id is not None
    lock_office(session, office_id)  # one valid notice, checked under lock
    require_operator(session, operator_id, office_id=office_id)
    check_write_clock(session, clock, office_id, "notice")
    _check_no_valid_notice(session, enrollment)
    deadline = _deadline(session, policies, enrollment, now.date())
    office = session.get(Office, office_id)
    assert office is not None
    year = now.year
    number = take_next_number(session, office_id, notice_series(year))
    row = PaymentNotice(
        office_id=office_id,
        notice_no=format_notice_no(office.receipt_prefix, year, number),
        enrollment_id=enrollment.id,
        amount_due_fen=enrollment.personal_due_fen,
        tier=enrollment.tier,
        deadline=deadline,
        status="issued",
        created_at=now,
        created_by=operator_id,
    )
    session.add(row)
    session.flush()
    return _result(row)


def cancel_notice(
    session: Session, clock: Clock, *, notice_id: int, operator_id: int, reason: str = ""
) -> NoticeResult:
    """Cancel an issued notice; its number stays used."""
    row = session.get(PaymentNotice, notice_id)
    if row is None:
        raise NotFound(f"没有编号为 {notice_id} 的缴费通知单。", code="notice_not_found")
    require_operator(session, operator_id, office_id=row.office_id)
    text = (reason or "").strip()
    if len(text) > 500:
        raise InputError("作废原因过长（最多 500 个字）。", code="reason_too_long")
    if row.status != "issued":
        raise ConflictError(
            f"缴费通知单 {row.notice_no} {STATUS_LABELS[row.status]}，不能作废。",
            code="notice_not_issued",
        )
    # Conditional, so that a payment taken at the same moment in another window
    # (which marks the notice paid) is never overwritten.
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(PaymentNotice)
        .where(PaymentNotice.id == row.id, PaymentNotice.status == "issued")
        .values(
            status="cancelled",
            cancelled_at=clock.now(),
            cancelled_by=operator_id,
            cancel_reason=text,
        )
    )
    if done.rowcount != 1:
        raise ConflictError(
            f"缴费通知单 {row.notice_no} 刚被另一窗口更改，请刷新后重试。", code="concurrent_change"
        )
    session.refresh(row)
    return _result(row)


def notices_of(session: Session, enrollment_id: int) -> list[NoticeResult]:
    rows = session.scalars(
        select(PaymentNotice)
        .where(PaymentNotice.enrollment_id == enrollment_id)
        .order_by(PaymentNotice.id)
    ).all()
    return [_result(r) for r in rows]


def issue_village_notices(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    office_id: int,
    village_id: int,
    policy_year: int,
    operator_id: int,
) -> list[int]:
    """The notices to hand out in one village: every unpaid enrolment of the
    year with something to pay gets one — its valid notice if it has one, else
    a new one. Returns notice ids in the order of the residents' names."""
    lock_office(session, office_id)  # which notices are valid, read under lock
    require_operator(session, operator_id, office_id=office_id)
    check_write_clock(session, clock, office_id, "notice")
    village = session.get(Village, village_id)
    if village is None or village.office_id != office_id:
        raise NotFound("所选村（社区）不属于本单位。", code="village_invalid")
    rows = session.execute(
        select(Enrollment.id, PaymentNotice.id)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .outerjoin(
            PaymentNotice,
            (PaymentNotice.enrollment_id == Enrollment.id) & (PaymentNotice.status == "issued"),
        )
        .where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == policy_year,
            Enrollment.status == "registered",
            Enrollment.personal_due_fen > 0,
            Resident.village_id == village_id,
        )
        .order_by(Resident.name, Resident.id_number)
    ).all()
    notice_ids: list[int] = []
    for enrollment_id, notice_id in rows:
        if notice_id is None:
            issued = issue_notice(
                session, clock, policies, enrollment_id=enrollment_id, operator_id=operator_id
            )
            notice_id = issued.notice_id
        notice_ids.append(notice_id)
    return notice_ids
