"""What a resident pays and from when they are covered (POLICY.md §2–§5).

``quote()`` takes a policy (data, ``services.policy``), a category, a tier, the
payment date and the facts the clerk knows about the person, and returns a
``Quote``: the amounts in integer fen, the benefit period and the rules applied,
each citing its document and section. Anything the documents do not settle is
refused with a ``QuoteRefused`` carrying a stable code; nothing is guessed.

This module holds the category, tier and amount rules (standard, subsidy,
fiscal share, notice text). The benefit period — waiting periods and benefit
dates per rule set, ``PersonFacts`` and how its fields express the cases of
the documents — is in ``services.coverage``; its public names are re-exported
here, so other modules import everything from ``services.quote``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from common.money import format_fen
from services.category_fit import fitting_category
from services.coverage import (
    CONVENTION,
    Coverage,
    coverage,
    tianjin_2025_waiting_months,
)
from services.coverage_facts import PersonFacts, QuoteRefused, add_months, age_on, category_of
from services.policy_types import Category, Chongqing2024Waiting, Period, Policy, Tier, Unset
from services.quote_subsidy import (
    check_category_level,
    cite_source,
    fiscal_share,
    gives_up_subsidy,
    minor_benefit_tier,
    personal_subsidy,
    require_figure,
    unsubsidised_higher_tier,
)

__all__ = [
    "CONVENTION",
    "Coverage",
    "PersonFacts",
    "Quote",
    "QuoteRefused",
    "TierQuote",
    "add_months",
    "age_on",
    "coverage",
    "due_holds_until",
    "fitting_category",
    "quote",
    "quote_all_tiers",
    "tianjin_2025_waiting_months",
    "tiers_for",
]


@dataclass(frozen=True)
class Quote:
    policy: str
    category: str
    tier: str
    benefit_tier: str
    standard_fen: int
    subsidy_fen: int
    personal_due_fen: int
    fiscal_subsidy_fen: int | None  # government's share; None when not in the documents
    benefit_start: dt.date | None
    benefit_end: dt.date
    waiting_months: int
    covered: bool
    late: bool
    rules: tuple[str, ...]
    notice: str
    policy_name: str = ""
    priced_as: str = ""  # the category whose rates apply (student 18+ outside school: adult)
    fiscal_surcharge_fen: int = 0  # fiscal subsidy paid by the resident (Chongqing late)
    waiting_days: int = 0
    entitled_from: dt.date | None = None
    category_label: str = ""
    tier_label: str = ""
    benefit_tier_label: str = ""
    benefits: tuple[str, ...] = ()
    subsidy_given_up: bool = False  # a subsidised person pays a higher tier in full

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "policy_name": self.policy_name,
            "category": self.category,
            "category_label": self.category_label,
            "priced_as": self.priced_as or self.category,
            "tier": self.tier,
            "tier_label": self.tier_label,
            "benefit_tier": self.benefit_tier,
            "benefit_tier_label": self.benefit_tier_label,
            "standard": format_fen(self.standard_fen),
            "subsidy": format_fen(self.subsidy_fen),
            "subsidy_given_up": self.subsidy_given_up,
            "fiscal_surcharge": format_fen(self.fiscal_surcharge_fen),
            "personal_due": format_fen(self.personal_due_fen),
            "fiscal_subsidy": None
            if self.fiscal_subsidy_fen is None
            else format_fen(self.fiscal_subsidy_fen),
            "benefit_start": _iso(self.benefit_start),
            "benefit_end": self.benefit_end.isoformat(),
            "entitled_from": _iso(self.entitled_from),
            "waiting_months": self.waiting_months,
            "waiting_days": self.waiting_days,
            "covered": self.covered,
            "late": self.late,
            "rules": list(self.rules),
            "notice": self.notice,
            "benefits": list(self.benefits),
        }


@dataclass(frozen=True)
class TierQuote:
    """One column of a side-by-side comparison: a quote or the reason there is none."""

    tier: str
    tier_label: str
    quote: Quote | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.quote is not None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "tier_label": self.tier_label,
            "ok": self.ok,
            "quote": None if self.quote is None else self.quote.to_json_dict(),
            "error": self.error_code,
            "message": self.error_message,
        }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- category and tier -------------------------------------------------------


def _priced_category(
    policy: Policy, category: Category, paid_on: dt.date, facts: PersonFacts, rules: list[str]
) -> Category:
    """The category whose rates apply: a student of age outside school pays as adult."""
    rule = category.adult_outside_school
    if rule is None or facts.via_school:
        return category
    if facts.birth_date is None:
        raise QuoteRefused(
            f"{category.label}不通过学校参保时，须填写出生日期以判断是否年满{rule.min_age}周岁"
            f"（{rule.source}）",
            code="birth_date_required",
        )
    if age_on(facts.birth_date, paid_on) < rule.min_age:
        return category
    adult = policy.categories[rule.category or ""]
    rules.append(
        f"{rule.source} 年满{rule.min_age}周岁的在校学生以家庭身份参保，按{adult.label}"
        f"标准缴费，不再享受低档缴费高档待遇"
    )
    return adult


def tiers_for(
    policy: Policy,
    category: str,
    paid_on: dt.date | None = None,
    facts: PersonFacts | None = None,
) -> list[str]:
    """The tiers the category may choose; with ``paid_on`` and ``facts`` the
    category is first resolved (a student of 18 outside school chooses as adult)."""
    cat = category_of(policy, category)
    if paid_on is not None and facts is not None:
        cat = _priced_category(policy, cat, paid_on, facts, [])
    return list(cat.tiers)


def _resolve_tier(policy: Policy, cat: Category, tier: str | None) -> str:
    if tier is None:
        if cat.default_tier is None:
            choices = "、".join(f"{t}（{policy.tiers[t].label}）" for t in cat.tiers)
            raise QuoteRefused(f"{cat.label}须选择缴费档次：{choices}", code="tier_required")
        return cat.default_tier
    if tier not in policy.tiers:
        known = "、".join(policy.tiers)
        raise QuoteRefused(
            f"{policy.key} 没有缴费档次 {tier}（已有：{known}）", code="unknown_tier"
        )
    if tier not in cat.tiers:
        allowed = "、".join(policy.tiers[t].label for t in cat.tiers)
        raise QuoteRefused(
            f"{cat.label}不能选择{policy.tiers[tier].label}（可选：{allowed}）",
            code="tier_not_allowed",
        )
    return tier


# --- amounts -----------------------------------------------------------------


def quote(
    policy: Policy,
    category: str,
    tier: str | None,
    paid_on: dt.date,
    facts: PersonFacts | None = None,
) -> Quote:
    """Amounts and benefit period for one category and tier (POLICY.md §2–§5)."""
    facts = facts or PersonFacts()
    asked = check_category_level(policy, category, paid_on, facts)
    rules: list[str] = []
    cat = _priced_category(policy, asked, paid_on, facts, rules)
    tier = _resolve_tier(policy, cat, tier)
    tier_obj = policy.tiers[tier]
    unsubsidised = unsubsidised_higher_tier(cat, tier, paid_on, facts, tier_obj.label)
    given_up = not unsubsidised and gives_up_subsidy(policy, cat, tier, paid_on, facts)
    cover = coverage(policy, category, paid_on, facts)

    standard = require_figure(tier_obj.standard, policy, f"{tier_obj.label}个人缴费标准")
    rules.append(
        f"{cite_source(policy, tier_obj.source)} {tier_obj.label}个人缴费标准{format_fen(standard)}元".strip()
    )
    subsidy = personal_subsidy(
        policy, cat, tier_obj, standard, rules, unsubsidised=unsubsidised, given_up=given_up
    )
    fiscal, surcharge = fiscal_share(policy, category, tier_obj, paid_on, facts, rules)
    due = standard - subsidy + surcharge
    benefit_tier = _benefit_tier(
        policy, cat, tier, paid_on, facts, rules, paid_in_full=unsubsidised or given_up
    )
    rules.extend(cover.rules)
    benefit_obj = policy.tiers[benefit_tier]
    return Quote(
        policy=policy.key,
        category=category,
        tier=tier,
        benefit_tier=benefit_tier,
        standard_fen=standard,
        subsidy_fen=subsidy,
        personal_due_fen=due,
        fiscal_subsidy_fen=fiscal,
        benefit_start=cover.benefit_start,
        benefit_end=cover.benefit_end,
        waiting_months=cover.waiting_months,
        covered=cover.covered,
        late=cover.late,
        rules=tuple(rules),
        notice=_notice(policy, tier_obj.label, due, cover, given_up=given_up),
        policy_name=policy.name,
        priced_as=cat.key,
        fiscal_surcharge_fen=surcharge,
        waiting_days=cover.waiting_days,
        entitled_from=cover.entitled_from,
        category_label=asked.label,
        tier_label=tier_obj.label,
        benefit_tier_label=benefit_obj.label,
        benefits=_benefits(policy, benefit_obj),
        subsidy_given_up=given_up,
    )


def _benefit_tier(
    policy: Policy,
    cat: Category,
    tier: str,
    paid_on: dt.date,
    facts: PersonFacts,
    rules: list[str],
    *,
    paid_in_full: bool,
) -> str:
    """The tier whose benefits the person gets: the category's benefit tier, or a
    subsidised minor's (a subsidy only changes what the person pays)."""
    tier_obj = policy.tiers[tier]
    benefit_tier = cat.benefit_tier or tier
    minor_tier = minor_benefit_tier(cat, paid_on, facts)
    if minor_tier is not None and not paid_in_full:
        benefit_tier = minor_tier
        rules.append(
            f"{cat.source} 未满18周岁的{cat.label}，资助只改变个人缴费，仍按学生儿童、未成年居民"
            f"享受{policy.tiers[minor_tier].label}报销待遇（POLICY.md §2，2026-11修订）"
        )
    elif benefit_tier != tier:
        rules.append(
            f"{cat.source} {cat.label}按{tier_obj.label}缴费，享受"
            f"{policy.tiers[benefit_tier].label}报销待遇"
        )
    return benefit_tier


