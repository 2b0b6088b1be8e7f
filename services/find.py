"""Find anyone (查找): whatever the resident or a paper in their hand shows.

Beside the register search (ID number, its last digits, name, pinyin initials,
phone; ``services.resident_search.search_residents``) the counter finds a person by a
receipt number, a payment-notice number, a non-cash payment's reference, a
户号, or an ID number or name they had before an information change. Each
result carries this year's status (未登记 / 待缴费 / 已缴费 / 已退费), read in
one query for all results.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.glossary import ENROLLMENT_STATUS_LABELS
from db.models import Enrollment, LedgerEntry, Payment, PaymentNotice, Receipt, Resident
from services.info_change_views import residents_by_old_value
from services.resident_records import LIVE_STATUSES, ResidentRecord
from services.resident_search import (
    SEARCH_LIMIT,
    normalise_query,
    residents_by_ids,
    search_residents,
)

NOT_REGISTERED = "未登记"
#: colours of the statuses on screen (status key -> colour name)
STATUS_COLOURS = {"": "#9e9e9e", "registered": "#e65100", "paid": "#2e7d32", "refunded": "#6a1b9a"}


@dataclasses.dataclass(frozen=True)
class FoundPerson:
    resident: ResidentRecord
    #: how the query matched: 'register', 'receipt', 'notice', 'reference', 'household', 'old'
    matched_by: str
    status: str  # '' | 'registered' | 'paid' | 'refunded' for the year
    enrollment_id: int | None

    @property
    def status_label(self) -> str:
        return ENROLLMENT_STATUS_LABELS.get(self.status, NOT_REGISTERED)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, STATUS_COLOURS[""])


MATCH_LABELS = {
    "register": "",
    "receipt": "收据号",
    "notice": "通知单号",
    "reference": "交易参考号",
    "household": "户号",
    "old": "曾用身份证号/姓名",
}


def _by_papers(session: Session, office_id: int, q: str) -> list[tuple[int, str]]:
    """Residents named by a paper: receipt, notice, non-cash reference, 户号."""
    upper = q.upper()
    found: list[tuple[int, str]] = []
    receipt = session.scalar(
        select(Enrollment.resident_id)
        .join(Payment, Payment.enrollment_id == Enrollment.id)
        .join(Receipt, Receipt.payment_id == Payment.id)
        .where(Receipt.office_id == office_id, Receipt.receipt_no == upper)
    )
    if receipt is not None:
        found.append((receipt, "receipt"))
    notice = session.scalar(
        select(Enrollment.resident_id)
        .join(PaymentNotice, PaymentNotice.enrollment_id == Enrollment.id)
        .where(PaymentNotice.office_id == office_id, PaymentNotice.notice_no == upper)
    )
    if notice is not None:
        found.append((notice, "notice"))
    for rid in session.scalars(
        select(Enrollment.resident_id)
        .join(Payment, Payment.enrollment_id == Enrollment.id)
        .where(Payment.reference == q, Payment.channel != "cash")
        .limit(SEARCH_LIMIT)
    ):
        found.append((rid, "reference"))
    for rid in session.scalars(
        select(Resident.id).where(Resident.household_no == q).limit(SEARCH_LIMIT)
    ):
        found.append((rid, "household"))
    return found


def statuses_for_year(
    session: Session, resident_ids: list[int], policy_year: int
) -> dict[int, tuple[str, int]]:
    """resident id -> (status, enrolment id) for the year; a live enrolment wins."""
    if not resident_ids:
        return {}
    result: dict[int, tuple[str, int]] = {}
    for rid, eid, status in session.execute(
        select(Enrollment.resident_id, Enrollment.id, Enrollment.status)
        .where(Enrollment.resident_id.in_(resident_ids), Enrollment.policy_year == policy_year)
        .order_by(Enrollment.id)
    ):
        if rid in result and result[rid][0] in LIVE_STATUSES:
            continue
        result[rid] = (status, eid)
    return result


def find_anyone(
    session: Session, *, office_id: int, text: str, policy_year: int
) -> list[FoundPerson]:
    """Everyone the text may mean, papers first, with this year's status."""
    q = normalise_query(text)
    if not q:
        return []
    # paper numbers keep their hyphens (LT2023-000001); the register query drops them
    paper = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    matched: dict[int, str] = {}
    for rid, kind in _by_papers(session, office_id, paper):
        matched.setdefault(rid, kind)
    for rid in residents_by_old_value(session, paper):
        matched.setdefault(rid, "old")
    records = {r.id: r for r in residents_by_ids(session, list(matched))}
    for record in search_residents(session, q):
        records.setdefault(record.id, record)
        matched.setdefault(record.id, "register")
    statuses = statuses_for_year(session, list(records), policy_year)
    ordered = sorted(records, key=lambda rid: (matched[rid] == "register", rid))
    return [
        FoundPerson(
            resident=records[rid],
            matched_by=matched[rid],
            status=statuses.get(rid, ("", 0))[0],
            enrollment_id=statuses[rid][1] if rid in statuses else None,
        )
        for rid in ordered[:SEARCH_LIMIT]
    ]


def resident_of_ledger_entry(session: Session, entry_id: int) -> int | None:
    """The person a 台账 line is about (None for a deposit line)."""
    return session.scalar(select(LedgerEntry.resident_id).where(LedgerEntry.id == entry_id))
