"""The demo office: built through the services, consistent, and the bulk
writer writes exactly what the services write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cash_lines import table_counts
from sqlalchemy import func, select

from common.errors import ConflictError, InputError
from common.idcard import parse_id
from db.engine import Database
from db.migrate import upgrade_database
from db.models import (
    Base,
    DayClose,
    Deposit,
    Enrollment,
    LedgerEntry,
    Payment,
    Receipt,
    Refund,
    Resident,
)
from services.clock import FixedClock
from services.deposit_rule import CashMovement, deposit_status
from services.deposit_state import current_deposit_status
from services.ledger import verify_ledger
from services.office import authenticate
from tools.demo import CATEGORIES, DEMO_OPERATORS, build_demo_office, working_days


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Database:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    path.write_bytes(migrated_template.read_bytes())
    db = Database(f"sqlite:///{path}")
    build_demo_office(db, residents=200, days=5, bulk=False)
    yield db
    db.dispose()


def test_working_days_skip_weekends() -> None:
    days = working_days(dt.date(2023, 10, 13), 3)  # a Friday
    assert days == [dt.date(2023, 10, 13), dt.date(2023, 10, 16), dt.date(2023, 10, 17)]


def test_the_demo_office_is_consistent(demo_db: Database) -> None:
    with demo_db.read() as s:
        assert verify_ledger(s).ok
        categories = set(s.scalars(select(Enrollment.category).distinct()))
        assert categories == {c for c, _, _ in CATEGORIES}
        assert s.scalar(select(func.count()).select_from(Resident)) == 200
        numbers = s.scalars(select(Resident.id_number)).all()
        for number in numbers:
            assert parse_id(number, today=dt.date(2023, 10, 20)).number == number
        assert s.scalar(select(func.count()).select_from(DayClose)) == 5
        assert s.scalar(select(func.count()).select_from(Deposit)) >= 1
        assert s.scalar(select(func.count()).select_from(Refund)) >= 1
        voided = s.scalar(select(func.count()).where(Payment.status == "voided"))
        assert voided >= 1
        channels = set(s.scalars(select(Payment.channel).distinct()))
        assert {"cash", "qr", "pos"} <= channels
        # Receipts are gapless, and only cash payments have one.
        numbers_used = s.scalars(select(Receipt.number).order_by(Receipt.number)).all()
        assert numbers_used == list(range(1, len(numbers_used) + 1))
        cash = s.scalar(select(func.count()).where(Payment.channel == "cash"))
        assert cash == len(numbers_used)
        # Every closed day balanced, and the drawer's cash agrees with the ledger.
        closes = s.scalars(select(DayClose).order_by(DayClose.business_date)).all()
        assert all(c.deposit_state in ("ok", "warning") for c in closes)
        assert all(c.difference_fen == 0 for c in closes)
        clock = FixedClock(dt.datetime.combine(closes[-1].business_date, dt.time(18)))
        status = current_deposit_status(s, clock, closes[-1].office_id)
        lines = s.execute(
            select(
                LedgerEntry.business_date,
                LedgerEntry.recorded_at,
                LedgerEntry.cash_fen,
                LedgerEntry.kind,
            ).order_by(LedgerEntry.seq)
        ).all()
        whole = [CashMovement(*line) for line in lines]
        assert status == deposit_status(whole, clock.now())
        assert closes[-1].expected_fen == closes[-1].opening_float_fen + status.cash_on_hand_fen
        # Read through the closes' checkpoints, any moment agrees with a full replay.
        for close in closes:
            for hour in (8, 12, 16, 23):
                moment = dt.datetime.combine(close.business_date, dt.time(hour, 10))
                at_moment = current_deposit_status(s, clock, close.office_id, at=moment)
                assert at_moment == deposit_status(whole, moment)


def test_the_demo_operators_can_log_in(demo_db: Database) -> None:
    with demo_db.read() as s:
        for username, password, _name, role in DEMO_OPERATORS:
            assert authenticate(s, username, password).role == role


def test_a_second_demo_in_the_same_database_is_refused(demo_db: Database) -> None:
    with demo_db.read() as s:
        before = table_counts(s)
    with pytest.raises(ConflictError):
        build_demo_office(demo_db, residents=10, days=1)
    with demo_db.read() as s:
        assert table_counts(s) == before


@pytest.mark.parametrize(
    ("residents", "days", "code"),
    [
        (0, 5, "bad_residents"),
        (10, 0, "bad_days"),
        (10, 401, "bad_days"),
        (True, 5, "bad_residents"),
    ],
)
def test_bad_sizes_are_refused(db: Database, residents: int, days: int, code: str) -> None:
    with pytest.raises(InputError) as err:
        build_demo_office(db, residents=residents, days=days)
    assert err.value.code == code
    with db.read() as s:
        assert table_counts(s) == {k: 0 for k in table_counts(s)}


#: columns that depend on salted password hashes (through the operators'
#: state digests sealed in the audit chain), left out of the comparison
_SALTED = {
    "audit_entry": {"details", "prev_hash", "hash"},
    "operator_change": {"password_hash"},
    "audit_head": {"last_hash"},
    "day_anchor": {"audit_hash", "code"},
}


def _all_rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(
                select(*(c for c in table.c if c.name not in _SALTED.get(table.name, ()))).order_by(
                    *table.primary_key.columns
                )
            ).all()
            for table in Base.metadata.sorted_tables
            if table.name != "operator"  # password hashes are salted
        }


def test_the_bulk_writer_writes_what_the_services_write(
    tmp_path: Path, migrated_template: Path
) -> None:
    built = []
    for bulk in (False, True):
        path = tmp_path / f"bulk-{bulk}.sqlite3"
        path.write_bytes(migrated_template.read_bytes())
        db = Database(f"sqlite:///{path}")
        upgrade_database(db)
        result = build_demo_office(db, residents=150, days=4, seed=7, bulk=bulk)
        built.append((result, _all_rows(db)))
        db.dispose()
    (slow, slow_rows), (fast, fast_rows) = built
    assert slow.payments == fast.payments > 100
    for table, rows in slow_rows.items():
        assert fast_rows[table] == rows, table
