"""Reading and validating one policy file (TOML) into a :class:`Policy`.

File format, in short (the built-in files are commented examples):

* amounts are strings in yuan with at most two decimals (``"1010.00"``) and
  become integer fen; a TOML number is refused so that no float is involved;
* dates are TOML dates (``2023-10-10``) or ISO strings;
* a value the documents do not give is written ``{ unset = "why" }`` and loads
  as :class:`Unset`; code that needs it refuses with that reason, never guesses;
* ``key`` must equal the file name without ``.toml``;
* ``rules`` names the waiting-period rule set implemented in ``services.coverage``;
  its parameters are the ``[waiting]`` table, checked per rule set (a few are
  optional: ``no_waiting_categories`` and ``freshman_payable_from`` of chongqing-2024);
* a category (``[categories.KEY]``, KEY from ``CATEGORY_KEYS``; only adult,
  student, child and newborn are required, the subsidised groups are per region)
  has ``label``, ``tiers``, ``subsidy`` (none / full / quota / amount / unset) and may have
  ``default_tier``, ``benefit_tier``, ``source`` and:

  - ``subsidy_amount = "300.00"`` — with ``subsidy = "amount"`` (and only then):
    定额资助 of a fixed sum; the person pays the tier standard minus it, never
    below 0.00 (POLICY.md §2/§3). More than two decimals, a negative sum or one
    larger than a known standard of a tier the subsidy applies to is refused;

  - ``age = { from = 18 }`` or ``{ below = 18 }`` — the ages (on the payment
    date) the category fits; another age is refused naming the fitting category;
  - ``minor_benefit_tier = "high"`` — the benefit tier of a person under 18 on
    the payment date (Tianjin's subsidised minors, 000 §2(2));
  - ``give_up_subsidy = { min_age = 18, source = "…" }`` — inside the collection
    period a person this old may give the subsidy up and pay a non-default tier
    in full (000 §7(1)3);
  - ``unsubsidised_higher_tier`` and ``adult_outside_school`` (see ``Category``).

Each figure carries its own source (document number and section), so a
supervisor can check every number against the document it came from:

* ``[tiers.KEY] source`` — the personal standard (and the benefits);
* ``[tiers.KEY] fiscal_subsidy_source`` — the fiscal subsidy;
* ``[categories.KEY] subsidy_source`` — the subsidy class or amount (when absent,
  the category's own ``source``);
* ``[quota_subsidy] source`` — the personal percent of a quota subsidy.

A figure without a source cites the year's notice: the first ``[[sources]]``
entry, by its ``document_no`` (its title when it has no number).

Every table is read through ``TableReader``, which checks each field it is asked
for and refuses unknown fields, so a typo in a file is an error naming the
file and field (``PolicyFileError``), never a silently ignored value.
``services.policy`` re-exports the public names; import them from there.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from services.policy_reader import TableReader
from services.policy_types import (
    CATEGORY_KEYS,
    REQUIRED_CATEGORY_KEYS,
    SUBSIDY_KINDS,
    AgeLimits,
    AgeRule,
    Category,
    Chongqing2024Waiting,
    NewbornRule,
    Period,
    Policy,
    PolicyFileError,
    Source,
    Tianjin2023Waiting,
    Tianjin2024Waiting,
    Tianjin2025Waiting,
    Tier,
    Unset,
    WaitingRules,
)

# Rule set name -> (parameter class, field kinds). The logic is in services.coverage.
_WAITING_SPECS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "tianjin-2023": (Tianjin2023Waiting, {}),
    "tianjin-2024": (
        Tianjin2024Waiting,
        {
            "continuous_years_min": "count",
            "gap_months_max": "count",
            "waiting_months": "count",
            "natural_year_categories": "categories",
            "new_pupil_start": "date",
            "new_pupil_categories": "categories",
        },
    ),
    "tianjin-2025": (
        Tianjin2025Waiting,
        {
            "fixed_months": "count",
            "extra_months_per_gap_year": "count",
            "repair_months_per_year": "count",
            "long_gap_years": "count",
            "long_gap_min_months": "count",
            "switch_continuous_years_min": "count",
            "switch_gap_months_max": "count",
            "exempt_categories": "categories",
        },
    ),
    "chongqing-2024": (
        Chongqing2024Waiting,
        {
            "next_month_until": "date",
            "waiting_days": "count",
            "no_fiscal_subsidy_from": "date",
            "hardship_categories": "categories",
            "hardship_no_waiting": "period",
            "no_waiting_categories": "categories?",
            "freshman_payable_from": "date?",
        },
    ),
}
RULE_SETS: tuple[str, ...] = tuple(_WAITING_SPECS)


def load_policy_file(path: Path) -> Policy:
    """Read and validate one policy file; raise ``PolicyFileError`` naming file and field."""
    path = Path(path)
    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyFileError(file, f"无法读取（{exc.strerror or exc}）") from None
    except UnicodeDecodeError:
        raise PolicyFileError(file, "不是 UTF-8 编码的文本") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyFileError(file, f"TOML 格式错误（{exc}）") from None
    return _parse_policy(TableReader(file, "", data), path)


def _parse_policy(top: TableReader, path: Path) -> Policy:
    key = top.text("key")
    if key != path.stem:
        raise top.error("key", f"须与文件名一致（文件名为 {path.stem}）")
    year = top.count("year", low=2000, high=2100)
    rules = top.text("rules")
    if rules not in _WAITING_SPECS:
        raise top.error("rules", f"未知的待遇规则集 {rules}（已有：{'、'.join(RULE_SETS)}）")
    sources = _parse_sources(top)
    notice = sources[0].cite  # the default source of a figure (the year's notice)
    tiers = _parse_tiers(top.table("tiers"), notice)
    low_tier = top.text("low_tier")
    if low_tier not in tiers:
        raise top.error("low_tier", _missing_tier(low_tier, tiers))
    categories = _parse_categories(top.table("categories"), tiers, notice)

    periods = top.table("periods")
    collection = periods.period("collection")
    late: Period | Unset = periods.unset("late") or periods.period("late")
    periods.finish()
    year_end = dt.date(year, 12, 31)
    if collection.start > year_end:
        raise periods.error("collection", f"集中缴费期不能晚于 {year} 年度")
    if isinstance(late, Period) and not (collection.end < late.start and late.end <= year_end):
        raise periods.error("late", f"补缴期须在集中缴费期之后、{year_end.isoformat()} 之前")

    quota = top.table("quota_subsidy")
    quota_percent = quota.count_or_unset("personal_percent", low=0, high=100)
    quota_source = quota.text("source", default=notice)
    quota.finish()

    policy = Policy(
        key=key,
        region=top.text("region"),
        year=year,
        name=top.text("name"),
        rules=rules,
        low_tier=low_tier,
        sources=sources,
        collection=collection,
        late=late,
        quota_personal_percent=quota_percent,
        quota_source=quota_source,
        tiers=tiers,
        categories=categories,
        newborn=_parse_newborn(top.table("newborn")),
        waiting=_parse_waiting(top, rules, categories),
        benefit_notes=top.texts("benefit_notes"),
        path=path,
        replaces_builtin=top.flag("replaces_builtin"),
    )
    top.finish()
    return policy


def _parse_sources(top: TableReader) -> tuple[Source, ...]:
    raw = top.raw("sources")
    if not isinstance(raw, list) or not raw:
        raise top.error("sources", "须至少列出一个来源文件（[[sources]]）")
    sources = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise top.error("sources", "每个来源须为表（[[sources]]）")
        sub = TableReader(top.file, f"sources[{index}]", item)
        sources.append(
            Source(
                sub.text("file"),
                sub.text_or_unset("document_no"),
                sub.text("title"),
                sub.date("issued"),
            )
        )
        sub.finish()
    return tuple(sources)


def _parse_tiers(table: TableReader, notice: str) -> Mapping[str, Tier]:
    tiers: dict[str, Tier] = {}
    for key in table.data:
        sub = table.table(key)
        benefits: tuple[str, ...] | Unset = sub.unset("benefits") or sub.texts("benefits")
        tiers[key] = Tier(
            key=key,
            label=sub.text("label"),
            standard=sub.amount("standard"),
            fiscal_subsidy=sub.amount("fiscal_subsidy"),
            benefits=benefits,
            source=sub.text("source", default=notice),
            fiscal_subsidy_source=sub.text("fiscal_subsidy_source", default=notice),
        )
        sub.finish()
    if not tiers:
        raise table.error(None, "至少须有一个缴费档次")
    return MappingProxyType(tiers)


def _missing_tier(key: str, tiers: Mapping[str, Tier]) -> str:
    return f"档次 {key} 不存在（已有：{'、'.join(tiers)}）"


def _age_rule(sub: TableReader, key: str, *, with_category: bool) -> AgeRule | None:
    if not sub.has(key):
        return None
    rule = sub.table(key)
    result = AgeRule(
        min_age=rule.count("min_age", low=0, high=150),
        source=rule.text("source", default=""),
        category=rule.text("category") if with_category else None,
    )
    rule.finish()
    return result


def _age_limits(sub: TableReader) -> AgeLimits | None:
    """``age = { from = 18 }`` / ``{ below = 18 }``: the ages the category fits."""
    if not sub.has("age"):
        return None
    table = sub.table("age")
    from_age = table.count("from", low=0, high=150) if table.has("from") else None
    below = table.count("below", low=1, high=150) if table.has("below") else None
    source = table.text("source", default="")
    table.finish()
    if from_age is None and below is None:
        raise sub.error("age", "须写 from（最低年龄）或 below（年龄上限，不含）之一")
    if from_age is not None and below is not None and from_age >= below:
        raise sub.error("age", "from 须小于 below")
    return AgeLimits(from_age=from_age, below=below, source=source)


def _parse_categories(
    table: TableReader, tiers: Mapping[str, Tier], notice: str
) -> Mapping[str, Category]:
    categories: dict[str, Category] = {}
    for key in table.data:
        if key not in CATEGORY_KEYS:
            raise table.error(
                key, f"未知的参保类别（POLICY.md §2 只有：{'、'.join(CATEGORY_KEYS)}）"
            )
        sub = table.table(key)
        categories[key] = _parse_category(key, sub, tiers, notice)
        sub.finish()
    missing = [key for key in REQUIRED_CATEGORY_KEYS if key not in categories]
    if missing:
        raise table.error(None, f"缺少参保类别 {'、'.join(missing)}")
    for category in categories.values():
        target = category.adult_outside_school
        if target is not None and target.category not in categories:
            raise table.error(
                f"{category.key}.adult_outside_school.category",
                f"参保类别 {target.category} 不存在",
            )
    return MappingProxyType(categories)


def _parse_category(key: str, sub: TableReader, tiers: Mapping[str, Tier], notice: str) -> Category:
    """One ``[categories.KEY]`` table: its tiers, subsidy and age rules."""
    allowed = _category_tiers(sub, tiers)
    default = sub.text("default_tier") if sub.has("default_tier") else None
    if default is not None and default not in allowed:
        raise sub.error("default_tier", f"档次 {default} 不在本类别可选档次中")
    if default is None and len(allowed) == 1:
        default = allowed[0]
    subsidy = sub.unset("subsidy") or sub.text("subsidy")
    if isinstance(subsidy, str) and subsidy not in SUBSIDY_KINDS:
        raise sub.error("subsidy", f"须为 {'、'.join(SUBSIDY_KINDS)} 之一或 unset")
    benefit_tier = sub.text("benefit_tier") if sub.has("benefit_tier") else None
    if benefit_tier is not None and benefit_tier not in tiers:
        raise sub.error("benefit_tier", _missing_tier(benefit_tier, tiers))
    higher = _age_rule(sub, "unsubsidised_higher_tier", with_category=False)
    if higher is not None and (default is None or len(allowed) < 2):
        raise sub.error("unsubsidised_higher_tier", "须有 default_tier 和至少两个可选档次")
    give_up = _age_rule(sub, "give_up_subsidy", with_category=False)
    if give_up is not None and (default is None or len(allowed) < 2):
        raise sub.error("give_up_subsidy", "须有 default_tier 和至少两个可选档次")
    if give_up is not None and subsidy == "none":
        raise sub.error("give_up_subsidy", "只有享受资助的类别（subsidy 不为 none）才能放弃资助")
    minor_tier = sub.text("minor_benefit_tier") if sub.has("minor_benefit_tier") else None
    if minor_tier is not None and minor_tier not in tiers:
        raise sub.error("minor_benefit_tier", _missing_tier(minor_tier, tiers))
    amount = _subsidy_amount(sub, subsidy, tiers, allowed, default, higher or give_up)
    source = sub.text("source", default="")
    return Category(
        key=key,
        label=sub.text("label"),
        tiers=tuple(allowed),
        default_tier=default,
        subsidy=subsidy,
        benefit_tier=benefit_tier,
        source=source,
        subsidy_amount=amount,
        subsidy_source=sub.text("subsidy_source", default=source or notice),
        adult_outside_school=_age_rule(sub, "adult_outside_school", with_category=True),
        unsubsidised_higher_tier=higher,
        age=_age_limits(sub),
        minor_benefit_tier=minor_tier,
        give_up_subsidy=give_up,
    )


def _category_tiers(sub: TableReader, tiers: Mapping[str, Tier]) -> list[str]:
    """The category's tiers: a non-empty list of tiers the file defines."""
    allowed = sub.raw("tiers")
    if not isinstance(allowed, list) or not allowed or not all(isinstance(t, str) for t in allowed):
        raise sub.error("tiers", "须为档次列表，至少一项")
    for tier in allowed:
        if tier not in tiers:
            raise sub.error("tiers", _missing_tier(tier, tiers))
    return allowed


