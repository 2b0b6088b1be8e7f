"""The ledger-acts check: every act has exactly its ledger lines, and every line its act.

Payments, voids, refunds and deposits, and the cash desk's own lines
(refund applications, over/short adjustments, shortages made up, overages
returned)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    CashDifference,
    CashDifferenceSettlement,
    Deposit,
    LedgerEntry,
    Payment,
    Receipt,
    ReceiptVoid,
    Refund,
)
from services.verification_model import (
    CheckResult,
    Finding,
    VerifyRequest,
    check_result,
    where_office,
    where_since,
)

#: The cash desk's ledger kinds. Their lines point at no act row, so
#: each act is matched by (office, kind, date, amount, cash), as many lines as acts.
CASH_DESK_KINDS = {"adjustment": "日结长短款", "cash_in": "补足短款", "cash_out": "退还长款"}


def _cash_desk_acts(
    session: Session, office_id: int | None, since: dt.date | None = None
) -> Counter[tuple[Any, ...]]:
    """The lines the over/short records call for: one ``adjustment`` per
    difference booked at a close (+ over, − short), one ``cash_in`` per
    shortage made up, one ``cash_out`` per overage returned."""
    acts: Counter[tuple[Any, ...]] = Counter()
    cases = select(
        CashDifference.office_id,
        CashDifference.business_date,
        CashDifference.kind,
        CashDifference.amount_fen,
    )
    if office_id is not None:
        cases = cases.where(CashDifference.office_id == office_id)
    if since is not None:
        cases = cases.where(CashDifference.business_date >= since)
    for office, date, kind, amount in session.execute(cases):
        signed = amount if kind == "over" else -amount
        acts[(office, "adjustment", date, signed, signed)] += 1
    moves = (
        select(
            CashDifference.office_id,
            CashDifferenceSettlement.business_date,
            CashDifferenceSettlement.action,
            CashDifferenceSettlement.amount_fen,
        )
        .join(CashDifference, CashDifference.id == CashDifferenceSettlement.difference_id)
        .where(CashDifferenceSettlement.action.in_(("cash_in", "over_returned")))
    )
    if office_id is not None:
        moves = moves.where(CashDifference.office_id == office_id)
    if since is not None:
        moves = moves.where(CashDifferenceSettlement.business_date >= since)
    for office, date, action, amount in session.execute(moves):
        if action == "cash_in":
            acts[(office, "cash_in", date, amount, amount)] += 1
        else:
            acts[(office, "cash_out", date, -amount, -amount)] += 1
    return acts


@dataclasses.dataclass
class _Acts:
    """The acts a ledger line may stand for, read as plain tuples."""

    payments: dict[int, Any]
    receipts: dict[int, Any]  # by payment id
    voided: set[int]  # receipt ids
    refunds: dict[int, Any]
    deposits: dict[int, Any]
    desk_acts: Counter[tuple[int, str, dt.date, int, int]]

    @property
    def refunded(self) -> set[int]:
        return {r.payment_id for r in self.refunds.values()}


def _by_key(
    session: Session, req: VerifyRequest, stmt: Any, model: Any, day: Any, key: str
) -> dict[int, Any]:
    """Rows of ``stmt`` in the request's office and days, by ``key``."""
    scoped = where_since(where_office(stmt, model, req.office_id), day, req)
    return {getattr(row, key): row for row in session.execute(scoped)}


def _load_acts(session: Session, req: VerifyRequest) -> _Acts:
    payments = _by_key(
        session,
        req,
        select(Payment.id, Payment.office_id, Payment.amount_fen, Payment.channel, Payment.status),
        Payment,
        Payment.business_date,
        "id",
    )
    receipts = _by_key(
        session,
        req,
        select(Receipt.id, Receipt.payment_id, Receipt.amount_fen, Receipt.receipt_no).join(
            Payment, Payment.id == Receipt.payment_id
        ),
        Receipt,
        Payment.business_date,
        "payment_id",
    )
    voided = set(session.scalars(select(ReceiptVoid.receipt_id)))
    refunds = _by_key(
        session,
        req,
        select(Refund.id, Refund.office_id, Refund.payment_id, Refund.amount_fen, Refund.method),
        Refund,
        Refund.business_date,
        "id",
    )
    deposits = _by_key(
        session,
        req,
        select(Deposit.id, Deposit.office_id, Deposit.amount_fen),
        Deposit,
        Deposit.business_date,
        "id",
    )
    since = req.trusted.since if req.trusted else None
    desk_acts = _cash_desk_acts(session, req.office_id, since)
    return _Acts(payments, receipts, voided, refunds, deposits, desk_acts)


