"""Payment notices: numbering per office and year, deadlines, cancelling (item 2)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from factories import Desk, make_desk, make_enrollment, policies
from sqlalchemy import func, select

from common.errors import ConflictError, NotFound
from db.engine import Database
from db.models import PaymentNotice
from services.clock import FixedClock
from services.notices import cancel_notice, issue_notice, notice_deadline, notices_of
from services.policy_types import Unset


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def test_notices_are_numbered_per_office_and_year(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        ids = [make_enrollment(s, desk) for _ in range(3)]
        other = make_desk(s, code="XX", name="其他街道")
        foreign = make_enrollment(s, other)
    numbers = []
    for i, enrollment_id in enumerate(ids):
        if i == 2:
            clock.set(dt.datetime(2024, 1, 3, 9, 0))
        with db.write() as s:
            n = issue_notice(
                s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
            )
        numbers.append(n.notice_no)
    assert numbers == ["LT-TZ2023-000001", "LT-TZ2023-000002", "LT-TZ2024-000001"]
    with db.write() as s:
        n = issue_notice(s, clock, policies(), enrollment_id=foreign, operator_id=other.clerk_id)
    assert n.notice_no == "XX-TZ2024-000001"


def test_notice_carries_amount_tier_and_deadline(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk, tier="high", due_fen=101_000)
        notice = issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
    assert (notice.amount_due_fen, notice.tier, notice.status) == (101_000, "high", "issued")
    assert notice.deadline == dt.date(2023, 12, 31)
    with db.read() as s:
        row = s.get(PaymentNotice, notice.notice_id)
        assert row is not None and (row.created_by, row.created_at) == (desk.clerk_id, clock.now())


def test_deadline_is_the_late_window_after_the_collection_period() -> None:
    tianjin = policies().get("tianjin-2024")
    assert notice_deadline(tianjin, dt.date(2023, 9, 1)) == dt.date(2023, 12, 31)
    assert notice_deadline(tianjin, dt.date(2023, 12, 31)) == dt.date(2023, 12, 31)
    assert notice_deadline(tianjin, dt.date(2024, 1, 1)) == dt.date(2024, 12, 31)
    chongqing = policies().get("chongqing-zhongxian-2024")
    assert notice_deadline(chongqing, dt.date(2024, 5, 1)) == dt.date(2024, 9, 30)
    with pytest.raises(ConflictError) as err:
        notice_deadline(chongqing, dt.date(2024, 10, 1))
    assert err.value.code == "collection_closed"
    no_late = dataclasses.replace(tianjin, late=Unset("文件未写"))
    with pytest.raises(ConflictError) as err:
        notice_deadline(no_late, dt.date(2024, 1, 2))
    assert err.value.code == "late_window_unknown" and "文件未写" in err.value.message


def test_one_valid_notice_at_a_time_and_cancelling(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk)
        first = issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
    with db.write() as s, pytest.raises(ConflictError) as err:
        issue_notice(s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id)
    assert err.value.code == "notice_exists" and first.notice_no in err.value.message
    with db.write() as s:
        cancelled = cancel_notice(
            s, clock, notice_id=first.notice_id, operator_id=desk.clerk_id, reason="档次改为高档"
        )
    assert cancelled.status == "cancelled"
    with db.write() as s, pytest.raises(ConflictError):
        cancel_notice(s, clock, notice_id=first.notice_id, operator_id=desk.clerk_id)
    with db.write() as s:
        second = issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
    assert second.notice_no == "LT-TZ2023-000002"
    with db.read() as s:
        row = s.get(PaymentNotice, first.notice_id)
        assert row is not None
        assert (row.cancelled_by, row.cancelled_at, row.cancel_reason) == (
            desk.clerk_id,
            clock.now(),
            "档次改为高档",
        )
        assert [n.status for n in notices_of(s, enrollment_id)] == ["cancelled", "issued"]


def test_notice_refusals(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk)
    with db.write() as s, pytest.raises(NotFound) as err:
        issue_notice(s, clock, policies(), enrollment_id=enrollment_id, operator_id=777)
    assert err.value.code == "unknown_operator"
    with db.write() as s, pytest.raises(NotFound):
        issue_notice(s, clock, policies(), enrollment_id=4242, operator_id=desk.clerk_id)
    with db.write() as s, pytest.raises(NotFound):
        cancel_notice(s, clock, notice_id=4242, operator_id=desk.clerk_id)
    with db.read() as s:
        assert s.scalar(select(func.count(PaymentNotice.id))) == 0


def test_a_village_batch_reuses_valid_notices_and_skips_what_is_not_payable(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    from db.models import Enrollment, Resident
    from services.documents import notice_documents
    from services.notices import issue_village_notices

    with db.write() as s:
        wang = make_enrollment(s, desk, name="王芳")
        li = make_enrollment(s, desk, name="李明")
        make_enrollment(s, desk, name="赵全额", due_fen=0)  # full subsidy: nothing to pay
        paid = make_enrollment(s, desk, name="钱已缴")
        s.get(Enrollment, paid).status = "paid"  # type: ignore[union-attr]
        elsewhere = make_enrollment(s, desk, name="孙西村")
        s.get(Resident, s.get(Enrollment, elsewhere).resident_id).village_id = desk.village_ids[1]  # type: ignore[union-attr]
        earlier = issue_notice(s, clock, policies(), enrollment_id=li, operator_id=desk.clerk_id)
    with db.write() as s:
        ids = issue_village_notices(
            s,
            clock,
            policies(),
            office_id=desk.office_id,
            village_id=desk.village_ids[0],
            policy_year=2024,
            operator_id=desk.clerk_id,
        )
    assert len(ids) == 2 and ids[0] == earlier.notice_id  # 李明 sorts before 王芳 by code point
    with db.read() as s:
        docs = notice_documents(s, policies(), ids)
        assert s.scalar(select(func.count(PaymentNotice.id))) == 2
        assert (
            s.scalars(select(PaymentNotice.enrollment_id).where(PaymentNotice.id == ids[1])).one()
            == wang
        )
    assert [d.resident_name for d in docs] == ["李明", "王芳"]
    # a second run issues nothing new
    with db.write() as s:
        again = issue_village_notices(
            s,
            clock,
            policies(),
            office_id=desk.office_id,
            village_id=desk.village_ids[0],
            policy_year=2024,
            operator_id=desk.clerk_id,
        )
    assert again == ids


def test_a_village_of_another_office_is_refused(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    from services.notices import issue_village_notices

    with db.write() as s:
        other = make_desk(s, code="DJ", name="东棘坨镇人民政府")
    with pytest.raises(NotFound), db.write() as s:
        issue_village_notices(
            s,
            clock,
            policies(),
            office_id=desk.office_id,
            village_id=other.village_ids[0],
            policy_year=2024,
            operator_id=desk.clerk_id,
        )
