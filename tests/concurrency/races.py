"""Several windows racing on one office: the scenarios of the race suite (issue 11).

Each *window* is a separate process with its own connection, as at a real
office. For every rule that reads shared state and then writes, the parent
seeds one fresh situation per round (usually an office of its own), then all
windows start the same act at the same instant (a barrier) and report how it
ended, exactly as the counter window would show it: done, refused with a
Chinese sentence, database trouble, or an internal error.

The checks (in ``test_races.py``) then demand that at most one window won each
round, that nothing internal reached a clerk, and that ledger, receipts, slips
and closes agree with each other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import traceback
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ServiceError
from common.idcard import check_character
from db.engine import Database
from db.errors import describe_database_error
from db.models import CashDifference, Enrollment, Office, Operator, Resident, Village
from services.business_day import open_day
from services.clock import Clock, FixedClock
from services.corrections import void_receipt
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposits import record_deposit
from services.notices import issue_notice
from services.operator_history import record_operator_state
from services.over_short import annul_day_close, settle_difference
from services.payments import take_payment
from services.policy import PolicyBook, load_policies
from services.quote import PersonFacts
from services.refunds import refund_payment
from services.registry import ResidentInput, register_and_enroll

#: A working day inside the Tianjin 2024 collection period.
NOW = dt.datetime(2023, 11, 6, 9, 30)
CREATED = dt.datetime(2023, 10, 1, 8, 0)
DUE = "380.00"
DUE_FEN = 38_000
BARRIER_TIMEOUT_S = 120


#: Every seeded operator's password (approvals are checked in the service, issue 10).
BOSS_PASSWORD = "race-boss-42"
BOSS_HASH = PasswordHasher().hash(BOSS_PASSWORD)


@dataclasses.dataclass(frozen=True)
class Desk:
    office_id: int
    clerk_id: int
    boss_id: int
    village_id: int


@dataclasses.dataclass(frozen=True)
class Outcome:
    scenario: str
    round: int
    window: int
    kind: str  # ok | refused | db | internal
    code: str
    message: str


# --- seeding (in the parent, before the windows start) -------------------------------

_serial = itertools.count(1)


def new_id_number() -> str:
    """A valid, never repeated resident ID number (born 1980 or later)."""
    serial = next(_serial)
    born = dt.date(1980, 1, 1) + dt.timedelta(days=serial // 500)
    body = f"120221{born:%Y%m%d}{(serial % 500) * 2 + 1:03d}"
    return body + check_character(body)


def seed_desk(session: Session, tag: str) -> Desk:
    office = Office(
        code=tag,
        name=f"测试{tag}",
        level="village",
        policy_key="tianjin-2024",
        receipt_prefix=tag[:16],
        deposit_days=5,
        deposit_limit_fen=1_000_000,
        created_at=CREATED,
    )
    session.add(office)
    session.flush()
    village = Village(office_id=office.id, name="东村", active=True)
    session.add(village)
    people = [
        Operator(
            office_id=office.id,
            username=f"{role}-{tag}",
            display_name=name,
            role=role,
            password_hash=BOSS_HASH,
            active=True,
            created_at=CREATED,
        )
        for role, name in (("clerk", "王丽"), ("supervisor", "张强"))
    ]
    session.add_all(people)
    session.flush()
    for person in people:  # the history the database guards ask for (issue 10)
        record_operator_state(session, person, at=CREATED, action="created", by=None)
    session.flush()
    return Desk(office.id, people[0].id, people[1].id, village.id)


def seed_enrollment(session: Session, desk: Desk) -> int:
    number = new_id_number()
    resident = Resident(
        id_number=number,
        id_tail=number[-4:],
        name="李明",
        name_initials="lm",
        sex="M",
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        document_type="居民身份证",
        village_id=desk.village_id,
        office_id=desk.office_id,
        created_at=CREATED,
    )
    session.add(resident)
    session.flush()
    row = Enrollment(
        resident_id=resident.id,
        office_id=desk.office_id,
        policy_key="tianjin-2024",
        policy_year=2024,
        category="adult",
        tier="low",
        benefit_tier="low",
        standard_fen=DUE_FEN,
        subsidy_fen=0,
        personal_due_fen=DUE_FEN,
        benefit_start=dt.date(2024, 1, 1),
        benefit_end=dt.date(2024, 12, 31),
        status="registered",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row.id


def seed_cash_payment(session: Session, policies: PolicyBook, desk: Desk) -> tuple[int, int]:
    """A cash payment of 380.00 taken at ``desk``: (payment id, receipt id)."""
    enrollment_id = seed_enrollment(session, desk)
    paid = take_payment(
        session,
        FixedClock(NOW - dt.timedelta(hours=1)),
        policies,
        enrollment_id=enrollment_id,
        amount=DUE,
        channel="cash",
        operator_id=desk.clerk_id,
    )
    assert paid.receipt_id is not None
    return paid.payment_id, paid.receipt_id


# --- the acts (in the windows) ---------------------------------------------------------

Act = Callable[[Session, Clock, PolicyBook, dict[str, Any], int], object]


def act_deposit_all_cash(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return record_deposit(
        s,
        c,
        office_id=a["office_id"],
        amount=DUE,
        channel="bank",
        slip_no=f"{a['tag']}-{w}",
        operator_id=a["clerk_id"],
    )


def act_same_slip(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return record_deposit(
        s,
        c,
        office_id=a["office_id"],
        amount="1.00",
        channel="bank",
        slip_no=f"SLIP-{a['tag']}",
        operator_id=a["clerk_id"],
    )


def act_pay_or_close(s: Session, c: Clock, p: PolicyBook, a: dict[str, Any], w: int) -> object:
    if w == 0:
        return close_day(
            s,
            c,
            office_id=a["office_id"],
            operator_id=a["clerk_id"],
            denominations=count_for_amount(0),
            difference_reason="点钞时另一窗口仍在收款",
            supervisor_id=a["boss_id"],
            supervisor_password=BOSS_PASSWORD,
        )
    return take_payment(
        s,
        c,
        p,
        enrollment_id=a["enrollments"][w - 1],
        amount=DUE,
        channel="cash",
        operator_id=a["clerk_id"],
    )


def act_close(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return close_day(
        s,
        c,
        office_id=a["office_id"],
        operator_id=a["clerk_id"],
        denominations=count_for_amount(0),
    )


def act_open_day(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return open_day(
        s, c, office_id=a["office_id"], operator_id=a["clerk_id"], opening_float="100.00"
    )


def act_register_same_person(
    s: Session, c: Clock, p: PolicyBook, a: dict[str, Any], w: int
) -> object:
    return register_and_enroll(
        s,
        c,
        policies=p,
        policy_key="tianjin-2024",
        data=ResidentInput(id_number=a["id_number"], name="赵六", village_id=a["village_id"]),
        category="adult",
        tier="low",
        facts=PersonFacts(),
        office_id=a["office_id"],
        operator_id=a["clerk_id"],
    )


def act_pay_same(s: Session, c: Clock, p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return take_payment(
        s,
        c,
        p,
        enrollment_id=a["enrollment_id"],
        amount=DUE,
        channel="cash",
        operator_id=a["clerk_id"],
    )


def act_void_same(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return void_receipt(
        s,
        c,
        receipt_id=a["receipt_id"],
        supervisor_id=a["boss_id"],
        supervisor_password=BOSS_PASSWORD,
        reason="收错档次",
        operator_id=a["clerk_id"],
    )


def act_refund_same(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return refund_payment(
        s,
        c,
        payment_id=a["payment_id"],
        reason="本人申请退保",
        approver_id=a["boss_id"],
        approver_password=BOSS_PASSWORD,
        operator_id=a["clerk_id"],
    )


def act_issue_notice(s: Session, c: Clock, p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return issue_notice(s, c, p, enrollment_id=a["enrollment_id"], operator_id=a["clerk_id"])


def act_pay_own(s: Session, c: Clock, p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return take_payment(
        s,
        c,
        p,
        enrollment_id=a["enrollments"][w],
        amount=DUE,
        channel="cash",
        operator_id=a["clerk_id"],
    )


def _second_clerk(session: Session, desk: Desk) -> Desk:
    """The office's second window: another clerk (赵敏), as ``Desk.clerk_id``."""
    clerk = Operator(
        office_id=desk.office_id,
        username=f"clerk2-{desk.office_id}",
        display_name="赵敏",
        role="clerk",
        password_hash=BOSS_HASH,
        active=True,
        created_at=CREATED,
    )
    session.add(clerk)
    session.flush()
    record_operator_state(session, clerk, at=CREATED, action="created", by=None)
    session.flush()
    return dataclasses.replace(desk, clerk_id=clerk.id)


