"""Issue 9: refunds follow the money (POLICY §6 revised), bad input included."""

from __future__ import annotations

import pytest
from cash_desk_helpers import (
    MON,
    at,
    cash_on_hand,
    deposit,
    pay,
    refund,
)
from factories import PASSWORD, row_counts
from sqlalchemy import select

from common.errors import ConflictError, InputError, PermissionDenied
from db.models import Refund
from services.corrections import void_receipt
from services.day_totals import day_totals
from services.ledger import verify_ledger

# --- refunds follow the money (POLICY §6 revised) --------------------------------------------


def test_a_cash_refund_of_undeposited_cash_leaves_the_drawer(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    clock.set(at(MON, 11))
    with db.write() as s:
        result = refund(s, clock, desk, paid.payment_id)
        assert (result.method, result.cash_out_fen, result.channel) == ("cash", 38_000, "cash")
        assert cash_on_hand(s, clock, desk) == 0


def test_a_refund_after_the_deposit_becomes_an_application(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a refund after the day's cash was deposited made the drawer −380.00."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
        deposit(s, clock, desk, 38_000, "JK-1")
    clock.set(at(MON, 15))
    with db.write() as s:
        result = refund(s, clock, desk, paid.payment_id)
        assert result.method == "application" and result.cash_out_fen == 0
        assert "已入库" in result.why_application
        assert cash_on_hand(s, clock, desk) == 0
        row = s.scalars(select(Refund)).one()
        assert (row.method, row.amount_fen, row.approver_id) == (
            "application",
            38_000,
            desk.supervisor_id,
        )
        totals = day_totals(s, desk.office_id, MON)
        assert totals.refund_applications == 1 and totals.cash_refunds == 0
        assert totals.cash_refunded_fen == 0
        assert verify_ledger(s, desk.office_id).ok


def test_a_cash_refund_of_a_pos_payment_is_an_application(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a cash refund of a POS payment drove the drawer negative."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk, channel="pos")
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(ConflictError) as err:
        refund(s, clock, desk, paid.payment_id, method="cash")
    assert err.value.code == "cash_refund_not_possible" and "退费申请" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
    with db.write() as s:
        # the older way to ask (channel="cash") is refused the same way
        with pytest.raises(ConflictError):
            refund(s, clock, desk, paid.payment_id, channel="cash")
    with db.write() as s:
        assert refund(s, clock, desk, paid.payment_id).method == "application"
        assert cash_on_hand(s, clock, desk) == 0


def test_a_void_after_the_deposit_is_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a void after the day's deposit made the drawer negative."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
        deposit(s, clock, desk, 38_000, "JK-1")
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(ConflictError) as err:
        void_receipt(
            s,
            clock,
            receipt_id=paid.receipt_id,  # type: ignore[arg-type]
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="收错",
            operator_id=desk.clerk_id,
        )
    assert err.value.code == "cash_not_in_drawer" and "退费" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
        assert cash_on_hand(s, clock, desk) == 0


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"amount": "500"}, InputError, "refund_exceeds_payment"),
        ({"amount": "100"}, InputError, "refund_not_whole"),
        ({"amount": "-380"}, InputError, None),
        ({"amount": "0"}, InputError, None),
        ({"amount": "380.001"}, InputError, None),
        ({"amount": "三百八"}, InputError, None),
        ({"method": "gold"}, InputError, "bad_refund_method"),
        ({"approver_id": "clerk"}, PermissionDenied, None),
    ],
)
def test_bad_refunds_write_nothing(db, clock, desk, kw, error, code) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    if kw.get("approver_id") == "clerk":
        kw = {"approver_id": desk.clerk_id}
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(error) as err:
        refund(s, clock, desk, paid.payment_id, **kw)
    assert code is None or err.value.code == code
    assert err.value.message
    with db.read() as s:
        assert row_counts(s) == before


def test_a_full_width_amount_is_accepted_and_a_refund_of_a_refund_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    with db.write() as s:
        assert refund(s, clock, desk, paid.payment_id, amount="３８０.００").amount_fen == 38_000
    with db.write() as s, pytest.raises(ConflictError) as err:
        refund(s, clock, desk, paid.payment_id)
    assert err.value.code == "already_refunded"