def _ledger_select(req: VerifyRequest) -> Any:
    t = LedgerEntry
    return where_since(
        where_office(
            select(
                t.office_id,
                t.seq,
                t.kind,
                t.channel,
                t.amount_fen,
                t.cash_fen,
                t.payment_id,
                t.receipt_id,
                t.refund_id,
                t.deposit_id,
                t.business_date,
            ).order_by(t.office_id, t.seq),
            t,
            req.office_id,
        ),
        t.business_date,
        req,
    ).execution_options(yield_per=5000)


Bad = Callable[[Any, str, str], None]


def _check_payment_line(line: Any, acts: _Acts, seen: Counter[tuple[str, int]], bad: Bad) -> None:
    p = acts.payments.get(line.payment_id or -1)
    if p is None:
        bad(line, "收款行没有对应的缴费记录（伪造的台账行）", "orphan_line")
        return
    seen[("payment", p.id)] += 1
    receipt = acts.receipts.get(p.id)
    cash = p.amount_fen if p.channel == "cash" else 0
    if (line.amount_fen, line.cash_fen, line.channel) != (p.amount_fen, cash, p.channel):
        bad(line, f"收款行金额或方式与缴费记录不符（缴费 {p.amount_fen} 分）", "amount_mismatch")
    if receipt is not None and (
        line.receipt_id != receipt.id or receipt.amount_fen != p.amount_fen
    ):
        bad(line, f"收据 {receipt.receipt_no} 与缴费记录或台账行不符", "receipt_mismatch")


def _check_void_line(line: Any, acts: _Acts, seen: Counter[tuple[str, int]], bad: Bad) -> None:
    p = acts.payments.get(line.payment_id or -1)
    receipt = acts.receipts.get(p.id) if p is not None else None
    if p is None or receipt is None or receipt.id not in acts.voided:
        bad(line, "作废行没有对应的作废记录（伪造的台账行）", "orphan_line")
        return
    seen[("void", p.id)] += 1
    if line.amount_fen != -p.amount_fen or line.cash_fen != -receipt.amount_fen:
        bad(line, "作废行金额与原缴费不符", "amount_mismatch")


def _check_refund_line(line: Any, acts: _Acts, seen: Counter[tuple[str, int]], bad: Bad) -> None:
    r = acts.refunds.get(line.refund_id or -1)
    if r is None:
        bad(line, "退费行没有对应的退费记录（伪造的台账行）", "orphan_line")
        return
    seen[("refund", r.id)] += 1
    # a refund application moves no money at the counter: its line carries 0
    out = r.amount_fen if r.method == "cash" else 0
    if line.amount_fen != -out or (r.method == "cash" and line.cash_fen != -out):
        bad(line, "退费行金额与退费记录不符", "amount_mismatch")
    elif r.method != "cash" and line.cash_fen != 0:
        bad(line, "退费申请行不应有现金进出", "amount_mismatch")


def _check_deposit_line(line: Any, acts: _Acts, seen: Counter[tuple[str, int]], bad: Bad) -> None:
    d = acts.deposits.get(line.deposit_id or -1)
    if d is None:
        bad(line, "入库行没有对应的入库记录（伪造的台账行）", "orphan_line")
        return
    seen[("deposit", d.id)] += 1
    if line.amount_fen != d.amount_fen or line.cash_fen != -d.amount_fen:
        bad(line, f"入库行金额与入库记录不符（入库 {d.amount_fen} 分）", "amount_mismatch")


def _check_desk_line(line: Any, acts: _Acts, seen: Counter[tuple[str, int]], bad: Bad) -> None:
    key = (line.office_id, line.kind, line.business_date, line.amount_fen, line.cash_fen)
    if acts.desk_acts[key] > 0:
        acts.desk_acts[key] -= 1
    else:
        bad(
            line,
            f"{CASH_DESK_KINDS[line.kind]}行没有对应的长短款记录，或金额不符（伪造或改写的台账行）",
            "orphan_line",
        )


