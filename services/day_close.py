"""Opening and closing the business day (日结), and the lock on closed days.

* ``open_day`` records the opening float (备用金), once per office and day.
* The close is a blind count: the clerk counts the drawer by denomination
  (notes 100, 50, 20, 10, 5, 1 yuan; coins 1 yuan, 5 jiao, 1 jiao) and only then
  does ``preview_close`` reveal the expected figure. There is no other way
  to ask the service for it.
* Expected = opening float + cash received − cash refunded (voids included)
  − deposited. Undeposited cash of earlier days may stay in the drawer (the
  deposit rule allows five days), so it is added as "brought forward"; when
  everything is deposited daily that term is zero. In short: expected = float
  + cash on hand at the close.
* A difference (长短款) needs a reason and a supervisor. While cash is due
  today or overdue (POLICY.md §7.3: the state at the close, after that day's
  deposits) the day closes only with a supervisor's override and its reason,
  recorded as an ``Override`` of kind ``due_today_close``.
* A closed day is locked: nothing may be written dated inside it or before it
  afterwards; corrections go into the next open day. Every write that carries
  a business date (payments, voids, refunds, deposits, opening a day) calls
  ``ensure_day_open`` inside its transaction.
* Closing a day that was never opened uses a float of 0.00.

This module writes the close (:func:`close_day`). Its neighbours each hold one
step: :mod:`services.business_day` (opening a day, the lock), :mod:`services.day_totals`
(the day's figures and the count), :mod:`services.close_preview` (the blind
preview) and :mod:`services.close_checks` (what a close must pass first).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.money import format_fen_grouped
from db.models import (
    CashDifference,
    DayClose,
    DrawerClose,
    Operator,
    Override,
)
from services.audit import record_audit
from services.business_day import resolve_business_date
from services.clock import Clock
from services.close_checks import (
    check_closable,
    deposit_override_text,
    difference_text,
    drawer_to_close,
    late_close_text,
    require_close_approval,
)
from services.close_preview import ClosePreview, preview_close
from services.concurrency import lock_office
from services.day_seal import DaySeal, seal_day
from services.day_totals import day_totals, normalise_count
from services.deposit_rule import DepositStatus
from services.drawers import unclosed_used_drawers
from services.ledger import append_entry

# --- opening -------------------------------------------------------------------------


# --- the day's figures ----------------------------------------------------------------


# --- counting the drawer ---------------------------------------------------------------


# --- closing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCloseResult:
    #: the office's close of the day, written when this drawer was the last
    #: one used that day still open (a one-window office: always); else None
    id: int | None
    preview: ClosePreview
    override_id: int | None
    #: the anchor and ledger check of this close (services/day_seal.py)
    seal: DaySeal | None = None
    drawer_close_id: int | None = None

    @property
    def office_complete(self) -> bool:
        return self.id is not None

    @property
    def difference_fen(self) -> int:
        return self.preview.difference_fen


def close_day(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    denominations: Mapping[str, int],
    business_date: dt.date | None = None,
    difference_reason: str | None = None,
    supervisor_id: int | None = None,
    override_reason: str | None = None,
    late_reason: str | None = None,
    supervisor_password: str | None = None,
    drawer_operator_id: int | None = None,
) -> DayCloseResult:
    """Close a business day (today by default) on the clerk's count of the drawer.

    Refused, with nothing written: a day already closed (or before a closed
    day), a bad count, a difference without a reason and a supervisor, and —
    while cash is due today or overdue (POLICY.md §7.3) — a close without a
    supervisor's override and its reason. The override is recorded and shows
    in the reports. Afterwards the day is locked (:func:`ensure_day_open`).

    Several windows (issue 11): this closes one drawer — the operator's own,
    or (``drawer_operator_id``, a supervisor only) another window's drawer
    counted by the supervisor, e.g. when its clerk has gone. The office's day
    is closed and locked when the last drawer used that day is closed.
    """
    lock_office(session, office_id)  # no check-then-write
    operator, drawer = drawer_to_close(session, office_id, operator_id, drawer_operator_id)
    date = resolve_business_date(clock, business_date)
    check_closable(session, clock, office_id, drawer, date)

    def approve() -> Operator:
        return require_close_approval(
            session, clock, office_id, date, operator.id, supervisor_id, supervisor_password
        )

    late_text, supervisor = late_close_text(clock, date, late_reason, approve)
    preview = preview_close(
        session,
        clock,
        office_id=office_id,
        denominations=denominations,
        business_date=date,
        operator_id=drawer.id,
    )
    reason, supervisor = difference_text(preview, difference_reason, supervisor, approve)
    override_text, supervisor = deposit_override_text(
        preview, override_reason, supervisor_id, supervisor, approve
    )
    decision = _CloseDecision(
        office_id, operator, drawer, date, preview, supervisor, reason, override_text, late_text
    )
    return _write_close(session, clock, decision)


@dataclass(frozen=True)
class _CloseDecision:
    """Everything checked and approved: what the close writes."""

    office_id: int
    operator: Operator
    drawer: Operator
    date: dt.date
    preview: ClosePreview
    supervisor: Operator | None
    reason: str  # of the difference
    override_text: str  # of closing with cash due
    late_text: str  # of closing a forgotten day


def _write_close(session: Session, clock: Clock, d: _CloseDecision) -> DayCloseResult:
    """The drawer's close, the office's close when it was the last drawer, the
    difference booked, the override and a late close recorded, the day sealed."""
    now = clock.now()
    supervisor, office_id, date = d.supervisor, d.office_id, d.date
    drawer_row = _write_drawer_close(
        session, office_id, d.operator, d.drawer, date, d.preview, d.reason, supervisor, now
    )
    row = _close_office_day_if_complete(
        session,
        clock,
        office_id,
        date,
        d.operator.id,
        supervisor,
        d.preview.deposit_status,
        d.late_text,
        now,
    )
    if d.preview.difference_fen:
        assert supervisor is not None
        _book_difference(session, drawer_row, row, d.drawer.id, supervisor.id, d.reason, now)
    override_id: int | None = None
    if d.override_text:
        assert supervisor is not None
        override_id = _record_override(
            session, office_id, date, d.operator.id, supervisor.id, d.override_text, row, now
        )
    if d.late_text:
        assert supervisor is not None
        record_audit(
            session,
            at=now,
            operator_id=d.operator.id,
            office_id=office_id,
            action="day_close_late",
            subject=f"day:{date.isoformat()}",
            details={"supervisor_id": supervisor.id, "reason": d.late_text},
        )
    seal = seal_day(session, row, at=now) if row is not None else None
    return DayCloseResult(
        id=row.id if row is not None else None,
        preview=d.preview,
        override_id=override_id,
        seal=seal,
        drawer_close_id=drawer_row.id,
    )


def _write_drawer_close(
    session: Session,
    office_id: int,
    operator: Operator,
    drawer: Operator,
    date: dt.date,
    preview: ClosePreview,
    reason: str,
    supervisor: Operator | None,
    now: dt.datetime,
) -> DrawerClose:
    """The drawer's close: its count and the figures it was checked against."""
    totals = preview.totals
    drawer_row = DrawerClose(
        office_id=office_id,
        operator_id=drawer.id,
        closed_by=operator.id,
        business_date=date,
        opening_float_fen=preview.opening_float_fen,
        cash_in_fen=totals.cash_received_fen + totals.cash_made_up_fen,
        cash_out_fen=totals.cash_out_fen + totals.cash_paid_over_fen,
        deposited_fen=totals.deposited_fen,
        expected_fen=preview.expected_fen,
        counted_fen=preview.counted_fen,
        difference_fen=preview.difference_fen,
        denominations=json.dumps(dict(preview.counts), sort_keys=True),
        difference_reason=reason,
        supervisor_id=supervisor.id if supervisor is not None else None,
        closed_at=now,
    )
    session.add(drawer_row)
    session.flush()
    return drawer_row


