"""What the 日结 page shows, in one read (issue 11 item 2, issue 14).

The page closes THIS window's drawer (the logged-in operator's) and shows the
office's drawers to a supervisor. Everything it needs comes from
:func:`day_close_page_state` as one frozen value, so the page never mixes
figures read at different moments. The blind count holds: the state carries
no expected figure of the window's own drawer until that drawer is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BusinessDay, DrawerDay, Operator
from services.clock import Clock
from services.close_checks import unclosed_days
from services.day_close_record import DayCloseRecord, day_close_record
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from services.drawers import DrawerClosed, OfficeDrawers, office_drawers

__all__ = ["DayClosePageState", "DrawerRow", "day_close_page_state"]


@dataclass(frozen=True)
class DrawerRow:
    """A line of the office view: a drawer, as a supervisor may see it."""

    operator_id: int
    operator_name: str
    opening_float_fen: int
    expected_fen: int | None  # None: hidden (this window's own drawer before its count)
    counted_fen: int | None  # None: not counted yet
    closed: bool
    used: bool


@dataclass(frozen=True)
class DayClosePageState:
    business_date: dt.date
    operator_id: int
    operator_name: str
    is_supervisor: bool
    #: the drawer this page counts and closes: the window's own; for a
    #: supervisor without a drawer of their own that day, the one other
    #: drawer still open (a clerk who has gone home)
    drawer_operator_id: int
    drawer_name: str
    office_record: DayCloseRecord | None  # the office's close of the day
    opened: bool  # the window's own drawer opened with a float today
    opening_float_fen: int
    my_close: DrawerClosed | None  # this window's drawer close
    deposit_status: DepositStatus
    forgotten: tuple[dt.date, ...]  # earlier days with business never closed
    drawers: tuple[DrawerRow, ...]  # the office view (supervisors only; else empty)
    waiting_for: tuple[str, ...]  # windows used today whose drawer is still open

    @property
    def my_drawer_closed(self) -> bool:
        return self.my_close is not None or self.office_record is not None


def _drawer_opened(session: Session, office_id: int, operator_id: int, date: dt.date) -> bool:
    """The operator opened their drawer (or, before drawers, the office's day) on ``date``."""
    return (
        session.scalar(
            select(DrawerDay.id).where(
                DrawerDay.office_id == office_id,
                DrawerDay.operator_id == operator_id,
                DrawerDay.business_date == date,
            )
        )
        is not None
        or session.scalar(
            select(BusinessDay.id).where(
                BusinessDay.office_id == office_id,
                BusinessDay.business_date == date,
                BusinessDay.opened_by == operator_id,
            )
        )
        is not None
    )


def day_close_page_state(
    session: Session, clock: Clock, office_id: int, operator_id: int, date: dt.date
) -> DayClosePageState:
    operator = session.get(Operator, operator_id)
    name = operator.display_name if operator is not None else ""
    supervisor = operator is not None and operator.role == "supervisor"
    drawers: OfficeDrawers = office_drawers(session, office_id, date)
    target = operator_id
    own = drawers.drawer(operator_id)
    others = [d for d in drawers.open_drawers if d.operator_id != operator_id]
    if supervisor and (own is None or not own.used) and len(others) == 1:
        target = others[0].operator_id
    mine = drawers.drawer(target)
    opened = _drawer_opened(session, office_id, operator_id, date)
    rows: tuple[DrawerRow, ...] = ()
    if supervisor:
        rows = tuple(
            DrawerRow(
                d.operator_id,
                d.operator_name,
                d.opening_float_fen,
                # blind: the supervisor's own open drawer shows no expected cash
                None if d.operator_id == target and d.closed is None else d.expected_fen,
                d.closed.counted_fen if d.closed is not None else None,
                d.closed is not None,
                d.used,
            )
            for d in drawers.drawers
        )
    return DayClosePageState(
        business_date=date,
        operator_id=operator_id,
        operator_name=name,
        is_supervisor=supervisor,
        drawer_operator_id=target,
        drawer_name=mine.operator_name if mine is not None else name,
        office_record=day_close_record(session, office_id, date),
        opened=opened,
        opening_float_fen=mine.opening_float_fen if mine is not None else 0,
        my_close=mine.closed if mine is not None else None,
        deposit_status=current_deposit_status(session, clock, office_id),
        forgotten=tuple(unclosed_days(session, clock, office_id)),
        drawers=rows,
        waiting_for=tuple(d.operator_name for d in drawers.open_drawers if d.operator_id != target),
    )
