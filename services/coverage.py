"""From when a payment covers the resident: waiting periods and benefit dates.

``coverage()`` answers, for one policy, category, payment date and the facts
the clerk knows about the person, the benefit period the payment buys
(POLICY.md §4–§5), independent of the amounts (those are ``services.quote``).
Each rule set named by a policy's ``rules`` (tianjin-2023, tianjin-2024,
tianjin-2025, chongqing-2024) has its own function here, plus the newborn
rules shared by them and the calendar-month arithmetic they use. Anything the
documents do not settle is refused with a ``QuoteRefused`` carrying a stable
code; nothing is guessed. ``services.quote`` re-exports the public names.

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
  (002 §1(4)). In Chongqing every 004 §6 group is a category of its own
  (POLICY.md §2 revised 2026-11), so the fact is refused there;
* ``freshman``: Chongqing — a new university student enrolling at admission for
  the next year (004 §5(4)): payable from ``freshman_payable_from``, covered from
  the day after payment;
* ``gap_months`` is the length of the current gap in months (Tianjin 2024 and
  the 2025 switch rule); ``gap_years`` the number of gap years, ``repaired_years``
  the gap years paid back (Tianjin 2025).

When several rules grant cover, the earliest start wins (each is a right of the
resident). Dates follow the POLICY.md §4 Convention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.category_fit import check_category_fits
from services.coverage_facts import (
    PersonFacts,
    QuoteRefused,
    add_months,
    newborn_window_text,
    newborn_window_unset,
    newborn_within,
)
from services.policy_types import (
    Chongqing2024Waiting,
    Policy,
    Tianjin2023Waiting,
    Tianjin2024Waiting,
    Tianjin2025Waiting,
    Unset,
)

CONVENTION = "POLICY.md §4 Convention"


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
        if facts.job_change and facts.gap_months <= rules.gap_months_max:
            grants.append(
                _Grant(
                    _next_day(paid_on),
                    f"000 §8(2) 终止劳动合同、领取失业保险金期满或灵活就业医保中断后三个月内参保"
                    f"（中断{facts.gap_months}个月），自缴费次日起享受待遇",
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
        if category in ("newborn", "child") and _born_for_this_year(policy, facts):
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


def _born_for_this_year(policy: Policy, facts: PersonFacts) -> bool:
    """Born in the policy year, or in the period 000 §8(5) joins to it (Sep–Dec
    of the year before): the babies §8(5) calls newborns."""
    birth = facts.birth_date
    if birth is None:
        return False
    born = policy.newborn.from_birth_if_born
    return birth >= policy.year_start or (born is not None and birth in born)


def _newborn_late_grant(policy: Policy, paid_on: dt.date, facts: PersonFacts) -> list[_Grant]:
    """000 §8(5): a newborn enrolled after the window is covered from the day after payment."""
    assert facts.birth_date is not None
    within = newborn_within(policy, facts.birth_date, paid_on)
    if within is None:
        raise newborn_window_unset(policy)
    if within:
        return []  # the from-birth grant applies
    return [
        _Grant(
            _next_day(paid_on),
            f"{policy.newborn.source} 新生儿{newborn_window_text(policy)}以后参保缴费，自缴费次日起享受待遇",
        )
    ]


def _newborn_grants(policy: Policy, paid_on: dt.date, birth: dt.date) -> list[_Grant]:
    """Grants that start on the birth date."""
    rule = policy.newborn
    grants: list[_Grant] = []
    if newborn_within(policy, birth, paid_on):
        grants.append(
            _Grant(
                max(birth, policy.year_start),
                f"{rule.source} 新生儿{newborn_window_text(policy)}参保缴费，自出生之日起享受当年度待遇",
            )
        )
    born = rule.from_birth_if_born
    # POLICY.md §5 (revised 2026-11): the window applies to these babies too.
    if born is not None and birth in born and newborn_within(policy, birth, paid_on):
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
        category == "newborn" and birth is not None and bool(newborn_within(policy, birth, paid_on))
    )
    hardship = chongqing_hardship(rules, category, facts) and paid_on in rules.hardship_no_waiting
    no_waiting = category in rules.no_waiting_categories
    if paid_on <= policy.collection.end:
        grants.append(
            _Grant(
                policy.year_start, f"004 §5(1) 集中参保期内参保缴费，{policy.year_start}起享受待遇"
            )
        )
    else:
        _check_late(policy, paid_on, open_anyway=hardship or newborn_in_window)
        if no_waiting:
            label = policy.categories[category].label
            grants.append(
                _Grant(
                    _next_day(paid_on),
                    f"004 §6 继续实行{label}参加居民医保不设待遇享受等待期，自缴费次日起享受",
                )
            )
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
                    _next_day(paid_on + dt.timedelta(days=days)),
                    f"004 §5(3) {_next_day(rules.next_month_until)}以后缴费，自缴费之日起满{days}日后"
                    f"享受待遇；{CONVENTION}（2026-11修订）：缴费当日不计入，{days}日为缴费次日起"
                    f"第1日至第{days}日，待遇自缴费日＋{days + 1}日起",
                    days=days,
                )
            )
    if newborn_in_window:
        assert birth is not None
        grants += _newborn_grants(policy, paid_on, birth)
    return grants


def chongqing_hardship(rules: Chongqing2024Waiting, category: str, facts: PersonFacts) -> bool:
    return category in rules.hardship_categories


def coverage(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts | None = None
) -> Coverage:
    """The benefit period for a payment on ``paid_on``, independent of the amounts."""
    facts = facts or PersonFacts()
    check_category_fits(policy, category, paid_on, facts)
    freshman = _freshman_grant(policy, category, paid_on, facts)
    if paid_on < policy.collection.start and freshman is None:
        raise QuoteRefused(
            f"{policy.year}年度集中缴费期自{policy.collection.start}起（{policy.collection.source}），"
            f"{paid_on.isoformat()}尚不能缴费",
            code="before_collection_period",
        )
    waiting = policy.waiting
    if isinstance(waiting, Tianjin2024Waiting):
        grants = _tianjin_2024(policy, waiting, category, paid_on, facts)
    elif isinstance(waiting, Tianjin2025Waiting):
        grants = _tianjin_2025(policy, waiting, category, paid_on, facts)
    elif isinstance(waiting, Chongqing2024Waiting):
        if freshman is not None:
            grants = [freshman]
        else:
            grants = _chongqing_2024(policy, waiting, category, paid_on, facts)
    else:
        grants = _tianjin_2023(policy, waiting, category, paid_on, facts)
    if not grants:  # only a policy file with an unusual combination of rules gets here
        raise QuoteRefused(f"{policy.key} 的政策文件未规定此情形的待遇起始日期", code="value_unset")
    chosen = min((_clamp(policy, g) for g in grants), key=lambda g: g.start)
    covered = chosen.start <= policy.year_end
    rules = [chosen.text]
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


def _freshman_grant(
    policy: Policy, category: str, paid_on: dt.date, facts: PersonFacts
) -> _Grant | None:
    """004 §5(4): a university freshman enrolling at admission for next year's
    cover pays from ``freshman_payable_from`` and is covered from the day after
    payment to 12-31 of the policy year (POLICY.md §5, revised 2026-11)."""
    if not facts.freshman:
        return None
    waiting = policy.waiting
    start = waiting.freshman_payable_from if isinstance(waiting, Chongqing2024Waiting) else None
    if start is None:
        raise QuoteRefused(
            f"{policy.key} 的政策文件没有高校新生入学参保的规定，不能按高校新生办理",
            code="freshman_not_applicable",
        )
    if category != "student":
        label = policy.categories["student"].label
        raise QuoteRefused(
            f"高校新生入学参保须选择“{label}”类别（004 §5(4)）", code="freshman_not_applicable"
        )
    if paid_on < start:
        raise QuoteRefused(
            f"高校新生参加{policy.year}年度居民医保自{start}起缴费（004 §5(4)），"
            f"{paid_on.isoformat()}尚不能缴费",
            code="before_collection_period",
        )
    if paid_on > policy.collection.end:
        raise QuoteRefused(
            f"高校新生入学时参加的是下一年度居民医保（004 §5(4)）；{paid_on.isoformat()}已在"
            f"{policy.year}年度内，请按补缴规定办理，不选“高校新生”",
            code="freshman_not_applicable",
        )
    return _Grant(
        _next_day(paid_on),
        f"004 §5(4) 高校新生入学时参加{policy.year}年度居民医保，待遇自缴费次日至"
        f"{policy.year_end}（POLICY.md §5，2026-11修订：自{start}起可缴费）",
        before_year=True,
    )
