"""Checking what a supervisor types for the office: names, level, receipt prefix,
deposit limits (POLICY.md §7.3), village targets, the policy in use and the
payment-link template. Each check returns the cleaned value or raises
``InputError`` with a Chinese message; nothing here writes.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from common.errors import InputError
from common.money import parse_amount

LEVELS = {"village": "村（社区）", "street_office": "街道（镇）"}
MAX_DEPOSIT_DAYS = 30

_PREFIX_RE = re.compile(r"^[A-Z0-9]{1,8}$")


def clean_text(value: str, label: str, max_len: int, *, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InputError(f"请填写{label}。", code="required")
    if len(cleaned) > max_len:
        raise InputError(f"{label}过长（最多 {max_len} 个字）。", code="too_long")
    return cleaned


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise InputError(
            f"单位级别只能是“村（社区）”或“街道（镇）”，不能是“{level}”。", code="bad_level"
        )
    return level


def check_prefix(prefix: str) -> str:
    cleaned = unicodedata.normalize("NFKC", prefix or "").strip().upper()
    if not _PREFIX_RE.fullmatch(cleaned):
        raise InputError("收据号前缀须为 1–8 位大写字母或数字。", code="bad_receipt_prefix")
    return cleaned


def check_deposit_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise InputError("入库天数须为整数。", code="bad_deposit_days")
    if not 0 <= days <= MAX_DEPOSIT_DAYS:
        raise InputError(f"入库天数须在 0–{MAX_DEPOSIT_DAYS} 天之间。", code="bad_deposit_days")
    return days


def check_deposit_limit(amount: str | int | Decimal) -> int:
    """The amount limit in yuan (text, int or Decimal of yuan), returned in fen."""
    fen = parse_amount(amount)
    if fen <= 0:
        raise InputError("入库限额须大于 0。", code="bad_deposit_limit")
    return fen


def check_target(target: int | None) -> int | None:
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, int) or target < 0:
        raise InputError("目标任务须为不小于 0 的整数（人）。", code="bad_target")
    return target


def check_policy_key(key: str, known: frozenset[str] | None) -> str:
    cleaned = clean_text(key, "执行政策", 64)
    if known is not None and cleaned not in known:
        raise InputError(f"没有名为“{cleaned}”的政策。", code="unknown_policy")
    return cleaned


def check_payment_link_template(template: str) -> str:
    """The template filled with sample values, so that a typo is refused here."""
    from printing.notice import build_payment_link

    text = (template or "").strip()
    if text:
        build_payment_link(
            text,
            notice_no="LT-TZ2024-000001",
            amount="380.00",
            amount_fen=38000,
            policy_year=2024,
            office_code="LT",
        )
    return text
