"""The register on a real SQLite file: residents, enrolments once per year, search."""

from __future__ import annotations

import datetime as dt

import pytest
from registry_helpers import id_number, make_office
from sqlalchemy import func, select

from common.errors import ConflictError, InputError
from db.engine import Database
from db.models import Enrollment, Operator, Resident, Village
from services.clock import FixedClock
from services.policy import load_policies
from services.quote import PersonFacts
from services.registry import ResidentInput, enroll, name_initials, register_and_enroll
from services.resident_search import search_residents

POLICIES = load_policies()
ZHANG = id_number("120221", "19800115", "123")  # male, Ninghe district
LI = id_number("120221", "19920304", "246")  # female


@pytest.fixture
def office(db: Database) -> dict[str, int]:
    with db.write() as s:
        office = make_office(s)
        village = s.scalars(select(Village).where(Village.name == "东村")).one()
        operator = s.scalars(select(Operator)).one()
        return {"office": office.id, "village": village.id, "operator": operator.id}


def _register(
    db: Database,
    clock: FixedClock,
    office: dict[str, int],
    number: str,
    name: str,
    *,
    category: str = "adult",
    tier: str | None = "high",
    phone: str = "",
):
    with db.write() as s:
        return register_and_enroll(
            s,
            clock,
            policies=POLICIES,
            policy_key="tianjin-2024",
            data=ResidentInput(
                id_number=number, name=name, village_id=office["village"], phone=phone
            ),
            category=category,
            tier=tier,
            facts=PersonFacts(),
            office_id=office["office"],
            operator_id=office["operator"],
        )


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_registration_derives_birth_date_and_sex_and_quotes(db, clock, office):
    resident, enrollment, quote = _register(db, clock, office, ZHANG.lower(), " 张 三 ")
    assert resident.id_number == ZHANG
    assert resident.name == "张三"
    assert resident.birth_date == dt.date(1980, 1, 15)
    assert resident.sex == "M"
    assert resident.document_type == "居民身份证"
    assert resident.village_name == "东村"
    assert enrollment.policy_year == 2024
    assert enrollment.personal_due_fen == 101_000
    assert enrollment.status == "registered"
    assert quote.benefit_start == dt.date(2024, 1, 1)
    with db.read() as s:
        row = s.scalars(select(Resident)).one()
        assert row.name_initials == "zs"
        assert row.id_tail == ZHANG[-4:]
        assert row.created_by == office["operator"]


def test_second_enrolment_same_year_is_refused_naming_when_and_where(db, clock, office):
    _register(db, clock, office, ZHANG, "张三")
    clock.advance(days=3)
    with pytest.raises(ConflictError) as refused:
        _register(db, clock, office, ZHANG, "张三", tier="low")
    assert refused.value.code == "duplicate_enrollment"
    assert "2023-11-06 09:30" in refused.value.message
    assert "芦台街道办事处" in refused.value.message
    assert "不能重复参保" in refused.value.message
    assert _count(db, Enrollment) == 1
    assert _count(db, Resident) == 1


def test_the_database_itself_refuses_a_second_enrolment(db, clock, office):
    _register(db, clock, office, ZHANG, "张三")
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.write() as s:
        first = s.scalars(select(Enrollment)).one()
        s.add(
            Enrollment(
                resident_id=first.resident_id,
                policy_key="tianjin-2024",
                policy_year=2024,
                category="adult",
                tier="low",
                benefit_tier="low",
                standard_fen=38_000,
                subsidy_fen=0,
                personal_due_fen=38_000,
                created_at=clock.now(),
            )
        )
    assert _count(db, Enrollment) == 1


def test_same_person_may_enrol_for_another_year(db, clock, office):
    _register(db, clock, office, ZHANG, "张三")
    with db.write() as s:
        resident = s.scalars(select(Resident)).one()
        enrollment, _ = enroll(
            s,
            FixedClock(dt.datetime(2022, 10, 10, 9, 0)),
            policy=POLICIES.get("tianjin-2023"),
            resident_id=resident.id,
            category="adult",
            tier="low",
            facts=PersonFacts(),
            office_id=office["office"],
            operator_id=office["operator"],
        )
    assert enrollment.policy_year == 2023
    assert _count(db, Enrollment) == 2


def test_a_known_id_number_with_another_name_is_refused(db, clock, office):
    _register(db, clock, office, ZHANG, "张三")
    with pytest.raises(ConflictError) as refused:
        with db.write() as s:
            register_and_enroll(
                s,
                clock,
                policies=POLICIES,
                policy_key="tianjin-2023",
                data=ResidentInput(id_number=ZHANG, name="张山"),
                category="adult",
                tier="low",
                facts=PersonFacts(),
                office_id=office["office"],
                operator_id=office["operator"],
            )
    assert "复核" in refused.value.message
    assert _count(db, Enrollment) == 1


@pytest.mark.parametrize(
    ("number", "name", "phone", "words"),
    [
        ("12022119800115123", "张三", "", "18"),  # 17 characters
        (ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "张三", "", "校验"),
        (ZHANG, "", "", "姓名"),
        (ZHANG, "张3", "", "数字"),
        (ZHANG, "张三", "call me", "电话"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(
    db, clock, office, number, name, phone, words
):
    with pytest.raises(InputError) as refused:
        _register(db, clock, office, number, name, phone=phone)
    assert words in refused.value.message
    assert _count(db, Resident) == 0
    assert _count(db, Enrollment) == 0


def test_a_refused_quote_writes_nothing(db, clock, office):
    with pytest.raises(Exception) as refused:
        _register(db, clock, office, ZHANG, "张三", tier="platinum")
    assert getattr(refused.value, "code", "") == "unknown_tier"
    assert _count(db, Resident) == 0


def test_pinyin_initials():
    assert name_initials("张三") == "zs"
    assert name_initials("欧阳娜娜") == "oynn"
    assert name_initials("Anna") == "anna"


@pytest.fixture
def populated(db, clock, office):
    _register(db, clock, office, ZHANG, "张三", phone="13812345678")
    _register(db, clock, office, LI, "李四", phone="13987654321")
    _register(db, clock, office, id_number("120221", "19751231", "033"), "张三丰")
    _register(db, clock, office, id_number("810000", "19880808", "045"), "陈大文")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ZHANG, ["张三"]),
        (ZHANG.lower(), ["张三"]),
        ("".join(chr(ord(c) + 0xFEE0) for c in ZHANG), ["张三"]),  # full-width
        (ZHANG[-4:], ["张三"]),
        (ZHANG[-8:], ["张三"]),
        ("张三", ["张三", "张三丰"]),
        ("张", ["张三", "张三丰"]),
        ("zs", ["张三", "张三丰"]),
        ("ZSF", ["张三丰"]),
        ("ls", ["李四"]),
        ("13987654321", ["李四"]),
        ("1398765", ["李四"]),
        ("王", []),
        ("", []),
        ("   ", []),
    ],
)
def test_search(db, populated, query, expected):
    with db.read() as s:
        names = [r.name for r in search_residents(s, query)]
    assert sorted(names) == sorted(expected)


def test_search_finds_permit_holders_and_reports_village(db, populated):
    with db.read() as s:
        [chen] = search_residents(s, "cdw")
    assert chen.document_type.startswith("港澳居民居住证")
    assert chen.village_name == "东村"
