"""What the coverage rules and the category checks share (POLICY.md §2, §4).

The person's facts as the clerk knows them (:class:`PersonFacts`), the refusal
every rule raises (:class:`QuoteRefused`), calendar-month arithmetic, ages, and
the newborn window. ``services.coverage`` gives the benefit period,
``services.category_fit`` checks the category against the age.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from common.errors import InputError, ServiceError
from services.policy_types import Category, Policy


class QuoteRefused(ServiceError):
    """The quote or the benefit period cannot be given; ``code`` says why."""

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
    freshman: bool = False

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


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; a day past the month's end clips to its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def category_of(policy: Policy, key: str) -> Category:
    """The category ``key`` of the policy, or a refusal naming the known ones."""
    try:
        return policy.categories[key]
    except KeyError:
        known = "、".join(policy.categories)
        raise QuoteRefused(
            f"没有参保类别 {key}（{policy.key} 的类别：{known}）", code="unknown_category"
        ) from None


def newborn_within(policy: Policy, birth: dt.date, paid_on: dt.date) -> bool | None:
    """Paid within the newborn window (inclusive); None if the window is unset."""
    rule = policy.newborn
    if rule.window_months is not None:
        return paid_on <= add_months(birth, rule.window_months)
    if rule.window_days is not None:
        return paid_on <= birth + dt.timedelta(days=rule.window_days)
    return None


def newborn_window_text(policy: Policy) -> str:
    """The newborn window in words, for refusals."""
    rule = policy.newborn
    if rule.window_months is not None:
        return f"出生之日起{rule.window_months}个月（含）内"
    return f"出生之日起{rule.window_days}日内"


def newborn_window_unset(policy: Policy) -> QuoteRefused:
    """The refusal when the policy file leaves the newborn window unset."""
    reason = policy.newborn.window_unset.reason if policy.newborn.window_unset else ""
    return QuoteRefused(
        f"{policy.key} 的新生儿自出生之日起享受待遇的参保期限未在政策文件中给出（{reason}），无法报价",
        code="value_unset",
    )
