"""The preview of a policy year, and which policies are open on a day.

:func:`preview` quotes every category and tier of a policy on the first and
last day of its collection period and on a late day, beside the previous
year's policy, so a supervisor can compare the result with the notice before
saving (``services.policy_editor``); beside the quotes it lists every figure
the editor asks for (each tier's standard and fiscal subsidy, each category's
subsidy, the quota percent) with the document it comes from, and last year's
figure. :func:`period_state` and
:func:`collection_warning` say whether a policy takes payments on a day (the
login warning and the status bar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from common.money import format_fen
from services.policy_types import CATEGORY_KEYS, Period, Policy, Unset
from services.quote import PersonFacts, Quote, QuoteRefused, quote

# --- preview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewCell:
    """One quote of the preview, or why there is none."""

    paid_on: dt.date | None
    quote: Quote | None = None
    message: str = ""

    @property
    def due_text(self) -> str:
        if self.quote is not None:
            return format_fen(self.quote.personal_due_fen)
        return "—" if self.paid_on is None else "拒绝"

    def to_json_dict(self) -> dict[str, Any]:
        q = self.quote
        return {
            "paid_on": None if self.paid_on is None else self.paid_on.isoformat(),
            "ok": q is not None,
            "standard": None if q is None else format_fen(q.standard_fen),
            "subsidy": None if q is None else format_fen(q.subsidy_fen),
            "personal_due": None if q is None else format_fen(q.personal_due_fen),
            "benefit_start": None
            if q is None or q.benefit_start is None
            else q.benefit_start.isoformat(),
            "benefit_end": None if q is None else q.benefit_end.isoformat(),
            "message": self.message,
        }


DAY_KINDS: dict[str, str] = {
    "first": "集中缴费期第一天",
    "last": "集中缴费期最后一天",
    "late": "补缴期内",
}


@dataclass(frozen=True)
class PreviewRow:
    category: str
    category_label: str
    tier: str
    tier_label: str
    day: str  # a DAY_KINDS key
    new: PreviewCell
    old: PreviewCell | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "category_label": self.category_label,
            "tier": self.tier,
            "tier_label": self.tier_label,
            "day": self.day,
            "day_label": DAY_KINDS[self.day],
            "new": self.new.to_json_dict(),
            "previous": None if self.old is None else self.old.to_json_dict(),
        }


FIGURE_KINDS: dict[str, str] = {
    "standard": "个人缴费标准",
    "fiscal_subsidy": "财政补助",
    "subsidy": "资助",
    "quota_percent": "定额资助个人缴费比例",
}


@dataclass(frozen=True)
class PreviewFigure:
    """One figure of the policy, the document it comes from, and last year's."""

    kind: str  # a FIGURE_KINDS key
    key: str  # the tier or category key ("" for the quota percent)
    label: str  # e.g. "高档 个人缴费标准"
    value: str
    source: str
    previous: str | None = None
    previous_source: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "source": self.source,
            "previous": self.previous,
            "previous_source": self.previous_source,
        }


@dataclass(frozen=True)
class PolicyPreview:
    policy: str
    policy_name: str
    previous: str | None
    previous_name: str | None
    days: dict[str, str | None]
    rows: tuple[PreviewRow, ...]
    figures: tuple[PreviewFigure, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "policy_name": self.policy_name,
            "previous": self.previous,
            "previous_name": self.previous_name,
            "days": self.days,
            "figures": [figure.to_json_dict() for figure in self.figures],
            "rows": [row.to_json_dict() for row in self.rows],
        }


def _money(value: int | Unset) -> str:
    return f"未给出（{value.reason}）" if isinstance(value, Unset) else f"{format_fen(value)}元"


def subsidy_text(policy: Policy, category: str) -> str:
    """The subsidy class of a category in words (POLICY.md §2), with its amount."""
    cat = policy.categories[category]
    if isinstance(cat.subsidy, Unset):
        return f"未给出（{cat.subsidy.reason}）"
    if cat.subsidy == "full":
        return "全额资助（个人应缴0.00元）"
    if cat.subsidy == "quota":
        percent = policy.quota_personal_percent
        low = policy.tiers[policy.low_tier].label
        if isinstance(percent, Unset):
            return f"定额资助（个人按{low}标准的比例缴费，比例未给出）"
        return f"定额资助（个人缴纳{low}标准的{percent}%）"
    if cat.subsidy == "amount" and cat.subsidy_amount is not None:
        return f"定额资助{format_fen(cat.subsidy_amount)}元（个人缴纳标准减{format_fen(cat.subsidy_amount)}元）"
    return "不资助"


def figures(policy: Policy) -> list[PreviewFigure]:
    """Every figure the editor asks for, in the order of the form, with its source."""
    result = []
    for key, tier in policy.tiers.items():
        result.append(
            PreviewFigure(
                "standard", key, f"{tier.label} 个人缴费标准", _money(tier.standard), tier.source
            )
        )
        result.append(
            PreviewFigure(
                "fiscal_subsidy",
                key,
                f"{tier.label} 财政补助",
                _money(tier.fiscal_subsidy),
                tier.fiscal_subsidy_source,
            )
        )
    if any(c.subsidy == "quota" for c in policy.categories.values()):
        percent = policy.quota_personal_percent
        result.append(
            PreviewFigure(
                "quota_percent",
                "",
                "定额资助个人缴费比例",
                f"未给出（{percent.reason}）" if isinstance(percent, Unset) else f"{percent}%",
                policy.quota_source,
            )
        )
    for key in CATEGORY_KEYS:
        cat = policy.categories.get(key)
        if cat is not None and cat.subsidy != "none":
            result.append(
                PreviewFigure(
                    "subsidy",
                    key,
                    f"{cat.label} 资助",
                    subsidy_text(policy, key),
                    cat.subsidy_source,
                )
            )
    return result


