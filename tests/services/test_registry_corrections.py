"""Issue 8 in the register: live enrolments (POLICY.md §6, §7.5), the eligibility
document and the 2017 foreign permanent residence card (POLICY.md §2, revised 2026-11)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import PASSWORD, Desk, make_desk, policies
from registry_helpers import id_number
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common.errors import ConflictError, InputError
from common.idcard import ManualIdentityRequired, parse_id
from db.engine import Database
from db.models import Enrollment
from services.clock import FixedClock
from services.payments import take_payment
from services.quote import PersonFacts
from services.refunds import refund_payment
from services.registry import ResidentInput, enroll, find_by_id_number, register_and_enroll
from services.resident_search import search_residents

WANG = id_number("120221", "19750310", "135")  # an adult in a 低保 family
HK = id_number("810000", "19880808", "022")  # HK residents' residence permit
CARD_2017 = "USA123456789012"


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def _register(db, clock, desk, number, *, category="adult", tier=None, document="", **data):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return register_and_enroll(
            s,
            clock,
            policies=policies(),
            policy_key="tianjin-2024",
            data=ResidentInput(
                id_number=number, name="王芳", village_id=desk.village_ids[0], **data
            ),
            category=category,
            tier=tier,
            facts=PersonFacts(),
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            eligibility_document=document,
        )


def _live(db: Database) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(Enrollment).where(Enrollment.status != "refunded")
            )
            or 0
        )


# --- giving up a subsidy: refunded, then enrolled again at the high tier ------------------


def test_giving_up_a_subsidy_refund_then_enrol_again_at_high(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    """000 §7(1)3 + POLICY.md §2, §6, §7.5 (revised 2026-11): the refunded enrolment
    is no longer live, so the same person enrols again that year."""
    resident, first, quote = _register(
        db, clock, desk, WANG, category="minimum_living", document="household_registration"
    )
    assert (first.tier, quote.personal_due_fen) == ("low", 3800)
    with db.write() as s:
        paid = take_payment(
            s,
            clock,
            policies(),
            enrollment_id=first.id,
            amount="38",
            channel="cash",
            reference="",
            operator_id=desk.clerk_id,
        )
    with pytest.raises(ConflictError):  # still live: a second enrolment is refused
        _register(db, clock, desk, WANG, category="minimum_living", tier="high")
    clock.advance(hours=1)
    with db.write() as s:
        refund_payment(
            s,
            clock,
            payment_id=paid.payment_id,
            reason="放弃低保资助身份，改按高档缴费",
            approver_id=desk.supervisor_id,
            approver_password=PASSWORD,
            operator_id=desk.clerk_id,
            category="subsidy_withdrawn",
        )
    _, second, again = _register(
        db, clock, desk, WANG, category="minimum_living", tier="high", document="residence_permit"
    )
    assert second.id != first.id and second.status == "registered"
    assert (again.subsidy_fen, again.personal_due_fen, again.subsidy_given_up) == (0, 101000, True)
    assert second.eligibility_document == "residence_permit"
    assert _live(db) == 1


def test_the_database_allows_one_live_enrolment_per_year(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    _, first, _ = _register(db, clock, desk, WANG, tier="low")

    def copy() -> Enrollment:
        return Enrollment(
            resident_id=first.resident_id,
            policy_key="tianjin-2024",
            policy_year=2024,
            category="adult",
            tier="high",
            benefit_tier="high",
            standard_fen=101_000,
            subsidy_fen=0,
            personal_due_fen=101_000,
            created_at=clock.now(),
        )

    with pytest.raises(IntegrityError), db.write() as s:
        s.add(copy())
    with db.write() as s:
        row = s.get(Enrollment, first.id)
        assert row is not None
        # the database lets a status move only along registered -> paid -> refunded
        row.status = "paid"
        s.flush()
        row.status = "refunded"
        s.add(copy())
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(copy())
    assert _live(db) == 1


# --- eligibility document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "category", "document", "words"),
    [
        (WANG, "adult", "", None),  # not asked (callers other than the window)
        (WANG, "adult", "household_registration", None),
        (WANG, "adult", "parent_residence_permit", "只适用于新生儿"),
        (WANG, "adult", "school_enrolment", "在校学生"),
        (WANG, "adult", "foreign_permanent_id", "不符"),
        (WANG, "adult", "passport", "请选择参保资格依据"),
        (HK, "adult", "hk_macao_taiwan_permit", None),
        (HK, "adult", "household_registration", "不符"),
    ],
)
def test_eligibility_document_is_checked_and_recorded(
    db: Database, clock: FixedClock, desk: Desk, number, category, document, words
) -> None:
    if words is None:
        _, enrollment, _ = _register(db, clock, desk, number, tier="low", document=document)
        assert enrollment.eligibility_document == document
        return
    with pytest.raises(InputError) as refused:
        _register(db, clock, desk, number, tier="low", document=document)
    assert words in refused.value.message
    assert _live(db) == 0


# --- the 2017 foreign permanent residence card ------------------------------------------


def test_2017_card_needs_birth_date_and_sex_typed_by_hand() -> None:
    with pytest.raises(ManualIdentityRequired) as info:
        parse_id(CARD_2017.lower())
    assert "出生日期和性别" in info.value.message and info.value.number == CARD_2017
    parsed = parse_id(CARD_2017, birth_date=dt.date(1970, 2, 3), sex="F")
    assert (parsed.kind, parsed.kind_label) == (
        "foreign_permanent_2017",
        "外国人永久居留身份证（2017年版）",
    )
    assert (parsed.number, parsed.birth_date, parsed.sex, parsed.manual) == (
        CARD_2017,
        dt.date(1970, 2, 3),
        "F",
        True,
    )
    with pytest.raises(InputError, match="晚于今天"):
        parse_id(CARD_2017, today=dt.date(2023, 1, 1), birth_date=dt.date(2023, 5, 1), sex="M")


def test_2017_card_is_registered_found_and_enrolled(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with pytest.raises(InputError, match="出生日期和性别"):
        _register(db, clock, desk, CARD_2017, tier="low", document="foreign_permanent_id")
    resident, enrollment, _ = _register(
        db,
        clock,
        desk,
        CARD_2017,
        tier="low",
        document="foreign_permanent_id",
        birth_date=dt.date(1970, 2, 3),
        sex="M",
    )
    assert resident.document_type == "外国人永久居留身份证（2017年版）"
    assert (resident.birth_date, resident.sex) == (dt.date(1970, 2, 3), "M")
    assert enrollment.eligibility_document == "foreign_permanent_id"
    with db.read() as s:
        assert find_by_id_number(s, "usa 1234 5678 9012") is not None
        assert [r.id for r in search_residents(s, CARD_2017.lower())] == [resident.id]
    with pytest.raises(InputError, match="不符"), db.write() as s:
        enroll(
            s,
            clock,
            policy=policies().get("tianjin-2024"),
            resident_id=resident.id,
            category="adult",
            tier="low",
            facts=PersonFacts(),
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            eligibility_document="residence_permit",
        )
