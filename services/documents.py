"""What goes on paper: stored records turned into the printing data objects.

``printing/`` renders plain data classes into PDF bytes and never touches the
database; this module is the one bridge between the two, used by the window's
print buttons and by ``python main.py print`` alike.

A receipt's print is recorded (the second and later ones are reprints, 重打).
The command line records it as it reads the receipt
(:func:`receipt_document_for_print`); the window shows the preview of the next
print without recording (:func:`receipt_document_next_print`) and records it
only once the printer took the job (:func:`record_receipt_print`), so a
preview the clerk closes leaves no trace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.denominations import DENOMINATIONS
from common.errors import NotFound
from db.models import (
    DayClose,
    DrawerClose,
    Enrollment,
    Office,
    Operator,
    OverdueCashPayment,
    PaymentNotice,
    Receipt,
    Resident,
    Village,
)
from printing.anchor_block import AnchorBlock
from printing.data import (
    DayCloseData,
    DenominationCount,
    Deposit,
    DepositRegisterData,
    LedgerPageData,
    LedgerRow,
    NoticeData,
    OfficeHeader,
    ReceiptData,
    SettledDay,
)
from services.anchors import deposit_codes, receipt_code_for
from services.business_day import day_close_of
from services.clock import Clock
from services.day_totals import DayTotals, day_totals
from services.deposit_rule import STATE_LABELS
from services.deposits import DepositRow, deposit_register
from services.ledger_views import LedgerFilter, cash_on_hand_before, ledger_lines
from services.over_short import differences
from services.overdue_cash import overdue_memo
from services.policy import PolicyBook
from services.receipts import PrintRecord, ReceiptView, print_receipt, receipt_view, record_print

LEVEL_LABELS = {"village": "村（社区）", "street_office": "街道办事处"}
# A ledger listing is read in pages of this many lines (keyset paging).
_LEDGER_PAGE = 2_000


def office_header(session: Session, office_id: int) -> OfficeHeader:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    return OfficeHeader(
        name=office.name,
        level=LEVEL_LABELS.get(office.level, office.level),
        address=office.address,
        phone=office.phone,
        code=office.code,
    )


def _labels(policies: PolicyBook, policy_key: str, category: str, tier: str) -> tuple[str, str]:
    try:
        policy = policies.get(policy_key)
    except NotFound:
        return category, tier
    cat = policy.categories.get(category)
    tr = policy.tiers.get(tier)
    return (cat.label if cat else category), (tr.label if tr else tier)


def _payment_methods(instructions: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in instructions.splitlines() if line.strip())


def notice_document(session: Session, policies: PolicyBook, notice_id: int) -> NoticeData:
    row = session.execute(
        select(PaymentNotice, Enrollment, Resident, Village.name, Office)
        .join(Enrollment, Enrollment.id == PaymentNotice.enrollment_id)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .outerjoin(Village, Village.id == Resident.village_id)
        .join(Office, Office.id == PaymentNotice.office_id)
        .where(PaymentNotice.id == notice_id)
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {notice_id} 的缴费通知单。", code="notice_not_found")
    notice, enrollment, resident, village_name, office = row
    category, tier = _labels(policies, enrollment.policy_key, enrollment.category, notice.tier)
    cover_note = ""
    if enrollment.waiting_months:
        cover_note = (
            f"本次缴费有 {enrollment.waiting_months} 个月等待期，待遇起始日以实际缴费日期为准。"
        )
    elif enrollment.benefit_start is None:
        cover_note = "按缴费日期计算，本次缴费在本年度不能享受待遇，请向经办人员咨询。"
    return NoticeData(
        office=office_header(session, office.id),
        notice_no=notice.notice_no,
        issued_on=notice.created_at.date(),
        resident_name=resident.name,
        id_number=resident.id_number,
        village=village_name or "",
        policy_year=enrollment.policy_year,
        category=category,
        tier=tier,
        standard_fen=enrollment.standard_fen,
        subsidy_fen=enrollment.subsidy_fen,
        due_fen=notice.amount_due_fen,
        deadline=notice.deadline,
        payment_place=office.address or office.name,
        payment_methods=_payment_methods(office.payment_instructions),
        payment_link_template=office.payment_link_template,
        cover_start=enrollment.benefit_start,
        cover_end=enrollment.benefit_end,
        cover_note=cover_note,
    )


def notice_documents(
    session: Session, policies: PolicyBook, notice_ids: list[int]
) -> list[NoticeData]:
    """Many notices for one batch PDF (a whole village), in the given order."""
    return [notice_document(session, policies, notice_id) for notice_id in notice_ids]


def notice_id_by_number(session: Session, office_id: int, notice_no: str) -> int:
    found = session.scalar(
        select(PaymentNotice.id).where(
            PaymentNotice.office_id == office_id, PaymentNotice.notice_no == notice_no.strip()
        )
    )
    if found is None:
        raise NotFound(f"没有找到缴费通知单 {notice_no}。", code="notice_not_found")
    return found


def receipt_data(
    view: ReceiptView, office: OfficeHeader, policies: PolicyBook, check_code: str = ""
) -> ReceiptData:
    category, tier = _labels(policies, view.policy_key, view.category, view.tier)
    return ReceiptData(
        check_code=check_code,
        office=office,
        receipt_no=view.receipt_no,
        issued_at=view.issued_at,
        resident_name=view.resident_name,
        id_number=view.id_number,
        village=view.village_name,
        policy_year=view.policy_year,
        tier=tier,
        amount_fen=view.amount_fen,
        channel=view.channel_label,
        collector=view.collector_name,
        category=category,
        agent_name=view.agent_name,
        channel_ref=view.reference,
        voided=view.voided,
        void_reason=view.void_reason,
        voided_at=view.voided_at,
        reprint_count=max(0, view.print_count - 1) if view.reprint else 0,
    )


def _stub_note(session: Session, receipt_id: int) -> str:
    """The overdue mark of a receipt's payment, for the stub."""
    mark = session.scalar(
        select(OverdueCashPayment)
        .join(Receipt, Receipt.payment_id == OverdueCashPayment.payment_id)
        .where(Receipt.id == receipt_id)
    )
    return overdue_memo(mark) if mark is not None else ""


