"""verify-ledger: the whole story, as a list of independent checks.

Each check is a function ``(session, request) -> CheckResult`` registered in
:data:`CHECKS`; they do not depend on one another, so a new kind of ledger
line (e.g. over/short adjustments) adds its own check, or extends the acts
check, without touching the others. The checks:

* ``ledger_chain`` – every office's hash chain and head (``services/ledger.py``);
* ``audit_chain`` – the audit journal's chain and head;
* ``ledger_acts`` – every payment, void, refund and deposit has exactly its
  ledger line, with the same amounts, and no line points at nothing; so do
  the cash desk's lines: a refund application's line carries 0, each
  over/short booked at a close has its ``adjustment`` line, each shortage made
  up its ``cash_in`` line and each overage returned its ``cash_out`` line;
* ``receipts`` – receipt numbers of each series are gapless from 1 and agree
  with their payment and the number series;
* ``closed_days`` – each closed day's figures equal the sums of its lines, and
  its booked over/short equals the day's adjustment lines;
* ``operators`` – operator rows agree with their history and the journal;
* ``enrollments`` – each enrolment's status agrees with its payments;
* ``stored_anchors`` – the anchors kept with each day close still match;
* ``quick_check`` – ``PRAGMA quick_check`` on SQLite;
* ``paper_anchors`` – anchors typed from the printed 日结单 (``--anchor``);
* ``receipt_codes`` – 校验码 typed from receipts, the deposit register, non-cash
  payment vouchers and refund slips (``--receipt-code``, ``--deposit-code``,
  ``--voucher-code``, ``--refund-code``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import (
    CashDifference,
    CashDifferenceSettlement,
    DayAnchor,
    DayClose,
    DayCloseAnnulment,
    Deposit,
    Enrollment,
    LedgerEntry,
    NumberSeries,
    Payment,
    Receipt,
    ReceiptVoid,
    Refund,
)
from services import anchors as anchor_service
from services.audit import audit_hash_at, verify_audit_chain
from services.ledger import _office_ids, _verify_office
from services.operator_history import operator_problems

MAX_FINDINGS = 20  # per check: enough to act on, not a flood


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    message: str  # Chinese
    office_id: int | None = None
    seq: int | None = None
    code: str = ""


@dataclasses.dataclass(frozen=True)
class CheckResult:
    name: str
    label: str  # Chinese
    checked: int
    findings: tuple[Finding, ...]
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclasses.dataclass(frozen=True)
class Trusted:
    """Where the incremental check at a day close starts: an anchor of an
    earlier close that was checked then and printed on its 日结单.

    The chains are trusted up to the anchored lines (their hashes are compared
    with the stored ones, then the chains are checked from there on); the acts
    and ledger lines of ``since`` and later are matched one by one; the closes
    of ``since`` and later are re-added. ``verify-ledger`` on the command line
    still checks everything from the first line.
    """

    office_id: int
    business_date: dt.date  # of the trusted anchor
    ledger_seq: int
    ledger_hash: str
    audit_seq: int
    audit_hash: str
    since: dt.date
    anchor_id: int


@dataclasses.dataclass(frozen=True)
class VerifyRequest:
    office_id: int | None = None
    anchors: tuple[str, ...] = ()
    receipt_codes: tuple[tuple[str, str], ...] = ()  # (receipt_no, typed code)
    deposit_codes: tuple[tuple[str, str], ...] = ()  # (slip_no, typed code)
    voucher_codes: tuple[tuple[str, str], ...] = ()  # (voucher no PZ-…, typed code)
    refund_codes: tuple[tuple[str, str], ...] = ()  # (refund no TF-…, typed code)
    #: None: check everything; else the incremental check of a day close
    trusted: Trusted | None = None


@dataclasses.dataclass(frozen=True)
class Verification:
    checks: tuple[CheckResult, ...]
    #: the incremental check's starting point (None: everything was checked)
    trusted: Trusted | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    def summary(self) -> str:
        """One Chinese line: passed, or the first few problems."""
        if self.ok:
            scope = (
                ""
                if self.trusted is None
                else f"（自 {self.trusted.business_date} 日结锚点起增量校验）"
            )
            return f"台账校验通过{scope}：" + "、".join(
                c.label for c in self.checks if not c.skipped
            )
        found = self.findings
        text_ = "；".join(f.message for f in found[:3])
        more = f"（另有 {len(found) - 3} 处）" if len(found) > 3 else ""
        return f"台账校验失败：{text_}{more}"


CheckFn = Callable[[Session, VerifyRequest], CheckResult]


def _result(name: str, label: str, checked: int, findings: list[Finding]) -> CheckResult:
    return CheckResult(name, label, checked, tuple(findings[:MAX_FINDINGS]))


def check_ledger_chain(session: Session, req: VerifyRequest) -> CheckResult:
    findings: list[Finding] = []
    total = 0
    trusted = req.trusted
    if trusted is not None:
        stored = anchor_service._ledger_hash_at(session, trusted.office_id, trusted.ledger_seq)
        if stored != trusted.ledger_hash:
            why = f"{trusted.business_date} 日结锚点所在的台账第 {trusted.ledger_seq} 行已被改动或删除"
            return _result(
                "ledger_chain",
                "台账哈希链",
                0,
                [Finding("ledger_chain", why, trusted.office_id, trusted.ledger_seq, "anchor")],
            )
        checked, bad = _verify_office(
            session, trusted.office_id, trusted.ledger_seq, trusted.ledger_hash
        )
        if bad is not None:
            findings.append(
                Finding("ledger_chain", bad.describe(), trusted.office_id, bad.seq, bad.code)
            )
        return _result("ledger_chain", "台账哈希链", checked, findings)
    for oid in _office_ids(session, req.office_id):
        checked, bad = _verify_office(session, oid)
        total += checked
        if bad is not None:
            findings.append(Finding("ledger_chain", bad.describe(), oid, bad.seq, bad.code))
    return _result("ledger_chain", "台账哈希链", total, findings)


def check_audit_chain(session: Session, req: VerifyRequest) -> CheckResult:
    trusted = req.trusted
    if trusted is None:
        checked, problem = verify_audit_chain(session)
    elif audit_hash_at(session, trusted.audit_seq) != trusted.audit_hash:
        why = (
            f"{trusted.business_date} 日结锚点所在的审计日志第 {trusted.audit_seq} 条已被改动或删除"
        )
        return _result(
            "audit_chain",
            "审计日志哈希链",
            0,
            [Finding("audit_chain", why, None, trusted.audit_seq, "anchor")],
        )
    else:
        checked, problem = verify_audit_chain(session, trusted.audit_seq, trusted.audit_hash)
    findings = (
        []
        if problem is None
        else [Finding("audit_chain", problem.why, None, problem.seq, problem.code)]
    )
    return _result("audit_chain", "审计日志哈希链", checked, findings)


def _where_office(stmt: Any, model: Any, office_id: int | None) -> Any:
    return stmt if office_id is None else stmt.where(model.office_id == office_id)


def _where_since(stmt, column, req: VerifyRequest):  # type: ignore[no-untyped-def]
    """Only rows of the incremental check's days (all rows without one)."""
    return stmt if req.trusted is None else stmt.where(column >= req.trusted.since)


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


