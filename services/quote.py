"""What a resident pays and from when they are covered (POLICY.md §2–§5).

``quote()`` takes a policy (data, ``services.policy``), a category, a tier, the
payment date and the facts the clerk knows about the person, and returns a
``Quote``: the amounts in integer fen, the benefit period and the rules applied,
each citing its document and section. Anything the documents do not settle is
refused with a ``QuoteRefused`` carrying a stable code; nothing is guessed.

How the facts express the cases of the documents:

* a ``student`` is priced as the category named by ``adult_outside_school``
  (``adult``) when they are at least ``min_age`` (18) on the payment date and
  ``via_school`` is False (000 §4(4)); the birth date is then required;
* "new pupil not insured for 2023" (000 §8(6)) is ``via_school`` with
  ``continuous_years == 0``;
* ``job_change``: Tianjin 2024 — ended an employment contract, unemployment
  benefit or flexible-employment cover and enrols within 3 months (000 §8(2));
  Tianjin 2025 — switches between employee and resident insurance (002 §1(4));
* ``hardship_certified``: Tianjin 2025 — newly certified hardship person
  (002 §1(4)); Chongqing — one of the 004 §6 hardship groups that is not a
  category of its own (返贫致贫人口、脱贫不稳定户、边缘易致贫户、突发严重困难户);
* ``gap_months`` is the length of the current gap in months (Tianjin 2024 and
  the 2025 switch rule); ``gap_years`` the number of gap years, ``repaired_years``
  the gap years paid back (Tianjin 2025).

When several rules grant cover, the earliest start wins (each is a right of the
resident). Dates follow the POLICY.md §4 Convention.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.errors import InputError, ServiceError
from services.policy import (
    Category,
    Chongqing2024Waiting,
    Policy,
    Tianjin2023Waiting,
    Tianjin2024Waiting,
    Tianjin2025Waiting,
    Tier,
    Unset,
)

CONVENTION = "POLICY.md §4 Convention"


class QuoteRefused(ServiceError):
    """The quote cannot be given; ``code`` says why (see the module docstring)."""

    code = "quote_refused"


@dataclass(frozen=True)
class PersonFacts:
    """What the clerk knows about the person (see the module docstring)."""

    birth_date: dt.date | None = None
    continuous_years: int = 0
    gap_months: int = 0
    gap_years: int = 0
    repaired_years: int = 0
    via_school: bool = False
    job_change: bool = False
    hardship_certified: bool = False

    def __post_init__(self) -> None:
        for name in ("continuous_years", "gap_months", "gap_years", "repaired_years"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 200:
                raise InputError(f"{_FACT_LABELS[name]}须为 0 到 200 之间的整数")
        if self.repaired_years > self.gap_years:
            raise InputError("修复缴费年数不能多于断保年数")


_FACT_LABELS = {
    "continuous_years": "连续参保年数",
    "gap_months": "中断缴费月数",
    "gap_years": "断保年数",
    "repaired_years": "修复缴费年数",
}


@dataclass(frozen=True)
class Coverage:
    """The benefit period bought by a payment."""

    benefit_start: dt.date | None  # None when the payment buys no cover this year
    benefit_end: dt.date
    entitled_from: dt.date  # the start the rules give, even past benefit_end
    waiting_months: int
    waiting_days: int
    covered: bool
    late: bool
    rules: tuple[str, ...]


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
            "standard": fen_text(self.standard_fen),
            "subsidy": fen_text(self.subsidy_fen),
            "fiscal_surcharge": fen_text(self.fiscal_surcharge_fen),
            "personal_due": fen_text(self.personal_due_fen),
            "fiscal_subsidy": None
            if self.fiscal_subsidy_fen is None
            else fen_text(self.fiscal_subsidy_fen),
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


def fen_text(fen: int) -> str:
    """101000 → ``"1010.00"`` (non-negative amounts only)."""
    return f"{fen // 100}.{fen % 100:02d}"


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; a day past the month's end clips to its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _require(value: int | Unset, policy: Policy, what: str) -> int:
    if isinstance(value, Unset):
        raise QuoteRefused(
            f"{policy.key} 的{what}未在政策文件中给出（{value.reason}），无法报价",
            code="value_unset",
        )
    return value


# --- category and tier -------------------------------------------------------


def _category(policy: Policy, key: str) -> Category:
    try:
        return policy.categories[key]
    except KeyError:
        known = "、".join(policy.categories)
        raise QuoteRefused(
            f"没有参保类别 {key}（{policy.key} 的类别：{known}）", code="unknown_category"
        ) from None


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
    cat = _category(policy, category)
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


# --- coverage ----------------------------------------------------------------


@dataclass(frozen=True)
class _Grant:
    """One rule's answer to "covered from when"."""

    start: dt.date
    text: str
    months: int = 0
    days: int = 0
    before_year: bool = False  # may start before 01-01 of the policy year


