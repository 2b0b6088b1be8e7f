"""Issue 9: no sequence of acts takes the drawer below zero (property)."""

from __future__ import annotations

import datetime as dt
import itertools

from cash_desk_helpers import (
    MON,
    at,
    cash_on_hand,
    close,
    deposit,
    ledger_cash,
    pay,
    refund,
)
from factories import PASSWORD, make_desk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import ServiceError
from common.money import format_fen
from db.models import Office
from services.clock import FixedClock
from services.close_preview import preview_close
from services.corrections import void_receipt
from services.ledger import verify_ledger
from services.over_short import differences, settle_difference
from services.payments import PaymentResult

# --- the drawer never goes below zero (property) ------------------------------------------------------

_codes = itertools.count(1)  # a fresh office code per example

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(["cash", "cash", "pos", "qr"])),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("refund"), st.integers(0, 50), st.sampled_from([None, "cash"])),
        st.tuples(st.just("deposit"), st.integers(1, 120_000)),
        st.tuples(st.just("close"), st.integers(-2_000, 2_000)),
        st.tuples(st.just("next_day"), st.integers(1, 3)),
        st.tuples(st.just("make_up"), st.integers(1, 3_000)),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_no_sequence_makes_cash_on_hand_negative(db, ops) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(at(MON, 8))
    with db.write() as s:
        desk = make_desk(s, code=f"P{next(_codes)}")
    payments: list[PaymentResult] = []
    day = MON
    for n, op in enumerate(ops):
        clock.set(at(day, 9) + dt.timedelta(minutes=n))
        try:
            with db.write() as s:
                kind = op[0]
                if kind == "pay":
                    payments.append(pay(s, clock, desk, channel=op[1]))
                elif kind == "void" and payments:
                    p = payments[op[1] % len(payments)]
                    if p.receipt_id is not None:
                        void_receipt(
                            s,
                            clock,
                            receipt_id=p.receipt_id,
                            supervisor_id=desk.supervisor_id,
                            supervisor_password=PASSWORD,
                            reason="作废",
                            operator_id=desk.clerk_id,
                        )
                elif kind == "refund" and payments:
                    p = payments[op[1] % len(payments)]
                    refund(s, clock, desk, p.payment_id, method=op[2])
                elif kind == "deposit":
                    deposit(s, clock, desk, op[1], f"S{n}")
                elif kind == "close":
                    expected = preview_close(
                        s, clock, office_id=desk.office_id, denominations={}
                    ).expected_fen
                    counted = max(0, expected + op[1]) // 10 * 10
                    close(
                        s,
                        clock,
                        desk,
                        counted,
                        difference_reason="点钞差错",
                        supervisor_id=desk.supervisor_id,
                        supervisor_password=PASSWORD,
                        override_reason="银行已关门",
                    )
                elif kind == "next_day":
                    day += dt.timedelta(days=op[1])
                elif kind == "make_up":
                    open_cases = [c for c in differences(s, desk.office_id) if c.kind == "short"]
                    if open_cases:
                        settle_difference(
                            s,
                            clock,
                            difference_id=open_cases[0].id,
                            action="cash_in",
                            amount=format_fen(min(op[1], open_cases[0].open_fen)),
                            operator_id=desk.clerk_id,
                        )
        except ServiceError as refused:
            assert refused.message  # every refusal is a sentence for the clerk
        with db.read() as s:
            on_hand = ledger_cash(s, desk.office_id)
            assert on_hand >= 0, (op, on_hand)
            assert cash_on_hand(s, clock, desk) == on_hand
    with db.read() as s:
        assert verify_ledger(s, desk.office_id).ok
        office = s.get(Office, desk.office_id)
        assert office is not None