def check_ledger_acts(session: Session, req: VerifyRequest) -> CheckResult:
    """Every act has exactly its lines, and every line has its act.

    Reads plain tuples (not ORM objects): this runs at every day close over
    the whole ledger."""
    oid = req.office_id
    payments = {
        row.id: row
        for row in session.execute(
            _where_since(
                _where_office(
                    select(
                        Payment.id,
                        Payment.office_id,
                        Payment.amount_fen,
                        Payment.channel,
                        Payment.status,
                    ),
                    Payment,
                    oid,
                ),
                Payment.business_date,
                req,
            )
        )
    }
    receipts = {
        row.payment_id: row
        for row in session.execute(
            _where_since(
                _where_office(
                    select(
                        Receipt.id, Receipt.payment_id, Receipt.amount_fen, Receipt.receipt_no
                    ).join(Payment, Payment.id == Receipt.payment_id),
                    Receipt,
                    oid,
                ),
                Payment.business_date,
                req,
            )
        )
    }
    voided = set(session.scalars(select(ReceiptVoid.receipt_id)))
    refunds = {
        row.id: row
        for row in session.execute(
            _where_since(
                _where_office(
                    select(
                        Refund.id,
                        Refund.office_id,
                        Refund.payment_id,
                        Refund.amount_fen,
                        Refund.method,
                    ),
                    Refund,
                    oid,
                ),
                Refund.business_date,
                req,
            )
        )
    }
    refunded = {r.payment_id for r in refunds.values()}
    deposits = {
        row.id: row
        for row in session.execute(
            _where_since(
                _where_office(
                    select(Deposit.id, Deposit.office_id, Deposit.amount_fen), Deposit, oid
                ),
                Deposit.business_date,
                req,
            )
        )
    }
    desk_acts = _cash_desk_acts(session, oid, req.trusted.since if req.trusted else None)
    seen: Counter[tuple[str, int]] = Counter()
    findings: list[Finding] = []
    t = LedgerEntry
    stmt = _where_since(
        _where_office(
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
            oid,
        ),
        t.business_date,
        req,
    ).execution_options(yield_per=5000)
    count = 0

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

    for line in session.execute(stmt):
        count += 1
        if line.kind == "payment":
            p = payments.get(line.payment_id or -1)
            if p is None:
                bad(line, "收款行没有对应的缴费记录（伪造的台账行）", "orphan_line")
                continue
            seen[("payment", p.id)] += 1
            receipt = receipts.get(p.id)
            cash = p.amount_fen if p.channel == "cash" else 0
            if (line.amount_fen, line.cash_fen, line.channel) != (p.amount_fen, cash, p.channel):
                bad(
                    line,
                    f"收款行金额或方式与缴费记录不符（缴费 {p.amount_fen} 分）",
                    "amount_mismatch",
                )
            if receipt is not None and (
                line.receipt_id != receipt.id or receipt.amount_fen != p.amount_fen
            ):
                bad(line, f"收据 {receipt.receipt_no} 与缴费记录或台账行不符", "receipt_mismatch")
        elif line.kind == "void":
            p = payments.get(line.payment_id or -1)
            receipt = receipts.get(p.id) if p is not None else None
            if p is None or receipt is None or receipt.id not in voided:
                bad(line, "作废行没有对应的作废记录（伪造的台账行）", "orphan_line")
                continue
            seen[("void", p.id)] += 1
            if line.amount_fen != -p.amount_fen or line.cash_fen != -receipt.amount_fen:
                bad(line, "作废行金额与原缴费不符", "amount_mismatch")
        elif line.kind == "refund":
            r = refunds.get(line.refund_id or -1)
            if r is None:
                bad(line, "退费行没有对应的退费记录（伪造的台账行）", "orphan_line")
                continue
            seen[("refund", r.id)] += 1
            # a refund application moves no money at the counter: its line carries 0
            out = r.amount_fen if r.method == "cash" else 0
            if line.amount_fen != -out or (r.method == "cash" and line.cash_fen != -out):
                bad(line, "退费行金额与退费记录不符", "amount_mismatch")
            elif r.method != "cash" and line.cash_fen != 0:
                bad(line, "退费申请行不应有现金进出", "amount_mismatch")
        elif line.kind == "deposit":
            d = deposits.get(line.deposit_id or -1)
            if d is None:
                bad(line, "入库行没有对应的入库记录（伪造的台账行）", "orphan_line")
                continue
            seen[("deposit", d.id)] += 1
            if line.amount_fen != d.amount_fen or line.cash_fen != -d.amount_fen:
                bad(line, f"入库行金额与入库记录不符（入库 {d.amount_fen} 分）", "amount_mismatch")
        elif line.kind in CASH_DESK_KINDS:
            key = (line.office_id, line.kind, line.business_date, line.amount_fen, line.cash_fen)
            if desk_acts[key] > 0:
                desk_acts[key] -= 1
            else:
                bad(
                    line,
                    f"{CASH_DESK_KINDS[line.kind]}行没有对应的长短款记录，或金额不符"
                    "（伪造或改写的台账行）",
                    "orphan_line",
                )
        else:
            bad(line, f"未知的台账行类型 {line.kind}", "unknown_kind")

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

    for p in payments.values():
        once("payment", p.id, p.office_id, f"缴费 {p.id} ")
        receipt = receipts.get(p.id)
        is_voided = receipt is not None and receipt.id in voided
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
    # a payment of an earlier day refunded in the incremental check's days
    older = sorted(refunded - payments.keys())
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
    for r in refunds.values():
        once("refund", r.id, r.office_id, f"退费 {r.id} ")
    for d in deposits.values():
        once("deposit", d.id, d.office_id, f"入库 {d.id} ")
    for (office, kind, date, amount, _cash), missing in sorted(desk_acts.items()):
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
    return _result("ledger_acts", "台账与缴费、收据、作废、退费、入库逐笔相符", count, findings)