def _next_day(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


def _after_months(paid_on: dt.date, months: int) -> dt.date:
    return _next_day(add_months(paid_on, months))


def _newborn_within(policy: Policy, birth: dt.date, paid_on: dt.date) -> bool | None:
    """Paid within the newborn window (inclusive); None if the window is unset."""
    rule = policy.newborn
    if rule.window_months is not None:
        return paid_on <= add_months(birth, rule.window_months)
    if rule.window_days is not None:
        return paid_on <= birth + dt.timedelta(days=rule.window_days)
    return None


def _window_text(policy: Policy) -> str:
    rule = policy.newborn
    if rule.window_months is not None:
        return f"出生之日起{rule.window_months}个月（含）内"
    return f"出生之日起{rule.window_days}日内"


def _check_late(policy: Policy, paid_on: dt.date, *, open_anyway: bool = False) -> None:
    late = policy.late
    if isinstance(late, Unset):
        raise QuoteRefused(
            f"{policy.key} 的补缴期及补缴后的待遇起始规则未在政策文件中给出（{late.reason}）；"
            f"本程序只计算集中缴费期（{policy.collection.start}至{policy.collection.end}）内的缴费",
            code="value_unset",
        )
    if paid_on in late or open_anyway:
        return
    if paid_on > late.end:
        raise QuoteRefused(
            f"{policy.year}年度补缴已于{late.end.isoformat()}截止（{late.source}），"
            f"{paid_on.isoformat()}不能再办理{policy.year}年度参保缴费",
            code="late_payment_closed",
        )
    raise QuoteRefused(
        f"{paid_on.isoformat()}不在{policy.year}年度集中缴费期或补缴期内（补缴期自{late.start}起）",
        code="late_payment_closed",
    )


def _tianjin_2023(
    policy: Policy, rules: Tianjin2023Waiting, category: str, paid_on: dt.date, facts: PersonFacts
) -> list[_Grant]:
    if paid_on > policy.collection.end:
        _check_late(policy, paid_on)  # raises: the late window is unset
    return [
        _Grant(policy.year_start, f"003 §5(1) 集中申报缴费期内缴费，{policy.year_start}起享受待遇")
    ]


def _tianjin_2024(
    policy: Policy, rules: Tianjin2024Waiting, category: str, paid_on: dt.date, facts: PersonFacts
) -> list[_Grant]:
    start = policy.year_start
    if paid_on <= policy.collection.end:
        grants = [_Grant(start, f"000 §8(1) 集中申报缴费期内缴费，{start}起享受待遇")]
        if (
            category in rules.new_pupil_categories
            and facts.via_school
            and facts.continuous_years == 0
        ):
            grants.append(
                _Grant(
                    rules.new_pupil_start,
                    f"000 §8(6) 未参加上年度居民医保的新入学、入托学生儿童，集中缴费期内以学校、"
                    f"托育机构为单位参保，自{rules.new_pupil_start}起享受待遇",
                    before_year=True,
                )
            )
    else:
        _check_late(policy, paid_on)
        grants = []
        if category in rules.natural_year_categories:
            grants.append(_Grant(start, "000 §8(7) 资助参保对象按自然年度享受待遇"))
        if facts.job_change:
            grants.append(
                _Grant(
                    _next_day(paid_on),
                    "000 §8(2) 终止劳动合同、领取失业保险金期满或灵活就业医保中断后三个月内参保，"
                    "自缴费次日起享受待遇",
                )
            )
        if (
            facts.continuous_years >= rules.continuous_years_min
            and facts.gap_months <= rules.gap_months_max
        ):
            grants.append(
                _Grant(
                    _next_day(paid_on),
                    f"000 §8(3) 已连续参保{rules.continuous_years_min}年及以上（不含补缴）且中断"
                    f"{rules.gap_months_max}个月内，自缴费次日起享受待遇",
                )
            )
        if category == "newborn":
            grants += _newborn_late_grant(policy, paid_on, facts)
        else:
            months = rules.waiting_months
            grants.append(
                _Grant(
                    _after_months(paid_on, months),
                    f"000 §8(3)(4) 当年度补缴，设置{months}个月待遇享受等待期，等待期内医疗费用"
                    f"不予报销；{CONVENTION}：待遇自缴费日＋{months}个月＋1日起",
                    months=months,
                )
            )
    if category == "newborn" and facts.birth_date is not None:
        grants += _newborn_grants(policy, paid_on, facts.birth_date)
    return grants


def _newborn_late_grant(policy: Policy, paid_on: dt.date, facts: PersonFacts) -> list[_Grant]:
    """000 §8(5): a newborn enrolled after the window is covered from the day after payment."""
    assert facts.birth_date is not None
    within = _newborn_within(policy, facts.birth_date, paid_on)
    if within is None:
        raise _newborn_window_unset(policy)
    if within:
        return []  # the from-birth grant applies
    return [
        _Grant(
            _next_day(paid_on),
            f"{policy.newborn.source} 新生儿{_window_text(policy)}以后参保缴费，自缴费次日起享受待遇",
        )
    ]


def _newborn_window_unset(policy: Policy) -> QuoteRefused:
    reason = policy.newborn.window_unset.reason if policy.newborn.window_unset else ""
    return QuoteRefused(
        f"{policy.key} 的新生儿自出生之日起享受待遇的参保期限未在政策文件中给出（{reason}），无法报价",
        code="value_unset",
    )


def _newborn_grants(policy: Policy, paid_on: dt.date, birth: dt.date) -> list[_Grant]:
    """Grants that start on the birth date."""
    rule = policy.newborn
    grants: list[_Grant] = []
    if _newborn_within(policy, birth, paid_on):
        grants.append(
            _Grant(
                max(birth, policy.year_start),
                f"{rule.source} 新生儿{_window_text(policy)}参保缴费，自出生之日起享受当年度待遇",
            )
        )
    born = rule.from_birth_if_born
    if born is not None and birth in born:
        grants.append(
            _Grant(
                birth,
                f"{born.source} {born.start.year}年{born.start.month}月至{born.end.month}月出生"
                f"并办理{policy.year}年度参保缴费的新生儿，自出生之日起享受待遇",
                before_year=True,
            )
        )
    return grants


def tianjin_2025_waiting_months(rules: Tianjin2025Waiting, facts: PersonFacts) -> int:
    """002 §1(4): fixed + variable months, variable reduced by repair, floor for long gaps."""
    variable = max(0, facts.gap_years - 1) * rules.extra_months_per_gap_year
    variable = max(0, variable - facts.repaired_years * rules.repair_months_per_year)
    total = rules.fixed_months + variable
    if facts.gap_years >= rules.long_gap_years:
        total = max(total, rules.long_gap_min_months)
    return total


def _tianjin_2025(
    policy: Policy, rules: Tianjin2025Waiting, category: str, paid_on: dt.date, facts: PersonFacts
) -> list[_Grant]:
    in_period = paid_on <= policy.collection.end
    if not in_period:
        _check_late(policy, paid_on)
    start = policy.year_start if in_period else _next_day(paid_on)
    when = f"{start}起享受待遇" if in_period else "自缴费次日起享受待遇"
    if category in rules.exempt_categories or facts.hardship_certified:
        who = "新生儿" if category in rules.exempt_categories else "本市新认定的困难人员"
        return [_Grant(start, f"002 §1(4) {who}不设待遇等待期，{when}")]
    if (
        facts.job_change
        and facts.continuous_years >= rules.switch_continuous_years_min
        and facts.gap_months <= rules.switch_gap_months_max
    ):
        return [
            _Grant(
                start,
                f"002 §1(4) 已连续参保{rules.switch_continuous_years_min}年及以上，在职工医保和"
                f"居民医保间切换且中断不超过{rules.switch_gap_months_max}个月，补缴后视作连续参保，"
                f"不设待遇等待期，{when}",
            )
        ]
    if in_period and facts.gap_years == 0:
        return [_Grant(start, f"002 §1(4) 集中缴费期内缴费且连续参保，不设待遇等待期，{when}")]
    months = tianjin_2025_waiting_months(rules, facts)
    reason = "未在集中缴费期内参保" if facts.gap_years == 0 else f"断保{facts.gap_years}年"
    detail = f"固定等待期{rules.fixed_months}个月"
    if facts.gap_years > 1:
        detail += f"，每多断保1年加1个月（{facts.gap_years - 1}个月）"
    if facts.repaired_years:
        detail += f"，修复缴费{facts.repaired_years}年减少变动等待期"
    if facts.gap_years >= rules.long_gap_years:
        detail += (
            f"，连续断缴{rules.long_gap_years}年及以上修复后不少于{rules.long_gap_min_months}个月"
        )
    return [
        _Grant(
            _after_months(paid_on, months),
            f"002 §1(4) {reason}：{detail}，合计{months}个月；"
            f"{CONVENTION}：待遇自缴费日＋{months}个月＋1日起",
            months=months,
        )
    ]


def _chongqing_2024(
    policy: Policy, rules: Chongqing2024Waiting, category: str, paid_on: dt.date, facts: PersonFacts
) -> list[_Grant]:
    grants: list[_Grant] = []
    birth = facts.birth_date
    newborn_in_window = (
        category == "newborn"
        and birth is not None
        and bool(_newborn_within(policy, birth, paid_on))
    )
    hardship = _chongqing_hardship(rules, category, facts) and paid_on in rules.hardship_no_waiting
    if paid_on <= policy.collection.end:
        grants.append(
            _Grant(
                policy.year_start, f"004 §5(1) 集中参保期内参保缴费，{policy.year_start}起享受待遇"
            )
        )
    else:
        _check_late(policy, paid_on, open_anyway=hardship or newborn_in_window)
        if hardship:
            grants.append(
                _Grant(
                    _next_day(paid_on),
                    f"{rules.hardship_no_waiting.source} 困难人员{rules.hardship_no_waiting.start}"
                    f"至{rules.hardship_no_waiting.end}参保缴费，不设待遇享受等待期，自缴费次日起享受",
                )
            )
        if paid_on <= rules.next_month_until:
            first = add_months(paid_on.replace(day=1), 1)
            grants.append(
                _Grant(
                    first,
                    f"004 §5(3) {policy.year}年1月1日至{rules.next_month_until.month}月"
                    f"{rules.next_month_until.day}日缴费，自缴费次月1日起享受待遇",
                )
            )
        elif not isinstance(policy.late, Unset) and paid_on <= policy.late.end:
            days = rules.waiting_days
            grants.append(
                _Grant(
                    paid_on + dt.timedelta(days=days),
                    f"004 §5(3) {_next_day(rules.next_month_until)}以后缴费，自缴费之日起满{days}日后"
                    f"享受待遇；{CONVENTION}：待遇自缴费日＋{days}日起",
                    days=days,
                )
            )
    if newborn_in_window:
        assert birth is not None
        grants += _newborn_grants(policy, paid_on, birth)
    return grants


def _chongqing_hardship(rules: Chongqing2024Waiting, category: str, facts: PersonFacts) -> bool:
    return category in rules.hardship_categories or facts.hardship_certified


def coverage(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts | None = None
) -> Coverage:
    """The benefit period for a payment on ``paid_on``, independent of the amounts."""
    facts = facts or PersonFacts()
    _category(policy, category)
    _check_birth(category, paid_on, facts)
    if paid_on < policy.collection.start:
        raise QuoteRefused(
            f"{policy.year}年度集中缴费期自{policy.collection.start}起（{policy.collection.source}），"
            f"{paid_on.isoformat()}尚不能缴费",
            code="before_collection_period",
        )
    waiting = policy.waiting
    extra: list[str] = []
    if isinstance(waiting, Tianjin2024Waiting):
        grants = _tianjin_2024(policy, waiting, category, paid_on, facts)
    elif isinstance(waiting, Tianjin2025Waiting):
        grants = _tianjin_2025(policy, waiting, category, paid_on, facts)
    elif isinstance(waiting, Chongqing2024Waiting):
        grants = _chongqing_2024(policy, waiting, category, paid_on, facts)
        if category == "student" and facts.via_school and facts.continuous_years == 0:
            # 004 §5(4): a university freshman enrolling at admission for next year is
            # covered from the day after payment. The facts cannot tell a university
            # freshman from a new pupil, so this is only shown, not computed.
            extra.append(
                "004 §5(4) 高校新生入学时参加下一年度居民医保的，待遇自缴费次日至次年12月31日；"
                "本程序未计算此项，如属高校新生请按该条办理"
            )
    else:
        grants = _tianjin_2023(policy, waiting, category, paid_on, facts)
    if not grants:  # only a policy file with an unusual combination of rules gets here
        raise QuoteRefused(f"{policy.key} 的政策文件未规定此情形的待遇起始日期", code="value_unset")
    chosen = min((_clamp(policy, g) for g in grants), key=lambda g: g.start)
    covered = chosen.start <= policy.year_end
    rules = [chosen.text, *extra]
    if not covered:
        rules.append(
            f"{CONVENTION}：待遇起始日{chosen.start}晚于{policy.year_end}，本次缴费在"
            f"{policy.year}年度不能享受待遇"
        )
    return Coverage(
        benefit_start=chosen.start if covered else None,
        benefit_end=policy.year_end,
        entitled_from=chosen.start,
        waiting_months=chosen.months,
        waiting_days=chosen.days,
        covered=covered,
        late=paid_on > policy.collection.end,
        rules=tuple(rules),
    )


def _clamp(policy: Policy, grant: _Grant) -> _Grant:
    """Cover bought for the policy year starts on its 01-01 at the earliest."""
    if grant.before_year or grant.start >= policy.year_start:
        return grant
    return _Grant(policy.year_start, grant.text, grant.months, grant.days)


def _check_birth(category: str, paid_on: dt.date, facts: PersonFacts) -> None:
    if category == "newborn" and facts.birth_date is None:
        raise QuoteRefused("新生儿须填写出生日期", code="birth_date_required")
    if facts.birth_date is not None and facts.birth_date > paid_on:
        raise QuoteRefused(f"出生日期{facts.birth_date}晚于缴费日期{paid_on}", code="invalid_input")


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
    asked = _category(policy, category)
    _check_birth(category, paid_on, facts)
    rules: list[str] = []
    cat = _priced_category(policy, asked, paid_on, facts, rules)
    tier = _resolve_tier(policy, cat, tier)
    tier_obj = policy.tiers[tier]
    unsubsidised = _unsubsidised_higher_tier(cat, tier, paid_on, facts, tier_obj.label)
    cover = coverage(policy, category, paid_on, facts)

    standard = _require(tier_obj.standard, policy, f"{tier_obj.label}个人缴费标准")
    rules.append(f"{tier_obj.source} {tier_obj.label}个人缴费标准{fen_text(standard)}元".strip())
    subsidy = 0
    if unsubsidised:
        rule = cat.unsubsidised_higher_tier
        assert rule is not None
        rules.append(
            f"{rule.source} {cat.label}中的成年居民自行选择{tier_obj.label}，个人缴费部分"
            f"不再享受资助，全额缴纳"
        )
    elif isinstance(cat.subsidy, Unset):
        raise QuoteRefused(
            f"{policy.key} 的{cat.label}资助标准未在政策文件中给出（{cat.subsidy.reason}），无法报价",
            code="value_unset",
        )
    elif cat.subsidy == "full":
        subsidy = standard
        rules.append(f"{cat.source} {cat.label}个人缴费部分全额资助，个人应缴0.00元")
    elif cat.subsidy == "quota":
        low = policy.tiers[policy.low_tier]
        percent = _require(policy.quota_personal_percent, policy, "定额资助个人负担比例")
        low_standard = _require(low.standard, policy, f"{low.label}个人缴费标准")
        personal = (low_standard * percent + 50) // 100  # half up, to the fen
        subsidy = max(0, standard - personal)
        rules.append(
            f"{policy.quota_source} {cat.label}按{low.label}标准的{100 - percent}%定额资助，"
            f"个人缴纳{percent}%即{fen_text(personal)}元（四舍五入到分）"
        )

    fiscal, surcharge = _fiscal(policy, category, tier_obj, paid_on, facts, rules)
    due = standard - subsidy + surcharge
    benefit_tier = cat.benefit_tier or tier
    if benefit_tier != tier:
        rules.append(
            f"{cat.source} {cat.label}按{tier_obj.label}缴费，享受"
            f"{policy.tiers[benefit_tier].label}报销待遇"
        )
    rules.extend(cover.rules)
    benefit_obj = policy.tiers[benefit_tier]
    benefits = (
        (f"{benefit_obj.label}待遇标准未在政策文件中给出：{benefit_obj.benefits.reason}",)
        if isinstance(benefit_obj.benefits, Unset)
        else benefit_obj.benefits + policy.benefit_notes
    )
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
        notice=_notice(policy, tier_obj.label, due, cover),
        policy_name=policy.name,
        priced_as=cat.key,
        fiscal_surcharge_fen=surcharge,
        waiting_days=cover.waiting_days,
        entitled_from=cover.entitled_from,
        category_label=asked.label,
        tier_label=tier_obj.label,
        benefit_tier_label=benefit_obj.label,
        benefits=benefits,
    )


