"""The yearly form of a new policy year (issue 17): figures in, raw policy data out.

A supervisor starts from the office's current policy and types what a yearly
notice changes (:class:`YearForm`, pre-filled by :func:`form_from_policy`).
:func:`build_draft` turns that into the raw data of an ordinary policy file,
starting from the base file's own data so that every field the base file has is
carried over unchanged. Checking the draft is :func:`services.policy_editor.check_draft`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from services.coverage_facts import add_months
from services.policy import PolicyBook, builtin_policy_dir
from services.policy_editor import FIGURE_LABELS, PolicyCheckFailed, read_policy_data
from services.policy_reader import parse_amount_fen
from services.policy_types import Period, Policy

#: The waiting-period rule sets a supervisor may choose (POLICY.md §4), in Chinese.
RULE_SET_LABELS: dict[str, str] = {
    "tianjin-2024": "天津2024年度规则（000号文 §8：补缴等待6个月）",
    "tianjin-2025": "天津2025年度及以后规则（002号文：固定等待3个月起）",
    "chongqing-2024": "重庆2024年度规则（004号文 §5：次月起或满90日）",
}
SUBSIDY_LABELS: dict[str, str] = {
    "none": "不资助",
    "full": "全额资助",
    "quota": "定额资助（个人按低档标准的比例缴费）",
    "amount": "定额资助（资助固定金额）",
    "unset": "未给出（报价时拒绝）",
}
_YEAR_TAIL_RE = re.compile(r"^(.*-)(\d{4})(-r\d+)?$")


# --- the yearly form -------------------------------------------------------------------


@dataclass
class TierFigures:
    """What a notice says for one tier; blank text means "not in the notice"."""

    key: str
    standard: str = ""
    fiscal_subsidy: str = ""
    benefits: str = ""  # one line per item
    #: where the standard (and the benefits) come from, e.g. "津医保发〔2026〕1号 §2";
    #: blank: the year's notice
    source: str = ""
    fiscal_subsidy_source: str = ""  # blank: the year's notice


@dataclass
class YearForm:
    """The fields of 新建年度政策, in the order a notice gives them."""

    base_key: str
    year: int
    key: str = ""  # default: the base key with the new year
    name: str = ""  # default: the base name with the new year
    collection_start: dt.date | None = None
    collection_end: dt.date | None = None
    late_start: dt.date | None = None  # both None: late payment unset
    late_end: dt.date | None = None
    late_unset_reason: str = ""
    tiers: list[TierFigures] = field(default_factory=list)
    #: category key -> "none" | "full" | "quota" | "amount" | "unset"; missing: as in the base
    subsidies: dict[str, str] = field(default_factory=dict)
    #: category key -> the fixed sum of an "amount" subsidy (blank: unset)
    subsidy_amounts: dict[str, str] = field(default_factory=dict)
    #: category key -> where its subsidy comes from (blank: the year's notice)
    subsidy_sources: dict[str, str] = field(default_factory=dict)
    quota_percent: str = ""  # blank: unset
    quota_source: str = ""  # blank: the year's notice
    rules: str = ""  # blank: as in the base
    #: policy-wide benefit notes, one per line; None keeps the base file's
    benefit_notes: str | None = None
    document_no: str = ""
    document_title: str = ""
    document_issued: dt.date | None = None
    document_file: str = ""


def default_key(base_key: str, year: int, base_year: int | None = None) -> str:
    """``tianjin-2025`` → ``tianjin-2026``; the same year → a revision (``tianjin-2025-r2``)."""
    if base_year is not None and year == base_year:
        match = re.search(r"-r(\d+)$", base_key)
        revision = int(match.group(1)) + 1 if match else 2
        return f"{base_key_of(base_key)}-r{revision}"
    match = _YEAR_TAIL_RE.match(base_key)
    if match:
        return f"{match.group(1)}{year}"
    return f"{base_key}-{year}"


def base_key_of(key: str) -> str:
    """The key without its revision suffix (``tianjin-2026-r2`` → ``tianjin-2026``)."""
    return re.sub(r"-r\d+$", "", key)


def form_from_policy(base: Policy, year: int | None = None) -> YearForm:
    """A form filled with the base policy's values moved to ``year`` (default: next year).

    Amounts and their sources start blank: the supervisor types each one from
    the notice, so a figure of last year is never carried over by mistake.
    """
    year = year or base.year + 1
    delta = year - base.year
    late = base.late if isinstance(base.late, Period) else None
    return YearForm(
        base_key=base.key,
        year=year,
        key=default_key(base.key, year, base.year),
        name=base.name.replace(str(base.year), str(year)),
        collection_start=shift_date(base.collection.start, delta),
        collection_end=shift_date(base.collection.end, delta),
        late_start=shift_date(late.start, delta) if late else None,
        late_end=shift_date(late.end, delta) if late else None,
        tiers=[TierFigures(key=key) for key in base.tiers],
        subsidies={
            key: (c.subsidy if isinstance(c.subsidy, str) else "unset")
            for key, c in base.categories.items()
        },
        quota_percent=""
        if not isinstance(base.quota_personal_percent, int)
        else str(base.quota_personal_percent),
        rules=base.rules,
        benefit_notes="\n".join(base.benefit_notes),
    )


def shift_date(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 Feb → 28 Feb)."""
    return add_months(day, 12 * years)