def check_receipts(session: Session, req: VerifyRequest) -> CheckResult:
    stmt = _where_office(
        select(Receipt.office_id, Receipt.series, Receipt.number, Receipt.receipt_no),
        Receipt,
        req.office_id,
    )
    numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
    count = 0
    for office_id, series, number, _no in session.execute(stmt):
        numbers[(office_id, series)].append(number)
        count += 1
    nexts = {(s.office_id, s.series): s.next_number for s in session.scalars(select(NumberSeries))}
    findings: list[Finding] = []
    for (office_id, series), nums in sorted(numbers.items()):
        nums.sort()
        missing = sorted(set(range(1, nums[-1] + 1)) - set(nums))
        if missing:
            shown = "、".join(str(n) for n in missing[:5])
            findings.append(
                Finding(
                    "receipts",
                    f"单位 {office_id} 收据号段 {series} 缺号：{shown}",
                    office_id,
                    None,
                    "receipt_gap",
                )
            )
        nxt = nexts.get((office_id, series))
        if nxt is not None and nxt != nums[-1] + 1:
            findings.append(
                Finding(
                    "receipts",
                    f"单位 {office_id} 收据号段 {series} 的下一号为 {nxt}，而已开到 {nums[-1]}",
                    office_id,
                    None,
                    "series_mismatch",
                )
            )
    return _result("receipts", "收据连号", count, findings)


