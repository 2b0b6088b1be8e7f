"""Which category fits the person's age on the payment date (POLICY.md §2,
"Category and age", revised 2026-11): newborn inside the newborn window,
otherwise child under 18, otherwise adult; a category that does not fit is
refused naming the one that does.
"""

from __future__ import annotations

import datetime as dt

from services.coverage_facts import (
    PersonFacts,
    QuoteRefused,
    age_on,
    category_of,
    newborn_window_text,
    newborn_window_unset,
    newborn_within,
)
from services.policy_types import Chongqing2024Waiting, Policy


def fitting_category(policy: Policy, paid_on: dt.date, birth: dt.date) -> str:
    """The age category the person fits on ``paid_on`` (POLICY.md §2, revised 2026-11):
    newborn inside the newborn window, otherwise child under 18, otherwise adult."""
    if "newborn" in policy.categories and newborn_within(policy, birth, paid_on):
        return "newborn"
    for key in ("child", "adult"):
        limits = policy.categories[key].age if key in policy.categories else None
        if limits is not None and _age_fits(limits.from_age, limits.below, age_on(birth, paid_on)):
            return key
    return "adult" if age_on(birth, paid_on) >= 18 else "child"


def _age_fits(from_age: int | None, below: int | None, age: int) -> bool:
    return (from_age is None or age >= from_age) and (below is None or age < below)


def check_category_fits(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts
) -> None:
    """Refuse a category that does not fit the birth date on the payment date,
    naming the one that does (POLICY.md §2 "Category and age", revised 2026-11).
    Without a birth date only the checks that need none are made; categories
    whose answer depends on it ask for it (``check_birth``, ``services.quote``)."""
    cat = category_of(policy, category)
    check_birth(category, paid_on, facts)
    if facts.hardship_certified and isinstance(policy.waiting, Chongqing2024Waiting):
        raise QuoteRefused(
            "重庆的困难群体（特困人员、低保对象、低保边缘户、返贫致贫人口、脱贫不稳定户、"
            "边缘易致贫户、突发严重困难户等）各为单独的参保类别，请直接选择类别（004 §6）",
            code="invalid_input",
        )
    birth = facts.birth_date
    if birth is None:
        return
    age = age_on(birth, paid_on)
    if category == "newborn":
        within = newborn_within(policy, birth, paid_on)
        if within is None:
            raise newborn_window_unset(policy)
        if not within:
            fit = policy.categories[fitting_category(policy, paid_on, birth)]
            raise QuoteRefused(
                f"新生儿须在{newborn_window_text(policy)}参保（{policy.newborn.source}）；该居民"
                f"{birth}出生，{paid_on}缴费已超过期限，不属于新生儿，应选择“{fit.label}”",
                code="category_age_mismatch",
            )
    elif category == "child" and fitting_category(policy, paid_on, birth) == "newborn":
        newborn = policy.categories["newborn"]
        raise QuoteRefused(
            f"该居民{birth}出生，{paid_on}缴费在新生儿{newborn_window_text(policy)}，应选择"
            f"“{newborn.label}”（{policy.newborn.source}），以免少享受自出生之日起的待遇",
            code="category_age_mismatch",
        )
    limits = cat.age
    if limits is None or _age_fits(limits.from_age, limits.below, age):
        return
    fit = policy.categories[fitting_category(policy, paid_on, birth)]
    need = (
        f"年满{limits.from_age}周岁"
        if limits.below is None
        else f"未满{limits.below}周岁"
        if limits.from_age is None
        else f"{limits.from_age}至{limits.below - 1}周岁"
    )
    raise QuoteRefused(
        f"“{cat.label}”须{need}（{limits.source}）；该居民{birth}出生，缴费日{paid_on}"
        f"为{age}周岁，应选择“{fit.label}”",
        code="category_age_mismatch",
    )


def check_birth(category: str, paid_on: dt.date, facts: PersonFacts) -> None:
    """A newborn needs a birth date; no one is born after paying."""
    if category == "newborn" and facts.birth_date is None:
        raise QuoteRefused("新生儿须填写出生日期", code="birth_date_required")
    if facts.birth_date is not None and facts.birth_date > paid_on:
        raise QuoteRefused(f"出生日期{facts.birth_date}晚于缴费日期{paid_on}", code="invalid_input")
