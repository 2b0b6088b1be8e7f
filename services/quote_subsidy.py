"""Who pays what of the personal standard (POLICY.md §2–§3): the category's
subsidy (full, a fixed sum, a quota of the low tier), giving it up or choosing a
tier without it, the benefit tier of subsidised minors, and the government's
fiscal share (with Chongqing's surcharge after its cut-off day).

Each rule appends the sentence it follows, citing its document, to the quote's
rules; ``services.quote`` puts the quote together.
"""

from __future__ import annotations

import datetime as dt

from common.money import format_fen
from services.category_fit import check_category_fits
from services.coverage import chongqing_hardship
from services.coverage_facts import PersonFacts, QuoteRefused, age_on, category_of
from services.policy_types import Category, Chongqing2024Waiting, Policy, Tier, Unset


def require_figure(value: int | Unset, policy: Policy, what: str) -> int:
    """A figure of the policy, or a refusal naming it when the file leaves it unset."""
    if isinstance(value, Unset):
        raise QuoteRefused(
            f"{policy.key} 的{what}未在政策文件中给出（{value.reason}），无法报价",
            code="value_unset",
        )
    return value


def personal_subsidy(
    policy: Policy,
    cat: Category,
    tier_obj: Tier,
    standard: int,
    rules: list[str],
    *,
    unsubsidised: bool,
    given_up: bool,
) -> int:
    """The part of the personal standard the category's subsidy pays (POLICY.md §2/§3),
    with the rule it follows appended to ``rules``."""
    subsidy = 0
    if unsubsidised:
        rule = cat.unsubsidised_higher_tier
        assert rule is not None
        rules.append(
            f"{rule.source} {cat.label}中的成年居民自行选择{tier_obj.label}，个人缴费部分"
            f"不再享受资助，全额缴纳"
        )
    elif given_up:
        rule = cat.give_up_subsidy
        assert rule is not None
        rules.append(
            f"{rule.source} 集中缴费期内放弃资助，自愿选择{tier_obj.label}缴费，资助0.00元，"
            f"个人全额缴纳{format_fen(standard)}元（POLICY.md §2，2026-11修订）"
        )
    elif isinstance(cat.subsidy, Unset):
        raise QuoteRefused(
            f"{policy.key} 的{cat.label}资助标准未在政策文件中给出（{cat.subsidy.reason}），无法报价",
            code="value_unset",
        )
    elif cat.subsidy == "full":
        subsidy = standard
        rules.append(f"{cat.subsidy_source} {cat.label}个人缴费部分全额资助，个人应缴0.00元")
    elif cat.subsidy == "amount":
        assert cat.subsidy_amount is not None  # policy_file requires it with "amount"
        subsidy = min(cat.subsidy_amount, standard)  # the person never pays below 0.00
        capped = "（资助以缴费标准为限）" if subsidy < cat.subsidy_amount else ""
        rules.append(
            f"{cat.subsidy_source} {cat.label}定额资助{format_fen(cat.subsidy_amount)}元，"
            f"个人缴纳{tier_obj.label}标准减资助即{format_fen(standard - subsidy)}元{capped}"
        )
    elif cat.subsidy == "quota":
        low = policy.tiers[policy.low_tier]
        percent = require_figure(policy.quota_personal_percent, policy, "定额资助个人负担比例")
        low_standard = require_figure(low.standard, policy, f"{low.label}个人缴费标准")
        personal = (low_standard * percent + 50) // 100  # half up, to the fen
        subsidy = max(0, standard - personal)
        rules.append(
            f"{policy.quota_source} {cat.label}按{low.label}标准的{100 - percent}%定额资助，"
            f"个人缴纳{percent}%即{format_fen(personal)}元（四舍五入到分）"
        )

    return subsidy


def check_category_level(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts
) -> Category:
    """Refusals that concern the whole category, whatever the tier: it must fit
    the age, and a subsidy the documents do not give cannot be priced."""
    check_category_fits(policy, category, paid_on, facts)
    cat = category_of(policy, category)
    no_way_round = cat.unsubsidised_higher_tier is None and cat.give_up_subsidy is None
    if isinstance(cat.subsidy, Unset) and no_way_round:
        raise QuoteRefused(
            f"{policy.key} 的{cat.label}资助标准未在政策文件中给出（{cat.subsidy.reason}），"
            f"无法报价，不能按全额缴费标准收取（{cat.source}）",
            code="value_unset",
        )
    return cat


