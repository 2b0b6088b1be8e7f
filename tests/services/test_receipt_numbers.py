"""Receipt numbers stay unique and gapless when two windows pay at the same
instant: the second guard of the rule, beside the process-based race suite
(tests/concurrency). Here two threads, each with its own connection pool (two
windows), pay their own residents in lockstep on one office, on SQLite always
and on PostgreSQL when the tests have a server (on CI they must).
"""

from __future__ import annotations

import threading

import pytest
from factories import make_desk, make_enrollment, policies
from sqlalchemy import select

from db.engine import Database
from db.models import Receipt
from services.clock import FixedClock
from services.payments import take_payment

WINDOWS = 2
ROUNDS = 6


def _race(url: str, clock: FixedClock) -> list[int]:
    """Both windows pay ROUNDS residents each, starting every round together;
    the office's receipt numbers afterwards."""
    setup = Database(url)
    with setup.write() as s:
        desk = make_desk(s, code="RACE")
        due = {w: [make_enrollment(s, desk) for _ in range(ROUNDS)] for w in range(WINDOWS)}
    book = policies()
    barrier = threading.Barrier(WINDOWS)
    errors: list[BaseException] = []

    def window(w: int) -> None:
        db = Database(url)
        try:
            for enrollment_id in due[w]:
                barrier.wait(timeout=60)
                with db.write() as s:
                    take_payment(
                        s,
                        clock,
                        book,
                        enrollment_id=enrollment_id,
                        amount="380",
                        channel="cash",
                        operator_id=desk.clerk_id,
                    )
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
            barrier.abort()
        finally:
            db.dispose()

    threads = [threading.Thread(target=window, args=(w,)) for w in range(WINDOWS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with setup.read() as s:
        numbers = list(
            s.scalars(
                select(Receipt.number).where(Receipt.office_id == desk.office_id).order_by("number")
            )
        )
    setup.dispose()
    return numbers


def _check(numbers: list[int]) -> None:
    assert numbers == list(range(1, WINDOWS * ROUNDS + 1))


def test_two_windows_on_sqlite_get_unique_gapless_numbers(db: Database, clock: FixedClock) -> None:
    _check(_race(db.url, clock))


@pytest.mark.postgres
def test_two_windows_on_postgres_get_unique_gapless_numbers(
    pg_db: Database, clock: FixedClock
) -> None:
    _check(_race(pg_db.url, clock))
