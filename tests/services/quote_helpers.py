"""Shared helpers of the quote and coverage tests: the built-in policies and short calls."""

from __future__ import annotations

import datetime as dt

import pytest

from services.policy import load_policies
from services.policy_types import Policy
from services.quote import (
    PersonFacts,
    Quote,
    QuoteRefused,
    coverage,
    quote,
)

BOOK = load_policies()
TJ23 = BOOK.get("tianjin-2023")
TJ24 = BOOK.get("tianjin-2024")
TJ25 = BOOK.get("tianjin-2025")
CQ = BOOK.get("chongqing-zhongxian-2024")

D = dt.date.fromisoformat
FULL = ("extreme_poverty", "special_care", "retired_cadre_spouse", "orphan")
QUOTA = ("minimum_living", "low_income_edge", "severe_disability", "student_loan")
#: Chongqing's subsidised groups (004 §6); their subsidy is in the missing annex 1
CQ_GROUPS = (
    "extreme_poverty",
    "minimum_living",
    "low_income_edge",
    "returned_to_poverty",
    "unstable_lifted",
    "edge_poverty_risk",
    "sudden_hardship",
    "lifted_from_poverty",
    "special_care",
    "disabled",
    "family_planning_special",
)
#: a birth date that makes the person an adult on every date of these tests
ADULT = dt.date(1980, 5, 5)


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