def minor_benefit_tier(cat: Category, paid_on: dt.date, facts: PersonFacts) -> str | None:
    """``cat.minor_benefit_tier`` if the person is under 18 on the payment date."""
    if cat.minor_benefit_tier is None:
        return None
    if facts.birth_date is None:
        raise QuoteRefused(
            f"{cat.label}的待遇档次取决于缴费日是否未满18周岁，请填写出生日期（{cat.source}）",
            code="birth_date_required",
        )
    return cat.minor_benefit_tier if age_on(facts.birth_date, paid_on) < 18 else None


def gives_up_subsidy(
    policy: Policy, cat: Category, tier: str, paid_on: dt.date, facts: PersonFacts
) -> bool:
    """000 §7(1)3: inside the collection period a subsidised person may give the
    subsidy up and pay a higher tier in full (POLICY.md §2, revised 2026-11)."""
    rule = cat.give_up_subsidy
    if rule is None or tier == cat.default_tier:
        return False
    label = policy.tiers[tier].label
    if paid_on not in policy.collection:
        raise QuoteRefused(
            f"{cat.label}放弃资助、选择{label}只能在集中缴费期（{policy.collection.start}至"
            f"{policy.collection.end}）内办理（{rule.source}）",
            code="tier_not_allowed",
        )
    if facts.birth_date is None:
        raise QuoteRefused(
            f"{cat.label}放弃资助选择{label}须为成年居民，请填写出生日期（{rule.source}）",
            code="birth_date_required",
        )
    if age_on(facts.birth_date, paid_on) < rule.min_age:
        raise QuoteRefused(
            f"未满{rule.min_age}周岁的{cat.label}已按低档缴费享受高档待遇，不能放弃资助选择{label}"
            f"（{rule.source}；POLICY.md §2）",
            code="tier_not_allowed",
        )
    return True


def cite_source(policy: Policy, source: str) -> str:
    """``source`` with a note when it cites a draft (征求意见稿) among the policy's sources."""
    for doc in policy.sources:
        prefix = doc.file[:3]
        if source.startswith(prefix) and "征求意见稿" in doc.title:
            return f"{source}（{prefix}为公开征求意见稿，非正式印发文件）"
    return source


def unsubsidised_higher_tier(
    cat: Category, tier: str, paid_on: dt.date, facts: PersonFacts, label: str
) -> bool:
    """An adult of the category choosing a non-default tier pays it without subsidy."""
    rule = cat.unsubsidised_higher_tier
    if rule is None or tier == cat.default_tier:
        return False
    if facts.birth_date is None:
        raise QuoteRefused(
            f"{cat.label}选择{label}须为成年居民，请填写出生日期（{rule.source}）",
            code="birth_date_required",
        )
    if age_on(facts.birth_date, paid_on) < rule.min_age:
        raise QuoteRefused(
            f"{cat.label}中只有年满{rule.min_age}周岁的居民可以选择{label}（{rule.source}）",
            code="tier_not_allowed",
        )
    return True


def fiscal_share(
    policy: Policy,
    category: str,
    tier: Tier,
    paid_on: dt.date,
    facts: PersonFacts,
    rules: list[str],
) -> tuple[int | None, int]:
    """(government's share or None if unknown, surcharge paid by the resident)."""
    label, amount, source = tier.label, tier.fiscal_subsidy, tier.fiscal_subsidy_source
    waiting = policy.waiting
    if isinstance(waiting, Chongqing2024Waiting) and paid_on >= waiting.no_fiscal_subsidy_from:
        if chongqing_hardship(waiting, category, facts) and paid_on in waiting.hardship_no_waiting:
            rules.append(
                f"{waiting.hardship_no_waiting.source} 困难人员{waiting.no_fiscal_subsidy_from}以后"
                f"参保，财政补助部分由县财政另行安排，个人不需缴纳"
            )
            return (None if isinstance(amount, Unset) else amount), 0
        if isinstance(amount, Unset):
            raise QuoteRefused(
                f"{policy.key} 的{label}财政补助金额未在政策文件中给出（{amount.reason}）。"
                f"{waiting.no_fiscal_subsidy_from}及以后参保缴费不享受财政补助，须按缴费标准加"
                f"财政补助缴费（004 §3、§5(3)），无法计算应缴金额",
                code="value_unset",
            )
        rules.append(
            f"004 §3、§5(3) {waiting.no_fiscal_subsidy_from}及以后参保缴费不享受财政补助，"
            f"另缴财政补助{format_fen(amount)}元"
        )
        return 0, amount
    if isinstance(amount, Unset):
        return None, 0
    rules.append(
        f"{cite_source(policy, source)} {label}财政补助{format_fen(amount)}元/人/年（政府负担）".strip()
    )
    return amount, 0
