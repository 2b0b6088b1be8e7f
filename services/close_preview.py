"""What a day close would book, before it books: the preview the close page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from common.denominations import BY_KEY
from services.business_day import business_day, resolve_business_date
from services.clock import Clock
from services.day_totals import DayTotals, day_totals, normalise_count
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from services.drawers import DrawerState, drawer_float, office_drawers


@dataclass(frozen=True)
class ClosePreview:
    """The figures of a close, shown only once the drawer has been counted."""

    business_date: dt.date
    counts: Mapping[str, int]
    counted_fen: int
    opening_float_fen: int
    brought_forward_fen: int  # undeposited cash of earlier days still in the drawer
    totals: DayTotals
    expected_fen: int  # float + brought forward + received - refunded - deposited
    deposit_status: DepositStatus
    #: the drawer counted (issue 11); None: the whole office's cash
    drawer: DrawerState | None = None

    @property
    def difference_fen(self) -> int:
        """Counted minus expected: positive is over (长款), negative short (短款)."""
        return self.counted_fen - self.expected_fen

    @property
    def deposit_required(self) -> bool:
        """Cash due today (or overdue) and not yet deposited: the close needs an override."""
        return self.deposit_status.state in ("due_today", "overdue")


def _close_moment(clock: Clock, date: dt.date) -> dt.datetime:
    now = clock.now()
    return now if date == now.date() else dt.datetime.combine(date, dt.time(23, 59, 59))


def preview_close(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    denominations: Mapping[str, int],
    business_date: dt.date | None = None,
    operator_id: int | None = None,
) -> ClosePreview:
    """Expected against counted, for a count already made (the blind count:
    there is no way to ask for the expected figure without giving a count).
    With ``operator_id``: that window's drawer (issue 11); without, the
    office's cash as one drawer."""
    date = resolve_business_date(clock, business_date)
    counts = normalise_count(denominations)
    counted = sum(BY_KEY[key].fen * pieces for key, pieces in counts.items())
    if operator_id is not None:
        return _drawer_preview(session, clock, office_id, operator_id, date, counts, counted)
    day = business_day(session, office_id, date)
    opening_float = day.opening_float_fen if day is not None else 0
    status = current_deposit_status(session, clock, office_id, at=_close_moment(clock, date))
    totals = day_totals(session, office_id, date)
    return ClosePreview(
        business_date=date,
        counts=counts,
        counted_fen=counted,
        opening_float_fen=opening_float,
        brought_forward_fen=status.cash_on_hand_fen - totals.net_cash_fen,
        totals=totals,
        expected_fen=opening_float + status.cash_on_hand_fen,
        deposit_status=status,
    )


def _drawer_preview(
    session: Session,
    clock: Clock,
    office_id: int,
    operator_id: int,
    date: dt.date,
    counts: dict[str, int],
    counted: int,
) -> ClosePreview:
    drawers = office_drawers(session, office_id, date)
    drawer = drawers.drawer(operator_id)
    if drawer is None:  # a window with nothing in its drawer
        drawer = DrawerState(
            operator_id, "", date, drawer_float(session, office_id, operator_id, date),
            0, 0, 0, 0, 0, None, False, None,
        )  # fmt: skip
    status = current_deposit_status(session, clock, office_id, at=_close_moment(clock, date))
    totals = replace(
        day_totals(session, office_id, date, operator_id=operator_id),
        deposited_fen=drawer.deposited_fen,
        deposits=drawer.deposits,
    )
    return ClosePreview(
        business_date=date,
        counts=counts,
        counted_fen=counted,
        opening_float_fen=drawer.opening_float_fen,
        brought_forward_fen=drawer.brought_forward_fen,
        totals=totals,
        expected_fen=drawer.expected_fen,
        deposit_status=status,
        drawer=drawer,
    )
