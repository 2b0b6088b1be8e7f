"""Issue 8: the rules checked again against the five documents (POLICY.md, paragraphs
marked "revised 2026-11"). Each test names the document and section it answers;
the property tests check that cases written nowhere follow the same rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quote_helpers import ADULT, CQ, FULL, QUOTA, TJ23, TJ24, D, q, refused

from services.coverage_facts import age_on
from services.policy_types import Policy
from services.quote import PersonFacts, QuoteRefused, fitting_category, quote, quote_all_tiers

SUBSIDISED = (*FULL, *QUOTA)

# --- item 1: Tianjin subsidised minors and students keep high benefits (000 §2(2)) ----


@pytest.mark.parametrize(
    ("category", "birth", "due"),
    [
        ("orphan", "2011-06-01", 0),  # a 12-year-old orphan
        ("minimum_living", "2011-06-01", 3800),  # a 12-year-old in a 低保 family
        ("severe_disability", "2015-02-02", 3800),  # a disabled child
        ("extreme_poverty", "2006-11-02", 0),  # 17 on the payment day
    ],
)
def test_tianjin_subsidised_minor_gets_high_benefits(category, birth, due):
    """000 §2(2) gives every minor high benefits; §2(3)/(4) change only what is paid."""
    result = q(TJ24, category, None, "2023-11-01", birth_date=D(birth))
    assert (result.tier, result.benefit_tier) == ("low", "high")
    assert result.personal_due_fen == due
    assert result.benefit_tier_label == "高档"
    assert result.benefits[0].startswith("住院报销：一级医院85%")
    assert any("未满18周岁" in rule and "高档" in rule for rule in result.rules)


def test_student_loan_university_student_gets_high_benefits():
    """000 §2(2), §2(4): a full-time student with a student loan, whatever the age."""
    result = q(TJ24, "student_loan", None, "2023-11-01", birth_date=D("2003-09-09"))
    assert (result.tier, result.benefit_tier, result.personal_due_fen) == ("low", "high", 3800)


def test_subsidised_adult_keeps_low_benefits():
    result = q(TJ24, "orphan", None, "2023-11-01", birth_date=D("2005-11-01"))  # 18 that day
    assert result.benefit_tier == "low"


def test_subsidised_category_needs_the_birth_date_to_know_the_benefit_tier():
    error = refused(TJ24, "minimum_living", None, "2023-11-01")
    assert error.code == "birth_date_required" and "出生日期" in error.message


@settings(max_examples=200, database=None, deadline=None)
@given(
    policy=st.sampled_from([TJ23, TJ24]),
    category=st.sampled_from(SUBSIDISED),
    birth=st.dates(dt.date(1930, 1, 1), dt.date(2022, 8, 31)),
)
def test_tianjin_benefit_tier_property(policy: Policy, category: str, birth: dt.date):
    """Any age, any subsidised category: high benefits exactly for minors and students."""
    paid_on = policy.collection.start + dt.timedelta(days=30)
    result = quote(policy, category, None, paid_on, PersonFacts(birth_date=birth))
    minor = age_on(birth, paid_on) < 18
    assert result.benefit_tier == ("high" if minor or category == "student_loan" else "low")
    assert result.tier == "low"


# --- item 2: the category must fit the age (POLICY.md §2, §5) ---------------------------


@pytest.mark.parametrize(
    ("policy", "category", "tier", "birth", "paid_on", "fits"),
    [
        (TJ24, "child", None, "1990-06-01", "2023-11-01", "adult"),  # a 33-year-old child
        (TJ24, "newborn", None, "1990-06-01", "2023-11-01", "adult"),
        (TJ24, "adult", "high", "2010-06-01", "2023-11-01", "child"),  # a 13-year-old adult
        (TJ24, "newborn", None, "2020-06-01", "2023-11-01", "child"),  # a 3-year-old newborn
        (TJ24, "child", None, "2023-10-01", "2023-11-01", "newborn"),  # inside the window
        (CQ, "adult", "tier1", "2012-01-01", "2023-12-01", "child"),
        (CQ, "newborn", "tier1", "2023-06-01", "2023-12-01", "child"),  # past 90 days
        (TJ23, "adult", "low", "2010-06-01", "2022-10-01", "child"),
    ],
)
def test_category_that_does_not_fit_the_age_is_refused_naming_the_one_that_does(
    policy, category, tier, birth, paid_on, fits
):
    error = refused(policy, category, tier, paid_on, birth_date=D(birth))
    assert error.code == "category_age_mismatch"
    assert f"“{policy.categories[fits].label}”" in error.message
    with pytest.raises(QuoteRefused):
        quote_all_tiers(policy, category, D(paid_on), PersonFacts(birth_date=D(birth)))


@settings(max_examples=300, database=None, deadline=None)
@given(
    policy=st.sampled_from([TJ24, CQ]),
    birth=st.dates(dt.date(1940, 1, 1), dt.date(2024, 3, 1)),
    offset=st.integers(0, 80),
)
def test_exactly_one_age_category_fits(policy: Policy, birth: dt.date, offset: int):
    """For any birth date and any payment day in the collection period, the category
    the person fits is quoted and the other age categories are refused naming it."""
    paid_on = policy.collection.start + dt.timedelta(days=offset)
    if birth > paid_on:
        return
    facts = PersonFacts(birth_date=birth)
    fit = fitting_category(policy, paid_on, birth)
    assert fit == (
        "newborn"
        if paid_on <= _window_end(policy, birth)
        else "child"
        if age_on(birth, paid_on) < 18
        else "adult"
    )
    tier = policy.low_tier
    assert quote(policy, fit, tier, paid_on, facts).category == fit
    for other in ("adult", "child", "newborn"):
        if other != fit:
            with pytest.raises(QuoteRefused) as info:
                quote(policy, other, tier, paid_on, facts)
            assert info.value.code == "category_age_mismatch"
            assert policy.categories[fit].label in info.value.message


def _window_end(policy: Policy, birth: dt.date) -> dt.date:
    from services.coverage_facts import add_months

    if policy.newborn.window_months is not None:
        return add_months(birth, policy.newborn.window_months)
    assert policy.newborn.window_days is not None
    return birth + dt.timedelta(days=policy.newborn.window_days)


def test_student_has_no_age_limit():
    """000 §2(2): 各级各类学校在校学生 — any age (a student of 18 outside school pays as adult)."""
    result = q(TJ24, "student", None, "2023-11-01", birth_date=D("1995-01-01"), via_school=True)
    assert result.benefit_tier == "high"


# --- item 3: giving up a subsidy (000 §7(1)3; POLICY.md §2, §6) --------------------------


@pytest.mark.parametrize("category", SUBSIDISED)
def test_subsidised_adult_may_give_up_the_subsidy_in_the_collection_period(category):
    result = q(TJ24, category, "high", "2023-11-01", birth_date=ADULT)
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (101000, 0, 101000)
    assert result.benefit_tier == "high"
    section = "000 §2(4)" if category == "severe_disability" else "000 §7(1)3"
    assert any(rule.startswith(section) for rule in result.rules)
    if category != "severe_disability":
        assert result.subsidy_given_up
        assert "放弃资助" in result.notice
        assert result.to_json_dict()["subsidy_given_up"] is True


def test_giving_up_the_subsidy_only_in_the_collection_period():
    error = refused(TJ24, "minimum_living", "high", "2024-03-01", birth_date=ADULT)
    assert error.code == "tier_not_allowed" and "集中缴费期" in error.message


def test_a_minor_cannot_give_up_the_subsidy_for_the_high_tier():
    error = refused(TJ24, "orphan", "high", "2023-11-01", birth_date=D("2012-01-01"))
    assert error.code == "tier_not_allowed" and "未满18周岁" in error.message


def test_side_by_side_offers_high_to_subsidised_adults_in_the_period():
    columns = quote_all_tiers(TJ24, "orphan", D("2023-11-01"), PersonFacts(birth_date=ADULT))
    assert [(c.tier, c.ok) for c in columns] == [("low", True), ("high", True)]
    assert [c.quote.personal_due_fen for c in columns if c.quote] == [0, 101000]


# --- item 5: 满90日后 = D+91 (004 §5(3); POLICY.md §4) ---------------------------------


@settings(max_examples=200, database=None, deadline=None)
@given(st.dates(dt.date(2024, 3, 1), dt.date(2024, 6, 30)))
def test_chongqing_90_days_start_on_day_91(paid_on: dt.date):
    result = quote(CQ, "adult", "tier1", paid_on, PersonFacts())
    assert result.benefit_start == paid_on + dt.timedelta(days=91)
    assert any("＋91日" in rule for rule in result.rules)


# --- item 6: Tianjin 2024 job change only within 3 months (000 §8(2)) --------------------


@pytest.mark.parametrize(
    ("gap_months", "expected", "months"),
    [(0, "2024-04-11", 0), (3, "2024-04-11", 0), (4, "2024-10-11", 6), (12, "2024-10-11", 6)],
)
def test_tianjin_2024_job_change_counts_only_within_3_months(gap_months, expected, months):
    result = q(TJ24, "adult", "low", "2024-04-10", job_change=True, gap_months=gap_months)
    assert result.benefit_start == D(expected) and result.waiting_months == months
    assert any(rule.startswith("000 §8(2)") for rule in result.rules) == (months == 0)


# --- item 12: the draft status of 001 is cited where its figures are used --------------


def test_fiscal_subsidy_from_the_draft_is_cited_as_a_draft():
    result = q(TJ23, "adult", "high", "2022-12-01")
    rule = next(r for r in result.rules if r.startswith("001"))
    assert "征求意见稿" in rule and "1100.00" in rule
    assert not any("征求意见稿" in r for r in q(TJ24, "adult", "high", "2023-12-01").rules)


# --- item 7: the 4-month window for babies born Sep–Dec of the year before (000 §8(5)) ----


@settings(max_examples=200, database=None, deadline=None)
@given(
    birth=st.dates(dt.date(2023, 6, 1), dt.date(2024, 12, 30)),
    paid_on=st.dates(dt.date(2023, 10, 10), dt.date(2024, 12, 31)),
)
def test_tianjin_2024_babies_property(birth: dt.date, paid_on: dt.date):
    """Any Tianjin 2024 baby: inside the window a newborn, covered from birth (at the
    earliest 01-01 unless born Sep–Dec 2023); outside it a child, covered from 01-01
    when paid in the collection period, else from the day after payment."""
    if birth > paid_on:
        return
    facts = PersonFacts(birth_date=birth)
    if paid_on <= _window_end(TJ24, birth):
        result = quote(TJ24, "newborn", None, paid_on, facts)
        born_late_2023 = dt.date(2023, 9, 1) <= birth <= dt.date(2023, 12, 31)
        assert result.benefit_start == (birth if born_late_2023 else max(birth, TJ24.year_start))
        return
    with pytest.raises(QuoteRefused):
        quote(TJ24, "newborn", None, paid_on, facts)
    result = quote(TJ24, "child", None, paid_on, facts)
    if paid_on <= TJ24.collection.end:
        assert result.benefit_start == TJ24.year_start
    elif birth >= dt.date(2023, 9, 1):
        start = paid_on + dt.timedelta(days=1)
        # paid on 12-31: the start falls after the year, so no cover (POLICY.md §4)
        assert result.benefit_start == (start if start <= TJ24.year_end else None)
    else:  # an older child paying late: the ordinary 6-month waiting period
        assert result.waiting_months == 6