def _subsidy_amount(
    sub: TableReader,
    subsidy: str | Unset,
    tiers: Mapping[str, Tier],
    allowed: list[str],
    default: str | None,
    pays_others_in_full: AgeRule | None,
) -> int | None:
    """The fixed sum of an ``amount`` subsidy (POLICY.md §2/§3: 定额资助), checked.

    The subsidy is part of the personal standard, so it may not be larger than
    the standard of any tier it applies to: the default tier when the other
    tiers are paid in full (``give_up_subsidy`` / ``unsubsidised_higher_tier``),
    otherwise every tier of the category. A standard that is itself unset
    cannot be compared; the quote refuses it anyway.
    """
    if subsidy != "amount":
        if sub.has("subsidy_amount"):
            raise sub.error("subsidy_amount", '只有 subsidy = "amount"（定额资助固定金额）才填写')
        return None
    amount = sub.amount("subsidy_amount")
    if isinstance(amount, Unset):
        raise sub.error(
            "subsidy_amount",
            '定额资助金额未给出时，请把 subsidy 写成 { unset = "原因" }，不要写 amount',
        )
    applies = [default] if pays_others_in_full is not None and default else allowed
    for key in applies:
        standard = tiers[key].standard
        if isinstance(standard, int) and amount > standard:
            raise sub.error(
                "subsidy_amount",
                f"资助金额 {amount // 100}.{amount % 100:02d} 元大于档次“{tiers[key].label}”"
                f"个人缴费标准 {standard // 100}.{standard % 100:02d} 元（资助不能超过缴费标准）",
            )
    return amount


