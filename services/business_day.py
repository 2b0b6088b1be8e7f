"""Which business day the counter is on: opening a day, and the day's close row.

A day is open from its opening until its close; the counter refuses work on a
day already closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError
from common.money import format_fen_grouped, parse_amount
from db.models import (
    BusinessDay,
    DayClose,
    DayCloseAnnulment,
    DrawerClose,
    DrawerDay,
)
from services.clock import Clock
from services.clock_sanity import check_business_date
from services.concurrency import lock_office
from services.drawers import drawer_float
from services.office import require_operator


def live_closes() -> Any:
    """A condition: day closes not annulled (a close made under a wrong clock
    and annulled by a supervisor no longer locks anything)."""
    return ~exists().where(DayCloseAnnulment.day_close_id == DayClose.id)


def ensure_day_open(
    session: Session, office_id: int, business_date: dt.date, *, operator_id: int | None = None
) -> None:
    """Refuse (code ``day_closed``) a write dated on or before a closed day, and
    (codes ``clock_backwards`` / ``clock_ahead``) one dated by a clock that
    disagrees with the database until a supervisor confirms the date. With
    ``operator_id``, also a cash act at a window whose drawer is already
    closed that day (code ``drawer_closed``; issue 11)."""
    closed = session.scalar(
        select(DayClose.business_date)
        .where(
            DayClose.office_id == office_id,
            DayClose.business_date >= business_date,
            live_closes(),
        )
        .order_by(DayClose.business_date.desc())
        .limit(1)
    )
    if closed is None:
        if operator_id is not None:
            drawer_closed = session.scalar(
                select(DrawerClose.business_date)
                .where(
                    DrawerClose.office_id == office_id,
                    DrawerClose.operator_id == operator_id,
                    DrawerClose.business_date >= business_date,
                    # a close of a day whose office close was annulled (a wrong
                    # clock's future date) locks nothing any more
                    ~exists().where(
                        DayClose.office_id == DrawerClose.office_id,
                        DayClose.business_date == DrawerClose.business_date,
                        ~live_closes(),
                    ),
                )
                .limit(1)
            )
            if drawer_closed is not None:
                raise ConflictError(
                    f"本窗口的钱箱 {drawer_closed} 已日结，不能再记入 {business_date}；"
                    "请在下一个营业日办理。",
                    code="drawer_closed",
                )
        check_business_date(session, office_id, business_date)
        return
    if closed == business_date:
        message = f"{business_date} 已日结，不能再记入该日；更正请记入下一个营业日"
    else:
        message = f"{closed} 已日结，不能再记入更早的 {business_date}；更正请记入下一个营业日"
    raise ConflictError(message, code="day_closed")


@dataclass(frozen=True)
class BusinessDayInfo:
    id: int
    business_date: dt.date
    opening_float_fen: int
    opened_at: dt.datetime
    opened_by: int


def _day_info(row: BusinessDay) -> BusinessDayInfo:
    return BusinessDayInfo(
        row.id, row.business_date, row.opening_float_fen, row.opened_at, row.opened_by
    )


def resolve_business_date(clock: Clock, business_date: dt.date | None) -> dt.date:
    today = clock.now().date()
    if business_date is None:
        return today
    if business_date > today:
        raise InputError(f"{business_date} 还没到，不能办理该日业务。", code="date_in_future")
    return business_date


def open_day(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    opening_float: str | int | Decimal,
    business_date: dt.date | None = None,
) -> BusinessDayInfo:
    """Start a business day (today by default) with its opening float (备用金),
    in yuan as typed. Once per office and day; never inside a closed day."""
    lock_office(session, office_id)  # no check-then-write
    operator = require_operator(session, operator_id, office_id=office_id)
    date = resolve_business_date(clock, business_date)
    float_fen = parse_amount(opening_float)
    ensure_day_open(session, office_id, date, operator_id=operator.id)
    existing = business_day(session, office_id, date)
    mine = session.scalar(
        select(DrawerDay.id).where(
            DrawerDay.office_id == office_id,
            DrawerDay.operator_id == operator.id,
            DrawerDay.business_date == date,
        )
    )
    if mine is not None or (existing is not None and existing.opened_by == operator.id):
        own = drawer_float(session, office_id, operator.id, date)
        raise ConflictError(
            f"{date} 已开始营业（备用金 {format_fen_grouped(own)} 元），不能重复开始。",
            code="day_already_open",
        )
    now = clock.now()
    if existing is None:
        # the first window of the day opens the office's day too
        row = BusinessDay(
            office_id=office_id,
            business_date=date,
            opening_float_fen=float_fen,
            opened_at=now,
            opened_by=operator.id,
        )
        session.add(row)
        session.flush()
        existing = _day_info(row)
    # each window's drawer has its own float (issue 11)
    session.add(
        DrawerDay(
            office_id=office_id,
            operator_id=operator.id,
            business_date=date,
            opening_float_fen=float_fen,
            opened_at=now,
        )
    )
    session.flush()
    return BusinessDayInfo(existing.id, date, float_fen, now, operator.id)


def business_day(session: Session, office_id: int, date: dt.date) -> BusinessDayInfo | None:
    row = session.scalars(
        select(BusinessDay).where(
            BusinessDay.office_id == office_id, BusinessDay.business_date == date
        )
    ).first()
    return None if row is None else _day_info(row)


def day_close_of(session: Session, office_id: int, date: dt.date) -> DayClose | None:
    """The close of ``date`` that counts (an annulled one does not)."""
    return session.scalars(
        select(DayClose).where(
            DayClose.office_id == office_id, DayClose.business_date == date, live_closes()
        )
    ).first()