def receipt_document_for_print(
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    *,
    receipt_id: int,
    operator_id: int,
) -> ReceiptData:
    """Record this print (a reprint if it is not the first) and return what to print."""
    view = print_receipt(session, clock, receipt_id=receipt_id, operator_id=operator_id)
    office_id = _receipt_office(session, receipt_id)
    data = receipt_data(
        view,
        office_header(session, office_id),
        policies,
        receipt_code_for(session, receipt_id) or "",
    )
    data = dataclasses.replace(data, stub_note=_stub_note(session, receipt_id))
    if view.reprint:
        return _with_reprint_time(data, clock.now())
    return data


def receipt_document_next_print(
    session: Session,
    policies: PolicyBook,
    receipt_id: int,
    *,
    printed_at: dt.datetime | None = None,
) -> ReceiptData:
    """The receipt exactly as its next print will show it, recording nothing.

    When a print was already recorded, the next one is a reprint: it carries
    the 重打 mark with its number (and ``printed_at`` as the reprint time).
    Record it with :func:`record_receipt_print` once it was really printed.
    """
    view = receipt_view(session, receipt_id)
    before = view.print_count
    upcoming = dataclasses.replace(view, print_count=before + 1, reprint=before > 0)
    data = receipt_data(
        upcoming,
        office_header(session, _receipt_office(session, receipt_id)),
        policies,
        receipt_code_for(session, receipt_id) or "",
    )
    data = dataclasses.replace(data, stub_note=_stub_note(session, receipt_id))
    if before > 0 and printed_at is not None:
        return _with_reprint_time(data, printed_at)
    return data


def record_receipt_print(
    session: Session, clock: Clock, *, receipt_id: int, operator_id: int
) -> PrintRecord:
    """Record that the receipt was printed (a reprint if it is not the first)."""
    return record_print(session, clock, receipt_id=receipt_id, operator_id=operator_id)


def _with_reprint_time(data: ReceiptData, when: dt.datetime) -> ReceiptData:
    return dataclasses.replace(data, reprinted_at=when)