def _parse_newborn(sub: TableReader) -> NewbornRule:
    unset = sub.unset("window")
    months = days = None
    if unset is None:
        window = sub.table("window")
        if window.has("months"):
            months = window.count("months", low=0, high=24)
        if window.has("days"):
            days = window.count("days", low=0, high=731)
        window.finish()
        if (months is None) == (days is None):
            raise sub.error("window", '须且只须写 months 或 days 之一（或写成 { unset = "原因" }）')
    rule = NewbornRule(
        window_months=months,
        window_days=days,
        window_unset=unset,
        source=sub.text("source", default=""),
        from_birth_if_born=sub.period("from_birth_if_born")
        if sub.has("from_birth_if_born")
        else None,
    )
    sub.finish()
    return rule


def _parse_waiting(
    top: TableReader, rules: str, categories: Mapping[str, Category]
) -> WaitingRules:
    cls, spec = _WAITING_SPECS[rules]
    sub = (
        top.table("waiting") if top.has("waiting") or spec else TableReader(top.file, "waiting", {})
    )
    values: dict[str, Any] = {}
    for key, kind in spec.items():
        if kind.endswith("?"):  # optional: the dataclass default applies when absent
            if not sub.has(key):
                continue
            kind = kind[:-1]
        if kind == "count":
            values[key] = sub.count(key)
        elif kind == "date":
            values[key] = sub.date(key)
        elif kind == "period":
            values[key] = sub.period(key)
        else:
            keys = sub.raw(key)
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise sub.error(key, "须为参保类别列表")
            for category in keys:
                if category not in categories:
                    raise sub.error(key, f"参保类别 {category} 不存在")
            values[key] = frozenset(keys)
    sub.finish()
    result: WaitingRules = cls(**values)
    return result
