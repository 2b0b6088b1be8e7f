"""Seed data for the ledger / deposit / day-close / reports / settings tests.

Plain functions (usable from service tests and benchmarks too) plus pytest
fixtures that test modules import by name::

    from seeded_desk import ctx, ops, seed  # noqa: F401

Rows that other services would normally write (payments, receipts, ledger
lines) are written here directly, so these tests do not depend on the
payment workflow; ledger lines go through ``services.ledger.append_entry`` so
the chain is real.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from db.engine import Database
from db.models import (
    Deposit,
    Enrollment,
    LedgerEntry,
    LedgerHead,
    Payment,
    Receipt,
    ReceiptVoid,
    Refund,
    Resident,
)
from services.clock import FixedClock
from services.ledger import append_entry
from services.office import add_village, create_office, create_operator

PASSWORD = "secret-123"
VILLAGES = {"东风村": 320, "红旗村": 280, "新华社区": 450, "柳河村": None}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(birth: dt.date, seq: int, area: str = "120104") -> str:
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@dataclasses.dataclass
class Seed:
    office_id: int
    supervisor_id: int
    clerk_id: int
    villages: dict[str, int]
    receipt_counter: int = 0
    person_counter: int = 0


def make_office(db: Database, clock: FixedClock) -> Seed:
    with db.write() as s:
        office = create_office(
            s,
            clock,
            code="HX-CG",
            name="城关街道办事处",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="CG",
        )
        boss = create_operator(
            s,
            clock,
            office_id=office.id,
            username="zhangli",
            display_name="张丽",
            role="supervisor",
            password=PASSWORD,
            created_by=None,
        )
        clerk = create_operator(
            s,
            clock,
            office_id=office.id,
            username="wangfang",
            display_name="王芳",
            role="clerk",
            password=PASSWORD,
            created_by=boss.id,
        )
        villages = {}
        for name, target in VILLAGES.items():
            info = add_village(
                s, clock, office_id=office.id, name=name, operator_id=boss.id, target=target
            )
            villages[name] = info.id
    return Seed(office.id, boss.id, clerk.id, villages)


NAMES = ("张秀英", "李建国", "王桂兰", "刘洋", "陈德明", "杨子涵", "赵淑芬", "黄志强", "周玉梅")


def add_payment(
    db: Database,
    seed: Seed,
    *,
    when: dt.datetime,
    village: str | None = "东风村",
    tier: str = "low",
    amount_fen: int = 38000,
    channel: str = "cash",
    status: str = "completed",
    name: str | None = None,
) -> int:
    """A paid enrolment with its ledger line; ``status`` voided/refunded adds
    the reversing line too. Returns the payment id."""
    seed.person_counter += 1
    n = seed.person_counter
    name = name or NAMES[n % len(NAMES)]
    birth = dt.date(1950 + n % 60, 1 + n % 12, 1 + n % 28)
    village_id = seed.villages[village] if village else None
    with db.write() as s:
        resident = Resident(
            id_number=fake_id(birth, n),
            id_tail=fake_id(birth, n)[-4:],
            name=name,
            name_initials="x",
            sex="M" if n % 2 else "F",
            birth_date=birth,
            document_type="resident_id",
            village_id=village_id,
            office_id=seed.office_id,
            created_at=when,
        )
        s.add(resident)
        s.flush()
        enrollment = Enrollment(
            resident_id=resident.id,
            office_id=seed.office_id,
            policy_key="tianjin-2024",
            policy_year=2024,
            category="adult",
            tier=tier,
            benefit_tier=tier,
            standard_fen=amount_fen,
            subsidy_fen=0,
            personal_due_fen=amount_fen,
            # a voided payment gives the enrolment back: it is due again
            status={"refunded": "refunded", "voided": "registered"}.get(status, "paid"),
            created_at=when,
        )
        s.add(enrollment)
        s.flush()
        payment = Payment(
            office_id=seed.office_id,
            enrollment_id=enrollment.id,
            amount_fen=amount_fen,
            channel=channel,
            reference="" if channel == "cash" else f"REF{n:06d}",
            payer_name=name,
            business_date=when.date(),
            paid_at=when,
            operator_id=seed.clerk_id,
            status=status,
        )
        s.add(payment)
        s.flush()
        receipt_id = None
        receipt_no = ""
        if channel == "cash":
            seed.receipt_counter += 1
            receipt_no = f"CG{when.year}{seed.receipt_counter:07d}"
            receipt = Receipt(
                office_id=seed.office_id,
                series=f"CG{when.year}",
                number=seed.receipt_counter,
                receipt_no=receipt_no,
                payment_id=payment.id,
                amount_fen=amount_fen,
                payer_name=name,
                issued_at=when,
                operator_id=seed.clerk_id,
            )
            s.add(receipt)
            s.flush()
            receipt_id = receipt.id
        cash = amount_fen if channel == "cash" else 0
        common = dict(
            office_id=seed.office_id,
            business_date=when.date(),
            operator_id=seed.clerk_id,
            channel=channel,
            payment_id=payment.id,
            receipt_id=receipt_id,
            resident_id=resident.id,
            village_id=village_id,
            tier=tier,
            reference=payment.reference,
        )
        append_entry(
            s, kind="payment", recorded_at=when, amount_fen=amount_fen, cash_fen=cash, **common
        )
        later = when + dt.timedelta(minutes=5)
        if status == "voided":
            if receipt_id is not None:
                s.add(
                    ReceiptVoid(
                        receipt_id=receipt_id,
                        reason="金额录错",
                        supervisor_id=seed.supervisor_id,
                        operator_id=seed.clerk_id,
                        voided_at=later,
                    )
                )
            append_entry(
                s,
                kind="void",
                recorded_at=later,
                amount_fen=-amount_fen,
                cash_fen=-cash,
                memo="作废：金额录错",
                **common,
            )
        elif status == "refunded":
            refund = Refund(
                office_id=seed.office_id,
                payment_id=payment.id,
                amount_fen=amount_fen,
                channel=channel,
                reason="已在外省参保",
                approver_id=seed.supervisor_id,
                operator_id=seed.clerk_id,
                business_date=when.date(),
                refunded_at=later,
            )
            s.add(refund)
            s.flush()
            common["refund_id"] = refund.id
            append_entry(
                s,
                kind="refund",
                recorded_at=later,
                amount_fen=-amount_fen,
                cash_fen=-cash,
                memo="退费：已在外省参保",
                **common,
            )
        return payment.id


def add_deposit(
    db: Database, seed: Seed, *, when: dt.datetime, amount_fen: int, slip_no: str
) -> int:
    with db.write() as s:
        deposit = Deposit(
            office_id=seed.office_id,
            amount_fen=amount_fen,
            channel="bank",
            slip_no=slip_no,
            business_date=when.date(),
            deposited_at=when,
            operator_id=seed.clerk_id,
        )
        s.add(deposit)
        s.flush()
        append_entry(
            s,
            office_id=seed.office_id,
            kind="deposit",
            business_date=when.date(),
            recorded_at=when,
            operator_id=seed.clerk_id,
            channel="bank",
            amount_fen=amount_fen,
            cash_fen=-amount_fen,
            deposit_id=deposit.id,
            reference=slip_no,
        )
        return deposit.id


def bulk_ledger(
    db: Database, seed: Seed, count: int, *, start: dt.date, per_day: int = 800
) -> None:
    """``count`` bare payment lines (no payment rows), fast: for paging and
    benchmarks only. Hashes are not real; nothing here verifies them."""
    channels = ("cash", "cash", "cash", "pos", "qr")
    village_ids = list(seed.villages.values())
    rows = []
    for i in range(count):
        day = start + dt.timedelta(days=i // per_day)
        channel = channels[i % len(channels)]
        amount = 38000 if i % 3 else 101000
        rows.append(
            dict(
                office_id=seed.office_id,
                seq=i + 1,
                kind="payment",
                business_date=day,
                recorded_at=dt.datetime.combine(day, dt.time(8, 30))
                + dt.timedelta(seconds=20 * (i % per_day)),
                operator_id=seed.clerk_id,
                channel=channel,
                amount_fen=amount,
                cash_fen=amount if channel == "cash" else 0,
                village_id=village_ids[i % len(village_ids)],
                tier="low" if amount == 38000 else "high",
                reference="",
                memo="",
                prev_hash="0" * 64,
                hash=f"{i:064d}",
            )
        )
    with db.write() as s:
        for chunk in range(0, len(rows), 5000):
            s.execute(insert(LedgerEntry), rows[chunk : chunk + 5000])
        s.merge(LedgerHead(office_id=seed.office_id, last_seq=count, last_hash=f"{count - 1:064d}"))


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def seed(db: Database, clock: FixedClock) -> Seed:
    return make_office(db, clock)


@pytest.fixture
def ctx(db: Database, clock: FixedClock, seed: Seed):  # type: ignore[no-untyped-def]
    from services.policy import load_policies
    from ui.context import AppContext, OperatorSession

    return AppContext(
        db=db,
        clock=clock,
        policies=load_policies(),
        session=OperatorSession(
            seed.office_id, "城关街道办事处", seed.supervisor_id, "张丽", "supervisor"
        ),
    )


@pytest.fixture
def clerk_ctx(ctx, seed: Seed):  # type: ignore[no-untyped-def]
    from ui.context import OperatorSession

    ctx.session = OperatorSession(seed.office_id, "城关街道办事处", seed.clerk_id, "王芳", "clerk")
    return ctx


@pytest.fixture
def ops(ctx, qtbot) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from ui.operations import Operations

    operations = Operations(ctx)
    operations.show_dialogs = False
    yield operations