def _benefits(policy: Policy, benefit_obj: Tier) -> tuple[str, ...]:
    """The benefit lines of the tier and the policy's notes, or why they are unknown."""
    if isinstance(benefit_obj.benefits, Unset):
        return (f"{benefit_obj.label}待遇标准未在政策文件中给出：{benefit_obj.benefits.reason}",)
    return benefit_obj.benefits + policy.benefit_notes


def _notice(
    policy: Policy, tier_label: str, due: int, cover: Coverage, *, given_up: bool = False
) -> str:
    head = f"{policy.name}，{tier_label}，应缴{format_fen(due)}元。"
    if given_up:
        head += "参保人自愿放弃资助，全额缴纳个人缴费。"
    if not cover.covered:
        return (
            head + f"注意：按规定待遇应自{cover.entitled_from}起享受，晚于本年度待遇截止日"
            f"{cover.benefit_end}，本次缴费在{policy.year}年度不能享受任何医保待遇，"
            "收款前请向参保人说明。"
        )
    text = head + f"待遇享受期{cover.benefit_start}至{cover.benefit_end}。"
    if cover.waiting_months or cover.waiting_days:
        length = (
            f"{cover.waiting_months}个月" if cover.waiting_months else f"{cover.waiting_days}日"
        )
        text += f"设有{length}等待期，等待期内发生的医疗费用不予报销。"
    return text


