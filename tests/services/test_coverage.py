"""Benefit periods: late payment, waiting periods, newborns and new pupils (POLICY.md §4–§5)."""

from __future__ import annotations

import pytest
from quote_helpers import (  # noqa: F401
    ADULT,
    BOOK,
    CQ,
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

from services.policy import builtin_policy_dir, load_policies
from services.policy_types import Policy
from services.quote import (
    PersonFacts,
    QuoteRefused,
    coverage,
    quote,
    tianjin_2025_waiting_months,
)

# --- §4 Tianjin 2024 ---------------------------------------------------------


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
    result = q(TJ24, category, None, "2024-05-10", birth_date=ADULT)
    assert result.benefit_start == D("2024-01-01") and result.late
    assert any(r.startswith("000 §8(7)") for r in result.rules)


# --- §5 newborns and new pupils ----------------------------------------------


@pytest.mark.parametrize(
    ("birth", "paid_on", "expected"),
    [
        ("2024-01-15", "2024-05-15", "2024-01-15"),  # exactly birth + 4 months
        ("2024-01-31", "2024-05-31", "2024-01-31"),
        ("2024-10-31", "2024-12-31", "2024-10-31"),
        ("2023-10-05", "2023-11-20", "2023-10-05"),  # born 2023-09..12: from birth
        ("2023-09-15", "2024-01-15", "2023-09-15"),  # 000 §8(5) second sentence, in window
        ("2023-08-20", "2023-11-01", "2024-01-01"),  # born before September 2023
    ],
)
def test_tianjin_2024_newborn(birth, paid_on, expected):
    result = q(TJ24, "newborn", None, paid_on, birth_date=D(birth))
    assert result.benefit_start == D(expected) and result.waiting_months == 0
    section = "000 §8(1)" if expected == "2024-01-01" else "000 §8(5)"
    assert any(r.startswith(section) for r in result.rules)


@pytest.mark.parametrize(
    ("birth", "paid_on", "expected"),
    [
        ("2024-01-15", "2024-05-16", "2024-05-17"),  # one day after the window
        ("2024-01-31", "2024-06-01", "2024-06-02"),
        ("2023-09-15", "2024-03-01", "2024-03-02"),  # born Sep 2023, enrolled late
        ("2023-12-31", "2024-05-01", "2024-05-02"),
    ],
)
def test_tianjin_2024_baby_after_the_4_month_window_is_a_child_covered_next_day(
    birth, paid_on, expected
):
    """000 §8(5) + POLICY.md §2, §5 (revised 2026-11): outside the 4-month window the
    baby is not a `newborn` (refused, naming the child category) and, enrolled as
    `child`, is covered from the day after payment — never months back."""
    error = refused(TJ24, "newborn", None, paid_on, birth_date=D(birth))
    assert error.code == "category_age_mismatch"
    assert TJ24.categories["child"].label in error.message
    result = q(TJ24, "child", None, paid_on, birth_date=D(birth))
    assert result.benefit_start == D(expected) and result.waiting_months == 0
    assert any(r.startswith("000 §8(5)") for r in result.rules)


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
    assert q(tj26, "minimum_living", None, "2025-10-01", birth_date=ADULT).personal_due_fen == 4000
    assert q(tj26, "orphan", None, "2025-10-01", birth_date=ADULT).personal_due_fen == 0
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
        ("2024-03-01", "2024-05-31", 90),  # 满90日后: D+1..D+90, cover on D+91
        ("2024-06-30", "2024-09-29", 90),
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
    assert cover.benefit_start == D("2024-12-30") and cover.waiting_days == 90


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
    assert refused(CQ, "special_care", "tier1", "2024-07-01").code == "value_unset"


@pytest.mark.parametrize(
    "category",
    [
        "extreme_poverty",
        "minimum_living",
        "low_income_edge",
        "returned_to_poverty",
        "unstable_lifted",
        "edge_poverty_risk",
        "sudden_hardship",
    ],
)
def test_chongqing_hardship_groups_from_july_have_no_waiting(category):
    """004 §6: the hardship groups paying 07-01..12-31 have no waiting period (the
    quote itself is refused for the missing annex 1; the dates are still known)."""
    cover = coverage(CQ, category, D("2024-08-01"))
    assert cover.benefit_start == D("2024-08-02")
    assert any(r.startswith("004 §6") for r in cover.rules)
    assert coverage(CQ, category, D("2024-11-01")).benefit_start == D("2024-11-02")
    assert coverage(CQ, category, D("2024-06-01")).benefit_start == D("2024-08-31")
    assert refused(CQ, category, "tier1", "2024-08-01").code == "value_unset"


@pytest.mark.parametrize("paid_on", ["2024-01-20", "2024-03-01", "2024-06-30", "2024-09-30"])
def test_chongqing_lifted_from_poverty_never_waits(paid_on):
    """004 §6 继续实行脱贫人口参加居民医保不设待遇享受等待期 (POLICY.md §4, revised 2026-11)."""
    cover = coverage(CQ, "lifted_from_poverty", D(paid_on))
    assert cover.benefit_start == D(paid_on) + (D("2024-01-02") - D("2024-01-01"))
    assert cover.waiting_days == 0 and cover.waiting_months == 0


def test_chongqing_hardship_fact_is_refused_in_favour_of_the_categories():
    error = refused(CQ, "adult", "tier2", "2024-08-01", hardship_certified=True)
    assert error.code == "invalid_input" and "返贫致贫人口" in error.message


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
        ("2024-01-10", "2024-02-15", "2024-01-10"),
        ("2023-12-01", "2023-12-10", "2024-01-01"),
    ],
)
def test_chongqing_newborn(birth, paid_on, expected):
    result = q(CQ, "newborn", "tier1", paid_on, birth_date=D(birth))
    assert result.benefit_start == D(expected)