def _shift_dates(value: Any, years: int) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return shift_date(value, years)
    if isinstance(value, dict):
        return {k: _shift_dates(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_dates(v, years) for v in value]
    return value


def _unset(reason: str) -> dict[str, str]:
    return {"unset": reason}


def build_draft(base: Policy, form: YearForm, book: PolicyBook) -> dict[str, Any]:
    """The raw data of the new policy file: the base file's data with the form applied.

    Refuses (``PolicyCheckFailed``, field named in Chinese) what the form itself
    gets wrong; the file format's own checks are :func:`check_draft`'s.
    """
    data = copy.deepcopy(read_policy_data(base))
    year = form.year
    if not 2000 <= year <= 2100:
        raise PolicyCheckFailed("政策年度须在2000到2100之间", field="year")
    delta = year - base.year
    data.pop("replaces_builtin", None)
    data["key"] = (form.key or default_key(base.key, year, base.year)).strip()
    data["year"] = year
    data["name"] = (form.name or base.name.replace(str(base.year), str(year))).strip()

    _apply_rules(data, base, form, book, delta)
    cite = _apply_source(data, form)
    _apply_periods(data, form, cite)
    _apply_tiers(data, form, cite)
    if form.benefit_notes is not None:
        data["benefit_notes"] = [
            line.strip() for line in form.benefit_notes.splitlines() if line.strip()
        ]
    _apply_subsidies(data, form, cite)
    _apply_quota(data, form, cite)
    return data


def _apply_rules(
    data: dict[str, Any], base: Policy, form: YearForm, book: PolicyBook, delta: int
) -> None:
    """Waiting-period rules: chosen from the rule sets the program knows, with
    the parameters of a built-in policy that uses them."""
    year = form.year
    rules = form.rules or base.rules
    if rules not in RULE_SET_LABELS and rules != base.rules:
        raise PolicyCheckFailed(f"待遇等待期规则“{rules}”不是本程序已有的规则", field="rules")
    if rules != data.get("rules"):
        exemplar = _exemplar(book, rules)
        waiting = read_policy_data(exemplar).get("waiting")
        data["rules"] = rules
        if waiting is None:
            data.pop("waiting", None)
        else:
            data["waiting"] = _shift_dates(waiting, year - exemplar.year)
    elif "waiting" in data:
        # Dates inside the rule parameters (e.g. 重庆 next_month_until) move with the year.
        data["waiting"] = _shift_dates(data["waiting"], delta)
    if "newborn" in data:
        data["newborn"] = _shift_dates(data["newborn"], delta)


def _apply_source(data: dict[str, Any], form: YearForm) -> str:
    """Source document of the notice: first in the list, the older ones kept
    (categories still cite them). Returns what the new figures cite."""
    year = form.year
    if form.document_title.strip() or form.document_no.strip():
        if form.document_issued is None:
            raise PolicyCheckFailed("请填写通知的发文日期", field="sources[0].issued")
        if not form.document_title.strip():
            raise PolicyCheckFailed("请填写通知的标题", field="sources[0].title")
        source: dict[str, Any] = {
            "file": form.document_file.strip() or form.document_title.strip(),
            "document_no": form.document_no.strip() or _unset("通知未载明文号"),
            "title": form.document_title.strip(),
            "issued": form.document_issued,
        }
        data["sources"] = [source, *data.get("sources", [])]
    return form.document_no.strip() or form.document_title.strip() or f"{year}年度通知"


def _apply_periods(data: dict[str, Any], form: YearForm, cite: str) -> None:
    """The collection and late-payment periods."""
    periods = data.setdefault("periods", {})
    if form.collection_start is None or form.collection_end is None:
        raise PolicyCheckFailed("请填写集中缴费期的开始和结束日期", field="periods.collection")
    periods["collection"] = {
        "start": form.collection_start,
        "end": form.collection_end,
        "source": cite,
    }
    if form.late_start is None and form.late_end is None:
        periods["late"] = _unset(form.late_unset_reason.strip() or f"{cite}未规定补缴期")
    elif form.late_start is None or form.late_end is None:
        raise PolicyCheckFailed("补缴期须同时填写开始和结束日期，或都不填", field="periods.late")
    else:
        periods["late"] = {"start": form.late_start, "end": form.late_end, "source": cite}


def _apply_tiers(data: dict[str, Any], form: YearForm, cite: str) -> None:
    """Tiers: every figure typed, or explicitly unset."""
    year = form.year
    tiers = data.get("tiers", {})
    for figures in form.tiers:
        if figures.key not in tiers:
            raise PolicyCheckFailed(f"档次 {figures.key} 不存在", field=f"tiers.{figures.key}")
        tier = tiers[figures.key]
        label = tier.get("label", figures.key)
        for name in ("standard", "fiscal_subsidy"):
            text = getattr(figures, name).strip()
            where = f"tiers.{figures.key}.{name}"
            if not text:
                tier[name] = _unset(f"{year}年度{label}{FIGURE_LABELS[name]}未在{cite}中给出")
                continue
            if parse_amount_fen(text) is None:
                raise PolicyCheckFailed(
                    f"档次“{label}”{FIGURE_LABELS[name]}“{text}”不正确：须为非负金额，最多两位小数",
                    field=where,
                )
            tier[name] = text if "." in text else f"{text}.00"
        lines = [line.strip() for line in figures.benefits.splitlines() if line.strip()]
        tier["benefits"] = lines or _unset(f"{year}年度{label}待遇标准未在{cite}中给出")
        tier["source"] = figures.source.strip() or cite
        tier["fiscal_subsidy_source"] = figures.fiscal_subsidy_source.strip() or cite


def _apply_subsidies(data: dict[str, Any], form: YearForm, cite: str) -> None:
    """Subsidy classes: the kind of subsidy of each category and its amount."""
    categories = data.get("categories", {})
    for key, kind in form.subsidies.items():
        if key not in categories:
            raise PolicyCheckFailed(f"参保类别 {key} 不存在", field=f"categories.{key}")
        if kind not in SUBSIDY_LABELS:
            raise PolicyCheckFailed(f"资助方式“{kind}”不正确", field=f"categories.{key}.subsidy")
        category = categories[key]
        label = category.get("label", key)
        category.pop("subsidy_amount", None)
        category["subsidy"] = _unset(f"{cite}未给出{label}的资助标准") if kind == "unset" else kind
        if kind == "amount":
            text = form.subsidy_amounts.get(key, "").strip()
            if not text:  # the class is known but not the sum: unset, never guessed
                category["subsidy"] = _unset(f"{cite}未给出{label}的定额资助金额")
            elif parse_amount_fen(text) is None:
                raise PolicyCheckFailed(
                    f"类别“{label}”定额资助金额“{text}”不正确：须为非负金额，最多两位小数",
                    field=f"categories.{key}.subsidy_amount",
                )
            else:
                category["subsidy_amount"] = text if "." in text else f"{text}.00"
        category["subsidy_source"] = form.subsidy_sources.get(key, "").strip() or cite


def _apply_quota(data: dict[str, Any], form: YearForm, cite: str) -> None:
    """The personal share under a quota subsidy."""
    quota = data.setdefault("quota_subsidy", {})
    quota["source"] = form.quota_source.strip() or cite
    percent = form.quota_percent.strip()
    if not percent:
        quota["personal_percent"] = _unset(f"{cite}未给出定额资助的个人缴费比例")
    elif not percent.isdigit() or not 0 <= int(percent) <= 100:
        raise PolicyCheckFailed(
            f"定额资助个人缴费比例“{percent}”不正确：须为0到100的整数（资助不能超过缴费标准）",
            field="quota_subsidy.personal_percent",
        )
    else:
        quota["personal_percent"] = int(percent)


def _exemplar(book: PolicyBook, rules: str) -> Policy:
    candidates = [p for p in book if p.rules == rules and p.path.parent == builtin_policy_dir()]
    if not candidates:
        raise PolicyCheckFailed(f"没有使用规则“{rules}”的内置政策可作参照", field="rules")
    return max(candidates, key=lambda p: p.year)
