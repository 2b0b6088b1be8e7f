"""The office's words, one spelling each: the one label glossary.

Roles, payment and deposit channels, tiers, statuses and the kinds of ledger
line.  Every page, message and printed document takes its words from here,
so the screen and the paper say the same thing (issue 15: the deposit channel
``tax`` was 税务部门代收 on the deposit page and 税务解缴 in the ledger; the
printed ledger said 现金调增 where the screen said 补足短款).  Role words
likewise, so a clerk never meets 经办员 on one screen, 操作员 on another and
收款人 on the receipt for the same person.

* 经办人 — whoever is logged in and handles the business: takes payments,
  registers residents, signs the receipt, the ledger and the 日结单. Every
  account is one; some are also 主管.
* 主管 — an 经办人 who may approve, correct and manage accounts.
* 参保人 — the resident the enrolment is for.
* 缴款人 — on whose behalf the premium is paid: the 参保人.
* 代办人 — someone paying and signing for the 参保人 (a relative, a village
  cadre); printed only when there is one, never as the 缴款人 as well.
* 复核人 — the second person who checks a 台账 or 日结单.
"""

from __future__ import annotations

OPERATOR = "经办人"
SUPERVISOR = "主管"
RESIDENT = "参保人"
PAYER = "缴款人"
AGENT = "代办人"
REVIEWER = "复核人"

#: role keys stored in the database → the words shown and printed
ROLES: dict[str, str] = {"clerk": OPERATOR, "supervisor": SUPERVISOR}


def role_label(role: str) -> str:
    return ROLES.get(role, role)


# --- stored keys (POLICY.md §1 glossary) -------------------------------------------
# Tier keys are the same in every policy file (``high``/``low`` in Tianjin,
# ``tier1``/``tier2`` in Chongqing); a policy file may give a longer label, but
# lists and paper that span policies use these.

#: How a payment was made. Non-cash channels need the transaction reference
#: (``services.payments.reference_rule``).
PAYMENT_CHANNELS = {
    "cash": "现金",
    "pos": "POS刷卡",
    "qr": "扫码/APP",
    "bank": "银行柜台",
    "other": "其他",
}

#: How cash reaches the bank (deposit lines of the ledger, the deposit page and
#: register). ``bank`` here is not the payment channel ``bank``.
DEPOSIT_CHANNELS = {
    "bank": "银行柜台缴存",
    "bank_pickup": "银行上门收款",
    "tax": "税务部门代收",
}

TIER_LABELS = {"high": "高档", "low": "低档", "tier1": "一档", "tier2": "二档"}

ENROLLMENT_STATUS_LABELS = {"registered": "待缴费", "paid": "已缴费", "refunded": "已退费"}
PAYMENT_STATUS_LABELS = {"completed": "有效", "voided": "已作废", "refunded": "已退费"}

#: The kinds of ledger line, on the ledger page and the printed 台账.
LEDGER_KIND_LABELS = {
    "payment": "收款",
    "void": "作废冲销",
    "refund": "退费",
    "deposit": "入库",
    "adjustment": "长短款调整",
    "cash_in": "补足短款",
    "cash_out": "长款退还",
}


def channel_label(channel: str) -> str:
    """A payment channel's word (a deposit's ledger line is ``cash``: cash left the drawer)."""
    return PAYMENT_CHANNELS.get(channel, channel)


def deposit_channel_label(channel: str) -> str:
    return DEPOSIT_CHANNELS.get(channel, channel)


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier)


def ledger_kind_label(kind: str) -> str:
    return LEDGER_KIND_LABELS.get(kind, kind)
