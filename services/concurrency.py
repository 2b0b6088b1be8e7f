"""Several windows, one office: no check-then-write on shared state.

A rule that reads shared state and then writes (cash on hand before a deposit,
the day still open before a payment or a close, a slip number not yet used, a
receipt not yet voided, a payment not yet refunded) holds only if no other
window can change that state between the read and the write. So every such
write first locks the row that owns the state, in its own transaction, and
only then reads:

* :func:`lock_office` — the office row owns its cash, its days, its slips, its
  receipts and payments. On PostgreSQL it is ``SELECT … FOR NO KEY UPDATE``:
  writers of one office queue up behind each other, while inserts that merely
  reference the office (their foreign-key check takes ``FOR KEY SHARE``) and
  readers are not held up. On SQLite a write transaction already holds the
  database's write lock from its first statement (``BEGIN IMMEDIATE``, see
  ``db/engine.py``), so the statement changes nothing there.
* :func:`lock_resident` — the resident row owns "one live enrolment per year".

Call the lock before the first read the rule depends on. Objects the session
loaded before the lock are expired, so that what the rule reads next is what
the previous window committed (PostgreSQL's READ COMMITTED takes a fresh
snapshot for each statement).

Each uniqueness is also backed by a database constraint; a write that still
loses a race gets :func:`lost_race_as_conflict`, which turns the database's
refusal into a plain Chinese sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from common.errors import ConflictError, NotFound
from db.errors import is_lost_race
from db.models import Office, Resident


def _lock_row(session: Session, model: type[Office] | type[Resident], row_id: int) -> bool:
    session.flush()
    stmt = select(model.id).where(model.id == row_id).with_for_update(key_share=True)
    found = session.execute(stmt).scalar_one_or_none() is not None
    # What was read before the lock may be stale: read it again when used.
    session.expire_all()
    return found


def lock_office(session: Session, office_id: int) -> None:
    """Hold ``office_id``'s row until this transaction ends (see module docstring)."""
    if not _lock_row(session, Office, office_id):
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")


def lock_resident(session: Session, resident_id: int) -> None:
    """Hold ``resident_id``'s row until this transaction ends."""
    if not _lock_row(session, Resident, resident_id):
        raise NotFound(f"没有编号为 {resident_id} 的居民。", code="resident_not_found")


@contextmanager
def lost_race_as_conflict(session: Session, message: str, *, code: str) -> Iterator[None]:
    """Run the block's writes in a savepoint; if the database refuses them because
    another window got there first (a unique key taken), raise ``ConflictError``
    with ``message`` — "另一窗口刚刚……，请刷新后重试" — and leave the caller's
    transaction usable. Any other database error passes through unchanged."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except DBAPIError as exc:
        if not is_lost_race(exc):
            raise
        session.expire_all()
        raise ConflictError(message, code=code) from None
