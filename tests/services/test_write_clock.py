"""Clock sanity for every write (issue 9 item 9): registration, payment
notices and the office's settings are refused like money while the clock
disagrees with the newest business date, until a supervisor confirms it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from factories import Desk, confirm_date, id_number, make_desk, make_enrollment, policies
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError
from db.engine import Database
from db.models import Enrollment, Office, PaymentNotice, Resident, Village
from services.bank_calendar import update_bank_days
from services.clock import FixedClock
from services.clock_sanity import MAX_FORWARD_DAYS
from services.notices import issue_notice, issue_village_notices
from services.office import add_village, set_village_target
from services.office_settings import set_printer_name, update_office_settings
from services.payments import take_payment
from services.quote import PersonFacts
from services.registry import ResidentInput, enroll, register_resident

TODAY = dt.datetime(2023, 11, 6, 9, 30)  # the conftest clock: a payment is taken then


@pytest.fixture
def desk(db: Database, clock: FixedClock) -> Desk:
    with db.write() as s:
        desk = make_desk(s)
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=make_enrollment(s, desk),
            amount="380",
            channel="cash",
            operator_id=desk.clerk_id,
        )
    return desk


def _register(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return register_resident(
        s,
        clock,
        data=ResidentInput(id_number(901, "19750203"), "赵新", village_id=desk.village_ids[0]),
        office_id=desk.office_id,
        operator_id=desk.clerk_id,
    )


def _enroll(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return enroll(
        s,
        clock,
        policy=policies().get("tianjin-2024"),
        resident_id=ids["resident"],
        category="adult",
        tier="low",
        facts=PersonFacts(),
        office_id=desk.office_id,
        operator_id=desk.clerk_id,
    )


def _notice(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return issue_notice(
        s, clock, policies(), enrollment_id=ids["unpaid"], operator_id=desk.clerk_id
    )


def _village_notices(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return issue_village_notices(
        s,
        clock,
        policies(),
        office_id=desk.office_id,
        village_id=desk.village_ids[0],
        policy_year=2024,
        operator_id=desk.clerk_id,
    )


def _settings(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return update_office_settings(
        s, clock, office_id=desk.office_id, operator_id=desk.supervisor_id, phone="022-12345678"
    )


def _village(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return add_village(
        s, clock, office_id=desk.office_id, name="新建社区", operator_id=desk.supervisor_id
    )


def _target(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return set_village_target(
        s, clock, village_id=desk.village_ids[0], target=500, operator_id=desk.supervisor_id
    )


def _printer(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return set_printer_name(
        s,
        clock,
        office_id=desk.office_id,
        printer_name="柜台打印机",
        operator_id=desk.supervisor_id,
    )


def _bank_days(s: Session, clock: FixedClock, desk: Desk, ids: dict[str, int]) -> object:
    return update_bank_days(
        s,
        clock,
        office_id=desk.office_id,
        operator_id=desk.supervisor_id,
        closed_weekends=True,
        closed_days="",
    )


Write = Callable[[Session, FixedClock, Desk, dict[str, int]], Any]
WRITES: dict[str, tuple[Write, str]] = {
    "register_resident": (_register, "暂不能登记"),
    "enroll": (_enroll, "暂不能登记"),
    "issue_notice": (_notice, "暂不能开具缴费通知单"),
    "issue_village_notices": (_village_notices, "暂不能开具缴费通知单"),
    "update_office_settings": (_settings, "暂不能修改单位设置"),
    "add_village": (_village, "暂不能修改单位设置"),
    "set_village_target": (_target, "暂不能修改单位设置"),
    "set_printer_name": (_printer, "暂不能修改单位设置"),
    "update_bank_days": (_bank_days, "暂不能修改单位设置"),
}


def _prepare(db: Database, desk: Desk) -> dict[str, int]:
    """An unpaid enrolment (for notices) and a registered resident without one."""
    with db.write() as s:
        unpaid = make_enrollment(s, desk, name="钱多")
        resident = register_resident(
            s,
            FixedClock(TODAY),
            data=ResidentInput(id_number(902, "19760304"), "孙少", village_id=desk.village_ids[0]),
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
        )
        return {"unpaid": unpaid, "resident": resident.id}


def _snapshot(db: Database) -> tuple[object, ...]:
    with db.read() as s:
        office = s.scalars(select(Office)).one()
        return (
            s.scalar(select(func.count(Resident.id))),
            s.scalar(select(func.count(Enrollment.id))),
            s.scalar(select(func.count()).select_from(PaymentNotice)),
            s.scalar(select(func.count(Village.id))),
            tuple(s.scalars(select(Village.target).order_by(Village.id))),
            office.phone,
            office.printer_name,
            office.bank_closed_weekends,
            office.updated_at,
        )


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize(
    ("shift", "code"),
    [
        (dt.timedelta(days=-2), "clock_backwards"),
        (dt.timedelta(days=MAX_FORWARD_DAYS + 1), "clock_ahead"),
    ],
)
def test_a_wrong_clock_refuses_the_write_until_a_supervisor_confirms(
    db: Database, clock: FixedClock, desk: Desk, name: str, shift: dt.timedelta, code: str
) -> None:
    write, words = WRITES[name]
    ids = _prepare(db, desk)
    before = _snapshot(db)
    wrong = FixedClock(TODAY + shift)
    with pytest.raises(ConflictError) as err, db.write() as s:
        write(s, wrong, desk, ids)
    assert err.value.code == code
    message = str(err.value)
    assert message.startswith(words) and "主管确认日期" in message
    assert "2023-11-06" in message  # the newest business date is named
    assert _snapshot(db) == before  # nothing written
    # the supervisor confirms that the clock's date is right: the write goes through
    with db.write() as s:
        confirm_date(s, wrong, desk, "核对过日期")
    with db.write() as s:
        write(s, wrong, desk, ids)
    assert _snapshot(db) != before


@pytest.mark.parametrize("name", list(WRITES))
def test_a_right_clock_is_not_refused(
    db: Database, clock: FixedClock, desk: Desk, name: str
) -> None:
    write, _words = WRITES[name]
    ids = _prepare(db, desk)
    later = FixedClock(TODAY + dt.timedelta(days=MAX_FORWARD_DAYS))  # a long holiday: fine
    with db.write() as s:
        write(s, later, desk, ids)


def test_a_resident_without_an_office_is_not_checked(db: Database, desk: Desk) -> None:
    wrong = FixedClock(TODAY + dt.timedelta(days=400))
    with db.write() as s:
        record = register_resident(
            s,
            wrong,
            data=ResidentInput(id_number(903, "19770405"), "周全"),
            office_id=None,
            operator_id=None,
        )
    assert record.name == "周全"
