"""The automatic check at a day close is incremental (issue 10 follow-up): it
trusts the chains up to the last anchor checked and printed at an earlier
close and checks from there on; ``verify-ledger`` still checks everything."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from factories import make_enrollment, policies
from sqlalchemy import select
from tamper_helpers import History, build_history, tamper_copy

from db.engine import Database
from db.models import DayAnchor, Office, Village
from services.anchors import grand_totals
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.payments import take_payment
from services.verification import trusted_anchor, verify_everything, verify_since_last_anchor


@pytest.fixture
def history(db: Database, db_path: Path, clock: FixedClock) -> History:
    return build_history(db, db_path, clock)


def _office(db: Database) -> int:
    with db.read() as s:
        return s.scalars(select(Office.id)).one()


def _pay_and_close(path: Path, history: History, day: dt.date) -> DayAnchor:
    db = Database(f"sqlite:///{path}")
    clock = FixedClock(dt.datetime.combine(day, dt.time(9, 0)))
    office_id = _office(db)
    with db.write() as s:
        from factories import Desk

        villages = tuple(s.scalars(select(Village.id).where(Village.office_id == office_id)))
        desk = Desk(office_id, villages, history.clerk_id, history.supervisor_id)
        enrollment_id = make_enrollment(s, desk, name="居民新")
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="380",
            channel="cash",
            operator_id=history.clerk_id,
        )
    clock.advance(hours=8)
    with db.write() as s:
        expected = preview_close(s, clock, office_id=office_id, denominations={}).expected_fen
        close_day(
            s,
            clock,
            office_id=office_id,
            operator_id=history.clerk_id,
            denominations=count_for_amount(expected),
        )
    with db.read() as s:
        row = s.scalars(select(DayAnchor).order_by(DayAnchor.id.desc())).first()
        assert row is not None
        s.expunge(row)
    db.dispose()
    return row


def test_the_second_close_checks_from_the_first_anchor(history: History) -> None:
    db = Database(f"sqlite:///{history.path}")
    with db.read() as s:
        first, second = s.scalars(select(DayAnchor).order_by(DayAnchor.id)).all()
        assert first.check_ok and "增量" not in first.check_message  # nothing to trust yet
        assert second.check_ok and "自 2023-11-06 日结锚点起增量校验" in second.check_message
        trusted = trusted_anchor(s, second.office_id)
        assert trusted is not None and trusted.anchor_id == second.id
        # the grand totals added to the trusted anchor's are those summed from line 1
        assert (
            second.total_collected_fen,
            second.total_deposited_fen,
        ) == (
            grand_totals(s, second.office_id, second.ledger_seq).collected_fen,
            grand_totals(s, second.office_id, second.ledger_seq).deposited_fen,
        )
        assert verify_since_last_anchor(s, second.office_id).ok
        assert verify_everything(s).ok  # every stored anchor, recomputed from line 1
    db.dispose()


def test_a_payment_changed_after_the_anchor_fails_the_next_close(
    history: History, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(history.path, copy)
    _pay_and_close(copy, history, dt.date(2023, 11, 8))  # day 3, checked from day 2
    conn = tamper_copy(copy, tmp_path, "copy2.sqlite3")
    conn.execute("UPDATE payment SET amount_fen = 100 WHERE id = (SELECT max(id) FROM payment)")
    conn.commit()
    conn.close()
    db = Database(f"sqlite:///{tmp_path / 'copy2.sqlite3'}")
    with db.read() as s:
        office_id = s.scalars(select(Office.id)).one()
        result = verify_since_last_anchor(s, office_id)
    db.dispose()
    assert not result.ok
    assert any("与缴费记录不符" in f.message for f in result.findings)


def test_the_trusted_line_rewritten_is_caught_and_the_command_line_checks_all(
    history: History, tmp_path: Path
) -> None:
    """A line before the anchor changed: the incremental check trusts the chain
    up to the anchored line only when that line's hash is the one checked and
    printed; an earlier line is left to ``verify-ledger`` (it checks everything)."""
    conn = tamper_copy(history.path, tmp_path)
    seq = conn.execute("SELECT max(ledger_seq) FROM day_anchor").fetchone()[0]
    conn.execute("UPDATE ledger_entry SET hash = 'x' WHERE seq = ?", (seq,))
    conn.execute("UPDATE payment SET amount_fen = 100 WHERE id = 1")
    conn.commit()
    conn.close()
    db = Database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with db.read() as s:
        office_id = s.scalars(select(Office.id)).one()
        incremental = verify_since_last_anchor(s, office_id)
        everything = verify_everything(s)
    db.dispose()
    assert any("日结锚点所在的台账" in f.message for f in incremental.findings)
    assert any("缴费记录不符" in f.message for f in everything.findings)


def test_without_an_earlier_anchor_everything_is_checked(db: Database, clock: FixedClock) -> None:
    from factories import make_desk

    with db.write() as s:
        desk = make_desk(s)
        assert trusted_anchor(s, desk.office_id) is None
        assert verify_since_last_anchor(s, desk.office_id).trusted is None


def test_an_untrusted_anchor_is_skipped(history: History, tmp_path: Path) -> None:
    """An anchor whose check failed is not a starting point."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(history.path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER day_anchor_no_update")
    conn.execute("UPDATE day_anchor SET check_ok = 0 WHERE id = 2")
    conn.commit()
    conn.close()
    db = Database(f"sqlite:///{copy}")
    with db.read() as s:
        trusted = trusted_anchor(s, s.scalars(select(Office.id)).one())
    db.dispose()
    assert trusted is not None and trusted.anchor_id == 1