def _record_override(
    session: Session,
    office_id: int,
    date: dt.date,
    operator_id: int,
    supervisor_id: int,
    override_text: str,
    row: DayClose | None,
    now: dt.datetime,
) -> int:
    """The supervisor's override of the deposit rule at a close, shown in the reports."""
    override = Override(
        office_id=office_id,
        kind="due_today_close",
        reason=override_text,
        supervisor_id=supervisor_id,
        operator_id=operator_id,
        business_date=date,
        created_at=now,
        day_close_id=row.id if row is not None else None,
    )
    session.add(override)
    session.flush()
    return override.id


def _close_office_day_if_complete(
    session: Session,
    clock: Clock,
    office_id: int,
    date: dt.date,
    operator_id: int,
    supervisor: Operator | None,
    status: DepositStatus,
    late_text: str,
    now: dt.datetime,
) -> DayClose | None:
    """Write the office's close of ``date`` (the lock on the day) once every
    drawer used that day is closed: the sums of the drawers' closes."""
    if unclosed_used_drawers(session, office_id, date):
        return None
    closes = list(
        session.scalars(
            select(DrawerClose)
            .where(DrawerClose.office_id == office_id, DrawerClose.business_date == date)
            .order_by(DrawerClose.id)
        )
    )
    counts: dict[str, int] = {}
    for c in closes:
        for key, pieces in json.loads(c.denominations).items():
            counts[key] = counts.get(key, 0) + int(pieces)
    reasons = _difference_reasons(session, closes)
    totals = day_totals(session, office_id, date)
    row = DayClose(
        office_id=office_id,
        business_date=date,
        opening_float_fen=sum(c.opening_float_fen for c in closes),
        cash_received_fen=totals.cash_received_fen,
        cash_refunded_fen=totals.cash_out_fen,
        deposited_fen=totals.deposited_fen,
        expected_fen=sum(c.expected_fen for c in closes),
        counted_fen=sum(c.counted_fen for c in closes),
        difference_fen=sum(c.difference_fen for c in closes),
        denominations=json.dumps(normalise_count(counts), sort_keys=True),
        difference_reason="；".join(reasons),
        deposit_state=status.state,
        operator_id=operator_id,
        supervisor_id=supervisor.id if supervisor is not None else None,
        closed_at=now,
        late_reason=late_text,
    )
    session.add(row)
    session.flush()
    return row


