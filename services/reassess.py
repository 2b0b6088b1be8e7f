"""Re-assessment (重新核定) of an enrolment before payment (POLICY.md §7.5).

Before a payment is taken — also after a void, which returns the enrolment to
``registered`` — the clerk may change the category or tier of an enrolment:
the enrolment is quoted again as of today, the notice issued for the old
amount is cancelled and, if there was one, a new notice is issued; both
notices stay, and a ``reassessment`` row links them with the old and the new
assessment. After a refund the enrolment is no longer live and a new
enrolment is made instead (``services.registry.enroll``).

Paper printed before a re-assessment keeps what it said: ``terms_as_of``
gives the category and tier an enrolment had at a moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.glossary import tier_label
from db.models import Enrollment, Operator, PaymentNotice, Reassessment, Resident
from services.clock import Clock
from services.notices import NoticeResult, cancel_notice, issue_notice
from services.office import require_operator
from services.payments import person_facts
from services.policy import PolicyBook
from services.quote import Quote, quote

REASON_MAX = 500


@dataclasses.dataclass(frozen=True)
class ReassessResult:
    reassessment_id: int
    enrollment_id: int
    old_category: str
    old_tier: str
    old_due_fen: int
    new_category: str
    new_tier: str
    new_due_fen: int
    cancelled_notice_no: str | None
    new_notice_id: int | None
    new_notice_no: str | None


@dataclasses.dataclass(frozen=True)
class ReassessmentView:
    id: int
    created_at: dt.datetime
    operator_name: str
    old_category: str
    old_tier: str
    old_due_fen: int
    new_category: str
    new_tier: str
    new_due_fen: int
    reason: str


def reassess_enrollment(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    enrollment_id: int,
    category: str,
    tier: str | None,
    operator_id: int,
    reason: str = "",
) -> ReassessResult:
    """Change an unpaid enrolment's category or tier; see the module docstring."""
    now = clock.now()
    enrollment = _reassessable(session, enrollment_id, operator_id)
    why = (reason or "").strip()
    if len(why) > REASON_MAX:
        raise InputError(f"核定原因过长（最多 {REASON_MAX} 个字）。", code="reason_too_long")
    _check_status(enrollment)
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    policy = policies.get(enrollment.policy_key)
    q = quote(policy, category, tier, now.date(), person_facts(enrollment, resident))
    old = (enrollment.category, enrollment.tier, enrollment.personal_due_fen)
    if (q.category, q.tier, q.personal_due_fen) == old:
        raise InputError(
            f"核定结果与原登记相同（{tier_label(q.tier)}，应缴不变），无需重新核定。",
            code="no_change",
        )
    issued = session.scalars(
        select(PaymentNotice).where(
            PaymentNotice.enrollment_id == enrollment.id, PaymentNotice.status == "issued"
        )
    ).first()
    if issued is not None:
        cancel_notice(
            session,
            clock,
            notice_id=issued.id,
            operator_id=operator_id,
            reason=f"重新核定：{tier_label(old[1])} → {tier_label(q.tier)}",
        )
    _apply_quote(session, enrollment, q)
    new_notice = None
    if issued is not None and q.personal_due_fen > 0:
        new_notice = issue_notice(
            session, clock, policies, enrollment_id=enrollment.id, operator_id=operator_id
        )
    return _record_reassessment(
        session, enrollment, old, q, issued, new_notice, why, operator_id, now
    )


def _record_reassessment(
    session: Session,
    enrollment: Enrollment,
    old: tuple[str, str, int],
    q: Quote,
    issued: PaymentNotice | None,
    new_notice: NoticeResult | None,
    why: str,
    operator_id: int,
    now: dt.datetime,
) -> ReassessResult:
    """The ``reassessment`` row linking the old and the new assessment and notices."""
    row = Reassessment(
        enrollment_id=enrollment.id,
        old_category=old[0],
        old_tier=old[1],
        old_due_fen=old[2],
        new_category=q.category,
        new_tier=q.tier,
        new_due_fen=q.personal_due_fen,
        old_notice_id=issued.id if issued is not None else None,
        new_notice_id=new_notice.notice_id if new_notice is not None else None,
        reason=why,
        operator_id=operator_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return ReassessResult(
        reassessment_id=row.id,
        enrollment_id=enrollment.id,
        old_category=old[0],
        old_tier=old[1],
        old_due_fen=old[2],
        new_category=q.category,
        new_tier=q.tier,
        new_due_fen=q.personal_due_fen,
        cancelled_notice_no=issued.notice_no if issued is not None else None,
        new_notice_id=new_notice.notice_id if new_notice is not None else None,
        new_notice_no=new_notice.notice_no if new_notice is not None else None,
    )


def _reassessable(session: Session, enrollment_id: int, operator_id: int) -> Enrollment:
    """The enrolment, of an office, and the clerk of that office."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound(f"没有编号为 {enrollment_id} 的参保登记。", code="enrollment_not_found")
    if enrollment.office_id is None:
        raise ConflictError("该参保登记不属于任何经办单位。", code="enrollment_without_office")
    require_operator(session, operator_id, office_id=enrollment.office_id)
    return enrollment


def _check_status(enrollment: Enrollment) -> None:
    """Only before payment: a paid or refunded enrolment is not re-assessed."""
    if enrollment.status == "paid":
        raise ConflictError(
            "该参保登记已缴费，不能重新核定；如需更改档次，请先作废收据（当日）或办理退费。",
            code="already_paid",
        )
    if enrollment.status == "refunded":
        raise ConflictError(
            "该参保登记已退费，不能重新核定；请为该居民新办参保登记。", code="enrollment_refunded"
        )


def _apply_quote(session: Session, enrollment: Enrollment, q: Quote) -> None:
    """The enrolment takes the new assessment."""
    enrollment.category = q.category
    enrollment.tier = q.tier
    enrollment.benefit_tier = q.benefit_tier
    enrollment.standard_fen = q.standard_fen
    enrollment.subsidy_fen = q.subsidy_fen
    enrollment.personal_due_fen = q.personal_due_fen
    enrollment.benefit_start = q.benefit_start
    enrollment.benefit_end = q.benefit_end
    enrollment.waiting_months = q.waiting_months
    session.flush()


def reassessments_of(session: Session, enrollment_id: int) -> list[ReassessmentView]:
    rows = session.execute(
        select(Reassessment, Operator.display_name)
        .join(Operator, Operator.id == Reassessment.operator_id)
        .where(Reassessment.enrollment_id == enrollment_id)
        .order_by(Reassessment.id)
    ).all()
    return [
        ReassessmentView(
            id=r.id,
            created_at=r.created_at,
            operator_name=name,
            old_category=r.old_category,
            old_tier=r.old_tier,
            old_due_fen=r.old_due_fen,
            new_category=r.new_category,
            new_tier=r.new_tier,
            new_due_fen=r.new_due_fen,
            reason=r.reason,
        )
        for r, name in rows
    ]


def terms_as_of(
    session: Session, enrollment_id: int, category: str, tier: str, when: dt.datetime
) -> tuple[str, str]:
    """The category and tier the enrolment had at ``when`` (a receipt printed
    before a re-assessment is printed again with the tier it was paid for)."""
    first_after = session.scalars(
        select(Reassessment)
        .where(Reassessment.enrollment_id == enrollment_id, Reassessment.created_at > when)
        .order_by(Reassessment.id)
        .limit(1)
    ).first()
    if first_after is None:
        return category, tier
    return first_after.old_category, first_after.old_tier