def check_closed_days(session: Session, req: VerifyRequest) -> CheckResult:
    from services.day_close import day_totals

    findings: list[Finding] = []
    closes = list(
        session.scalars(
            _where_since(
                _where_office(select(DayClose), DayClose, req.office_id),
                DayClose.business_date,
                req,
            )
        )
    )
    for c in closes:
        t = day_totals(session, c.office_id, c.business_date)
        ours = (c.cash_received_fen, c.cash_refunded_fen, c.deposited_fen)
        theirs = (t.cash_received_fen, t.cash_out_fen, t.deposited_fen)
        if t.cash_adjusted_fen != c.difference_fen:
            # the over/short found at this close is booked as the day's adjustment
            findings.append(
                Finding(
                    "closed_days",
                    f"单位 {c.office_id} {c.business_date} 日结的长短款 {c.difference_fen} 分"
                    f"与台账中该日的长短款行合计 {t.cash_adjusted_fen} 分不符",
                    c.office_id,
                    None,
                    "close_difference",
                )
            )
        if ours != theirs:
            findings.append(
                Finding(
                    "closed_days",
                    f"单位 {c.office_id} {c.business_date} 的日结数字（收 {ours[0]}、退 {ours[1]}、入库 {ours[2]} 分）"
                    f"与台账合计（{theirs[0]}、{theirs[1]}、{theirs[2]} 分）不符",
                    c.office_id,
                    None,
                    "close_totals",
                )
            )
    return _result("closed_days", "已日结各日合计", len(closes), findings)


def check_operators(session: Session, req: VerifyRequest) -> CheckResult:
    problems = operator_problems(session)
    findings = [Finding("operators", why, None, None, "operator_state") for _oid, why in problems]
    return _result("operators", "经办人与其变更记录", 0, findings)


