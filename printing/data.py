"""The data each printed document needs, as frozen dataclasses.

Money is integer fen, never float. Dates are ``datetime.date``, times
``datetime.datetime`` (naive office time). Labels the clerk reads (tier,
category, channel, state) are passed already in Chinese, so the documents do
not need to know the policy files; the services fill these objects from the
database. ``id_number`` fields may hold a full or an already masked number:
documents mask it themselves where the copy leaves the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from common import denominations
from common.errors import InputError
from printing.anchor_block import AnchorBlock

# --------------------------------------------------------------------------- helpers


def _require_fen(name: str, value: int, *, allow_negative: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} 必须是以分为单位的整数，收到 {value!r}", code="invalid_amount")
    if value < 0 and not allow_negative:
        raise InputError(f"{name} 不能为负数：{value}", code="invalid_amount")


def _require_text(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} 不能为空", code="missing_field")


# --------------------------------------------------------------------------- office


@dataclass(frozen=True)
class OfficeHeader:
    """Who issues the document.

    ``level`` is the office level word as printed, e.g. "街道办事处", "镇人民政府",
    "村（社区）". ``region`` is the administrative area above it, e.g.
    "重庆市忠县" — printed before the name when the name does not already
    start with it.
    """

    name: str
    level: str = ""
    address: str = ""
    phone: str = ""
    region: str = ""
    code: str = ""

    def __post_init__(self) -> None:
        _require_text("经办机构名称", self.name)

    @property
    def full_name(self) -> str:
        if self.region and not self.name.startswith(self.region):
            return f"{self.region}{self.name}"
        return self.name


# --------------------------------------------------------------------------- notice


@dataclass(frozen=True)
class NoticeData:
    """缴费通知单: what one resident has to pay for one policy year, and how."""

    office: OfficeHeader
    notice_no: str
    issued_on: dt.date
    resident_name: str
    id_number: str
    village: str
    policy_year: int
    category: str
    tier: str
    standard_fen: int
    subsidy_fen: int
    due_fen: int
    deadline: dt.date
    #: where to pay, e.g. "乌杨街道便民服务中心一楼医保窗口"
    payment_place: str = ""
    #: ways to pay, e.g. ("现金", "POS 刷卡", "微信/支付宝扫码")
    payment_methods: tuple[str, ...] = ()
    payment_hours: str = ""
    #: office setting, e.g. "https://pay.example/?notice={notice_no}&amount={amount}";
    #: empty: no QR code is printed.
    payment_link_template: str = ""
    cover_start: dt.date | None = None
    cover_end: dt.date | None = None
    #: how cover starts, in words (waiting period etc.); printed under the dates
    cover_note: str = ""
    remarks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_text("通知单号", self.notice_no)
        _require_text("参保人姓名", self.resident_name)
        for name in ("standard_fen", "subsidy_fen", "due_fen"):
            _require_fen(name, getattr(self, name))


# --------------------------------------------------------------------------- receipt


@dataclass(frozen=True)
class ReceiptData:
    """收据: proof that one payment was received (POLICY §7.1, §7.2)."""

    office: OfficeHeader
    receipt_no: str
    issued_at: dt.datetime
    resident_name: str
    id_number: str
    village: str
    policy_year: int
    tier: str
    amount_fen: int
    channel: str
    collector: str
    category: str = ""
    #: someone paying and signing for the resident (代办人); empty when the
    #: resident pays in person
    agent_name: str = ""
    agent_relation: str = ""
    #: POS / QR / bank reference of a non-cash payment
    channel_ref: str = ""
    notice_no: str = ""
    #: print the third copy (记账联) as well
    with_accounting_copy: bool = False
    #: the office's own copies (存根联, 记账联) show the full ID number so the
    #: payer can confirm it; the payer's copy always shows it masked
    full_id_on_office_copies: bool = True
    voided: bool = False
    void_reason: str = ""
    voided_at: dt.datetime | None = None
    #: printed on the office's copies only (存根联, 记账联): a cash payment taken
    #: while the deposit rule was overdue (POLICY §7.3 revised)
    stub_note: str = ""
    #: 0 for the original print; n for the n-th reprint (重打)
    reprint_count: int = 0
    reprinted_at: dt.datetime | None = None
    #: 校验码 of the receipt's ledger line (services/anchors.py); "" for samples
    check_code: str = ""

    def __post_init__(self) -> None:
        _require_text("收据号", self.receipt_no)
        _require_text("参保人姓名", self.resident_name)
        _require_fen("amount_fen", self.amount_fen)
        if self.reprint_count < 0:
            raise InputError("重打次数不能为负数", code="invalid_input")

    @property
    def payer_name(self) -> str:
        """Who handed over the money: the agent when there is one."""
        return self.agent_name or self.resident_name


# --------------------------------------------------------------------------- ledger

#: cash_in / cash_out: cash moved by an over/short adjustment or its settlement
#: — they move cash on hand but are not contributions
LEDGER_KINDS = ("payment", "refund", "deposit", "cash_in", "cash_out")


@dataclass(frozen=True)
class LedgerRow:
    """One line of the cash book: a receipt, a refund or a deposit.

    ``amount_fen`` and ``cash_fen`` are magnitudes (≥ 0); ``kind`` gives the
    direction. ``cash_fen`` is the part that moves cash on hand (0 for POS,
    QR and bank payments; the deposited sum for a deposit). A voided row is
    printed with its marker and counts in no total. ``cash_on_hand_fen`` is the
    running balance after the row; when None the document computes it from the
    opening balance.
    """

    receipt_no: str
    time: dt.datetime
    resident_name: str
    id_number: str
    village: str
    tier: str
    channel: str
    amount_fen: int
    cash_fen: int
    cash_on_hand_fen: int | None = None
    kind: str = "payment"
    voided: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        _require_fen("amount_fen", self.amount_fen)
        _require_fen("cash_fen", self.cash_fen)
        if self.cash_on_hand_fen is not None:
            _require_fen("cash_on_hand_fen", self.cash_on_hand_fen, allow_negative=True)
        if self.kind not in LEDGER_KINDS:
            raise InputError(f"台账行类型未知：{self.kind!r}", code="invalid_input")

    @property
    def counted(self) -> bool:
        return not self.voided

    @property
    def received_fen(self) -> int:
        """Contribution received (negative for a refund); deposits are not income."""
        if not self.counted or self.kind in ("deposit", "cash_in", "cash_out"):
            return 0
        return self.amount_fen if self.kind == "payment" else -self.amount_fen

    @property
    def cash_in_fen(self) -> int:
        return self.cash_fen if self.counted and self.kind in ("payment", "cash_in") else 0

    @property
    def cash_out_fen(self) -> int:
        if not self.counted:
            return 0
        return self.cash_fen if self.kind in ("refund", "deposit", "cash_out") else 0


@dataclass(frozen=True)
class LedgerPageData:
    """台账 for a date range (printed on as many pages as needed)."""

    office: OfficeHeader
    date_from: dt.date
    date_to: dt.date
    rows: tuple[LedgerRow, ...]
    #: cash on hand carried in from before ``date_from`` (上期结存)
    opening_cash_fen: int = 0
    clerk: str = ""
    reviewer: str = ""
    printed_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        _require_fen("opening_cash_fen", self.opening_cash_fen, allow_negative=True)
        if self.date_to < self.date_from:
            raise InputError("台账结束日期早于开始日期", code="invalid_input")


# --------------------------------------------------------------------------- deposits


@dataclass(frozen=True)
class SettledDay:
    """Cash collected on ``collection_date`` that a deposit settled."""

    collection_date: dt.date
    amount_fen: int

    def __post_init__(self) -> None:
        _require_fen("amount_fen", self.amount_fen)


@dataclass(frozen=True)
class Deposit:
    """One hand-over of cash to the bank / tax collection (入库、解缴)."""

    deposited_at: dt.datetime
    amount_fen: int
    channel: str
    slip_no: str
    operator: str
    settles: tuple[SettledDay, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        _require_fen("amount_fen", self.amount_fen)

    @property
    def settled_fen(self) -> int:
        return sum(day.amount_fen for day in self.settles)


@dataclass(frozen=True)
class DepositRegisterData:
    """入库登记: the deposits of a period with the collection days they settled."""

    office: OfficeHeader
    date_from: dt.date
    date_to: dt.date
    deposits: tuple[Deposit, ...]
    clerk: str = ""
    reviewer: str = ""
    printed_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise InputError("结束日期早于开始日期", code="invalid_input")


# --------------------------------------------------------------------------- day close

#: (kind, value in fen, label) in the order a cash count sheet lists them.
DENOMINATIONS: tuple[tuple[str, int, str], ...] = tuple(
    (d.kind, d.fen, d.face) for d in denominations.DENOMINATIONS
)


@dataclass(frozen=True)
class DenominationCount:
    """How many notes (``kind="note"``) or coins (``"coin"``) of one value."""

    kind: str
    value_fen: int
    count: int

    def __post_init__(self) -> None:
        if (self.kind, self.value_fen) not in {(k, v) for k, v, _ in DENOMINATIONS}:
            raise InputError(f"不支持的券别：{self.kind} {self.value_fen} 分", code="invalid_input")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise InputError(f"券别张数必须是非负整数：{self.count!r}", code="invalid_input")

    @property
    def subtotal_fen(self) -> int:
        return self.value_fen * self.count


def denomination_counts(
    notes: dict[int, int] | None = None, coins: dict[int, int] | None = None
) -> tuple[DenominationCount, ...]:
    """Counts for every standard denomination, keyed by value in fen.

    ``denomination_counts(notes={10000: 12, 100: 3}, coins={50: 1})``; values not
    given count 0.
    """
    notes = dict(notes or {})
    coins = dict(coins or {})
    given = {("note", v) for v in notes} | {("coin", v) for v in coins}
    known = {(k, v) for k, v, _ in DENOMINATIONS}
    unknown = given - known
    if unknown:
        raise InputError(f"不支持的券别：{sorted(unknown)}", code="invalid_input")
    source = {"note": notes, "coin": coins}
    return tuple(
        DenominationCount(kind, value, int(source[kind].get(value, 0)))
        for kind, value, _ in DENOMINATIONS
    )


@dataclass(frozen=True)
class DayCloseData:
    """日结单: the end-of-day cash count and its reconciliation.

    expected = opening float + cash brought forward + cash received − cash
    refunded − cash deposited; difference = counted − expected (positive: 长款
    over, negative: 短款 short). ``brought_forward_fen`` is the collected cash
    of earlier days not yet deposited (上日结存); when None it is whatever makes
    the expected figure add up (and is printed as such).
    When ``counts`` is given its total must equal ``counted_fen``.
    ``deposit_state`` is the state word of POLICY §7.3 (``ok``, ``warning``,
    ``due_today``, ``overdue``) and ``deposit_state_label`` its Chinese label.
    """

    office: OfficeHeader
    date: dt.date
    counts: tuple[DenominationCount, ...]
    opening_float_fen: int
    cash_received_fen: int
    cash_refunded_fen: int
    cash_deposited_fen: int
    expected_fen: int
    counted_fen: int
    difference_fen: int
    clerk: str
    reviewer: str = ""
    difference_reason: str = ""
    deposits: tuple[Deposit, ...] = ()
    deposit_state: str = "ok"
    deposit_state_label: str = "正常"
    #: cash still to deposit after the close, and by when (POLICY §7.3)
    undeposited_fen: int | None = None
    deposit_due: dt.date | None = None
    receipts_issued: int | None = None
    receipts_voided: int | None = None
    non_cash_received_fen: int | None = None
    closed_at: dt.datetime | None = None
    brought_forward_fen: int | None = None
    # cash desk: refunds apart from voids, by how they were paid;
    # a late close (补日结) and its reason; cash taken while overdue; the
    # over/short cases still open after this close
    cash_refunds: int | None = None
    refund_applications: int | None = None
    late_reason: str = ""
    overdue_payments: int | None = None
    open_differences: tuple[str, ...] = ()
    #: the chains' anchor and perpetual grand totals; None for a
    #: sample or a day closed before anchors existed
    anchor: AnchorBlock | None = None
    #: the drawer (window) of this sheet, by its operator (issue 11); "" for the
    #: office's whole cash
    drawer: str = ""

    def __post_init__(self) -> None:
        for name in (
            "opening_float_fen",
            "cash_received_fen",
            "cash_refunded_fen",
            "cash_deposited_fen",
            "counted_fen",
        ):
            _require_fen(name, getattr(self, name))
        _require_fen("expected_fen", self.expected_fen, allow_negative=True)
        _require_fen("difference_fen", self.difference_fen, allow_negative=True)
        if self.brought_forward_fen is not None:
            _require_fen("brought_forward_fen", self.brought_forward_fen, allow_negative=True)
            expected = self.opening_float_fen + self.carried_in_fen + self.day_net_cash_fen
            if expected != self.expected_fen:
                raise InputError(
                    f"应有库存现金 {self.expected_fen} 分与 备用金+上日结存+收款−退费−入库 = "
                    f"{expected} 分 不符",
                    code="inconsistent_day_close",
                )
        if self.counted_fen - self.expected_fen != self.difference_fen:
            raise InputError(
                f"长短款 {self.difference_fen} 分与 实点−应有 = "
                f"{self.counted_fen - self.expected_fen} 分 不符",
                code="inconsistent_day_close",
            )
        if self.counts:
            total = sum(c.subtotal_fen for c in self.counts)
            if total != self.counted_fen:
                raise InputError(
                    f"券别合计 {total} 分与实点现金 {self.counted_fen} 分 不符",
                    code="inconsistent_day_close",
                )
        if self.difference_fen and not self.difference_reason.strip():
            raise InputError("有长短款时必须填写原因", code="missing_field")

    @property
    def day_net_cash_fen(self) -> int:
        """Cash received − refunded − deposited during the day."""
        return self.cash_received_fen - self.cash_refunded_fen - self.cash_deposited_fen

    @property
    def carried_in_fen(self) -> int:
        """Undeposited cash of earlier days (given, or what balances the sheet)."""
        if self.brought_forward_fen is not None:
            return self.brought_forward_fen
        return self.expected_fen - self.opening_float_fen - self.day_net_cash_fen


__all__ = [
    "DENOMINATIONS",
    "LEDGER_KINDS",
    "DayCloseData",
    "DenominationCount",
    "Deposit",
    "DepositRegisterData",
    "LedgerPageData",
    "LedgerRow",
    "NoticeData",
    "OfficeHeader",
    "ReceiptData",
    "SettledDay",
    "denomination_counts",
]
