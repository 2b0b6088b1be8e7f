"""Quotes: categories, rates and subsidies of POLICY.md §2–§3 (dates: test_coverage.py)."""

from __future__ import annotations

import json

import pytest
from quote_helpers import (  # noqa: F401
    ADULT,
    BOOK,
    CQ,
    CQ_GROUPS,
    FULL,
    QUOTA,
    TJ23,
    TJ24,
    TJ25,
    D,
    q,
    refused,
    start,
)

from common.errors import InputError
from services.quote import (
    PersonFacts,
    QuoteRefused,
    add_months,
    age_on,
    quote_all_tiers,
    tiers_for,
)

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
    result = q(TJ24, category, None, "2023-11-01", birth_date=ADULT)
    assert result.tier == "low" and result.benefit_tier == "low"
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (38000, 38000, 0)
    assert result.to_json_dict()["personal_due"] == "0.00"


@pytest.mark.parametrize("category", QUOTA)
def test_quota_subsidy_pays_ten_percent_of_low(category):
    result = q(TJ24, category, None, "2023-11-01", birth_date=ADULT)
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
    assert q(TJ23, "minimum_living", None, "2022-10-01", birth_date=ADULT).personal_due_fen == 3500
    assert q(TJ23, "orphan", None, "2022-10-01", birth_date=ADULT).personal_due_fen == 0
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
    assert (
        q(TJ24, "severe_disability", "low", "2023-11-01", birth_date=ADULT).personal_due_fen == 3800
    )


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
        (TJ24, "extreme_poverty", "tier2", "unknown_tier"),
        (TJ24, "pensioner", "low", "unknown_category"),
        (CQ, "adult", "high", "unknown_tier"),
        (CQ, "student", None, "tier_required"),
        (CQ, "orphan", "tier2", "unknown_category"),
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


@pytest.mark.parametrize("tier", ["tier1", "tier2", None])
@pytest.mark.parametrize("category", CQ_GROUPS)
def test_chongqing_subsidised_groups_are_refused_naming_annex_1(category, tier):
    """004 §6 + POLICY.md §2 (revised 2026-11): every group is its own category and
    its subsidy is in the missing annex 1, so it is never priced as the full 380."""
    error = refused(CQ, category, tier, "2023-12-01", birth_date=ADULT)
    assert error.code == "value_unset"
    assert "资助标准" in error.message and "附件1" in error.message
    assert CQ.categories[category].label in error.message
    with pytest.raises(QuoteRefused, match="附件1"):
        quote_all_tiers(CQ, category, D("2023-12-01"), PersonFacts(birth_date=ADULT))


@pytest.mark.parametrize("category", ["orphan", "retired_cadre_spouse", "student_loan"])
def test_chongqing_has_no_tianjin_only_categories(category):
    """POLICY.md §2 (revised 2026-11): no Tianjin categories copied into 004."""
    assert category not in CQ.categories
    assert refused(CQ, category, "tier1", "2023-12-01").code == "unknown_category"


def test_chongqing_labels_use_chongqings_words():
    labels = {c.label for c in CQ.categories.values()}
    assert {
        "低保边缘户",
        "返贫致贫人口",
        "脱贫不稳定户",
        "边缘易致贫户",
        "突发严重困难户",
    } <= labels
    assert "低保边缘家庭成员" not in labels and "部分优抚对象" not in labels


@pytest.mark.parametrize(("tier", "label"), [("high", "高档"), ("low", "低档")])
def test_tianjin_2025_rates_are_refused_naming_them(tier, label):
    error = refused(TJ25, "adult", tier, "2024-10-01")
    assert error.code == "value_unset"
    assert error.message.startswith(f"tianjin-2025 的{label}个人缴费标准未在政策文件中给出")


@pytest.mark.parametrize("category", [*FULL, *QUOTA, "student"])
def test_tianjin_2025_subsidised_still_needs_the_low_standard(category):
    error = refused(TJ25, category, None, "2024-10-01", birth_date=ADULT, via_school=True)
    assert error.code == "value_unset" and "低档个人缴费标准" in error.message


def test_tianjin_2025_newborn_needs_the_newborn_window_it_does_not_give():
    """POLICY.md §2 (revised 2026-11): newborn means inside the §5 window; 002 gives none."""
    error = refused(TJ25, "newborn", None, "2024-10-01", birth_date=D("2024-09-01"))
    assert error.code == "value_unset" and "新生儿" in error.message


def test_quote_all_tiers_side_by_side():
    columns = quote_all_tiers(TJ24, "adult", D("2023-11-01"))
    assert [c.tier for c in columns] == ["low", "high"]
    assert all(c.ok for c in columns)
    assert [c.quote.personal_due_fen for c in columns if c.quote] == [38000, 101000]
    refusals = quote_all_tiers(TJ25, "adult", D("2024-10-01"))
    assert [(c.ok, c.error_code) for c in refusals] == [(False, "value_unset")] * 2
    assert "低档个人缴费标准" in (refusals[0].error_message or "")
    minor = PersonFacts(birth_date=D("2010-01-01"))
    mixed = quote_all_tiers(TJ24, "severe_disability", D("2023-11-01"), minor)
    assert [(c.tier, c.ok, c.error_code) for c in mixed] == [
        ("low", True, None),
        ("high", False, "tier_not_allowed"),
    ]
    data = mixed[1].to_json_dict()
    assert data["quote"] is None and data["error"] == "tier_not_allowed"
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
