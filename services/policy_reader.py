"""Reading one table of a policy file field by field (``TableReader``).

Every access names the field it wants and checks its kind (text, flag, count,
date, amount in yuan as text, period, sub-table); a value the documents do not
give is written ``{ unset = "why" }`` and comes back as ``Unset``; and
:meth:`TableReader.finish` refuses any field nobody asked for, so a typo in a
file is a ``PolicyFileError`` naming the file and field, never a silently
ignored value. The policy file's own structure is ``services.policy_file``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from services.policy_types import Period, PolicyFileError, Unset

_AMOUNT_RE = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?")


def parse_amount_fen(text: str) -> int | None:
    """``"1010.00"`` → 101000; None if not a non-negative amount with ≤ 2 decimals."""
    match = _AMOUNT_RE.fullmatch(text)
    if match is None:
        return None
    cents = (match.group(2) or "").ljust(2, "0")
    return int(match.group(1)) * 100 + int(cents)


class TableReader:
    """One TOML table being read: every access is checked and every key must be used."""

    def __init__(self, file: str, path: str, data: Mapping[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | None, problem: str) -> PolicyFileError:
        return PolicyFileError(self.file, problem, field=self.name(key) if key else self.path)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "缺少必填字段")
        self.used.add(key)
        return self.data[key]

    def unset(self, key: str) -> Unset | None:
        """The value as ``Unset`` if it is written ``{ unset = "why" }``."""
        value = self.raw(key)
        if not isinstance(value, dict) or "unset" not in value:
            return None
        reason = value["unset"]
        if set(value) != {"unset"} or not isinstance(reason, str) or not reason.strip():
            raise self.error(key, '未给出的值须写成 { unset = "原因" }，原因不能为空')
        return Unset(reason.strip())

    def text(self, key: str, *, default: str | None = None) -> str:
        if default is not None and key not in self.data:
            return default
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "须为非空文本")
        return value.strip()

    def text_or_unset(self, key: str) -> str | Unset:
        return self.unset(key) or self.text(key)

    def flag(self, key: str) -> bool:
        if key not in self.data:
            return False
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, "须为 true 或 false")
        return value

    def count(self, key: str, *, low: int = 0, high: int = 10_000) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"须为 {low} 到 {high} 之间的整数")
        return value

    def count_or_unset(self, key: str, **limits: int) -> int | Unset:
        return self.unset(key) or self.count(key, **limits)

    def date(self, key: str) -> dt.date:
        value = self.raw(key)
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise self.error(key, "日期格式不正确，应为 YYYY-MM-DD") from None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.error(key, "日期格式不正确，应为 YYYY-MM-DD")
        return value

    def amount(self, key: str) -> int | Unset:
        unset = self.unset(key)
        if unset is not None:
            return unset
        value = self.raw(key)
        if not isinstance(value, str):
            raise self.error(key, '金额须写成带引号的文本，例如 "380.00"')
        fen = parse_amount_fen(value.strip())
        if fen is None:
            raise self.error(key, "金额格式不正确（须为非负数，最多两位小数）")
        return fen

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(key, "须为文本列表")
        return tuple(item.strip() for item in value)

    def table(self, key: str) -> TableReader:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.error(key, "须为表（table）")
        return TableReader(self.file, self.name(key), value)

    def period(self, key: str) -> Period:
        sub = self.table(key)
        period = Period(sub.date("start"), sub.date("end"), sub.text("source", default=""))
        sub.finish()
        if period.start > period.end:
            raise self.error(key, "开始日期晚于结束日期")
        return period

    def finish(self) -> None:
        for key in self.data:
            if key not in self.used:
                raise self.error(key, "未知字段")
