"""The data of the printed reports: weekly returns and period takings.

``services.progress`` and ``services.reports`` compute these from the
database; ``printing.progress_report`` and ``printing.takings_report`` print
them, and the reports page shows them.  They live here, on the printing side,
so that printing needs nothing from services (one-way layers, issue 15).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass


def percent_text(part: int, whole: int | None) -> str:
    """``part / whole`` as a percentage to one decimal, by integer arithmetic."""
    if not whole:
        return "—"
    tenths = (part * 1000 + whole // 2) // whole
    return f"{tenths // 10}.{tenths % 10}%"


@dataclasses.dataclass(frozen=True)
class VillageReturn:
    village_id: int | None
    name: str
    target: int | None
    registered: int
    paid: int
    paid_this_week: int
    last_year: int

    @property
    def rate_text(self) -> str:
        return percent_text(self.paid, self.target) if self.target else "未设目标"

    @property
    def rate(self) -> float | None:
        """For charts only (a ratio, not money)."""
        return self.paid / self.target if self.target else None

    @property
    def to_go(self) -> int | None:
        return max(self.target - self.paid, 0) if self.target is not None else None


@dataclasses.dataclass(frozen=True)
class HardshipRate:
    registered: int
    paid: int

    @property
    def rate_text(self) -> str:
        return percent_text(self.paid, self.registered)


@dataclasses.dataclass(frozen=True)
class WeekPoint:
    week_end: dt.date
    paid: int


@dataclasses.dataclass(frozen=True)
class WeeklyReturn:
    office_name: str
    policy_year: int
    week_start: dt.date
    week_end: dt.date
    villages: tuple[VillageReturn, ...]
    total: VillageReturn
    hardship: HardshipRate
    not_enrolled: tuple[tuple[str, str, int], ...]  # (key, Chinese label, people)
    curve: tuple[WeekPoint, ...]

    @property
    def not_enrolled_total(self) -> int:
        return sum(n for _k, _l, n in self.not_enrolled)


@dataclass(frozen=True)
class GroupTotal:
    key: str
    label: str
    payments: int  # payment lines
    reversals: int  # void and refund lines
    amount_fen: int  # net of reversals

    @property
    def net_count(self) -> int:
        return self.payments - self.reversals


@dataclass(frozen=True)
class PeriodReport:
    office_id: int
    date_from: dt.date
    date_to: dt.date
    by_village: tuple[GroupTotal, ...]
    by_tier: tuple[GroupTotal, ...]
    by_channel: tuple[GroupTotal, ...]

    @property
    def amount_fen(self) -> int:
        return sum(g.amount_fen for g in self.by_channel)

    @property
    def payments(self) -> int:
        return sum(g.payments for g in self.by_channel)


@dataclass(frozen=True)
class OverrideRow:
    id: int
    kind: str
    kind_label: str
    business_date: dt.date
    created_at: dt.datetime
    reason: str
    supervisor_name: str
    operator_name: str
    payment_id: int | None
    day_close_id: int | None
