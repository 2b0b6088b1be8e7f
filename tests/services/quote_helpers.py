"""Shared helpers of the quote and coverage tests: the built-in policies and short calls."""

from __future__ import annotations

import datetime as dt

import pytest

from services.policy import Policy, load_policies
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
