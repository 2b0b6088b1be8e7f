"""A closed day as the records show it, and the office's extra lines on reports:
what the day-close page and the printed 日结单 read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from common.errors import NotFound
from db.models import (
    DayClose,
    Office,
    Operator,
    Override,
)


@dataclasses.dataclass(frozen=True)
class DayCloseRecord:
    """A closed day as recorded (日结), with the names of the people involved."""

    id: int
    business_date: dt.date
    opening_float_fen: int
    cash_received_fen: int
    cash_refunded_fen: int  # voids and refunds paid out in cash
    deposited_fen: int
    expected_fen: int
    counted_fen: int
    difference_fen: int
    denominations: dict[str, int]
    difference_reason: str
    deposit_state: str
    operator_name: str
    supervisor_name: str
    closed_at: dt.datetime
    override_reason: str  # a close while cash was due (due_today_close), else ""

    @property
    def brought_forward_fen(self) -> int:
        """Undeposited cash of earlier days that was in the drawer."""
        return self.expected_fen - (
            self.opening_float_fen
            + self.cash_received_fen
            - self.cash_refunded_fen
            - self.deposited_fen
        )


def day_close_record(session: Session, office_id: int, date: dt.date) -> DayCloseRecord | None:
    """The close of ``date``, or None while the day is open."""
    supervisor = aliased(Operator)
    row = session.execute(
        select(DayClose, Operator.display_name, supervisor.display_name)
        .join(Operator, Operator.id == DayClose.operator_id)
        .outerjoin(supervisor, supervisor.id == DayClose.supervisor_id)
        .where(DayClose.office_id == office_id, DayClose.business_date == date)
    ).first()
    if row is None:
        return None
    close, operator_name, supervisor_name = row
    override = session.scalar(
        select(Override.reason)
        .where(Override.day_close_id == close.id, Override.kind == "due_today_close")
        .order_by(Override.id)
        .limit(1)
    )
    return DayCloseRecord(
        id=close.id,
        business_date=close.business_date,
        opening_float_fen=close.opening_float_fen,
        cash_received_fen=close.cash_received_fen,
        cash_refunded_fen=close.cash_refunded_fen,
        deposited_fen=close.deposited_fen,
        expected_fen=close.expected_fen,
        counted_fen=close.counted_fen,
        difference_fen=close.difference_fen,
        denominations={str(k): int(v) for k, v in json.loads(close.denominations).items()},
        difference_reason=close.difference_reason or "",
        deposit_state=close.deposit_state,
        operator_name=operator_name or "",
        supervisor_name=supervisor_name or "",
        closed_at=close.closed_at,
        override_reason=override or "",
    )


@dataclasses.dataclass(frozen=True)
class OfficeExtras:
    """Settings of an office beyond ``services.office.OfficeInfo``."""

    payment_link_template: str
    payment_instructions: str
    printer_name: str
    updated_at: dt.datetime | None
    updated_by_name: str


def office_extras(session: Session, office_id: int) -> OfficeExtras:
    row = session.execute(
        select(
            Office.payment_link_template,
            Office.payment_instructions,
            Office.printer_name,
            Office.updated_at,
            Operator.display_name,
        )
        .outerjoin(Operator, Operator.id == Office.updated_by)
        .where(Office.id == office_id)
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    return OfficeExtras(row[0] or "", row[1] or "", row[2] or "", row[3], row[4] or "")