def check_enrollments(session: Session, req: VerifyRequest) -> CheckResult:
    stmt = _where_office(select(Payment.enrollment_id, Payment.status), Payment, req.office_id)
    if req.trusted is not None:
        # the enrolments paid, voided or refunded in the incremental check's days
        since = req.trusted.since
        recent = (
            select(Payment.enrollment_id)
            .where(Payment.business_date >= since)
            .union(
                select(Payment.enrollment_id)
                .join(Refund, Refund.payment_id == Payment.id)
                .where(Refund.business_date >= since)
            )
        )
        stmt = stmt.where(Payment.enrollment_id.in_(recent))
    by_enrollment: dict[int, list[str]] = defaultdict(list)
    for enrollment_id, status in session.execute(stmt):
        by_enrollment[enrollment_id].append(status)
    findings: list[Finding] = []
    paid_ids: Any = select(Payment.enrollment_id)
    if req.trusted is not None:
        paid_ids = recent
    rows = session.execute(
        select(Enrollment.id, Enrollment.office_id, Enrollment.status).where(
            Enrollment.id.in_(paid_ids)
        )
    )
    for e_id, e_office, e_status in rows:
        statuses = by_enrollment.get(e_id)
        if statuses is None:
            continue
        if "completed" in statuses:
            want = "paid"
        elif "refunded" in statuses:
            want = "refunded"
        else:
            want = "registered"
        if e_status != want:
            findings.append(
                Finding(
                    "enrollments",
                    f"参保登记 {e_id} 的状态为 {e_status}，按缴费记录应为 {want}",
                    e_office,
                    None,
                    "enrollment_status",
                )
            )
    return _result("enrollments", "参保状态与缴费相符", len(by_enrollment), findings)


def _snapshot(totals: dict[str, int]) -> anchor_service.GrandTotals:
    return anchor_service.GrandTotals(
        collected_fen=totals["payment"],
        voided_fen=-totals["void"],
        refunded_fen=-totals["refund"],
        deposited_fen=abs(totals["deposit"]),
        adjusted_fen=sum(totals.get(k, 0) for k in anchor_service.ADJUSTING_KINDS),
    )


def check_stored_anchors(session: Session, req: VerifyRequest) -> CheckResult:
    """Each anchor kept at a close still matches the chains: one pass over each
    office's ledger, keeping the running grand totals. The incremental check
    re-checks only the trusted anchor (its totals as stored: the lines they
    were summed from are sealed by the chain up to it)."""
    if req.trusted is not None:
        row = session.get(DayAnchor, req.trusted.anchor_id)
        if row is None:
            gone = f"{req.trusted.business_date} 的日结锚点记录已不存在"
            return _result(
                "stored_anchors", "日结锚点（库内）", 0, [Finding("stored_anchors", gone)]
            )
        why_not = anchor_service.check_anchor(
            session,
            anchor_service.anchor_of_row(row),
            totals=anchor_service.GrandTotals(
                row.total_collected_fen,
                row.total_voided_fen,
                row.total_refunded_fen,
                row.total_deposited_fen,
                row.total_adjusted_fen,
            ),
        )
        found = [] if why_not is None else [Finding("stored_anchors", why_not, row.office_id)]
        return _result("stored_anchors", "日结锚点（库内）", 1, found)
    rows = list(
        session.scalars(
            _where_office(select(DayAnchor), DayAnchor, req.office_id).order_by(
                DayAnchor.office_id, DayAnchor.ledger_seq
            )
        )
    )
    findings: list[Finding] = []
    by_office: dict[int, list[DayAnchor]] = defaultdict(list)
    for row in rows:
        by_office[row.office_id].append(row)
    for office_id, anchors in by_office.items():
        totals = dict.fromkeys(("payment", "void", "refund", "deposit"), 0)
        wanted = {a.ledger_seq for a in anchors}
        pending = sorted(anchors, key=lambda a: a.ledger_seq)
        at_seq: dict[int, anchor_service.GrandTotals] = {}

        if 0 in wanted:
            at_seq[0] = _snapshot(totals)
        t = LedgerEntry
        stmt = (
            select(t.seq, t.kind, t.amount_fen)
            .where(t.office_id == office_id, t.seq <= pending[-1].ledger_seq)
            .order_by(t.seq)
            .execution_options(yield_per=5000)
        )
        for seq, kind, amount in session.execute(stmt):
            totals[kind] = totals.get(kind, 0) + amount
            if seq in wanted:
                at_seq[seq] = _snapshot(totals)
        for a in pending:
            why = anchor_service.check_anchor(
                session, anchor_service.anchor_of_row(a), totals=at_seq.get(a.ledger_seq)
            )
            if why is not None:
                findings.append(Finding("stored_anchors", why, a.office_id, a.ledger_seq, "anchor"))
    return _result("stored_anchors", "日结锚点（库内）", len(rows), findings)


