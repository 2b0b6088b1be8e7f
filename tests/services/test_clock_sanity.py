"""Issue 9: a wrong clock stops writes until a supervisor confirms."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_desk_helpers import (
    MON,
    at,
    cash_on_hand,
    close,
    deposit,
    pay,
)
from factories import PASSWORD, confirm_date
from sqlalchemy import select

from common.errors import ConflictError, InputError, PermissionDenied
from db.models import (
    AuditEntry,
    DayClose,
    DayCloseAnnulment,
)
from services.business_day import open_day
from services.clock_sanity import MAX_FORWARD_DAYS, clock_check
from services.ledger import verify_ledger
from services.office import AuthenticationFailed
from services.over_short import annul_day_close

# --- clock sanity ---------------------------------------------------------------------------------------


def _annul(s, clock, desk, day_close_id, supervisor_id, reason):  # type: ignore[no-untyped-def]
    """The supervisor annuls a day close (one dated by a wrong clock)."""
    return annul_day_close(
        s,
        clock,
        day_close_id=day_close_id,
        supervisor_id=supervisor_id,
        supervisor_password=PASSWORD,
        operator_id=desk.clerk_id,
        reason=reason,
    )


def test_a_clock_years_ahead_stops_writes_until_a_supervisor_confirms(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
        close(s, clock, desk, 38_000)
    future = dt.date(2031, 11, 7)
    clock.set(at(future, 9))
    with db.read() as s:
        check = clock_check(s, clock, desk.office_id)
        assert check.state == "ahead" and "2031-11-07" in check.message
    with db.write() as s, pytest.raises(ConflictError) as err:
        deposit(s, clock, desk, 10_000, "JK-F")
    assert err.value.code == "clock_ahead"
    with db.write() as s, pytest.raises(PermissionDenied):
        confirm_date(s, clock, desk, "确认", supervisor_id=desk.clerk_id)
    # A careless supervisor confirms the wrong date: a deposit and a close in 2031.
    with db.write() as s:
        confirm_date(s, clock, desk, "看错了日期")
        deposit(s, clock, desk, 10_000, "JK-F")
        wrong = close(
            s, clock, desk, 28_000, supervisor_id=desk.supervisor_id, override_reason="看错日期"
        )
    # The clock is corrected: the close dated 2031 locks every earlier day…
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s, pytest.raises(ConflictError) as err:
        pay(s, clock, desk)
    assert err.value.code == "day_closed"
    with db.write() as s, pytest.raises(PermissionDenied):
        _annul(s, clock, desk, wrong.id, desk.clerk_id, "时钟错误")
    with db.write() as s, pytest.raises(InputError):
        _annul(s, clock, desk, wrong.id, desk.supervisor_id, " ")
    with db.write() as s:
        first_close = s.scalars(select(DayClose.id).where(DayClose.business_date == MON)).one()
        with pytest.raises(ConflictError) as err:
            _annul(s, clock, desk, first_close, desk.supervisor_id, "想重做")
        assert err.value.code == "close_not_in_future"
    with db.write() as s:
        _annul(s, clock, desk, wrong.id, desk.supervisor_id, "电脑时钟错误造成的 2031 年日结")
    with db.read() as s:  # journalled, with the supervisor's approval (issue 10)
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "business_date_confirmed" in actions and "day_close_annulled" in actions
    with db.write() as s, pytest.raises(AuthenticationFailed):
        confirm_date(s, clock, desk, "确认", password="wrong-password")
    # …and the deposit dated 2031 makes today look like a clock gone backwards.
    with db.write() as s, pytest.raises(ConflictError) as err:
        pay(s, clock, desk)
    assert err.value.code == "clock_backwards"
    with db.write() as s:
        confirm_date(s, clock, desk, "时钟已校正")
    with db.write() as s:
        assert pay(s, clock, desk).receipt_no is not None
        assert s.scalars(select(DayCloseAnnulment)).one().day_close_id == wrong.id
        assert s.get(DayClose, wrong.id) is not None  # kept, never edited
        assert cash_on_hand(s, clock, desk) == 28_000 + 38_000
        assert verify_ledger(s, desk.office_id).ok


def test_a_small_step_forward_needs_no_confirmation(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON + dt.timedelta(days=MAX_FORWARD_DAYS), 9))
    with db.write() as s:
        assert clock_check(s, clock, desk.office_id).ok
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")