def _receipt_office(session: Session, receipt_id: int) -> int:
    office_id = session.scalar(select(Receipt.office_id).where(Receipt.id == receipt_id))
    if office_id is None:
        raise NotFound(f"没有编号为 {receipt_id} 的收据。", code="receipt_not_found")
    return office_id


def _printed_kind(kind: str, cash_fen: int) -> str:
    """The printed ledger's kind: over/short lines print as cash in or out."""
    if kind in ("adjustment", "cash_in", "cash_out"):
        return "cash_in" if cash_fen > 0 else "cash_out"
    return kind


def ledger_document(
    session: Session,
    office_id: int,
    date_from: dt.date,
    date_to: dt.date,
    *,
    printed_at: dt.datetime,
) -> LedgerPageData:
    """台账 pages: every ledger line of the period with the running cash on hand."""
    flt = LedgerFilter(date_from=date_from, date_to=date_to)
    opening = cash_on_hand_before(session, office_id, date_from)
    rows: list[LedgerRow] = []
    running = opening
    after = None
    while True:
        page = ledger_lines(session, office_id, flt, after=after, limit=_LEDGER_PAGE)
        for line in page:
            # A voided receipt prints struck through and counts in no total; its
            # reversing line is therefore not printed (the pair nets to zero).
            if line.kind == "void":
                continue
            voided = line.kind == "payment" and line.payment_status == "voided"
            if not voided:
                running += line.cash_fen
            rows.append(
                LedgerRow(
                    receipt_no=line.receipt_no or line.slip_no or f"#{line.seq}",
                    time=line.recorded_at,
                    resident_name=line.resident_name or line.kind_label,
                    id_number=line.id_number,
                    village=line.village_name,
                    tier=line.tier_label,
                    channel=line.channel_label,
                    amount_fen=abs(line.amount_fen),
                    cash_fen=abs(line.cash_fen),
                    cash_on_hand_fen=running,
                    kind=_printed_kind(line.kind, line.cash_fen),
                    voided=voided,
                    note=line.memo,
                )
            )
        if len(page) < _LEDGER_PAGE:
            break
        after = page[-1].key
    return LedgerPageData(
        office=office_header(session, office_id),
        date_from=date_from,
        date_to=date_to,
        rows=tuple(rows),
        opening_cash_fen=opening,
        printed_at=printed_at,
    )


def _deposit(row: DepositRow) -> Deposit:
    return Deposit(
        deposited_at=row.deposited_at,
        amount_fen=row.amount_fen,
        channel=row.channel_label,
        slip_no=row.slip_no,
        operator=row.operator_name,
        settles=tuple(SettledDay(b.collection_date, b.remaining_fen) for b in row.settled),
    )


def deposit_register_document(
    session: Session,
    office_id: int,
    date_from: dt.date,
    date_to: dt.date,
    *,
    printed_at: dt.datetime,
) -> DepositRegisterData:
    rows = deposit_register(session, office_id, date_from, date_to)
    codes = deposit_codes(session, [r.deposit_id for r in rows])
    return DepositRegisterData(
        office=office_header(session, office_id),
        date_from=date_from,
        date_to=date_to,
        deposits=tuple(
            dataclasses.replace(_deposit(r), note=f"校验码 {codes[r.deposit_id]}")
            if r.deposit_id in codes
            else _deposit(r)
            for r in rows
        ),
        printed_at=printed_at,
    )


def _close_sheet(
    session: Session,
    office_id: int,
    date: dt.date,
    close: DayClose | DrawerClose,
    totals: DayTotals,
    deposits: Sequence[DepositRow],
    **fields: Any,
) -> DayCloseData:
    """The 日结单's figures a day's close and a drawer's close have alike: the
    count, the clerk and reviewer, the deposits and the day's totals."""
    pieces = json.loads(close.denominations)
    counts = tuple(
        DenominationCount(d.kind, d.fen, int(pieces.get(d.key, 0))) for d in DENOMINATIONS
    )
    names = dict(
        session.execute(
            select(Operator.id, Operator.display_name).where(
                Operator.id.in_([close.operator_id, close.supervisor_id or -1])
            )
        ).all()
    )
    return DayCloseData(
        office=office_header(session, office_id),
        date=date,
        counts=counts,
        opening_float_fen=close.opening_float_fen,
        cash_deposited_fen=close.deposited_fen,
        expected_fen=close.expected_fen,
        counted_fen=close.counted_fen,
        difference_fen=close.difference_fen,
        clerk=names.get(close.operator_id, ""),
        reviewer=names.get(close.supervisor_id, "") if close.supervisor_id else "",
        difference_reason=close.difference_reason,
        deposits=tuple(_deposit(r) for r in deposits),
        receipts_issued=totals.receipts_issued,
        receipts_voided=totals.voids,
        non_cash_received_fen=totals.non_cash_fen,
        closed_at=close.closed_at,
        cash_refunds=totals.cash_refunds,
        refund_applications=totals.refund_applications,
        **fields,
    )