def _with_previous(new: list[PreviewFigure], old: list[PreviewFigure]) -> tuple[PreviewFigure, ...]:
    before = {(f.kind, f.key): f for f in old}
    result = []
    for figure in new:
        match = before.get((figure.kind, figure.key))
        result.append(
            PreviewFigure(
                figure.kind,
                figure.key,
                figure.label,
                figure.value,
                figure.source,
                None if match is None else match.value,
                None if match is None else match.source,
            )
        )
    return tuple(result)


def preview_days(policy: Policy) -> dict[str, dt.date | None]:
    """First and last day of the collection period, and the first late day (if any)."""
    late = policy.late.start if isinstance(policy.late, Period) else None
    return {"first": policy.collection.start, "last": policy.collection.end, "late": late}


def sample_facts(category: str, paid_on: dt.date) -> PersonFacts:
    """A typical person of the category on that day (the age the category requires)."""
    if category == "newborn":
        birth = paid_on - dt.timedelta(days=30)
    elif category in ("child",):
        birth = dt.date(paid_on.year - 8, 3, 1)
    elif category in ("student",):
        return PersonFacts(birth_date=dt.date(paid_on.year - 15, 3, 1), via_school=True)
    elif category == "student_loan":
        birth = dt.date(paid_on.year - 20, 3, 1)
    else:
        birth = dt.date(paid_on.year - 40, 3, 1)
    return PersonFacts(birth_date=birth)


def _cell(policy: Policy, category: str, tier: str, paid_on: dt.date | None) -> PreviewCell:
    if paid_on is None:
        return PreviewCell(None, message="无补缴期")
    if category not in policy.categories or tier not in policy.categories[category].tiers:
        return PreviewCell(paid_on, message="上一年度无此类别或档次")
    try:
        result = quote(policy, category, tier, paid_on, sample_facts(category, paid_on))
    except QuoteRefused as refusal:
        return PreviewCell(paid_on, message=refusal.message)
    return PreviewCell(paid_on, result)


def preview(policy: Policy, previous: Policy | None) -> PolicyPreview:
    """The quote for each category and tier on the three days, beside the previous year's."""
    days = preview_days(policy)
    old_days = preview_days(previous) if previous is not None else {}
    rows = []
    for category in CATEGORY_KEYS:
        cat = policy.categories.get(category)
        if cat is None:
            continue
        for tier in cat.tiers:
            for kind in DAY_KINDS:
                old = (
                    _cell(previous, category, tier, old_days.get(kind))
                    if previous is not None
                    else None
                )
                rows.append(
                    PreviewRow(
                        category=category,
                        category_label=cat.label,
                        tier=tier,
                        tier_label=policy.tiers[tier].label,
                        day=kind,
                        new=_cell(policy, category, tier, days[kind]),
                        old=old,
                    )
                )
    return PolicyPreview(
        policy=policy.key,
        policy_name=policy.name,
        previous=None if previous is None else previous.key,
        previous_name=None if previous is None else previous.name,
        days={k: None if v is None else v.isoformat() for k, v in days.items()},
        rows=tuple(rows),
        figures=_with_previous(figures(policy), [] if previous is None else figures(previous)),
    )


# --- which policies are open today --------------------------------------------------------


PERIOD_STATES: dict[str, str] = {
    "upcoming": "未开始",
    "collection": "集中缴费期",
    "late": "补缴期",
    "closed": "已结束",
}


def period_state(policy: Policy, today: dt.date) -> str:
    """``upcoming`` | ``collection`` | ``late`` | ``closed`` on ``today``."""
    if today < policy.collection.start:
        return "upcoming"
    if today in policy.collection:
        return "collection"
    if isinstance(policy.late, Period) and today in policy.late:
        return "late"
    if isinstance(policy.late, Period) and today < policy.late.start:
        return "upcoming"
    return "closed"


def collection_warning(policy: Policy | None, today: dt.date) -> str | None:
    """The plain words for the login warning, or None when the policy in use is open."""
    if policy is None:
        return "本单位没有可用的执行政策，无法登记和收费。请主管在“设置 → 政策”中新建或导入本年度政策。"
    state = period_state(policy, today)
    if state in ("collection", "late"):
        return None
    if state == "upcoming":
        return (
            f"执行政策 {policy.name} 的集中缴费期自 {policy.collection.start:%Y-%m-%d} 开始，"
            f"今天（{today:%Y-%m-%d}）还不能收费。"
        )
    return (
        f"执行政策 {policy.name} 的集中缴费期和补缴期今天（{today:%Y-%m-%d}）都已结束，"
        "不能再按它登记收费。请主管在“设置 → 政策”中新建或导入新年度的政策并设为执行政策。"
    )
