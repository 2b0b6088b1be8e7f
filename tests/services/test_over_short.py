"""Issue 9: over and short booked and settled (POLICY §7.3 revised)."""

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
from factories import PASSWORD
from sqlalchemy import select

from common.errors import ConflictError, InputError, PermissionDenied
from db.models import (
    CashDifference,
    CashDifferenceSettlement,
    LedgerEntry,
)
from services.close_preview import preview_close
from services.ledger import verify_ledger
from services.over_short import differences, settle_difference

# --- over and short (POLICY §7.3 revised) -------------------------------------------------------


def _decide(s, clock, desk, difference_id, action, amount, reason):  # type: ignore[no-untyped-def]
    """The desk's supervisor settles a difference case (write-off, overage returned)."""
    return settle_difference(
        s,
        clock,
        difference_id=difference_id,
        action=action,
        amount=amount,
        operator_id=desk.clerk_id,
        supervisor_id=desk.supervisor_id,
        supervisor_password=PASSWORD,
        reason=reason,
    )


def test_a_confirmed_shortage_is_expected_the_next_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: the next day still expected the old figure and ¥5.00 stayed due for ever."""
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        result = close(
            s, clock, desk, 37_500, difference_reason="找零多付", supervisor_id=desk.supervisor_id
        )
        assert result.difference_fen == -500
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "adjustment")).one()
        assert (line.cash_fen, line.business_date) == (-500, MON)
        assert verify_ledger(s, desk.office_id).ok
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 17))
    with db.write() as s:
        assert cash_on_hand(s, clock, desk) == 37_500
        preview = preview_close(s, clock, office_id=desk.office_id, denominations={})
        assert preview.expected_fen == 37_500
        assert close(s, clock, desk, 37_500).difference_fen == 0
        (case,) = differences(s, desk.office_id)
        assert (case.kind, case.open_fen, case.collector_id) == ("short", 500, desk.clerk_id)


def test_a_shortage_is_made_up_or_written_off(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 37_000, difference_reason="不明", supervisor_id=desk.supervisor_id)
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 9))
    with db.write() as s:
        case_id = s.scalars(select(CashDifference.id)).one()
        settle_difference(
            s, clock, difference_id=case_id, action="cash_in", amount="6", operator_id=desk.clerk_id
        )
        assert cash_on_hand(s, clock, desk) == 37_600
    for kw, error, code in [
        ({"action": "write_off", "supervisor_id": desk.clerk_id}, PermissionDenied, None),
        (
            {"action": "write_off", "supervisor_id": desk.supervisor_id, "reason": ""},
            InputError,
            None,
        ),
        ({"action": "cash_in", "amount": "5"}, InputError, "settlement_exceeds_open"),
        ({"action": "cash_in", "amount": "-1"}, InputError, None),
        (
            {"action": "over_kept", "supervisor_id": desk.supervisor_id, "reason": "x"},
            ConflictError,
            None,
        ),
    ]:
        args: dict[str, object] = {"amount": "4", "operator_id": desk.clerk_id, **kw}
        with db.write() as s, pytest.raises(error) as err:
            settle_difference(s, clock, difference_id=case_id, **args)  # type: ignore[arg-type]
        assert code is None or err.value.code == code
    with db.write() as s:
        _decide(s, clock, desk, case_id, "write_off", "4", "经核实无法追回")
        assert differences(s, desk.office_id) == []
        assert [d.open_fen for d in differences(s, desk.office_id, open_only=False)] == [0]
        assert cash_on_hand(s, clock, desk) == 37_600
        assert len(s.scalars(select(CashDifferenceSettlement)).all()) == 2
        assert verify_ledger(s, desk.office_id).ok


def test_an_overage_is_held_until_a_supervisor_decides(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 39_000, difference_reason="多收", supervisor_id=desk.supervisor_id)
        assert cash_on_hand(s, clock, desk) == 39_000
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s:
        (case,) = differences(s, desk.office_id)
        assert (case.kind, case.open_fen) == ("over", 1_000)
        _decide(s, clock, desk, case.id, "over_returned", "10", "退还给多付的村民")
        assert cash_on_hand(s, clock, desk) == 38_000
        assert differences(s, desk.office_id) == []


def test_returning_an_overage_never_takes_the_drawer_below_zero(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 39_000, difference_reason="多收", supervisor_id=desk.supervisor_id)
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s:
        deposit(s, clock, desk, 39_000, "JK-9")
    with db.write() as s, pytest.raises(ConflictError) as err:
        case_id = s.scalars(select(CashDifference.id)).one()
        _decide(s, clock, desk, case_id, "over_returned", "10", "退还")
    assert err.value.code == "cash_insufficient"
