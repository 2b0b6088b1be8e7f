"""The shape of a loaded policy: frozen dataclasses, category keys, file errors.

A policy file (see ``services.policy_file``) loads into a :class:`Policy` and
the objects it holds. They are plain data; ``services.coverage`` and
``services.quote`` apply them. Everything here is re-exported by
``services.policy``, which is where other modules import it from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from common.errors import ServiceError

#: Category keys of POLICY.md §2, in the document's order: Tianjin's (000 §2),
#: then the groups only Chongqing names (004 §6, POLICY.md §2 revised 2026-11).
CATEGORY_KEYS: tuple[str, ...] = (
    "adult",
    "student",
    "child",
    "newborn",
    "extreme_poverty",
    "special_care",
    "retired_cadre_spouse",
    "orphan",
    "minimum_living",
    "low_income_edge",
    "severe_disability",
    "student_loan",
    "returned_to_poverty",
    "unstable_lifted",
    "edge_poverty_risk",
    "sudden_hardship",
    "lifted_from_poverty",
    "disabled",
    "family_planning_special",
)
#: Every policy has these; the subsidised groups differ by region.
REQUIRED_CATEGORY_KEYS: tuple[str, ...] = ("adult", "student", "child", "newborn")
#: none; full (个人缴费全额资助); quota (定额资助: the person pays a percent of the
#: low standard); amount (定额资助 of a fixed sum: the person pays standard − amount)
SUBSIDY_KINDS: tuple[str, ...] = ("none", "full", "quota", "amount")


class PolicyFileError(ServiceError):
    """A policy file that cannot be used; the message names the file and field."""

    code = "policy_file_invalid"

    def __init__(
        self, file: str, problem: str, *, field: str | None = None, code: str | None = None
    ) -> None:
        where = f"政策配置文件 {file}" + (f" 字段 {field}" if field else "")
        super().__init__(f"{where}：{problem}", code=code)
        self.file = file
        self.field = field


@dataclass(frozen=True)
class Unset:
    """A value the policy documents do not give; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Source:
    file: str
    document_no: str | Unset
    title: str
    issued: dt.date

    @property
    def cite(self) -> str:
        """How a figure cites this document: its number, or its title when it has none."""
        return self.document_no if isinstance(self.document_no, str) else self.title


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: dt.date
    end: dt.date
    source: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    standard: int | Unset  # fen
    fiscal_subsidy: int | Unset  # fen
    benefits: tuple[str, ...] | Unset
    #: source of the standard (and the benefits); the year's notice when the file gives none
    source: str
    #: source of the fiscal subsidy; the year's notice when the file gives none
    fiscal_subsidy_source: str = ""


@dataclass(frozen=True)
class AgeRule:
    """A rule that applies from ``min_age`` (age on the payment date)."""

    min_age: int
    source: str
    category: str | None = None


@dataclass(frozen=True)
class AgeLimits:
    """Ages (on the payment date) the category fits: ``from_age`` <= age < ``below``."""

    from_age: int | None
    below: int | None
    source: str


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    tiers: tuple[str, ...]
    default_tier: str | None
    subsidy: str | Unset  # one of SUBSIDY_KINDS
    benefit_tier: str | None
    source: str
    #: the fixed sum (fen) of an ``amount`` subsidy; None for the other kinds
    subsidy_amount: int | None = None
    #: source of the subsidy figure: ``subsidy_source``, else the category's
    #: ``source``, else the year's notice
    subsidy_source: str = ""
    #: a student this old enrolling outside the school is priced as ``category``
    adult_outside_school: AgeRule | None = None
    #: an adult of this category may choose a tier other than the default and
    #: then pays it in full, without subsidy
    unsubsidised_higher_tier: AgeRule | None = None
    #: the ages the category fits (POLICY.md §2 "Category and age", revised 2026-11)
    age: AgeLimits | None = None
    #: benefit tier of a person of this category under 18 on the payment date
    #: (Tianjin: subsidised minors keep high benefits, 000 §2(2))
    minor_benefit_tier: str | None = None
    #: a subsidised person of at least ``min_age`` may give the subsidy up inside
    #: the collection period and pay a higher tier in full (000 §7(1)3)
    give_up_subsidy: AgeRule | None = None


@dataclass(frozen=True)
class NewbornRule:
    """Enrolled within the window after birth → covered from the birth date."""

    window_months: int | None
    window_days: int | None
    window_unset: Unset | None
    source: str
    from_birth_if_born: Period | None = None


@dataclass(frozen=True)
class Tianjin2023Waiting:
    """003 gives no late-payment rules: only in-period payments are answered."""


@dataclass(frozen=True)
class Tianjin2024Waiting:
    continuous_years_min: int
    gap_months_max: int
    waiting_months: int
    natural_year_categories: frozenset[str]
    new_pupil_start: dt.date
    new_pupil_categories: frozenset[str]


@dataclass(frozen=True)
class Tianjin2025Waiting:
    fixed_months: int
    extra_months_per_gap_year: int
    repair_months_per_year: int
    long_gap_years: int
    long_gap_min_months: int
    switch_continuous_years_min: int
    switch_gap_months_max: int
    exempt_categories: frozenset[str]


@dataclass(frozen=True)
class Chongqing2024Waiting:
    next_month_until: dt.date
    waiting_days: int
    no_fiscal_subsidy_from: dt.date
    hardship_categories: frozenset[str]
    hardship_no_waiting: Period
    #: categories with no waiting period whenever they pay (004 §6: 脱贫人口)
    no_waiting_categories: frozenset[str] = frozenset()
    #: a university freshman enrolling at admission for the policy year may pay
    #: from this day, before the collection period (004 §5(4))
    freshman_payable_from: dt.date | None = None


WaitingRules = Tianjin2023Waiting | Tianjin2024Waiting | Tianjin2025Waiting | Chongqing2024Waiting


@dataclass(frozen=True)
class Policy:
    key: str
    region: str
    year: int
    name: str
    rules: str
    low_tier: str
    sources: tuple[Source, ...]
    collection: Period
    late: Period | Unset
    quota_personal_percent: int | Unset
    quota_source: str
    tiers: Mapping[str, Tier]
    categories: Mapping[str, Category]
    newborn: NewbornRule
    waiting: WaitingRules
    benefit_notes: tuple[str, ...]
    path: Path
    replaces_builtin: bool = False

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)
