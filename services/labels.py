"""The office's words for stored keys (POLICY.md §1 glossary), in one place.

Tier keys are the same in every policy file (``high``/``low`` in Tianjin,
``tier1``/``tier2`` in Chongqing); a policy file may give a longer label, but
lists and paper that span policies use these.
"""

from __future__ import annotations

#: How a payment was made. Non-cash channels need the transaction reference.
PAYMENT_CHANNELS = {
    "cash": "现金",
    "pos": "POS刷卡",
    "qr": "扫码/APP",
    "bank": "银行柜台",
    "other": "其他",
}

TIER_LABELS = {"high": "高档", "low": "低档", "tier1": "一档", "tier2": "二档"}

ENROLLMENT_STATUS_LABELS = {"registered": "待缴费", "paid": "已缴费", "refunded": "已退费"}
PAYMENT_STATUS_LABELS = {"completed": "有效", "voided": "已作废", "refunded": "已退费"}


def channel_label(channel: str) -> str:
    return PAYMENT_CHANNELS.get(channel, channel)


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier)
