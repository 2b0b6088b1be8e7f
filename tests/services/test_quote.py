"""Quotes: amounts, subsidies and benefit periods of POLICY.md §2–§5."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from services.errors import InputError
from services.policy import Policy, builtin_policy_dir, load_policies
from services.quote import (
    PersonFacts,
    Quote,
    QuoteRefused,
    add_months,
    age_on,
    coverage,
    quote,
    quote_all_tiers,
    tianjin_2025_waiting_months,
    tiers_for,
)

BOOK = load_policies()
TJ23 = BOOK.get("tianjin-2023")
TJ24 = BOOK.get("tianjin-2024")
TJ25 = BOOK.get("tianjin-2025")
CQ = BOOK.get("chongqing-zhongxian-2024")

D = dt.date.fromisoformat
FULL = ("extreme_poverty", "special_care", "retired_cadre_spouse", "orphan")
QUOTA = ("minimum_living", "low_income_edge", "severe_disability", "student_loan")


def q(policy: Policy, category: str, tier: str | None, paid_on: str, **facts: object) -> Quote:
    return quote(policy, category, tier, D(paid_on), PersonFacts(**facts))  # type: ignore[arg-type]


def refused(
    policy: Policy, category: str, tier: str | None, paid_on: str, **facts: object
) -> QuoteRefused:
    with pytest.raises(QuoteRefused) as info:
        q(policy, category, tier, paid_on, **facts)
    return info.value


def start(policy: Policy, category: str, paid_on: str, **facts: object) -> dt.date | None:
    return coverage(policy, category, D(paid_on), PersonFacts(**facts)).benefit_start  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tj26(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """A 2026 policy added from an extra folder, using the tianjin-2025 rule set with rates."""
    text = (builtin_policy_dir() / "tianjin-2025.toml").read_text(encoding="utf-8")
    for old, new in [
        ('key = "tianjin-2025"', 'key = "tianjin-2026"'),
        ("year = 2025", "year = 2026"),
        ("start = 2024-09-01, end = 2024-12-31", "start = 2025-09-01, end = 2025-12-31"),
        ("start = 2025-01-01, end = 2025-12-31", "start = 2026-01-01, end = 2026-12-31"),
        (
            'standard = { unset = "2025年度低档个人缴费标准未在政策文件中公布" }',
            'standard = "400.00"',
        ),
        (
            'standard = { unset = "2025年度高档个人缴费标准未在政策文件中公布" }',
            'standard = "1050.00"',
        ),
    ]:
        assert old in text
        text = text.replace(old, new)
    folder = tmp_path_factory.mktemp("policies")
    (folder / "tianjin-2026.toml").write_text(text, encoding="utf-8")
    return load_policies([folder]).get("tianjin-2026")


# --- date helpers (POLICY.md §4 Convention) ----------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-08-31", 6, "2025-02-28"),
        ("2023-10-31", 4, "2024-02-29"),
        ("2024-03-15", 6, "2024-09-15"),
        ("2024-11-30", 3, "2025-02-28"),
    ],
)
def test_add_months_clips_to_month_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


def test_age_on():
    assert age_on(D("2005-11-01"), D("2023-11-01")) == 18
    assert age_on(D("2005-11-02"), D("2023-11-01")) == 17
    assert age_on(D("2004-02-29"), D("2022-02-28")) == 17
    assert age_on(D("2004-02-29"), D("2022-03-01")) == 18


def test_person_facts_validation():
    with pytest.raises(InputError):
        PersonFacts(gap_years=-1)
    with pytest.raises(InputError):
        PersonFacts(gap_years=1, repaired_years=2)
    assert PersonFacts(gap_years=2, repaired_years=2).repaired_years == 2


# --- §2 categories, §3 rates -------------------------------------------------


def test_tianjin_2024_adult_high_in_period():
    result = q(TJ24, "adult", "high", "2023-11-01")
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (101000, 0, 101000)
    assert result.benefit_tier == "high"
    assert (result.benefit_start, result.benefit_end) == (D("2024-01-01"), D("2024-12-31"))
    assert result.covered and not result.late and result.waiting_months == 0
    assert any(r.startswith("000 §8(1)") for r in result.rules)
    assert any(r.startswith("000 §2(1)") and "1010.00" in r for r in result.rules)
    assert "应缴1010.00元" in result.notice


def test_tianjin_2024_adult_low():
    result = q(TJ24, "adult", "low", "2023-12-31")
    assert result.personal_due_fen == 38000 and result.benefit_tier == "low"


@pytest.mark.parametrize(
    ("category", "facts"),
    [
        ("student", {"via_school": True, "continuous_years": 3}),
        ("child", {}),
        ("newborn", {"birth_date": D("2023-08-01")}),
    ],
)
def test_students_children_newborns_pay_low_get_high(category, facts):
    result = q(TJ24, category, None, "2023-11-01", **facts)
    assert result.tier == "low" and result.benefit_tier == "high"
    assert result.personal_due_fen == 38000
    assert any("享受高档报销待遇" in r for r in result.rules)
    assert result.benefits[0].startswith("住院报销：一级医院85%")


@pytest.mark.parametrize("category", FULL)
def test_full_subsidy_pays_nothing_in_low_tier(category):
    result = q(TJ24, category, None, "2023-11-01")
    assert result.tier == "low" and result.benefit_tier == "low"
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (38000, 38000, 0)
    assert result.to_json_dict()["personal_due"] == "0.00"


@pytest.mark.parametrize("category", QUOTA)
def test_quota_subsidy_pays_ten_percent_of_low(category):
    result = q(TJ24, category, None, "2023-11-01")
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (
        38000,
        34200,
        3800,
    )
    assert result.to_json_dict()["personal_due"] == "38.00"
    assert any("000 §2(4)" in r and "38.00" in r for r in result.rules)


def test_tianjin_2023_rates():
    assert q(TJ23, "adult", "high", "2022-10-01").personal_due_fen == 98000
    assert q(TJ23, "adult", "low", "2022-10-01").personal_due_fen == 35000
    assert q(TJ23, "minimum_living", None, "2022-10-01").personal_due_fen == 3500
    assert q(TJ23, "orphan", None, "2022-10-01").personal_due_fen == 0
    assert q(TJ23, "student", None, "2022-10-01", via_school=True).benefit_tier == "high"


def test_tianjin_2023_fiscal_subsidy_is_shown():
    result = q(TJ23, "adult", "high", "2022-12-01")
    assert result.fiscal_subsidy_fen == 110000
    assert result.to_json_dict()["fiscal_subsidy"] == "1100.00"
    assert any(r.startswith("001 §1(1)") for r in result.rules)
    assert q(TJ23, "adult", "low", "2022-12-01").fiscal_subsidy_fen == 64000
    assert q(TJ24, "adult", "low", "2023-12-01").fiscal_subsidy_fen is None


def test_severe_disability_adult_may_choose_high_without_subsidy():
    result = q(TJ24, "severe_disability", "high", "2023-11-01", birth_date=D("1980-05-05"))
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (101000, 0, 101000)
    assert result.benefit_tier == "high"
    assert any("000 §2(4)" in r and "不再享受资助" in r for r in result.rules)
    assert q(TJ24, "severe_disability", "low", "2023-11-01").personal_due_fen == 3800


def test_severe_disability_minor_cannot_choose_high():
    error = refused(TJ24, "severe_disability", "high", "2023-11-01", birth_date=D("2010-01-01"))
    assert error.code == "tier_not_allowed"
    error = refused(TJ24, "severe_disability", "high", "2023-11-01")
    assert error.code == "birth_date_required"


def test_student_18_outside_school_pays_as_adult():
    facts = {"birth_date": D("2005-11-01")}
    assert refused(TJ24, "student", None, "2023-11-01", **facts).code == "tier_required"
    result = q(TJ24, "student", "high", "2023-11-01", **facts)
    assert result.priced_as == "adult" and result.category == "student"
    assert result.personal_due_fen == 101000 and result.benefit_tier == "high"
    low = q(TJ24, "student", "low", "2023-11-01", **facts)
    assert low.benefit_tier == "low"
    assert any(r.startswith("000 §4(4)") for r in low.rules)
    assert tiers_for(TJ24, "student", D("2023-11-01"), PersonFacts(**facts)) == ["low", "high"]  # type: ignore[arg-type]


def test_student_17_outside_school_stays_student():
    result = q(TJ24, "student", None, "2023-11-01", birth_date=D("2005-11-02"))
    assert result.priced_as == "student" and result.benefit_tier == "high"


def test_student_18_via_school_stays_student():
    result = q(
        TJ24,
        "student",
        None,
        "2023-11-01",
        birth_date=D("2000-01-01"),
        via_school=True,
        continuous_years=5,
    )
    assert result.priced_as == "student" and result.personal_due_fen == 38000


def test_student_outside_school_needs_birth_date():
    assert refused(TJ24, "student", None, "2023-11-01").code == "birth_date_required"


@pytest.mark.parametrize(
    ("policy", "category", "tier", "code"),
    [
        (TJ24, "adult", None, "tier_required"),
        (TJ24, "adult", "tier1", "unknown_tier"),
        (TJ24, "child", "high", "tier_not_allowed"),
        (TJ24, "extreme_poverty", "high", "tier_not_allowed"),
        (TJ24, "pensioner", "low", "unknown_category"),
        (CQ, "adult", "high", "unknown_tier"),
        (CQ, "student", None, "tier_required"),
        (CQ, "orphan", "tier2", "tier_not_allowed"),
    ],
)
def test_category_and_tier_refusals(policy, category, tier, code):
    error = refused(policy, category, tier, "2023-12-01", via_school=True)
    assert error.code == code and error.message


def test_refusal_messages_are_chinese_and_name_the_choice():
    error = refused(TJ24, "adult", None, "2023-12-01")
    assert "high（高档）" in error.message and "low（低档）" in error.message
    assert "pensioner" in refused(TJ24, "pensioner", None, "2023-12-01").message


def test_chongqing_rates_and_tiers():
    assert q(CQ, "adult", "tier1", "2023-12-01").personal_due_fen == 38000
    result = q(CQ, "adult", "tier2", "2023-12-01")
    assert result.personal_due_fen == 75500 and result.tier_label == "二档"
    student = q(CQ, "student", "tier2", "2023-12-01", via_school=True, continuous_years=1)
    assert student.benefit_tier == "tier2" and student.personal_due_fen == 75500
    assert tiers_for(CQ, "child") == ["tier1", "tier2"]
    assert any("未成年人" in line for line in student.benefits)


@pytest.mark.parametrize("category", FULL)
def test_chongqing_full_subsidy_in_tier1(category):
    result = q(CQ, category, None, "2023-12-01")
    assert result.tier == "tier1" and result.personal_due_fen == 0


@pytest.mark.parametrize("category", QUOTA)
def test_chongqing_quota_subsidy_classes_are_unset(category):
    error = refused(CQ, category, None, "2023-12-01")
    assert error.code == "value_unset"
    assert "资助标准" in error.message and "附件1" in error.message
    assert CQ.categories[category].label in error.message


@pytest.mark.parametrize(("tier", "label"), [("high", "高档"), ("low", "低档")])
def test_tianjin_2025_rates_are_refused_naming_them(tier, label):
    error = refused(TJ25, "adult", tier, "2024-10-01")
    assert error.code == "value_unset"
    assert error.message.startswith(f"tianjin-2025 的{label}个人缴费标准未在政策文件中给出")


@pytest.mark.parametrize("category", [*FULL, *QUOTA, "student", "newborn"])
def test_tianjin_2025_subsidised_still_needs_the_low_standard(category):
    error = refused(TJ25, category, None, "2024-10-01", birth_date=D("2024-09-01"), via_school=True)
    assert error.code == "value_unset" and "低档个人缴费标准" in error.message


def test_quote_all_tiers_side_by_side():
    columns = quote_all_tiers(TJ24, "adult", D("2023-11-01"))
    assert [c.tier for c in columns] == ["low", "high"]
    assert all(c.ok for c in columns)
    assert [c.quote.personal_due_fen for c in columns if c.quote] == [38000, 101000]
    refusals = quote_all_tiers(TJ25, "adult", D("2024-10-01"))
    assert [(c.ok, c.error_code) for c in refusals] == [(False, "value_unset")] * 2
    assert "低档个人缴费标准" in (refusals[0].error_message or "")
    mixed = quote_all_tiers(TJ24, "severe_disability", D("2023-11-01"))
    assert [(c.tier, c.ok, c.error_code) for c in mixed] == [
        ("low", True, None),
        ("high", False, "birth_date_required"),
    ]
    data = mixed[1].to_json_dict()
    assert data["quote"] is None and data["error"] == "birth_date_required"
    assert mixed[0].to_json_dict()["quote"]["personal_due"] == "38.00"


def test_quote_all_tiers_raises_for_the_whole_category():
    with pytest.raises(QuoteRefused) as info:
        quote_all_tiers(TJ24, "dog", D("2023-11-01"))
    assert info.value.code == "unknown_category"


def test_to_json_dict():
    result = q(TJ24, "adult", "low", "2024-08-31")
    data = result.to_json_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["policy"] == "tianjin-2024" and data["category"] == "adult"
    assert data["tier"] == "low" and data["benefit_tier"] == "low"
    assert (data["standard"], data["subsidy"], data["personal_due"]) == ("380.00", "0.00", "380.00")
    assert data["benefit_start"] is None and data["benefit_end"] == "2024-12-31"
    assert data["entitled_from"] == "2025-03-01"
    assert data["waiting_months"] == 6 and data["covered"] is False and data["late"] is True
    assert isinstance(data["rules"], list) and data["notice"]
    in_period = q(TJ24, "adult", "high", "2023-11-01").to_json_dict()
    assert in_period["benefit_start"] == "2024-01-01" and in_period["standard"] == "1010.00"


# --- §4 Tianjin 2024 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "expected"), [("2023-10-10", "2024-01-01"), ("2023-12-31", "2024-01-01")]
)
def test_tianjin_2024_collection_period_bounds(paid_on, expected):
    result = q(TJ24, "adult", "low", paid_on)
    assert result.benefit_start == D(expected) and not result.late


def test_before_collection_period_is_refused():
    error = refused(TJ24, "adult", "low", "2023-10-09")
    assert error.code == "before_collection_period" and "2023-10-10" in error.message


def test_tianjin_2024_after_the_year_is_refused():
    assert refused(TJ24, "adult", "low", "2025-01-01").code == "late_payment_closed"


@pytest.mark.parametrize(
    ("facts", "expected", "months"),
    [
        ({"continuous_years": 2, "gap_months": 3}, "2024-03-16", 0),
        ({"continuous_years": 5, "gap_months": 0}, "2024-03-16", 0),
        ({"continuous_years": 2, "gap_months": 4}, "2024-09-16", 6),
        ({"continuous_years": 1, "gap_months": 0}, "2024-09-16", 6),
        ({}, "2024-09-16", 6),
        ({"job_change": True}, "2024-03-16", 0),
    ],
)
def test_tianjin_2024_late_payment(facts, expected, months):
    result = q(TJ24, "adult", "high", "2024-03-15", **facts)
    assert result.benefit_start == D(expected) and result.waiting_months == months
    assert result.late and result.covered


def test_tianjin_2024_waiting_rule_is_cited():
    result = q(TJ24, "adult", "high", "2024-03-15")
    assert any(r.startswith("000 §8(3)(4)") and "6个月" in r for r in result.rules)
    assert "6个月等待期" in result.notice


@pytest.mark.parametrize(
    ("paid_on", "expected", "covered"),
    [
        ("2024-08-31", "2025-03-01", False),  # 2025-02-28 + 1 day
        ("2024-06-30", "2024-12-31", True),
        ("2024-07-01", "2025-01-02", False),
        ("2024-02-29", "2024-08-30", True),
        ("2024-03-31", "2024-10-01", True),
    ],
)
def test_six_months_with_month_end_clipping(paid_on, expected, covered):
    result = q(TJ24, "adult", "low", paid_on)
    assert result.entitled_from == D(expected) and result.covered is covered
    assert result.benefit_start == (D(expected) if covered else None)


def test_not_covered_says_so_plainly():
    result = q(TJ24, "adult", "low", "2024-08-31")
    assert not result.covered
    assert "不能享受" in result.notice and "2025-03-01" in result.notice
    assert "收款前请向参保人说明" in result.notice
    assert any("POLICY.md §4 Convention" in r and "2025-03-01" in r for r in result.rules)


@pytest.mark.parametrize("category", [*FULL, *QUOTA])
def test_tianjin_2024_subsidised_late_payers_covered_natural_year(category):
    result = q(TJ24, category, None, "2024-05-10")
    assert result.benefit_start == D("2024-01-01") and result.late
    assert any(r.startswith("000 §8(7)") for r in result.rules)


# --- §5 newborns and new pupils ----------------------------------------------


@pytest.mark.parametrize(
    ("birth", "paid_on", "expected"),
    [
        ("2024-01-15", "2024-05-15", "2024-01-15"),  # exactly birth + 4 months
        ("2024-01-15", "2024-05-16", "2024-05-17"),  # one day later: day after payment
        ("2024-01-31", "2024-05-31", "2024-01-31"),
        ("2024-01-31", "2024-06-01", "2024-06-02"),
        ("2024-10-31", "2024-12-31", "2024-10-31"),
        ("2023-10-05", "2023-11-20", "2023-10-05"),  # born 2023-09..12: from birth
        ("2023-09-15", "2024-03-01", "2023-09-15"),  # 000 §8(5) second sentence
        ("2023-08-20", "2023-11-01", "2024-01-01"),  # born before September 2023
    ],
)
def test_tianjin_2024_newborn(birth, paid_on, expected):
    result = q(TJ24, "newborn", None, paid_on, birth_date=D(birth))
    assert result.benefit_start == D(expected) and result.waiting_months == 0
    section = "000 §8(1)" if expected == "2024-01-01" else "000 §8(5)"
    assert any(r.startswith(section) for r in result.rules)


def test_newborn_needs_birth_date():
    assert refused(TJ24, "newborn", None, "2024-03-01").code == "birth_date_required"
    assert refused(CQ, "newborn", "tier1", "2024-03-01").code == "birth_date_required"


def test_birth_after_payment_is_refused():
    error = refused(TJ24, "newborn", None, "2024-03-01", birth_date=D("2024-03-02"))
    assert error.code == "invalid_input"


@pytest.mark.parametrize(
    ("category", "facts", "paid_on", "expected"),
    [
        ("student", {"via_school": True}, "2023-11-01", "2023-09-01"),
        ("child", {"via_school": True}, "2023-12-31", "2023-09-01"),
        ("student", {"via_school": True, "continuous_years": 1}, "2023-11-01", "2024-01-01"),
        ("child", {}, "2023-11-01", "2024-01-01"),
        ("student", {"via_school": True}, "2024-02-01", "2024-08-02"),
    ],
)
def test_tianjin_2024_new_pupils(category, facts, paid_on, expected):
    result = q(TJ24, category, None, paid_on, **facts)
    assert result.benefit_start == D(expected)
    assert any(r.startswith("000 §8(6)") for r in result.rules) is (expected == "2023-09-01")


# --- Tianjin 2023 ------------------------------------------------------------


def test_tianjin_2023_only_in_period():
    assert q(TJ23, "adult", "low", "2022-09-01").benefit_start == D("2023-01-01")
    assert refused(TJ23, "adult", "low", "2022-08-31").code == "before_collection_period"
    error = refused(TJ23, "adult", "low", "2023-01-05")
    assert error.code == "value_unset" and "补缴" in error.message and "003" in error.message
    assert refused(TJ23, "orphan", None, "2023-03-05").code == "value_unset"


# --- §4 Tianjin 2025 and later -------------------------------------------------


@pytest.mark.parametrize(
    ("gap_years", "repaired", "months"),
    [
        (0, 0, 3),
        (1, 0, 3),
        (2, 0, 4),
        (3, 0, 5),
        (3, 1, 4),
        (3, 2, 3),
        (2, 2, 3),
        (4, 0, 6),
        (4, 3, 6),
        (5, 0, 7),
        (5, 1, 6),
        (5, 4, 6),
        (6, 0, 8),
        (6, 2, 6),
        (6, 5, 6),
        (10, 0, 12),
        (10, 3, 9),
    ],
)
def test_tianjin_2025_waiting_formula(gap_years, repaired, months):
    facts = PersonFacts(gap_years=gap_years, repaired_years=repaired)
    assert tianjin_2025_waiting_months(TJ25.waiting, facts) == months  # type: ignore[arg-type]


def test_tianjin_2025_continuous_and_in_period_has_no_waiting():
    cover = coverage(TJ25, "adult", D("2024-09-01"), PersonFacts(continuous_years=3))
    assert cover.benefit_start == D("2025-01-01") and cover.waiting_months == 0
    assert not cover.late and cover.rules[0].startswith("002 §1(4)")


def test_tianjin_2025_before_and_after():
    with pytest.raises(QuoteRefused) as info:
        coverage(TJ25, "adult", D("2024-08-31"))
    assert info.value.code == "before_collection_period"
    with pytest.raises(QuoteRefused) as info:
        coverage(TJ25, "adult", D("2026-01-01"))
    assert info.value.code == "late_payment_closed"


@pytest.mark.parametrize(
    ("paid_on", "facts", "expected", "months"),
    [
        ("2025-02-10", {}, "2025-05-11", 3),  # continuous but late: fixed 3 months
        ("2025-02-10", {"gap_years": 3}, "2025-07-11", 5),
        ("2025-02-10", {"gap_years": 3, "repaired_years": 2}, "2025-05-11", 3),
        ("2025-02-10", {"gap_years": 5, "repaired_years": 4}, "2025-08-11", 6),
        ("2024-12-20", {"gap_years": 1}, "2025-03-21", 3),  # in period but not continuous
        ("2024-09-15", {"gap_years": 1}, "2025-01-01", 3),  # waiting ends before the year
        ("2025-11-30", {}, "2026-03-01", 3),  # month-end clipping: not covered
    ],
)
def test_tianjin_2025_waiting(paid_on, facts, expected, months):
    cover = coverage(TJ25, "adult", D(paid_on), PersonFacts(**facts))
    assert cover.entitled_from == D(expected) and cover.waiting_months == months
    assert cover.covered is (D(expected) <= D("2025-12-31"))
    assert "002 §1(4)" in cover.rules[0]


@pytest.mark.parametrize(
    ("category", "facts"),
    [
        ("newborn", {"birth_date": D("2025-03-01"), "gap_years": 0}),
        ("adult", {"hardship_certified": True, "gap_years": 5}),
        ("adult", {"job_change": True, "continuous_years": 2, "gap_months": 3, "gap_years": 1}),
    ],
)
def test_tianjin_2025_exemptions(category, facts):
    cover = coverage(TJ25, category, D("2025-04-10"), PersonFacts(**facts))
    assert cover.benefit_start == D("2025-04-11") and cover.waiting_months == 0


def test_tianjin_2025_switch_with_long_gap_is_a_gap():
    facts = PersonFacts(job_change=True, continuous_years=2, gap_months=4, gap_years=1)
    assert coverage(TJ25, "adult", D("2025-04-10"), facts).waiting_months == 3


def test_extra_2026_policy_quotes_with_the_2025_rules(tj26):
    result = quote(tj26, "adult", "high", D("2026-02-10"), PersonFacts(gap_years=3))
    assert result.personal_due_fen == 105000 and result.waiting_months == 5
    assert result.benefit_start == D("2026-07-11")
    assert q(tj26, "minimum_living", None, "2025-10-01").personal_due_fen == 4000
    assert q(tj26, "orphan", None, "2025-10-01").personal_due_fen == 0
    result = q(tj26, "student", None, "2025-10-01", via_school=True, continuous_years=1)
    assert result.benefit_tier == "high" and result.benefit_start == D("2026-01-01")
    assert any("待遇标准未在政策文件中给出" in line for line in result.benefits)


# --- §4 Chongqing 2024 -------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "expected", "days"),
    [
        ("2023-11-14", "2024-01-01", 0),
        ("2023-12-31", "2024-01-01", 0),
        ("2024-01-01", "2024-02-01", 0),
        ("2024-01-31", "2024-02-01", 0),
        ("2024-02-29", "2024-03-01", 0),
        ("2024-03-01", "2024-05-30", 90),
        ("2024-06-30", "2024-09-28", 90),
    ],
)
def test_chongqing_benefit_start(paid_on, expected, days):
    result = q(CQ, "adult", "tier1", paid_on)
    assert result.benefit_start == D(expected) and result.waiting_days == days
    assert result.personal_due_fen == 38000 and result.fiscal_surcharge_fen == 0


def test_chongqing_before_collection_period():
    assert refused(CQ, "adult", "tier1", "2023-11-13").code == "before_collection_period"


def test_chongqing_late_coverage_until_september():
    cover = coverage(CQ, "adult", D("2024-09-30"))
    assert cover.benefit_start == D("2024-12-29") and cover.waiting_days == 90


def test_chongqing_after_september_is_closed():
    error = refused(CQ, "adult", "tier1", "2024-10-01")
    assert error.code == "late_payment_closed" and "2024-09-30" in error.message


@pytest.mark.parametrize("tier", ["tier1", "tier2"])
def test_chongqing_from_july_refuses_naming_the_fiscal_subsidy(tier):
    error = refused(CQ, "adult", tier, "2024-07-01")
    assert error.code == "value_unset"
    assert "财政补助" in error.message and CQ.tiers[tier].label in error.message
    assert "2024-07-01" in error.message


def test_chongqing_non_hardship_full_subsidy_from_july_also_needs_fiscal_subsidy():
    assert refused(CQ, "orphan", None, "2024-07-01").code == "value_unset"


def test_chongqing_hardship_from_july_has_no_waiting_and_no_surcharge():
    result = q(CQ, "extreme_poverty", None, "2024-08-01")
    assert result.personal_due_fen == 0 and result.benefit_start == D("2024-08-02")
    assert any(r.startswith("004 §6") for r in result.rules)
    late = q(CQ, "extreme_poverty", None, "2024-11-01")  # the hardship window runs to 12-31
    assert late.benefit_start == D("2024-11-02")
    adult = q(CQ, "adult", "tier2", "2024-08-01", hardship_certified=True)
    assert adult.personal_due_fen == 75500 and adult.benefit_start == D("2024-08-02")
    cover = coverage(CQ, "minimum_living", D("2024-08-01"))
    assert cover.benefit_start == D("2024-08-02")


def test_chongqing_hardship_before_july_waits():
    assert q(CQ, "extreme_poverty", None, "2024-06-01").benefit_start == D("2024-08-30")


def test_chongqing_configured_fiscal_subsidy_is_added(tmp_path):
    text = (builtin_policy_dir() / "chongqing-zhongxian-2024.toml").read_text(encoding="utf-8")
    old = 'fiscal_subsidy = { unset = "004 未给出财政补助金额（2024-07-01及以后参保须另缴）" }'
    assert old in text
    text = text.replace(old, 'fiscal_subsidy = "100.00"').replace(
        'rules = "chongqing-2024"', 'rules = "chongqing-2024"\nreplaces_builtin = true'
    )
    (tmp_path / "chongqing-zhongxian-2024.toml").write_text(text, encoding="utf-8")
    policy = load_policies([tmp_path]).get("chongqing-zhongxian-2024")
    result = q(policy, "adult", "tier1", "2024-07-01")
    assert result.fiscal_surcharge_fen == 10000 and result.fiscal_subsidy_fen == 0
    assert result.personal_due_fen == 48000
    assert result.to_json_dict()["fiscal_surcharge"] == "100.00"
    assert q(policy, "adult", "tier1", "2024-06-30").personal_due_fen == 38000


@pytest.mark.parametrize(
    ("birth", "paid_on", "expected"),
    [
        ("2024-03-01", "2024-05-30", "2024-03-01"),  # day 90
        ("2024-03-01", "2024-05-31", "2024-08-29"),  # day 91: ordinary late rule
        ("2024-01-10", "2024-02-15", "2024-01-10"),
        ("2023-12-01", "2023-12-10", "2024-01-01"),
    ],
)
def test_chongqing_newborn(birth, paid_on, expected):
    result = q(CQ, "newborn", "tier1", paid_on, birth_date=D(birth))
    assert result.benefit_start == D(expected)


def test_chongqing_newborn_after_september_within_90_days():
    cover = coverage(CQ, "newborn", D("2024-10-15"), PersonFacts(birth_date=D("2024-08-01")))
    assert cover.benefit_start == D("2024-08-01")
    assert (
        refused(CQ, "newborn", "tier1", "2024-10-15", birth_date=D("2024-08-01")).code
        == "value_unset"
    )
    assert (
        refused(CQ, "newborn", "tier1", "2024-11-15", birth_date=D("2024-08-01")).code
        == "late_payment_closed"
    )


def test_chongqing_freshman_rule_is_mentioned_not_computed():
    result = q(CQ, "student", "tier1", "2023-12-01", via_school=True)
    assert result.benefit_start == D("2024-01-01")
    assert any(r.startswith("004 §5(4)") for r in result.rules)


def test_rules_cite_documents():
    for result in (
        q(TJ24, "adult", "high", "2024-03-15"),
        q(CQ, "adult", "tier2", "2024-04-01"),
        q(TJ24, "minimum_living", None, "2023-11-01"),
    ):
        assert result.rules
        for rule in result.rules:
            assert rule.split(" ")[0][:3] in {"000", "001", "002", "003", "004", "POL"}, rule
