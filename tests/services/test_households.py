"""Issue 12: households paid together."""

from __future__ import annotations

import pytest
from resident_year_helpers import _family, _pay
from sqlalchemy import select

from common.errors import ConflictError, InputError
from db.engine import Database
from db.models import Receipt
from services.clock import FixedClock
from services.households import household_members, pay_for_household
from tests.services.factories import (
    Desk,
    policies,
)

# --- households ---------------------------------------------------------------------------


def test_household_payment_one_receipt_per_person_on_consecutive_numbers(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    eids = _family(db, desk)
    _pay(db, clock, desk, eids[1])  # 王二 already paid
    with db.read() as s:
        members = household_members(s, "H001", 2024)
    assert [m.status_label for m in members] == ["待缴费", "已缴费", "待缴费", "待缴费"]
    with pytest.raises(InputError, match="代办人"):
        with db.write() as s:
            pay_for_household(
                s, clock, policies(), members=members, channel="cash", agent_name="",
                operator_id=desk.clerk_id,
            )  # fmt: skip
    with db.write() as s:
        result = pay_for_household(
            s,
            clock,
            policies(),
            members=members,
            channel="cash",
            agent_name="王大",
            operator_id=desk.clerk_id,
        )
    assert [name for name, _ in result.refused] == ["王二"]
    assert "已缴费" in result.refused[0][1]
    assert result.total_fen == 3 * 38_000
    numbers = [p.receipt_no for p in result.paid]
    assert numbers == ["LT2023-000002", "LT2023-000003", "LT2023-000004"]
    with db.read() as s:
        agents = s.scalars(select(Receipt.agent_name).where(Receipt.number > 1)).all()
        assert agents == ["王大"] * 3


def test_household_with_nobody_payable_is_refused_naming_them(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    eids = _family(db, desk, 2)
    for eid in eids:
        _pay(db, clock, desk, eid)
    with db.read() as s:
        members = household_members(s, "H001", 2024)
    with pytest.raises(ConflictError, match="王大.*王二"):
        with db.write() as s:
            pay_for_household(
                s, clock, policies(), members=members, channel="cash", agent_name="王大",
                operator_id=desk.clerk_id,
            )  # fmt: skip
