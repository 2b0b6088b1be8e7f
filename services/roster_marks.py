"""What the imported lists say about one person, for the window.

The question the cash desk asks before it takes money: has this person
already paid through another channel this year (WeChat, a bank app, the tax
app)? Paying twice is a frequent complaint; the answer comes from the
"paid elsewhere" list (``services.roster_import``) and is shown as
"已通过其他渠道缴费，请核实". The clerk checks and decides; the payment is
not refused (a list may be wrong, and cash payers are never turned away).

Also here: recording why a person is not enrolled in a year (参军、服刑 …).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import InputError, NotFound
from common.idcard import parse_id
from db.models import NotEnrolledReason, Resident, RosterImport, RosterMark
from services.clock import Clock
from services.roster_import import REASON_LABELS

__all__ = [
    "PAID_ELSEWHERE_WARNING",
    "PaidElsewhere",
    "clear_not_enrolled_reason",
    "not_enrolled_reason_of",
    "paid_elsewhere",
    "record_not_enrolled_by_id_number",
    "record_not_enrolled_reason",
]

PAID_ELSEWHERE_WARNING = "已通过其他渠道缴费，请核实"


@dataclasses.dataclass(frozen=True)
class PaidElsewhere:
    policy_year: int
    reference: str
    tier: str
    file_name: str
    imported_at: dt.datetime

    @property
    def message(self) -> str:
        detail = "，".join(x for x in (self.reference, self.tier) if x)
        source = f"（名单：{self.file_name}，{self.imported_at:%Y-%m-%d} 导入"
        source += f"；{detail}）" if detail else "）"
        return f"{PAID_ELSEWHERE_WARNING}{source}"


def paid_elsewhere(session: Session, resident_id: int, policy_year: int) -> PaidElsewhere | None:
    """The person's entry on a paid-elsewhere list of ``policy_year``, if any."""
    row = session.execute(
        select(RosterMark, RosterImport.file_name, RosterImport.imported_at)
        .join(RosterImport, RosterImport.id == RosterMark.import_id)
        .where(
            RosterMark.resident_id == resident_id,
            RosterMark.kind == "paid_elsewhere",
            RosterMark.policy_year == policy_year,
        )
    ).first()
    if row is None:
        return None
    mark, file_name, imported_at = row
    return PaidElsewhere(policy_year, mark.reference, mark.tier, file_name, imported_at)


def not_enrolled_reason_of(session: Session, resident_id: int, policy_year: int) -> str | None:
    """The Chinese reason recorded for the person and year, or None."""
    reason = session.scalar(
        select(NotEnrolledReason.reason).where(
            NotEnrolledReason.resident_id == resident_id,
            NotEnrolledReason.policy_year == policy_year,
        )
    )
    return REASON_LABELS.get(reason) if reason else None


def record_not_enrolled_reason(
    session: Session,
    clock: Clock,
    *,
    resident_id: int,
    policy_year: int,
    reason: str,
    operator_id: int | None,
    note: str = "",
) -> None:
    """Record (or replace) why the person is not enrolled in ``policy_year``."""
    if reason not in REASON_LABELS:
        known = "、".join(REASON_LABELS.values())
        raise InputError(f"未参保原因无效（可选：{known}）。", code="reason_invalid")
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("没有这位居民。", code="resident_not_found")
    if resident.office_id is None:
        raise InputError("该居民不属于任何单位，无法记录未参保原因。", code="resident_office")
    row = session.scalars(
        select(NotEnrolledReason).where(
            NotEnrolledReason.resident_id == resident_id,
            NotEnrolledReason.policy_year == policy_year,
        )
    ).first()
    if row is None:
        row = NotEnrolledReason(
            resident_id=resident_id, office_id=resident.office_id, policy_year=policy_year
        )
        session.add(row)
    row.reason = reason
    row.note = note.strip()[:500]
    row.recorded_at = clock.now()
    row.recorded_by = operator_id
    row.import_id = None
    session.flush()


def record_not_enrolled_by_id_number(
    session: Session,
    clock: Clock,
    *,
    id_number: str,
    policy_year: int,
    reason: str,
    operator_id: int | None,
    note: str = "",
) -> str:
    """As :func:`record_not_enrolled_reason`, finding the person by ID number;
    returns the person's name for the clerk's confirmation."""
    number = parse_id(id_number, today=clock.now().date()).number
    resident = session.scalars(select(Resident).where(Resident.id_number == number)).first()
    if resident is None:
        raise NotFound(f"没有登记身份证号为 {number} 的居民。", code="resident_not_found")
    record_not_enrolled_reason(
        session,
        clock,
        resident_id=resident.id,
        policy_year=policy_year,
        reason=reason,
        operator_id=operator_id,
        note=note,
    )
    return resident.name


def clear_not_enrolled_reason(session: Session, resident_id: int, policy_year: int) -> bool:
    row = session.scalars(
        select(NotEnrolledReason).where(
            NotEnrolledReason.resident_id == resident_id,
            NotEnrolledReason.policy_year == policy_year,
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