def day_close_document(session: Session, office_id: int, date: dt.date) -> DayCloseData:
    """日结单 of a closed day, from its stored count and the day's ledger."""
    close = day_close_of(session, office_id, date)
    if close is None:
        raise NotFound(f"{date} 尚未日结，没有日结单。", code="day_not_closed")
    overdue = session.scalar(
        select(func.count(OverdueCashPayment.id)).where(
            OverdueCashPayment.office_id == office_id,
            OverdueCashPayment.business_date == date,
        )
    )
    return _close_sheet(
        session,
        office_id,
        date,
        close,
        day_totals(session, office_id, date),
        deposit_register(session, office_id, date, date),
        cash_received_fen=close.cash_received_fen,
        cash_refunded_fen=close.cash_refunded_fen,
        deposit_state=close.deposit_state,
        deposit_state_label=STATE_LABELS.get(close.deposit_state, close.deposit_state),
        late_reason=close.late_reason,
        overdue_payments=int(overdue or 0),
        open_differences=tuple(
            d.label for d in differences(session, office_id) if d.business_date <= date
        ),
        anchor=anchor_block(session, office_id, date),
    )


def drawer_close_document(
    session: Session, office_id: int, operator_id: int, date: dt.date
) -> DayCloseData:
    """日结单 of one window's drawer (issue 11): its own count and figures, the
    deposits that took cash from it; the office's anchor once the day is complete."""
    from services.drawers import office_drawers

    close = session.scalars(
        select(DrawerClose).where(
            DrawerClose.office_id == office_id,
            DrawerClose.operator_id == operator_id,
            DrawerClose.business_date == date,
        )
    ).first()
    if close is None:
        raise NotFound(f"本窗口的钱箱 {date} 尚未日结，没有日结单。", code="drawer_not_closed")
    drawers = office_drawers(session, office_id, date)
    taken = {i for i, shares in drawers.deposits_by_drawer.items() if operator_id in shares}
    deposits = [
        r for r in deposit_register(session, office_id, date, date) if r.deposit_id in taken
    ]
    office_close = day_close_of(session, office_id, date)
    state = office_close.deposit_state if office_close is not None else "ok"
    sheet = _close_sheet(
        session,
        office_id,
        date,
        close,
        day_totals(session, office_id, date, operator_id=operator_id),
        deposits,
        cash_received_fen=close.cash_in_fen,
        cash_refunded_fen=close.cash_out_fen,
        deposit_state=state,
        deposit_state_label=STATE_LABELS.get(state, ""),
        late_reason=office_close.late_reason if office_close is not None else "",
        anchor=anchor_block(session, office_id, date) if office_close is not None else None,
    )
    return dataclasses.replace(sheet, drawer=f"{sheet.clerk}的钱箱")


def anchor_block(session: Session, office_id: int, date: dt.date) -> AnchorBlock | None:
    """The anchor and perpetual grand totals printed on a day's 日结单."""
    from services.day_seal import day_seal

    seal = day_seal(session, office_id, date)
    if seal is None:
        return None
    t = seal.totals
    return AnchorBlock(
        anchor_text=seal.anchor_text,
        ledger_seq=seal.ledger_seq,
        audit_seq=seal.audit_seq,
        collected_fen=t.collected_fen,
        voided_fen=t.voided_fen,
        refunded_fen=t.refunded_fen,
        deposited_fen=t.deposited_fen,
        adjusted_fen=t.adjusted_fen,
        check_ok=seal.check_ok,
        check_message=seal.check_message,
    )