_LINE_CHECKS: dict[str, Callable[[Any, _Acts, Counter[tuple[str, int]], Bad], None]] = {
    "payment": _check_payment_line,
    "void": _check_void_line,
    "refund": _check_refund_line,
    "deposit": _check_deposit_line,
    **dict.fromkeys(CASH_DESK_KINDS, _check_desk_line),
}


def _check_counts(
    session: Session, acts: _Acts, seen: Counter[tuple[str, int]], findings: list[Finding]
) -> None:
    """Each act has exactly one line, and each payment the status its acts give it."""

    def once(kind: str, key: int, office: int, what: str) -> None:
        n = seen[(kind, key)]
        if n != 1:
            findings.append(
                Finding(
                    "ledger_acts",
                    f"单位 {office} {what}在台账中有 {n} 行（应为 1 行）",
                    office,
                    None,
                    "line_count",
                )
            )

    refunded = acts.refunded
    for p in acts.payments.values():
        once("payment", p.id, p.office_id, f"缴费 {p.id} ")
        receipt = acts.receipts.get(p.id)
        is_voided = receipt is not None and receipt.id in acts.voided
        if is_voided:
            once("void", p.id, p.office_id, f"作废的缴费 {p.id} ")
        want = "voided" if is_voided else "refunded" if p.id in refunded else "completed"
        if p.status != want:
            findings.append(
                Finding(
                    "ledger_acts",
                    f"缴费 {p.id} 的状态为 {p.status}，按作废/退费记录应为 {want}",
                    p.office_id,
                    None,
                    "status_mismatch",
                )
            )
    _check_older_refunded(session, sorted(refunded - acts.payments.keys()), findings)
    for r in acts.refunds.values():
        once("refund", r.id, r.office_id, f"退费 {r.id} ")
    for d in acts.deposits.values():
        once("deposit", d.id, d.office_id, f"入库 {d.id} ")
    for (office, kind, date, amount, _cash), missing in sorted(acts.desk_acts.items()):
        if missing > 0:
            findings.append(
                Finding(
                    "ledger_acts",
                    f"单位 {office} {date} 的{CASH_DESK_KINDS[kind]} {abs(amount)} 分"
                    f"在台账中缺 {missing} 行",
                    office,
                    None,
                    "line_count",
                )
            )


def _check_older_refunded(session: Session, older: list[int], findings: list[Finding]) -> None:
    """A payment of an earlier day refunded in the incremental check's days."""
    for start in range(0, len(older), 500):
        chunk = older[start : start + 500]
        for p_id, p_office, p_status in session.execute(
            select(Payment.id, Payment.office_id, Payment.status).where(Payment.id.in_(chunk))
        ):
            if p_status != "refunded":
                findings.append(
                    Finding(
                        "ledger_acts",
                        f"缴费 {p_id} 的状态为 {p_status}，按退费记录应为 refunded",
                        p_office,
                        None,
                        "status_mismatch",
                    )
                )


def check_ledger_acts(session: Session, req: VerifyRequest) -> CheckResult:
    """Every act has exactly its lines, and every line has its act.

    Reads plain tuples (not ORM objects): this runs at every day close over
    the whole ledger."""
    acts = _load_acts(session, req)
    seen: Counter[tuple[str, int]] = Counter()
    findings: list[Finding] = []

    def bad(line: Any, why: str, code: str) -> None:
        findings.append(
            Finding(
                "ledger_acts",
                f"单位 {line.office_id} 第 {line.seq} 行：{why}",
                line.office_id,
                line.seq,
                code,
            )
        )

    count = 0
    for line in session.execute(_ledger_select(req)):
        count += 1
        check = _LINE_CHECKS.get(line.kind)
        if check is None:
            bad(line, f"未知的台账行类型 {line.kind}", "unknown_kind")
        else:
            check(line, acts, seen, bad)
    _check_counts(session, acts, seen, findings)
    return check_result(
        "ledger_acts", "台账与缴费、收据、作废、退费、入库逐笔相符", count, findings
    )
