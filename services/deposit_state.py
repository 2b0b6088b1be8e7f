"""The deposit rule applied to the stored ledger: loading an office's cash
movements and replaying them into today's deposit status.

The rule itself is the pure function in :mod:`services.deposit_rule`; this
module reads the database for it and keeps one replay per session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from common.errors import NotFound
from db.models import DayClose, DayCloseAnnulment, LedgerEntry, Office
from services.bank_calendar import office_calendar
from services.clock import Clock
from services.deposit_rule import (
    ONE_DAY,
    CashMovement,
    CashReplay,
    DepositStatus,
    deposit_status,
    status_from_buckets,
)


def load_cash_movements(
    session: Session,
    office_id: int,
    *,
    upto: dt.date | None = None,
    keep_from: dt.date | None = None,
) -> list[CashMovement]:
    """The cash lines the rule needs, in ledger order, read with a few queries.

    Lines booked after ``upto`` are left out. Lines before ``keep_from`` (by
    default: all of them) may be summed up: deposits and refunds settle the
    oldest cash first, so the cash on hand *S* at the end of the day before
    ``keep_from`` is made of the latest collections. Walking back over the
    per-day net collections (payments and voids) until they cover *S* gives a
    first day *D0*; every line before *D0* is summed into one ``carried`` line
    dated the day before. That carried cash is provably settled by the lines
    that follow (their refunds and deposits are at least as large), and it
    reproduces whether the limit rule is armed at *D0* (armed exactly when the
    carried balance is under the limit), so the result is the same as
    replaying the whole ledger, with a few days of lines instead of a year's.
    """
    anchor = keep_from - ONE_DAY if keep_from is not None else upto
    base = [LedgerEntry.office_id == office_id, LedgerEntry.cash_fen != 0]
    if anchor is not None:
        anchored = [*base, LedgerEntry.business_date <= anchor]
    else:
        anchored = base
    total = _cash_through(session, office_id, anchored, anchor)
    start = _window_start(session, anchored, total, anchor)
    conditions = list(base)
    if upto is not None:
        conditions.append(LedgerEntry.business_date <= upto)
    if start is not None:
        conditions.append(LedgerEntry.business_date >= start)
    rows = session.execute(
        select(
            LedgerEntry.business_date,
            LedgerEntry.recorded_at,
            LedgerEntry.cash_fen,
            LedgerEntry.kind,
            LedgerEntry.deposit_id,
        )
        .where(*conditions)
        .order_by(LedgerEntry.seq)
    ).all()
    movements = [CashMovement(*row) for row in rows]
    if start is None:
        return movements
    in_window = sum(m.cash_fen for m in movements if anchor is None or m.business_date <= anchor)
    carried = total - in_window
    if carried:
        day_before = start - ONE_DAY
        first = dt.datetime.combine(day_before, dt.time.min)
        movements.insert(0, CashMovement(day_before, first, carried, "carried"))
    return movements


def _cash_through(
    session: Session, office_id: int, anchored: list[Any], anchor: dt.date | None
) -> int:
    """Cash on hand from the lines booked up to ``anchor`` (all lines if None).

    A day close records ``expected = float + cash on hand`` and locks its day
    and every day before it, so the cash on hand at the last close up to
    ``anchor`` can never change: only the lines booked after it are summed.
    """
    checkpoint = select(
        DayClose.business_date, DayClose.expected_fen - DayClose.opening_float_fen
    ).where(
        DayClose.office_id == office_id,
        ~exists().where(DayCloseAnnulment.day_close_id == DayClose.id),
    )
    if anchor is not None:
        checkpoint = checkpoint.where(DayClose.business_date <= anchor)
    row = session.execute(checkpoint.order_by(DayClose.business_date.desc()).limit(1)).first()
    conditions = list(anchored)
    closed_cash = 0
    if row is not None:
        # The close's own over/short adjustment line is dated on its day and
        # written after the expected figure was taken: add it to the checkpoint.
        adjusted = session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
                LedgerEntry.office_id == office_id,
                LedgerEntry.business_date == row[0],
                LedgerEntry.kind == "adjustment",
            )
        )
        conditions.append(LedgerEntry.business_date > row[0])
        closed_cash = int(row[1]) + int(adjusted or 0)
    later = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(*conditions)
    )
    return closed_cash + int(later or 0)


def _window_start(
    session: Session, anchored: list[Any], total: int, anchor: dt.date | None
) -> dt.date | None:
    """The first business day worth replaying, or None for the whole ledger."""
    if total < 0:
        return None  # a deficit carried over: rare and small, replay everything
    last = anchor or session.scalar(select(func.max(LedgerEntry.business_date)).where(*anchored))
    if last is None:
        return None
    if total == 0:
        return last + ONE_DAY  # nothing on hand: nothing before matters
    for cutoff in (last - dt.timedelta(days=62), None):
        query = (
            select(LedgerEntry.business_date, func.sum(LedgerEntry.cash_fen))
            .where(*anchored, LedgerEntry.kind.in_(("payment", "void")))
            .group_by(LedgerEntry.business_date)
            .order_by(LedgerEntry.business_date.desc())
        )
        if cutoff is not None:
            query = query.where(LedgerEntry.business_date >= cutoff)
        covered = 0
        for date, net in session.execute(query):
            covered += int(net)
            if covered >= total:
                return date
    return None


def _office(session: Session, office_id: int) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"找不到经办机构（编号 {office_id}）", code="office_not_found")
    return office


def current_deposit_status(
    session: Session, clock: Clock, office_id: int, *, at: dt.datetime | None = None
) -> DepositStatus:
    """The deposit state of an office now (or ``at`` an earlier moment), by the
    office's own limits.

    Within one session (one transaction) the replay of the ledger is kept and
    only lines added since are read on the next call, so a day of payments in
    one transaction (the demo office, a batch import) stays linear. The kept
    replay is checked against the hash of the last line it saw, so a line
    rolled back with a savepoint is never counted.
    """
    office = _office(session, office_id)
    moment = clock.now() if at is None else at
    days, limit_fen = office.deposit_days, office.deposit_limit_fen
    shift = office_calendar(session, office_id).next_open
    replay = (
        _session_replay(session, office_id, days, limit_fen, moment, shift) if at is None else None
    )
    if replay is not None:
        return status_from_buckets(replay.buckets(), moment, replay.balance, days, limit_fen)
    # The moment's own day is read line by line: part of it may lie after the moment.
    today = moment.date()
    movements = load_cash_movements(session, office_id, upto=today, keep_from=today)
    return deposit_status(movements, moment, days=days, limit_fen=limit_fen, shift=shift)


@dataclass
class _KeptReplay:
    replay: CashReplay
    last_seq: int
    last_hash: str | None
    latest: dt.datetime  # latest recorded_at applied
    last_date: dt.date  # latest business_date applied


_SESSION_KEY = "services.deposit_rule.replays"


def _session_replay(
    session: Session,
    office_id: int,
    days: int,
    limit_fen: int,
    moment: dt.datetime,
    shift: Callable[[dt.date], dt.date],
) -> CashReplay | None:
    """The session's replay of the whole ledger, brought up to date."""
    kept_all: dict[tuple[object, ...], _KeptReplay] = session.info.setdefault(_SESSION_KEY, {})
    key = (office_id, days, limit_fen, shift.__self__)  # type: ignore[attr-defined]
    kept = kept_all.get(key)
    if kept is not None:
        seen = session.scalar(
            select(LedgerEntry.hash).where(
                LedgerEntry.office_id == office_id, LedgerEntry.seq == kept.last_seq
            )
        )
        if seen != kept.last_hash:
            kept = None
    if kept is None:
        last = session.execute(
            select(
                LedgerEntry.seq,
                LedgerEntry.hash,
                LedgerEntry.recorded_at,
                LedgerEntry.business_date,
            )
            .where(LedgerEntry.office_id == office_id)
            .order_by(LedgerEntry.seq.desc())
            .limit(1)
        ).first()
        replay = CashReplay(days=days, limit_fen=limit_fen, shift=shift)
        if last is None:
            kept = _KeptReplay(replay, 0, None, dt.datetime.min, dt.date.min)
        else:
            kept = _KeptReplay(replay, last[0], last[1], last[2], last[3])
        _apply_all(kept, load_cash_movements(session, office_id))
        kept_all[key] = kept
    else:
        rows = session.execute(
            select(
                LedgerEntry.business_date,
                LedgerEntry.recorded_at,
                LedgerEntry.cash_fen,
                LedgerEntry.kind,
                LedgerEntry.seq,
                LedgerEntry.hash,
            )
            .where(LedgerEntry.office_id == office_id, LedgerEntry.seq > kept.last_seq)
            .order_by(LedgerEntry.seq)
        ).all()
        _apply_all(kept, [CashMovement(r[0], r[1], r[2], r[3]) for r in rows])
        if rows:
            kept.last_seq, kept.last_hash = rows[-1][4], rows[-1][5]
    # "Now" counts every line written, also lines a wrong clock dated after
    # now (clock sanity): the drawer holds what the ledger says, and
    # leaving such a deposit out would overstate the cash on hand.
    return kept.replay


def _apply_all(kept: _KeptReplay, movements: list[CashMovement]) -> None:
    for m in movements:
        kept.replay.apply(m)
        if m.kind != "carried":
            kept.latest = max(kept.latest, m.recorded_at)
            kept.last_date = max(kept.last_date, m.business_date)
