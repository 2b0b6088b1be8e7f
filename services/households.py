"""Households (户): the people sharing a 户号, and one agent paying for several.

In the busy season one member often pays for the whole family. The counter
shows everyone on the 户号 with their status for the year; the agent's
payment is one confirmation (each person, tier and amount, the total), then
one payment per person through ``services.payments.take_payment`` in the
caller's one transaction — so cash receipts take consecutive numbers — and
the receipts print as one job. A member who cannot be paid (already paid,
nothing due, refunded, not registered) is named and left out; the others are
still paid.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, ServiceError
from common.glossary import ENROLLMENT_STATUS_LABELS
from db.models import Enrollment, Resident, Village
from printing.data import ReceiptData
from services.clock import Clock
from services.documents import receipt_document_next_print, record_receipt_print
from services.payments import PaymentResult, clean_person_name, take_payment
from services.policy import PolicyBook
from services.resident_records import LIVE_STATUSES

NOT_REGISTERED = "未登记"


@dataclasses.dataclass(frozen=True)
class Member:
    """One person on a 户号 and their enrolment for the year (if any)."""

    resident_id: int
    name: str
    id_number: str
    village_name: str
    enrollment_id: int | None
    status: str  # '' (not registered), 'registered', 'paid', 'refunded'
    tier: str
    due_fen: int

    @property
    def status_label(self) -> str:
        return ENROLLMENT_STATUS_LABELS.get(self.status, NOT_REGISTERED)

    @property
    def payable(self) -> bool:
        return self.status == "registered" and self.due_fen > 0

    def refusal(self) -> str:
        """Why this member cannot be paid for, or '' if they can."""
        if self.status == "":
            return f"{self.name}：本年度尚未登记参保"
        if self.status == "paid":
            return f"{self.name}：本年度已缴费"
        if self.status == "refunded":
            return f"{self.name}：参保登记已退费"
        if self.due_fen == 0:
            return f"{self.name}：个人应缴 0.00 元，无需缴费"
        return ""


@dataclasses.dataclass(frozen=True)
class HouseholdPayment:
    paid: tuple[PaymentResult, ...]
    refused: tuple[tuple[str, str], ...]  # (name, reason)
    total_fen: int


def clean_household_no(text: str) -> str:
    value = (text or "").strip().replace(" ", "")
    if not value:
        raise InputError("请填写户号。", code="household_no_required")
    return value


def household_members(session: Session, household_no: str, policy_year: int) -> list[Member]:
    """Everyone on the 户号 with their live enrolment for ``policy_year`` (or the
    refunded one, if that is all there is), in one query."""
    number = clean_household_no(household_no)
    rows = session.execute(
        select(
            Resident.id,
            Resident.name,
            Resident.id_number,
            Village.name,
            Enrollment.id,
            Enrollment.status,
            Enrollment.tier,
            Enrollment.personal_due_fen,
        )
        .outerjoin(Village, Village.id == Resident.village_id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.resident_id == Resident.id, Enrollment.policy_year == policy_year),
        )
        .where(Resident.household_no == number)
        .order_by(Resident.birth_date, Resident.id, Enrollment.id)
    ).all()
    members: dict[int, Member] = {}
    for rid, name, id_number, village, eid, status, tier, due in rows:
        known = members.get(rid)
        # a live enrolment wins over a refunded one of the same year
        if known is not None and known.status in LIVE_STATUSES:
            continue
        members[rid] = Member(
            resident_id=rid,
            name=name,
            id_number=id_number,
            village_name=village or "",
            enrollment_id=eid,
            status=status or "",
            tier=tier or "",
            due_fen=due or 0,
        )
    return list(members.values())


def _household_agent(agent_name: str, members: Sequence[Member]) -> str:
    """The agent paying for the household, named, for at least one member."""
    agent = clean_person_name(agent_name, "代办人姓名")
    if not agent:
        raise InputError(
            "代办人姓名必填：由一人为多名家庭成员缴费时须写明代办人。", code="agent_required"
        )
    if not members:
        raise InputError("请至少选择一名家庭成员。", code="no_members")
    return agent


def pay_for_household(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    members: Sequence[Member],
    channel: str,
    agent_name: str,
    reference: str = "",
    operator_id: int,
) -> HouseholdPayment:
    """Pay for each payable member, in order, in the caller's transaction.

    The agent's name is required (the payer is not the resident for at least
    all but one of them). Members who cannot be paid are returned in
    ``refused`` with the reason; if none can be paid, nothing is written and
    the refusal names them all.
    """
    agent = _household_agent(agent_name, members)
    refused: list[tuple[str, str]] = []
    paid: list[PaymentResult] = []
    for member in members:
        reason = member.refusal()
        if reason:
            refused.append((member.name, reason))
            continue
        assert member.enrollment_id is not None
        try:
            paid.append(
                take_payment(
                    session,
                    clock,
                    policies,
                    enrollment_id=member.enrollment_id,
                    amount=Decimal(member.due_fen) / 100,
                    channel=channel,
                    reference=reference,
                    payer_name=agent,
                    agent_name=agent,
                    operator_id=operator_id,
                )
            )
        except InputError:
            raise  # bad channel, reference or operator: the same for everyone
        except ServiceError as exc:
            # take_payment wrote nothing for this member (its own savepoint)
            refused.append((member.name, f"{member.name}：{exc}"))
    if not paid:
        raise ConflictError(
            "没有可缴费的家庭成员：" + "；".join(r for _, r in refused), code="nothing_payable"
        )
    return HouseholdPayment(
        paid=tuple(paid),
        refused=tuple(refused),
        total_fen=sum(p.amount_fen for p in paid),
    )


def household_receipt_documents(
    session: Session, policies: PolicyBook, receipt_ids: Sequence[int]
) -> list[ReceiptData]:
    """The receipts of a household payment in number order, exactly as their
    next print shows them, for one print job
    (``printing.receipt_job.render_receipt_job``); records nothing."""
    return [receipt_document_next_print(session, policies, rid) for rid in sorted(receipt_ids)]


def record_household_prints(
    session: Session, clock: Clock, *, receipt_ids: Sequence[int], operator_id: int
) -> int:
    """Record the print of every receipt of the job, once it was printed."""
    for rid in sorted(receipt_ids):
        record_receipt_print(session, clock, receipt_id=rid, operator_id=operator_id)
    return len(receipt_ids)