def check_quick(session: Session, req: VerifyRequest) -> CheckResult:
    if session.get_bind().dialect.name != "sqlite":
        return CheckResult("quick_check", "SQLite 完整性", 0, (), skipped=True)
    answers = [r[0] for r in session.execute(text("PRAGMA quick_check"))]
    findings = (
        []
        if answers == ["ok"]
        else [Finding("quick_check", f"数据库文件损坏：{a}") for a in answers]
    )
    return _result("quick_check", "SQLite 完整性（quick_check）", 1, findings)


def check_paper_anchors(session: Session, req: VerifyRequest) -> CheckResult:
    if not req.anchors:
        return CheckResult("paper_anchors", "纸质日结单锚点", 0, (), skipped=True)
    findings: list[Finding] = []
    for typed in req.anchors:
        anchor = anchor_service.parse_anchor(typed)
        why = anchor_service.check_anchor(session, anchor)
        if why is not None:
            findings.append(
                Finding("paper_anchors", why, anchor.office_id, anchor.ledger_seq, "anchor")
            )
    return _result("paper_anchors", "纸质日结单锚点", len(req.anchors), findings)


def check_receipt_codes(session: Session, req: VerifyRequest) -> CheckResult:
    label = "收据、入库、缴费凭证、退费单校验码"
    typed = (
        (req.receipt_codes, anchor_service.check_receipt_code),
        (req.deposit_codes, anchor_service.check_deposit_code),
        (req.voucher_codes, anchor_service.check_voucher_code),
        (req.refund_codes, anchor_service.check_refund_code),
    )
    checked = sum(len(pairs) for pairs, _check in typed)
    if not checked:
        return CheckResult("receipt_codes", label, 0, (), skipped=True)
    findings = [
        Finding("receipt_codes", why)
        for pairs, check in typed
        for no, code in pairs
        if (why := check(session, no, code)) is not None
    ]
    return _result("receipt_codes", label, checked, findings)


#: The checks, in the order they run and print.
CHECKS: list[CheckFn] = [
    check_ledger_chain,
    check_audit_chain,
    check_ledger_acts,
    check_receipts,
    check_closed_days,
    check_operators,
    check_enrollments,
    check_stored_anchors,
    check_quick,
    check_paper_anchors,
    check_receipt_codes,
]


def verify_everything(session: Session, request: VerifyRequest | None = None) -> Verification:
    """Run every check of :data:`CHECKS`; each runs even when another failed."""
    req = request or VerifyRequest()
    return Verification(tuple(check(session, req) for check in CHECKS), req.trusted)


def trusted_anchor(
    session: Session, office_id: int, *, below_seq: int | None = None
) -> Trusted | None:
    """The office's latest anchor that was checked at its close (check passed)
    and whose close still counts; None when there is none (check everything).
    ``below_seq``: only anchors before that ledger line (benchmarks replaying
    an earlier close)."""
    stmt = select(DayAnchor).where(
        DayAnchor.office_id == office_id,
        DayAnchor.check_ok.is_(True),
        DayAnchor.day_close_id.not_in(select(DayCloseAnnulment.day_close_id)),
    )
    if below_seq is not None:
        stmt = stmt.where(DayAnchor.ledger_seq < below_seq)
    row = session.scalars(
        stmt.order_by(DayAnchor.ledger_seq.desc(), DayAnchor.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    first_after = session.scalar(
        select(func.min(LedgerEntry.business_date)).where(
            LedgerEntry.office_id == office_id, LedgerEntry.seq > row.ledger_seq
        )
    )
    since = row.business_date if first_after is None else min(first_after, row.business_date)
    return Trusted(
        office_id=office_id,
        business_date=row.business_date,
        ledger_seq=row.ledger_seq,
        ledger_hash=row.ledger_hash,
        audit_seq=row.audit_seq,
        audit_hash=row.audit_hash,
        since=since,
        anchor_id=row.id,
    )


def verify_since_last_anchor(session: Session, office_id: int) -> Verification:
    """The automatic check at a day close: incremental from the office's last
    checked anchor (:class:`Trusted`), or everything when there is none."""
    trusted = trusted_anchor(session, office_id)
    if trusted is None:
        return verify_everything(session)
    return verify_everything(session, VerifyRequest(office_id=office_id, trusted=trusted))
