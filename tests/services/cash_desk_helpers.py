"""Shared steps of the issue 9 cash-desk tests ("the cash is always right").

The ``desk`` fixture is in conftest.py.
"""

from __future__ import annotations

import datetime as dt

from factories import PASSWORD, Desk, make_enrollment, policies
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.money import format_fen
from db.models import LedgerEntry
from services.clock import FixedClock
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposit_state import current_deposit_status
from services.deposits import record_deposit
from services.payments import PaymentResult, take_payment
from services.refunds import refund_payment

MON = dt.date(2023, 11, 6)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def pay(s: Session, clock: FixedClock, desk: Desk, channel: str = "cash") -> PaymentResult:
    enrollment = make_enrollment(s, desk)
    return take_payment(
        s,
        clock,
        policies(),
        enrollment_id=enrollment,
        amount="380",
        channel=channel,
        reference="" if channel == "cash" else "POS-1",
        operator_id=desk.clerk_id,
    )


def deposit(s: Session, clock: FixedClock, desk: Desk, fen: int, slip: str) -> None:
    record_deposit(
        s,
        clock,
        office_id=desk.office_id,
        amount=format_fen(fen),
        channel="bank",
        slip_no=slip,
        operator_id=desk.clerk_id,
    )


def refund(s: Session, clock: FixedClock, desk: Desk, payment_id: int, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "payment_id": payment_id,
        "reason": "本人申请退保",
        "approver_id": desk.supervisor_id,
        "approver_password": PASSWORD,
        "operator_id": desk.clerk_id,
    }
    args.update(kw)
    return refund_payment(s, clock, **args)  # type: ignore[arg-type]


def cash_on_hand(s: Session, clock: FixedClock, desk: Desk) -> int:
    return current_deposit_status(s, clock, desk.office_id).cash_on_hand_fen


def ledger_cash(s: Session, office_id: int) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
                LedgerEntry.office_id == office_id
            )
        )
    )


def close(s: Session, clock: FixedClock, desk: Desk, counted: int, **kw: object):  # type: ignore[no-untyped-def]
    if "supervisor_id" in kw:
        kw.setdefault("supervisor_password", PASSWORD)  # issue 10: checked in the service
    return close_day(
        s,
        clock,
        office_id=desk.office_id,
        operator_id=desk.clerk_id,
        denominations=count_for_amount(counted),
        **kw,  # type: ignore[arg-type]
    )
