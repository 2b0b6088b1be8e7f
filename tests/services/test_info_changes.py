"""Issue 12: information changes, reviewed by supervisors."""

from __future__ import annotations

import datetime as dt

import pytest
from resident_year_helpers import _change, _pay, _resident_of, _review
from sqlalchemy import func, select

from common.errors import ConflictError, InputError, PermissionDenied
from common.idcard import check_character
from db.engine import Database
from db.models import Enrollment, InfoChange, Resident
from services.clock import FixedClock
from services.find import find_anyone
from services.info_change_views import history_of, pending_changes
from services.info_changes import request_changes
from services.receipts import receipt_view
from tests.services.factories import (
    Desk,
    make_enrollment,
    make_operator,
)

# --- information changes ---------------------------------------------------------------


def test_basic_change_applies_at_once_with_a_slip(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        rid = _resident_of_new(s, desk)
    [change] = _change(
        db, clock, desk, rid, phone="13800138000", village="西村", household_no="H-9"
    )
    assert change.status == "applied" and change.level == "basic"
    assert change.slip_no == "LT-BG2023-000001"
    assert {i.field: (i.old_value, i.new_value) for i in change.items} == {
        "phone": ("", "13800138000"),
        "village": ("东村", "西村"),
        "household_no": ("", "H-9"),
    }
    with db.read() as s:
        row = s.get(Resident, rid)
        assert row is not None
        assert (row.phone, row.village_id, row.household_no) == (
            "13800138000",
            desk.village_ids[1],
            "H-9",
        )


def _resident_of_new(s, desk: Desk) -> int:  # type: ignore[no-untyped-def]
    eid = make_enrollment(s, desk)
    row = s.get(Enrollment, eid)
    return row.resident_id  # type: ignore[no-any-return,union-attr]


def test_bad_basic_input_writes_nothing(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        rid = _resident_of_new(s, desk)
    with pytest.raises(InputError, match="联系电话"):
        _change(db, clock, desk, rid, address="新地址", phone="abc")
    with pytest.raises(InputError, match="没有名为"):
        _change(db, clock, desk, rid, village="北村")
    with pytest.raises(InputError, match="没有要变更"):
        _change(db, clock, desk, rid, village="东村")
    with pytest.raises(InputError, match="申请人"):
        with db.write() as s:
            request_changes(
                s,
                clock,
                resident_id=rid,
                changes={"phone": "13800138000"},
                asked_by=" ",
                office_id=desk.office_id,
                operator_id=desk.clerk_id,
            )
    with db.read() as s:
        assert s.scalar(select(func.count(InfoChange.id))) == 0


def test_name_change_waits_for_one_review_by_another_supervisor(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        rid = _resident_of_new(s, desk)
    [change] = _change(db, clock, desk, rid, name="李明明")
    assert change.status == "pending"
    with db.read() as s:
        assert s.get(Resident, rid).name == "李明"  # type: ignore[union-attr]
        assert [c.id for c in pending_changes(s, desk.office_id)] == [change.id]
    with pytest.raises(PermissionDenied, match="主管"):  # a clerk may not review
        _review(db, clock, change.id, desk.clerk_id, approve=True)
    with pytest.raises(ConflictError, match="待复核"):  # no second pending name change
        _change(db, clock, desk, rid, name="李小明")
    done = _review(db, clock, change.id, desk.supervisor_id, approve=True)
    assert done.status == "applied" and done.first_review_name
    with db.read() as s:
        row = s.get(Resident, rid)
        assert row is not None and row.name == "李明明" and row.name_initials == "lmm"
        [h] = history_of(s, rid)
        assert (h.items[0].old_value, h.items[0].new_value) == ("李明", "李明明")
        # found by the old name
        found = find_anyone(s, office_id=desk.office_id, text="李明", policy_year=2024)
        assert [(f.resident.id, f.matched_by) for f in found][0] == (rid, "old")


def test_requester_cannot_review_and_rejection_keeps_reason(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        rid = _resident_of_new(s, desk)
        [change] = request_changes(
            s,
            clock,
            resident_id=rid,
            changes={"name": "李敏"},
            asked_by="李明",
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
        )
    with pytest.raises(PermissionDenied, match="自己录入"):
        _review(db, clock, change.id, desk.supervisor_id, approve=True)
    with db.write() as s:
        boss2 = make_operator(s, desk.office_id, "boss2", "赵主管", "supervisor")
    with pytest.raises(InputError, match="原因"):
        _review(db, clock, change.id, boss2, approve=False)
    done = _review(db, clock, change.id, boss2, approve=False, reason="户口簿姓名不符")
    assert done.status == "rejected" and done.reject_reason == "户口簿姓名不符"
    with db.read() as s:
        assert s.get(Resident, rid).name == "李明"  # type: ignore[union-attr]


def test_birth_date_of_a_mainland_id_follows_the_number(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        rid = _resident_of_new(s, desk)
    with pytest.raises(InputError, match="身份证号变更"):
        _change(db, clock, desk, rid, birth_date="1981-02-03")


def test_id_number_change_needs_two_different_supervisors(
    db: Database, clock: FixedClock, desk: Desk, second_supervisor: int
) -> None:
    with db.write() as s:
        eid = make_enrollment(s, desk)
        other = s.get(Resident, _resident_of_new(s, desk))
        assert other is not None
    rid = _resident_of(db, eid)
    paid = _pay(db, clock, desk, eid)
    with db.read() as s:
        old_number = s.get(Resident, rid).id_number  # type: ignore[union-attr]
    clock.advance(minutes=30)
    bad = old_number[:-1] + ("0" if old_number[-1] != "0" else "1")
    with pytest.raises(InputError, match="校验"):
        _change(db, clock, desk, rid, id_number=bad)
    with pytest.raises(ConflictError, match="已登记为居民"):
        _change(db, clock, desk, rid, id_number=other.id_number)
    body = "12022119850607123"
    new_number = body + check_character(body)
    [change] = _change(db, clock, desk, rid, id_number=new_number)
    fields = {i.field for i in change.items}
    assert {"id_number", "birth_date"} <= fields
    first = _review(db, clock, change.id, desk.supervisor_id, approve=True)
    assert first.status == "pending" and first.status_label == "待二级复核"
    with pytest.raises(PermissionDenied, match="两名不同的主管"):
        _review(db, clock, change.id, desk.supervisor_id, approve=True)
    done = _review(db, clock, change.id, second_supervisor, approve=True)
    assert done.status == "applied"
    with db.read() as s:
        row = s.get(Resident, rid)
        assert row is not None and row.id_number == new_number
        assert row.birth_date == dt.date(1985, 6, 7)
        # the receipt printed before the change keeps what it said
        assert paid.receipt_id is not None
        assert receipt_view(s, paid.receipt_id).id_number == old_number
        found = find_anyone(s, office_id=desk.office_id, text=old_number, policy_year=2024)
        assert found[0].resident.id == rid and found[0].matched_by == "old"
        assert found[0].status == "paid" and found[0].status_label == "已缴费"