def _unsubsidised_higher_tier(
    cat: Category, tier: str, paid_on: dt.date, facts: PersonFacts, label: str
) -> bool:
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


def _fiscal(
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
        if _chongqing_hardship(waiting, category, facts) and paid_on in waiting.hardship_no_waiting:
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
            f"另缴财政补助{fen_text(amount)}元"
        )
        return 0, amount
    if isinstance(amount, Unset):
        return None, 0
    rules.append(f"{source} {label}财政补助{fen_text(amount)}元/人/年（政府负担）".strip())
    return amount, 0


def _notice(policy: Policy, tier_label: str, due: int, cover: Coverage) -> str:
    head = f"{policy.name}，{tier_label}，应缴{fen_text(due)}元。"
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


def quote_all_tiers(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts | None = None
) -> list[TierQuote]:
    """A quote or a refusal for every tier the category may choose, side by side.
    Refusals that concern the whole category (unknown category, missing birth
    date of a newborn) are raised, not listed."""
    facts = facts or PersonFacts()
    result = []
    for tier in tiers_for(policy, category, paid_on, facts):
        label = policy.tiers[tier].label
        try:
            result.append(TierQuote(tier, label, quote(policy, category, tier, paid_on, facts)))
        except QuoteRefused as refusal:
            result.append(TierQuote(tier, label, None, refusal.code, refusal.message))
    return result