def test_chongqing_baby_after_90_days_is_a_child_with_the_ordinary_late_rule():
    error = refused(CQ, "newborn", "tier1", "2024-05-31", birth_date=D("2024-03-01"))
    assert error.code == "category_age_mismatch" and "未成年居民" in error.message
    result = q(CQ, "child", "tier1", "2024-05-31", birth_date=D("2024-03-01"))
    assert result.benefit_start == D("2024-08-30")  # 2024-05-31 + 91 days


def test_chongqing_newborn_after_september_within_90_days():
    cover = coverage(CQ, "newborn", D("2024-10-15"), PersonFacts(birth_date=D("2024-08-01")))
    assert cover.benefit_start == D("2024-08-01")
    assert (
        refused(CQ, "newborn", "tier1", "2024-10-15", birth_date=D("2024-08-01")).code
        == "value_unset"
    )
    assert (
        refused(CQ, "child", "tier1", "2024-11-15", birth_date=D("2024-08-01")).code
        == "late_payment_closed"
    )


@pytest.mark.parametrize(
    ("paid_on", "expected"),
    [
        ("2023-09-01", "2023-09-02"),  # the first day a freshman may pay
        ("2023-09-15", "2023-09-16"),
        ("2023-11-13", "2023-11-14"),  # before the collection period opens
        ("2023-12-31", "2024-01-01"),
    ],
)
def test_chongqing_freshman_covered_from_the_day_after_payment(paid_on, expected):
    """004 §5(4) + POLICY.md §5 (revised 2026-11): computed, not only cited."""
    result = q(CQ, "student", "tier1", paid_on, via_school=True, freshman=True)
    assert result.benefit_start == D(expected) and result.benefit_end == D("2024-12-31")
    assert any(r.startswith("004 §5(4)") for r in result.rules)
    assert result.personal_due_fen == 38000


def test_chongqing_freshman_limits():
    assert refused(CQ, "student", "tier1", "2023-08-31", freshman=True).code == (
        "before_collection_period"
    )
    assert refused(CQ, "student", "tier1", "2024-02-01", freshman=True).code == (
        "freshman_not_applicable"
    )
    assert refused(CQ, "adult", "tier1", "2023-09-10", freshman=True).code == (
        "freshman_not_applicable"
    )
    error = refused(TJ24, "student", None, "2023-11-01", via_school=True, freshman=True)
    assert error.code == "freshman_not_applicable"
    # without the fact a student pays in the collection period and is covered from 01-01
    assert q(CQ, "student", "tier1", "2023-12-01", via_school=True).benefit_start == D("2024-01-01")


def test_rules_cite_documents():
    for result in (
        q(TJ24, "adult", "high", "2024-03-15"),
        q(CQ, "adult", "tier2", "2024-04-01"),
        q(TJ24, "minimum_living", None, "2023-11-01", birth_date=ADULT),
    ):
        assert result.rules
        for rule in result.rules:
            assert rule.split(" ")[0][:3] in {"000", "001", "002", "003", "004", "POL"}, rule
