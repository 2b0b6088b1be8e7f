"""The records of residents and enrolments that the register hands out.

Plain frozen data objects built from the rows (``resident_record``,
``enrollment_record``), and the enrolment statuses that count for "once per
year". Shared by the register (``services.registry``), its search
(``services.resident_search``) and the pages that show them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from db.models import Enrollment, Resident


@dataclasses.dataclass(frozen=True)
class ResidentRecord:
    id: int
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    document_type: str
    phone: str
    address: str
    household_no: str
    village_id: int | None
    village_name: str
    household_type: str = ""

    @property
    def sex_label(self) -> str:
        return "男" if self.sex == "M" else "女"


@dataclasses.dataclass(frozen=True)
class EnrollmentRecord:
    id: int
    resident_id: int
    policy_key: str
    policy_year: int
    category: str
    tier: str
    benefit_tier: str
    standard_fen: int
    subsidy_fen: int
    personal_due_fen: int
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    waiting_months: int
    status: str
    office_name: str
    created_at: dt.datetime
    eligibility_document: str = ""


#: enrolment statuses that count for "once per year" (POLICY.md §7.5, revised 2026-11)
LIVE_STATUSES = ("registered", "paid")


# --- rows to records -----------------------------------------------------------------


def resident_record(row: Resident, village_name: str | None) -> ResidentRecord:
    """A resident row as the record the pages show."""
    return ResidentRecord(
        id=row.id,
        id_number=row.id_number,
        name=row.name,
        sex=row.sex,
        birth_date=row.birth_date,
        document_type=row.document_type,
        phone=row.phone,
        address=row.address,
        household_no=row.household_no,
        village_id=row.village_id,
        village_name=village_name or "",
        household_type=row.household_type,
    )


def enrollment_record(row: Enrollment, office_name: str | None) -> EnrollmentRecord:
    """An enrolment row as the record the pages show."""
    return EnrollmentRecord(
        id=row.id,
        resident_id=row.resident_id,
        policy_key=row.policy_key,
        policy_year=row.policy_year,
        category=row.category,
        tier=row.tier,
        benefit_tier=row.benefit_tier,
        standard_fen=row.standard_fen,
        subsidy_fen=row.subsidy_fen,
        personal_due_fen=row.personal_due_fen,
        benefit_start=row.benefit_start,
        benefit_end=row.benefit_end,
        waiting_months=row.waiting_months,
        status=row.status,
        office_name=office_name or "",
        created_at=row.created_at,
        eligibility_document=row.eligibility_document,
    )
