"""What the office's reports show of the cash desk (POLICY §7.3 revised):
every cash payment taken while the deposit was overdue (and who held the cash),
every over/short found at a close with how far it is settled, and every refund
paid by application instead of from the drawer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from common.money import format_fen_grouped
from db.models import CashDifference, Operator, OverdueCashPayment, Payment, Refund
from services.over_short import differences


@dataclass(frozen=True)
class CashException:
    business_date: dt.date
    kind: str  # overdue_payment | short | over | refund_application
    kind_label: str
    amount_fen: int
    detail: str
    person: str  # who held the cash / the collector / who recorded it
    still_open: bool
    difference_id: int | None = None  # an over/short case, to settle it
    open_fen: int = 0  # what is still open of it


def cash_exceptions(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[CashException]:
    """The cash desk's exceptions in the period, oldest first."""
    rows = [
        *_overdue_payments(session, office_id, date_from, date_to),
        *_differences(session, office_id, date_from, date_to),
        *_refund_applications(session, office_id, date_from, date_to),
    ]
    return sorted(rows, key=lambda r: (r.business_date, r.kind))


def _overdue_payments(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[CashException]:
    """Cash taken while the deposit rule was overdue (POLICY.md §7.3 revised)."""
    who = aliased(Operator)
    overdue = session.execute(
        select(OverdueCashPayment, Payment.amount_fen, who.display_name)
        .join(Payment, Payment.id == OverdueCashPayment.payment_id)
        .join(who, who.id == OverdueCashPayment.operator_id)
        .where(
            OverdueCashPayment.office_id == office_id,
            OverdueCashPayment.business_date >= date_from,
            OverdueCashPayment.business_date <= date_to,
        )
    ).all()
    rows: list[CashException] = []
    for mark, amount, name in overdue:
        days = (mark.business_date - mark.deadline).days
        rows.append(
            CashException(
                mark.business_date,
                "overdue_payment",
                "逾期未入库期间收取现金",
                amount,
                f"{format_fen_grouped(mark.overdue_fen)} 元应于 {mark.deadline} 入库，"
                f"已逾期 {days} 天；当时库存现金 {format_fen_grouped(mark.cash_on_hand_fen)} 元",
                name,
                False,
            )
        )
    return rows


def _differences(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[CashException]:
    """Over/short at the closes, with what is still open of each."""
    who = aliased(Operator)
    open_by_id = {d.id: d for d in differences(session, office_id, open_only=False)}
    cases = session.execute(
        select(CashDifference, who.display_name)
        .join(who, who.id == CashDifference.collector_id)
        .where(
            CashDifference.office_id == office_id,
            CashDifference.business_date >= date_from,
            CashDifference.business_date <= date_to,
        )
    ).all()
    rows: list[CashException] = []
    for case, name in cases:
        left = open_by_id[case.id].open_fen
        word = "短款" if case.kind == "short" else "长款"
        status = (
            f"尚有 {format_fen_grouped(left)} 元未处理"
            + ("（由经办人补足或主管核销）" if case.kind == "short" else "（待查）")
            if left
            else "已处理完毕"
        )
        rows.append(
            CashException(
                case.business_date,
                case.kind,
                word,
                case.amount_fen,
                f"{case.reason}；{status}",
                name,
                left > 0,
                case.id,
                left,
            )
        )
    return rows


def _refund_applications(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[CashException]:
    """Refunds the tax department pays: no cash left this counter."""
    who = aliased(Operator)
    applications = session.execute(
        select(Refund, who.display_name)
        .join(who, who.id == Refund.operator_id)
        .where(
            Refund.office_id == office_id,
            Refund.method == "application",
            Refund.business_date >= date_from,
            Refund.business_date <= date_to,
        )
    ).all()
    return [
        CashException(
            refund.business_date,
            "refund_application",
            "退费申请（税务部门退付）",
            refund.amount_fen,
            refund.method_note or refund.reason,
            name,
            False,
        )
        for refund, name in applications
    ]
