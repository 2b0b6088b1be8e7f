"""Reports of the counter: takings by village, tier and channel; the deposit
rule's overrides; enrolments against the villages' targets.

Takings are read from the ledger, which carries the village, tier and channel
of every line, so a month of a street office is a few grouped queries. Amounts
are net: a void or a refund counts against the payment it reverses, on the
day it was booked.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from common.errors import InputError
from common.glossary import channel_label, tier_label
from db.models import Enrollment, LedgerEntry, Operator, Override, Resident, Village
from printing.report_data import GroupTotal, OverrideRow, PeriodReport

__all__ = [
    "OVERRIDE_KINDS",
    "GroupTotal",
    "OverrideRow",
    "PeriodReport",
    "VillageProgress",
    "enrollment_progress",
    "month_report",
    "override_list",
    "period_report",
]

OVERRIDE_KINDS = {
    "overdue_cash_payment": "逾期未入库时收取现金",
    "due_today_close": "当日应入库未入库即日结",
}
_MONEY_KINDS = ("payment", "void", "refund")


def _grouped(
    session: Session,
    office_id: int,
    date_from: dt.date,
    date_to: dt.date,
    column: Any,
    labels: Callable[[Any], str],
) -> tuple[GroupTotal, ...]:
    is_payment = case((LedgerEntry.kind == "payment", 1), else_=0)
    rows = session.execute(
        select(column, func.sum(is_payment), func.count(), func.sum(LedgerEntry.amount_fen))
        .where(
            LedgerEntry.office_id == office_id,
            LedgerEntry.business_date >= date_from,
            LedgerEntry.business_date <= date_to,
            LedgerEntry.kind.in_(_MONEY_KINDS),
        )
        .group_by(column)
    ).all()
    totals = [
        GroupTotal(
            key="" if key is None else str(key),
            label=labels(key),
            payments=int(paid),
            reversals=int(count) - int(paid),
            amount_fen=int(amount or 0),
        )
        for key, paid, count, amount in rows
    ]
    return tuple(sorted(totals, key=lambda g: (-g.amount_fen, g.key)))


def period_report(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> PeriodReport:
    """Net takings from ``date_from`` to ``date_to`` (inclusive) by village, tier, channel."""
    if date_to < date_from:
        raise InputError("结束日期早于开始日期。", code="bad_date_range")
    names = dict(
        session.execute(
            select(Village.id, Village.name).where(Village.office_id == office_id)
        ).all()
    )

    def village_label(key: int | None) -> str:
        return names.get(key, "未指定村（社区）") if key is not None else "未指定村（社区）"

    return PeriodReport(
        office_id=office_id,
        date_from=date_from,
        date_to=date_to,
        by_village=_grouped(
            session, office_id, date_from, date_to, LedgerEntry.village_id, village_label
        ),
        by_tier=_grouped(
            session,
            office_id,
            date_from,
            date_to,
            LedgerEntry.tier,
            lambda k: tier_label(k) if k else "未分档",
        ),
        by_channel=_grouped(
            session,
            office_id,
            date_from,
            date_to,
            LedgerEntry.channel,
            channel_label,
        ),
    )


def month_report(session: Session, office_id: int, year: int, month: int) -> PeriodReport:
    if not 1 <= month <= 12:
        raise InputError(f"月份须为 1–12，不能是 {month}。", code="bad_month")
    last = calendar.monthrange(year, month)[1]
    return period_report(session, office_id, dt.date(year, month, 1), dt.date(year, month, last))


def override_list(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[OverrideRow]:
    """Every supervisor override of the deposit rule in the period, oldest first."""
    supervisor = aliased(Operator)
    operator = aliased(Operator)
    rows = session.execute(
        select(Override, supervisor.display_name, operator.display_name)
        .join(supervisor, supervisor.id == Override.supervisor_id)
        .join(operator, operator.id == Override.operator_id)
        .where(
            Override.office_id == office_id,
            Override.business_date >= date_from,
            Override.business_date <= date_to,
        )
        .order_by(Override.created_at, Override.id)
    ).all()
    return [
        OverrideRow(
            id=o.id,
            kind=o.kind,
            kind_label=OVERRIDE_KINDS.get(o.kind, o.kind),
            business_date=o.business_date,
            created_at=o.created_at,
            reason=o.reason,
            supervisor_name=sup,
            operator_name=op,
            payment_id=o.payment_id,
            day_close_id=o.day_close_id,
        )
        for o, sup, op in rows
    ]


@dataclass(frozen=True)
class VillageProgress:
    village_id: int | None
    name: str
    target: int | None
    enrolled: int  # registered or paid (not refunded)
    paid: int

    @property
    def rate(self) -> float | None:
        """Paid enrolments over the target (a ratio for display, not money)."""
        if not self.target:
            return None
        return self.paid / self.target


def enrollment_progress(
    session: Session, office_id: int, policy_year: int
) -> list[VillageProgress]:
    """Enrolments of a policy year per village, against the village's target."""
    paid = func.sum(case((Enrollment.status == "paid", 1), else_=0))
    counted = func.sum(case((Enrollment.status != "refunded", 1), else_=0))
    rows = session.execute(
        select(Resident.village_id, counted, paid)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .where(Enrollment.office_id == office_id, Enrollment.policy_year == policy_year)
        .group_by(Resident.village_id)
    ).all()
    by_village = {vid: (int(c or 0), int(p or 0)) for vid, c, p in rows}
    villages = session.scalars(
        select(Village).where(Village.office_id == office_id).order_by(Village.name)
    ).all()
    result = [
        VillageProgress(v.id, v.name, v.target, *by_village.pop(v.id, (0, 0))) for v in villages
    ]
    for vid, (c, p) in by_village.items():
        result.append(VillageProgress(vid, "未指定村（社区）", None, c, p))
    return result
