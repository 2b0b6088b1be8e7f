"""The transaction reference (交易参考号) of money that moves: one rule, both cases.

POLICY.md §9.4: non-cash payments (POS card, QR/app, bank counter) are
recorded with their reference, so a payment by any channel but cash must
carry the number of its transaction — it is how the money is traced to the
bank or the payment platform.

A refund never needs one (POLICY.md §7, revised 2026-11): a cash refund comes
out of the drawer, and a refund of a non-cash payment is an *application* the
tax department pays back later, so at the counter there is no transaction yet
to quote.  A reference given with a refund is kept (the clerk may note the
original slip), within the same length limit.
"""

from __future__ import annotations

import unicodedata

from common.errors import InputError
from common.glossary import channel_label

REFERENCE_MAX = 100


def reference_required(channel: str, *, refund: bool = False) -> bool:
    """Whether money moved by ``channel`` must carry a transaction reference."""
    return not refund and channel != "cash"


def clean_reference(channel: str, reference: str | None, *, refund: bool = False) -> str:
    """The reference as stored (NFKC, trimmed), refusing what the rule forbids."""
    text = unicodedata.normalize("NFKC", reference or "").strip()
    if len(text) > REFERENCE_MAX:
        raise InputError(
            f"交易参考号过长（最多 {REFERENCE_MAX} 个字符）。", code="reference_too_long"
        )
    if not text and reference_required(channel, refund=refund):
        raise InputError(
            f"{channel_label(channel)}缴费须填写交易流水号（参考号）。", code="reference_required"
        )
    return text