def _price_boundaries(policy: Policy) -> set[dt.date]:
    """Days on which a rule of the policy may change the amount due."""
    days = {policy.collection.end + dt.timedelta(days=1)}
    if isinstance(policy.late, Period):
        days |= {policy.late.start, policy.late.end + dt.timedelta(days=1)}
    waiting = policy.waiting
    if isinstance(waiting, Chongqing2024Waiting):
        days |= {
            waiting.no_fiscal_subsidy_from,
            waiting.hardship_no_waiting.start,
            waiting.hardship_no_waiting.end + dt.timedelta(days=1),
        }
    return days


def due_holds_until(
    policy: Policy,
    category: str,
    tier: str | None,
    facts: PersonFacts,
    issued_on: dt.date,
    last_day: dt.date,
) -> dt.date:
    """The last day, up to ``last_day``, on which the amount quoted on ``issued_on``
    is still what the resident owes: the day before the first date on which the
    policy prices it differently or cannot price it at all (a Chongqing notice
    printed before 07-01 must not promise the subsidised price after 06-30)."""
    due = quote(policy, category, tier, issued_on, facts).personal_due_fen
    for day in sorted(d for d in _price_boundaries(policy) if issued_on < d <= last_day):
        try:
            changed = quote(policy, category, tier, day, facts).personal_due_fen != due
        except QuoteRefused:
            changed = True
        if changed:
            return day - dt.timedelta(days=1)
    return last_day


def quote_all_tiers(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts | None = None
) -> list[TierQuote]:
    """A quote or a refusal for every tier the category may choose, side by side.
    Refusals that concern the whole category (unknown category, missing birth
    date of a newborn) are raised, not listed."""
    facts = facts or PersonFacts()
    check_category_level(policy, category, paid_on, facts)
    result = []
    for tier in tiers_for(policy, category, paid_on, facts):
        label = policy.tiers[tier].label
        try:
            result.append(TierQuote(tier, label, quote(policy, category, tier, paid_on, facts)))
        except QuoteRefused as refusal:
            result.append(TierQuote(tier, label, None, refusal.code, refusal.message))
    return result
