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

from collections import defaultdict

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import (
    DayAnchor,
    DayCloseAnnulment,
    LedgerEntry,
)
from services import anchors as anchor_service
from services.audit import audit_hash_at, verify_audit_chain
from services.ledger import _office_ids, _verify_office
from services.verification_acts import check_ledger_acts
from services.verification_model import (
    CheckFn,
    CheckResult,
    Finding,
    Trusted,
    Verification,
    VerifyRequest,
    check_result,
    where_office,
)
from services.verification_records import (
    check_closed_days,
    check_enrollments,
    check_operators,
    check_receipts,
)


def check_ledger_chain(session: Session, req: VerifyRequest) -> CheckResult:
    findings: list[Finding] = []
    total = 0
    trusted = req.trusted
    if trusted is not None:
        stored = anchor_service._ledger_hash_at(session, trusted.office_id, trusted.ledger_seq)
        if stored != trusted.ledger_hash:
            why = f"{trusted.business_date} 日结锚点所在的台账第 {trusted.ledger_seq} 行已被改动或删除"
            return check_result(
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
        return check_result("ledger_chain", "台账哈希链", checked, findings)
    for oid in _office_ids(session, req.office_id):
        checked, bad = _verify_office(session, oid)
        total += checked
        if bad is not None:
            findings.append(Finding("ledger_chain", bad.describe(), oid, bad.seq, bad.code))
    return check_result("ledger_chain", "台账哈希链", total, findings)


def check_audit_chain(session: Session, req: VerifyRequest) -> CheckResult:
    trusted = req.trusted
    if trusted is None:
        checked, problem = verify_audit_chain(session)
    elif audit_hash_at(session, trusted.audit_seq) != trusted.audit_hash:
        why = (
            f"{trusted.business_date} 日结锚点所在的审计日志第 {trusted.audit_seq} 条已被改动或删除"
        )
        return check_result(
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
    return check_result("audit_chain", "审计日志哈希链", checked, findings)


def _snapshot(totals: dict[str, int]) -> anchor_service.GrandTotals:
    return anchor_service.GrandTotals(
        collected_fen=totals["payment"],
        voided_fen=-totals["void"],
        refunded_fen=-totals["refund"],
        deposited_fen=abs(totals["deposit"]),
        adjusted_fen=sum(totals.get(k, 0) for k in anchor_service.ADJUSTING_KINDS),
    )


def _check_trusted_anchor(session: Session, trusted: Trusted) -> CheckResult:
    """The incremental check: only the trusted anchor, against its stored totals."""
    row = session.get(DayAnchor, trusted.anchor_id)
    if row is None:
        gone = f"{trusted.business_date} 的日结锚点记录已不存在"
        return check_result(
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
    return check_result("stored_anchors", "日结锚点（库内）", 1, found)


def _check_office_anchors(
    session: Session, office_id: int, anchors: list[DayAnchor]
) -> list[Finding]:
    """One pass over the office's ledger up to its last anchor, keeping the
    running grand totals, each anchor checked against them."""
    findings: list[Finding] = []
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
    return findings


def check_stored_anchors(session: Session, req: VerifyRequest) -> CheckResult:
    """Each anchor kept at a close still matches the chains: one pass over each
    office's ledger, keeping the running grand totals. The incremental check
    re-checks only the trusted anchor (its totals as stored: the lines they
    were summed from are sealed by the chain up to it)."""
    if req.trusted is not None:
        return _check_trusted_anchor(session, req.trusted)
    rows = list(
        session.scalars(
            where_office(select(DayAnchor), DayAnchor, req.office_id).order_by(
                DayAnchor.office_id, DayAnchor.ledger_seq
            )
        )
    )
    findings: list[Finding] = []
    by_office: dict[int, list[DayAnchor]] = defaultdict(list)
    for row in rows:
        by_office[row.office_id].append(row)
    for office_id, anchors in by_office.items():
        findings += _check_office_anchors(session, office_id, anchors)
    return check_result("stored_anchors", "日结锚点（库内）", len(rows), findings)


def check_quick(session: Session, req: VerifyRequest) -> CheckResult:
    if session.get_bind().dialect.name != "sqlite":
        return CheckResult("quick_check", "SQLite 完整性", 0, (), skipped=True)
    answers = [r[0] for r in session.execute(text("PRAGMA quick_check"))]
    findings = (
        []
        if answers == ["ok"]
        else [Finding("quick_check", f"数据库文件损坏：{a}") for a in answers]
    )
    return check_result("quick_check", "SQLite 完整性（quick_check）", 1, findings)


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
    return check_result("paper_anchors", "纸质日结单锚点", len(req.anchors), findings)


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
    return check_result("receipt_codes", label, checked, findings)


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