def _drawer_of(a: dict[str, Any], w: int) -> int:
    return int(a["clerk_id"] if w % 2 == 0 else a["clerk2_id"])


def act_close_drawers(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    """Even windows close the first clerk's drawer, odd ones the second's."""
    return close_day(
        s,
        c,
        office_id=a["office_id"],
        operator_id=_drawer_of(a, w),
        denominations=count_for_amount(DUE_FEN),
    )


def act_deposit_across(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    """Every window deposits both drawers' cash (760.00), each with its own slip."""
    return record_deposit(
        s,
        c,
        office_id=a["office_id"],
        amount="760.00",
        channel="bank",
        slip_no=f"{a['tag']}-{w}",
        operator_id=_drawer_of(a, w),
    )


def act_write_off_short(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return settle_difference(
        s,
        c,
        difference_id=a["difference_id"],
        action="write_off",
        amount="10.00",
        operator_id=a["clerk_id"],
        supervisor_id=a["boss_id"],
        reason="经核实无法追回",
        supervisor_password=BOSS_PASSWORD,
    )


def act_annul_close(s: Session, c: Clock, _p: PolicyBook, a: dict[str, Any], w: int) -> object:
    return annul_day_close(
        s,
        c,
        day_close_id=a["day_close_id"],
        supervisor_id=a["boss_id"],
        operator_id=a["boss_id"],
        reason="电脑时钟错误",
        supervisor_password=BOSS_PASSWORD,
    )


ACTS: dict[str, Act] = {
    "deposit_all_cash": act_deposit_all_cash,
    "same_slip": act_same_slip,
    "pay_or_close": act_pay_or_close,
    "close_twice": act_close,
    "open_twice": act_open_day,
    "register_same_person": act_register_same_person,
    "pay_same_enrollment": act_pay_same,
    "void_same_receipt": act_void_same,
    "refund_same_payment": act_refund_same,
    "issue_same_notice": act_issue_notice,
    "receipts_gapless": act_pay_own,
    # a drawer per window (issue 11 item 2)
    "two_drawers_close": act_close_drawers,
    "across_drawers_deposit": act_deposit_across,
    "write_off_same_short": act_write_off_short,
    "annul_same_close": act_annul_close,
}


def _desk_args(desk: Desk, tag: str) -> dict[str, Any]:
    return {
        "office_id": desk.office_id,
        "clerk_id": desk.clerk_id,
        "boss_id": desk.boss_id,
        "village_id": desk.village_id,
        "tag": tag,
    }


def seed_round(
    session: Session, policies: PolicyBook, scenario: str, r: int, windows: int, shared: Desk
) -> dict[str, Any]:
    """The situation one round of ``scenario`` starts from."""
    if scenario == "receipts_gapless":  # one office for all rounds: numbers run on
        return _desk_args(shared, shared_tag(shared)) | {
            "enrollments": [seed_enrollment(session, shared) for _ in range(windows)]
        }
    tag = f"{scenario[:6].upper()}{r}"
    desk = seed_desk(session, tag)
    args = _desk_args(desk, tag)
    if scenario in ("deposit_all_cash", "same_slip"):
        seed_cash_payment(session, policies, desk)
    elif scenario == "pay_or_close":
        args["enrollments"] = [seed_enrollment(session, desk) for _ in range(windows - 1)]
    elif scenario == "register_same_person":
        args["id_number"] = new_id_number()
    elif scenario in ("pay_same_enrollment", "issue_same_notice"):
        args["enrollment_id"] = seed_enrollment(session, desk)
    elif scenario in ("void_same_receipt", "refund_same_payment"):
        args["payment_id"], args["receipt_id"] = seed_cash_payment(session, policies, desk)
    elif scenario in ("two_drawers_close", "across_drawers_deposit"):
        second = _second_clerk(session, desk)
        args["clerk2_id"] = second.clerk_id
        seed_cash_payment(session, policies, desk)
        seed_cash_payment(session, policies, second)
    elif scenario == "write_off_same_short":
        # yesterday: 380.00 taken, 370.00 counted, the shortage confirmed
        yesterday = FixedClock(NOW - dt.timedelta(days=1))
        enrollment_id = seed_enrollment(session, desk)
        take_payment(
            session, yesterday, policies, enrollment_id=enrollment_id, amount=DUE,
            channel="cash", operator_id=desk.clerk_id,
        )  # fmt: skip
        close_day(
            session, yesterday, office_id=desk.office_id, operator_id=desk.clerk_id,
            denominations=count_for_amount(DUE_FEN - 1_000), difference_reason="找零错误",
            supervisor_id=desk.boss_id, supervisor_password=BOSS_PASSWORD,
        )  # fmt: skip
        session.flush()
        args["difference_id"] = session.scalars(
            select(CashDifference.id).where(CashDifference.office_id == desk.office_id)
        ).one()
    elif scenario == "annul_same_close":
        # a close dated tomorrow by a clock that ran ahead
        ahead = FixedClock(NOW + dt.timedelta(days=1))
        args["day_close_id"] = close_day(
            session, ahead, office_id=desk.office_id, operator_id=desk.clerk_id,
            denominations=count_for_amount(0),
        ).id  # fmt: skip
    return args


def shared_tag(desk: Desk) -> str:
    return f"GAPLESS{desk.office_id}"


def seed_plan(db: Database, rounds: int, windows: int) -> list[tuple[str, list[dict[str, Any]]]]:
    policies = load_policies()
    plan: list[tuple[str, list[dict[str, Any]]]] = []
    with db.write() as session:
        shared = seed_desk(session, "GAPLESS")
        for scenario in ACTS:
            plan.append(
                (
                    scenario,
                    [
                        seed_round(session, policies, scenario, r, windows, shared)
                        for r in range(rounds)
                    ],
                )
            )
    return plan


# --- a window ---------------------------------------------------------------------------


def attempt(
    db: Database, act: Act, policies: PolicyBook, args: dict[str, Any], w: int
) -> tuple[str, str, str]:
    """Run one act in its own transaction and report it as the window would
    (ui/operations.py: a refusal, database trouble, or an internal error)."""
    try:
        with db.write() as session:
            act(session, FixedClock(NOW), policies, args, w)
    except ServiceError as exc:
        return "refused", exc.code, exc.message
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none escapes
        described = describe_database_error(exc)
        if described is not None:
            return "db", described[0], described[1]
        return "internal", type(exc).__name__, traceback.format_exc()[-3000:]
    return "ok", "", ""


def window_main(
    url: str, w: int, plan: list[tuple[str, list[dict[str, Any]]]], barrier: Any, results: Any
) -> None:
    """One window: every round of every scenario, started together with the others."""
    db = Database(url)
    policies = load_policies()
    outcomes: list[Outcome] = []
    try:
        for scenario, rounds in plan:
            act = ACTS[scenario]
            for r, args in enumerate(rounds):
                barrier.wait(BARRIER_TIMEOUT_S)
                kind, code, message = attempt(db, act, policies, args, w)
                outcomes.append(Outcome(scenario, r, w, kind, code, message))
    finally:
        results.put(outcomes)
        db.dispose()
