"""The office's words for people and documents, one spelling each.

Every page, message and printed document takes its role and document words
from here, so a clerk never meets 经办员 on one screen, 操作员 on another and
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