def _difference_reasons(session: Session, closes: list[DrawerClose]) -> list[str]:
    """The drawers' reasons for their differences, each under its clerk's name
    when more than one drawer closed."""
    reasons = [c.difference_reason for c in closes if c.difference_reason]
    if len(closes) <= 1:
        return reasons
    names = dict(
        session.execute(
            select(Operator.id, Operator.display_name).where(
                Operator.id.in_([c.operator_id for c in closes])
            )
        ).all()
    )
    return [
        f"{names.get(c.operator_id, c.operator_id)}：{c.difference_reason}"
        for c in closes
        if c.difference_reason
    ]


def _book_difference(
    session: Session,
    close: DrawerClose,
    office_close: DayClose | None,
    collector_id: int,
    supervisor_id: int,
    reason: str,
    now: dt.datetime,
) -> CashDifference:
    """Write a confirmed 长款/短款 to the ledger (POLICY.md §7.3 revised).

    The adjustment line makes the cash on hand equal to what was counted, so
    the next day's expected drawer is the counted one; the difference itself
    stays open as a :class:`CashDifference` (a shortage against the collector,
    an overage as 待查) until settled (services/over_short.py).
    """
    difference = close.counted_fen - close.expected_fen
    kind = "over" if difference > 0 else "short"
    case = CashDifference(
        office_id=close.office_id,
        day_close_id=office_close.id if office_close is not None else None,
        drawer_close_id=close.id,
        business_date=close.business_date,
        kind=kind,
        amount_fen=abs(difference),
        collector_id=collector_id,
        supervisor_id=supervisor_id,
        reason=reason,
        created_at=now,
    )
    session.add(case)
    session.flush()
    word = "长款（待查）" if kind == "over" else "短款（由经办人补足或主管核销）"
    append_entry(
        session,
        office_id=close.office_id,
        kind="adjustment",
        business_date=close.business_date,
        recorded_at=now,
        operator_id=collector_id,
        channel="cash",
        amount_fen=difference,
        cash_fen=difference,
        memo=f"日结{word} {format_fen_grouped(abs(difference))} 元：{reason}",
    )
    record_audit(
        session,
        at=now,
        operator_id=collector_id,
        office_id=close.office_id,
        action="cash_difference_booked",
        subject=f"cash_difference:{case.id}",
        details={
            "kind": kind,
            "amount_fen": abs(difference),
            "supervisor_id": supervisor_id,
            "business_date": close.business_date.isoformat(),
        },
    )
    return case
