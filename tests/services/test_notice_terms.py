"""Issue 8 item 10: Chongqing payment notices across 07-01 (004 §3, §5(3)).

A notice printed before 07-01 must not promise the price with the fiscal subsidy
after 06-30; from 07-01 the price includes the fiscal subsidy, which is not in the
documents, so no notice is printed with a price that cannot be known."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from factories import Desk, make_desk, make_enrollment, policies

from common.errors import ServiceError
from db.engine import Database
from printing.notice import render_notice
from services.clock import FixedClock
from services.documents import notice_document
from services.notices import issue_notice
from services.quote import PersonFacts, due_holds_until

CQ = "chongqing-zhongxian-2024"


@pytest.fixture
def cq_desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s, code="ZX", name="乌杨街道", policy_key=CQ)


def _issue(db: Database, clock: FixedClock, desk: Desk, when: dt.datetime):  # type: ignore[no-untyped-def]
    clock.set(when)
    with db.write() as s:
        enrollment_id = make_enrollment(
            s, desk, tier="tier1", due_fen=38_000, policy_key=CQ, policy_year=2024
        )
        return issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )


def test_a_notice_before_07_01_is_due_by_06_30(
    db: Database, clock: FixedClock, cq_desk: Desk
) -> None:
    notice = _issue(db, clock, cq_desk, dt.datetime(2024, 6, 10, 9, 0))
    assert notice.deadline == dt.date(2024, 6, 30)  # not the late window's 09-30
    assert notice.amount_due_fen == 38_000
    with db.read() as s:
        pdf = render_notice(notice_document(s, policies(), notice.notice_id))
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "2024年6月30日" in text.replace(" ", "") or "2024年06月30日" in text.replace(" ", "")


def test_from_07_01_a_notice_with_an_unknown_price_is_refused_naming_it(
    db: Database, clock: FixedClock, cq_desk: Desk
) -> None:
    with pytest.raises(ServiceError) as refused:
        _issue(db, clock, cq_desk, dt.datetime(2024, 7, 1, 9, 0))
    assert "财政补助" in refused.value.message and "2024-07-01" in refused.value.message


@pytest.mark.parametrize(
    ("issued_on", "expected"),
    [
        ("2023-11-20", "2023-12-31"),  # in the collection period: its end
        ("2024-01-05", "2024-06-30"),
        ("2024-06-30", "2024-06-30"),
    ],
)
def test_due_holds_until_the_day_before_the_price_changes(issued_on, expected) -> None:
    policy = policies().get(CQ)
    day = dt.date.fromisoformat(issued_on)
    last = policy.collection.end if day <= policy.collection.end else dt.date(2024, 9, 30)
    assert due_holds_until(policy, "adult", "tier1", PersonFacts(), day, last) == (
        dt.date.fromisoformat(expected)
    )


def test_tianjin_notice_keeps_the_collection_period_deadline(
    db: Database, clock: FixedClock
) -> None:
    with db.write() as s:
        desk = make_desk(s)
    notice = _issue_tj(db, clock, desk)
    assert notice.deadline == dt.date(2023, 12, 31)


def _issue_tj(db: Database, clock: FixedClock, desk: Desk):  # type: ignore[no-untyped-def]
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk)
        return issue_notice(
            s, clock, policies(), enrollment_id=enrollment_id, operator_id=desk.clerk_id
        )
