"""The renewal season (续保): last year's payers who have not enrolled this year.

From September to December most of the window's work is families renewing
for next year. ``renewal_list`` gives, per village, the people whose
enrolment for the previous year was paid and who hold no live enrolment for
the new year; ``renewal_proposal`` carries their category and tier forward,
re-checked against the new year's rules and their age (a child who turned 18
is offered ``adult``; a category the new policy refuses is named), and
``renew`` enrols them on it after the clerk confirms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from common.errors import ConflictError, NotFound, ServiceError
from db.models import Enrollment, Resident, Village
from printing.renewal_list import RenewalLine, RenewalListData
from services.category_fit import fitting_category
from services.clock import Clock
from services.policy import PolicyBook
from services.policy_types import Policy
from services.quote import PersonFacts, Quote, quote
from services.registry import enroll
from services.resident_records import LIVE_STATUSES, EnrollmentRecord

#: categories decided by age alone; a renewal moves a person between them
AGE_CATEGORIES = ("newborn", "child", "adult")


@dataclasses.dataclass(frozen=True)
class RenewalRow:
    resident_id: int
    name: str
    id_number: str
    household_no: str
    phone: str
    village_name: str
    last_enrollment_id: int
    last_category: str
    last_tier: str
    last_due_fen: int


@dataclasses.dataclass(frozen=True)
class RenewalProposal:
    resident_id: int
    name: str
    policy_key: str
    category: str
    tier: str | None
    last_category: str
    last_tier: str
    quote: Quote | None
    #: why the carried-forward choice cannot be used as it is ('' if it can)
    problem: str
    eligibility_document: str
    facts: PersonFacts

    @property
    def category_changed(self) -> bool:
        return self.category != self.last_category


def renewal_list(
    session: Session, *, office_id: int, village_id: int | None, last_year: int, year: int
) -> list[RenewalRow]:
    """People of the office (and village, if given) paid for ``last_year`` with
    no live enrolment for ``year``, by village then name."""
    current = aliased(Enrollment)
    stmt = (
        select(
            Resident.id,
            Resident.name,
            Resident.id_number,
            Resident.household_no,
            Resident.phone,
            Village.name,
            Enrollment.id,
            Enrollment.category,
            Enrollment.tier,
            Enrollment.personal_due_fen,
        )
        .join(Resident, Resident.id == Enrollment.resident_id)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(
            Enrollment.policy_year == last_year,
            Enrollment.status == "paid",
            Resident.office_id == office_id,
            ~exists().where(
                and_(
                    current.resident_id == Resident.id,
                    current.policy_year == year,
                    current.status.in_(LIVE_STATUSES),
                )
            ),
        )
        .order_by(Village.name, Resident.household_no, Resident.name, Resident.id)
    )
    if village_id is not None:
        stmt = stmt.where(Resident.village_id == village_id)
    return [
        RenewalRow(
            resident_id=rid,
            name=name,
            id_number=number,
            household_no=household_no,
            phone=phone,
            village_name=village or "",
            last_enrollment_id=eid,
            last_category=category,
            last_tier=tier,
            last_due_fen=due,
        )
        for rid, name, number, household_no, phone, village, eid, category, tier, due in (
            session.execute(stmt).all()
        )
    ]


def _last_paid(session: Session, resident_id: int, year: int) -> Enrollment:
    row = session.scalars(
        select(Enrollment)
        .where(
            Enrollment.resident_id == resident_id,
            Enrollment.policy_year < year,
            Enrollment.status == "paid",
        )
        .order_by(Enrollment.policy_year.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("该居民没有往年的缴费参保记录，请按新参保办理。", code="nothing_to_renew")
    return row


def renewal_proposal(
    session: Session, policy: Policy, *, resident_id: int, today: dt.date
) -> RenewalProposal:
    """Last year's category and tier, re-checked for ``policy`` as of ``today``."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"没有编号为 {resident_id} 的居民。", code="resident_not_found")
    last = _last_paid(session, resident_id, policy.year)
    continuous = last.continuous_years + 1 if last.policy_year == policy.year - 1 else 0
    facts = PersonFacts(
        birth_date=resident.birth_date,
        continuous_years=continuous,
        via_school=last.via_school,
        hardship_certified=last.hardship_certified,
    )
    category = last.category
    if category in AGE_CATEGORIES:
        category = fitting_category(policy, today, resident.birth_date)
    tier: str | None = last.tier
    problem = ""
    q: Quote | None = None
    if category not in policy.categories:
        problem = f"{policy.name}没有“{last.category}”这一类别，请重新选择类别。"
    else:
        try:
            q = quote(policy, category, tier, today, facts)
        except ServiceError:
            # the tier may not be open to the category any more (e.g. a child now an adult)
            try:
                q = quote(policy, category, None, today, facts)
            except ServiceError as exc:
                problem = str(exc)
            else:
                tier = q.tier
    return RenewalProposal(
        resident_id=resident.id,
        name=resident.name,
        policy_key=policy.key,
        category=category,
        tier=q.tier if q is not None else tier,
        last_category=last.category,
        last_tier=last.tier,
        quote=q,
        problem=problem,
        eligibility_document=last.eligibility_document,
        facts=facts,
    )


def renew(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    policy_key: str,
    resident_id: int,
    office_id: int,
    operator_id: int,
) -> tuple[EnrollmentRecord, Quote]:
    """Enrol the resident for ``policy_key`` on the carried-forward proposal."""
    policy = policies.get(policy_key)
    proposal = renewal_proposal(session, policy, resident_id=resident_id, today=clock.now().date())
    if proposal.problem:
        raise ConflictError(proposal.problem, code="renewal_needs_choice")
    return enroll(
        session,
        clock,
        policy=policy,
        resident_id=resident_id,
        category=proposal.category,
        tier=proposal.tier,
        facts=proposal.facts,
        office_id=office_id,
        operator_id=operator_id,
        eligibility_document=proposal.eligibility_document,
    )


def renewal_list_document(
    session: Session,
    policies: PolicyBook,
    *,
    office_id: int,
    village_id: int | None,
    policy_key: str,
    printed_at: dt.datetime,
) -> RenewalListData:
    """The printable renewal list of a village (all villages when None)."""
    from common.glossary import tier_label
    from services.documents import office_header

    policy = policies.get(policy_key)
    rows = renewal_list(
        session, office_id=office_id, village_id=village_id, last_year=policy.year - 1,
        year=policy.year,
    )  # fmt: skip
    village = (
        session.scalar(select(Village.name).where(Village.id == village_id))
        if village_id is not None
        else None
    )

    def terms(row: RenewalRow) -> str:
        label = (
            policy.categories[row.last_category].label
            if row.last_category in policy.categories
            else row.last_category
        )
        return f"{label}/{tier_label(row.last_tier)}"

    return RenewalListData(
        office=office_header(session, office_id),
        village=village or "全部村（社区）",
        last_year=policy.year - 1,
        year=policy.year,
        lines=tuple(
            RenewalLine(r.name, r.id_number, r.household_no, r.phone, terms(r), r.last_due_fen)
            for r in rows
        ),
        printed_at=printed_at,
    )
