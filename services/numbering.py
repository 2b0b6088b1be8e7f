"""Gapless number series (receipt numbers, payment-notice numbers).

A number is taken inside the transaction that uses it: the counter row of the
series is advanced by an ``UPDATE … RETURNING``, which also locks the row until
the transaction ends. If the transaction rolls back, the counter rolls back
with it and the number is given out again — so a series never has a gap and
two windows can never hold the same number. On SQLite the write transaction
(``BEGIN IMMEDIATE``) already holds the database's write lock; on PostgreSQL
the row lock taken by the UPDATE makes a second window wait for the first.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import NumberSeries


def _ensure_series(session: Session, office_id: int, series: str) -> None:
    """Create the counter row at 1 if missing; a concurrent creator is harmless."""
    dialect = session.get_bind().dialect.name
    values = {"office_id": office_id, "series": series, "next_number": 1}
    if dialect == "postgresql":
        session.execute(postgresql.insert(NumberSeries).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(NumberSeries).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect!r}")


def _advance(session: Session, office_id: int, series: str) -> int | None:
    stmt = (
        update(NumberSeries)
        .where(NumberSeries.office_id == office_id, NumberSeries.series == series)
        .values(next_number=NumberSeries.next_number + 1)
        .returning(NumberSeries.next_number)
        .execution_options(synchronize_session=False)
    )
    advanced = session.execute(stmt).scalar_one_or_none()
    return None if advanced is None else int(advanced) - 1


def take_next_number(session: Session, office_id: int, series: str) -> int:
    """The next number of ``series`` for ``office_id`` (1, 2, 3 …), taken in the
    caller's transaction. Must be called inside a write transaction."""
    if not series or len(series) > 32:
        raise ValueError(f"bad series name {series!r}")
    # Flush pending ORM changes first, so that the counter row is the last thing
    # locked before the caller's own inserts (no lock-order surprises).
    session.flush()
    number = _advance(session, office_id, series)
    if number is None:
        _ensure_series(session, office_id, series)
        number = _advance(session, office_id, series)
    if number is None:  # pragma: no cover - the row was just made
        raise RuntimeError(f"number series {series!r} of office {office_id} is missing")
    return number


def peek_next_number(session: Session, office_id: int, series: str) -> int:
    """The number the next :func:`take_next_number` would give (for display only)."""
    value = session.scalar(
        select(NumberSeries.next_number).where(
            NumberSeries.office_id == office_id, NumberSeries.series == series
        )
    )
    return 1 if value is None else int(value)
