"""Sample documents with made-up data, for the docs and for eyeballing layouts.

``python -m tools.samples docs/documents`` writes one PNG per document
(first page at 80 dpi, rendered with poppler's ``pdftoppm``). The people, ID
numbers and receipt numbers are invented; the rates are those of POLICY.md §3.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from printing.data import (
    DayCloseData,
    Deposit,
    DepositRegisterData,
    LedgerPageData,
    LedgerRow,
    NoticeData,
    OfficeHeader,
    ReceiptData,
    SettledDay,
    denomination_counts,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(area: str, birth: dt.date, seq: int) -> str:
    """A made-up 18-digit ID number with a correct check character."""
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


OFFICE = OfficeHeader(
    name="乌杨街道办事处",
    level="街道办事处",
    region="重庆市忠县",
    address="重庆市忠县乌杨街道乌杨大道 88 号便民服务中心",
    phone="023-5465 0000",
    code="ZX-WY",
)

_PEOPLE = (
    ("张秀英", "乌杨社区", dt.date(1962, 3, 14)),
    ("李建国", "将军村", dt.date(1958, 11, 2)),
    ("王桂兰", "青石村", dt.date(1970, 6, 28)),
    ("刘洋", "树德村", dt.date(2001, 1, 9)),
    ("陈德明", "乌杨社区", dt.date(1949, 9, 30)),
    ("杨子涵", "旭光村", dt.date(2016, 4, 5)),
    ("赵淑芬", "花桥村", dt.date(1966, 12, 18)),
    ("黄志强", "将军村", dt.date(1985, 7, 21)),
    ("周玉梅", "青石村", dt.date(1974, 2, 11)),
    ("欧阳春华", "白公村", dt.date(1990, 10, 1)),
)


def sample_notice(index: int = 0, template: str | None = None) -> NoticeData:
    name, village, birth = _PEOPLE[index % len(_PEOPLE)]
    tier, due = ("一档", 38000) if index % 3 else ("二档", 75500)
    return NoticeData(
        office=OFFICE,
        notice_no=f"TZ2024{500233:06d}{index + 1:06d}",
        issued_on=dt.date(2023, 11, 20),
        resident_name=name,
        id_number=fake_id("500233", birth, 21 + index * 2),
        village=village,
        policy_year=2024,
        category="城乡未就业居民（成年）",
        tier=tier,
        standard_fen=due,
        subsidy_fen=0,
        due_fen=due,
        deadline=dt.date(2023, 12, 31),
        payment_place="乌杨街道便民服务中心一楼医保窗口或本村（社区）便民服务站",
        payment_hours="工作日 8:30—12:00，14:00—17:30",
        payment_methods=("现金", "POS 刷卡", "微信或支付宝扫码", "重庆农商行柜台代收"),
        payment_link_template=(
            "https://pay.example/yibao/?notice={notice_no}&amount={amount}"
            if template is None
            else template
        ),
        cover_start=dt.date(2024, 1, 1),
        cover_end=dt.date(2024, 12, 31),
        cover_note=(
            "2023年12月31日前缴费的，2024年1月1日至12月31日享受待遇；"
            "2024年1月1日后补缴的按规定设待遇等待期。"
        ),
    )


def sample_receipt(voided: bool = False, reprint: int = 0, third_copy: bool = False) -> ReceiptData:
    return ReceiptData(
        office=OFFICE,
        receipt_no="ZX-WY-2023-000127",
        issued_at=dt.datetime(2023, 11, 21, 9, 42, 15),
        resident_name="张秀英",
        id_number=fake_id("500233", dt.date(1962, 3, 14), 21),
        village="乌杨社区",
        policy_year=2024,
        category="城乡未就业居民（成年）",
        tier="二档",
        amount_fen=75500,
        channel="现金",
        collector="谭晓燕",
        agent_name="李建国",
        agent_relation="配偶",
        notice_no="TZ2024500233000001",
        with_accounting_copy=third_copy,
        voided=voided,
        void_reason="档次选错，重新开票" if voided else "",
        voided_at=dt.datetime(2023, 11, 21, 10, 5) if voided else None,
        reprint_count=reprint,
        reprinted_at=dt.datetime(2023, 11, 23, 14, 2, 40) if reprint else None,
        check_code="K7QD-3XWA",  # from its ledger line (services/anchors.py)
    )


def sample_ledger_rows(count: int = 30, start_cash: int = 120_000) -> tuple[LedgerRow, ...]:
    """``count`` plausible rows over a few days: cash and non-cash payments, a
    void, a refund and a deposit every 12 rows. Running balances are left to
    the ledger to compute."""
    rows: list[LedgerRow] = []
    moment = dt.datetime(2023, 11, 20, 8, 40)
    for i in range(count):
        moment += dt.timedelta(minutes=17 + (i * 7) % 40)
        if moment.hour >= 17:
            moment = moment.replace(hour=8, minute=35) + dt.timedelta(days=1)
        name, village, birth = _PEOPLE[i % len(_PEOPLE)]
        if i % 12 == 11:
            rows.append(
                LedgerRow(
                    receipt_no=f"RK2023{i:05d}",
                    time=moment,
                    resident_name="（入库）",
                    id_number="",
                    village="",
                    tier="",
                    channel="银行柜台",
                    amount_fen=300_000,
                    cash_fen=300_000,
                    kind="deposit",
                    note="缴入国库代收账户",
                )
            )
            continue
        amount = 75500 if i % 3 == 0 else 38000
        cash = i % 4 != 1
        rows.append(
            LedgerRow(
                receipt_no=f"ZX-WY-2023-{127 + i:06d}",
                time=moment,
                resident_name=name,
                id_number=fake_id("500233", birth, 21 + i * 2),
                village=village,
                tier="二档" if amount == 75500 else "一档",
                channel="现金" if cash else "微信扫码",
                amount_fen=amount,
                cash_fen=amount if cash else 0,
                kind="refund" if i % 17 == 16 else "payment",
                voided=i % 13 == 7,
                note="档次选错" if i % 13 == 7 else ("重复参保退费" if i % 17 == 16 else ""),
            )
        )
    return tuple(rows)


def sample_ledger(count: int = 30) -> LedgerPageData:
    return LedgerPageData(
        office=OFFICE,
        date_from=dt.date(2023, 11, 20),
        date_to=dt.date(2023, 11, 30),
        rows=sample_ledger_rows(count),
        opening_cash_fen=120_000,
        clerk="谭晓燕",
        reviewer="罗明",
        printed_at=dt.datetime(2023, 11, 30, 17, 30),
    )


def sample_deposits() -> tuple[Deposit, ...]:
    return (
        Deposit(
            deposited_at=dt.datetime(2023, 11, 22, 15, 10),
            amount_fen=1_208_000,
            channel="重庆农商行柜台",
            slip_no="CQRCB-20231122-0081",
            operator="谭晓燕",
            settles=(
                SettledDay(dt.date(2023, 11, 20), 642_000),
                SettledDay(dt.date(2023, 11, 21), 566_000),
            ),
        ),
        Deposit(
            deposited_at=dt.datetime(2023, 11, 24, 16, 40),
            amount_fen=489_500,
            channel="税务代收 POS",
            slip_no="SW500233-2023-11-0457",
            operator="罗明",
            settles=(SettledDay(dt.date(2023, 11, 22), 489_500),),
            note="11 月 22 日收取的现金全部入库",
        ),
        Deposit(
            deposited_at=dt.datetime(2023, 11, 28, 11, 5),
            amount_fen=1_035_000,
            channel="重庆农商行柜台",
            slip_no="CQRCB-20231128-0019",
            operator="谭晓燕",
            settles=(
                SettledDay(dt.date(2023, 11, 23), 301_500),
                SettledDay(dt.date(2023, 11, 24), 377_500),
                SettledDay(dt.date(2023, 11, 27), 356_000),
            ),
        ),
    )


def sample_deposit_register() -> DepositRegisterData:
    return DepositRegisterData(
        office=OFFICE,
        date_from=dt.date(2023, 11, 1),
        date_to=dt.date(2023, 11, 30),
        deposits=sample_deposits(),
        clerk="谭晓燕",
        reviewer="罗明",
        printed_at=dt.datetime(2023, 11, 30, 17, 40),
    )


def sample_day_close() -> DayCloseData:
    """22 Nov 2023: cash of the 20th and 21st deposited at 15:10, a 10-yuan
    shortage found at the count."""
    counts = denomination_counts(
        notes={10000: 50, 5000: 5, 2000: 6, 1000: 3, 500: 2, 100: 3},
        coins={100: 1, 50: 2},
    )
    counted = sum(c.subtotal_fen for c in counts)
    deposits = sample_deposits()[:1]
    opening = 50_000  # the float kept for change
    brought = 1_208_000  # cash of the 20th and 21st, deposited today
    received = 755_00 * 3 + 380_00 * 7
    refunded = 0
    deposited = sum(d.amount_fen for d in deposits)
    expected = opening + brought + received - refunded - deposited
    return DayCloseData(
        office=OFFICE,
        date=dt.date(2023, 11, 22),
        counts=counts,
        opening_float_fen=opening,
        brought_forward_fen=brought,
        cash_received_fen=received,
        cash_refunded_fen=refunded,
        cash_deposited_fen=deposited,
        expected_fen=expected,
        counted_fen=counted,
        difference_fen=counted - expected,
        difference_reason="找零差错（多找 10 元），已报告街道财政所" if counted != expected else "",
        deposits=deposits,
        deposit_state="ok",
        deposit_state_label="正常",
        undeposited_fen=counted - opening,
        deposit_due=dt.date(2023, 11, 27),
        receipts_issued=13,
        receipts_voided=1,
        non_cash_received_fen=151_000,
        clerk="谭晓燕",
        reviewer="罗明",
        closed_at=dt.datetime(2023, 11, 22, 17, 35),
    )


def sample_day_close_late() -> DayCloseData:
    """A day closed late (补日结) by a supervisor, with a shortage still open."""
    import dataclasses

    day = sample_day_close()
    return dataclasses.replace(
        day,
        closed_at=dt.datetime(2023, 11, 23, 8, 40),
        late_reason="经办人当日突发疾病未能日结，次日由主管确认补结",
        cash_refunds=0,
        refund_applications=1,
        overdue_payments=0,
        open_differences=("2023-11-22 短款（未补足） 10.00 元",),
    )


def sample_refund(method: str = "application"):  # type: ignore[no-untyped-def]
    from printing.cash_desk import RefundDocData

    cash = method == "cash"
    return RefundDocData(
        office=OFFICE,
        refund_no="TF-000012",
        method=method,
        method_label="柜台现金退付" if cash else "退费申请（由税务部门退付）",
        resident_name="陈建国",
        id_number=fake_id("500233", dt.date(1962, 3, 14), 21),
        village="乌杨村",
        policy_year=2024,
        tier="一档",
        paid_on=dt.date(2023, 11, 6),
        paid_channel="现金",
        proof="ZX2023-000117",
        amount_fen=38_000,
        ground="全年参加职工医保",
        reason="已由新单位参加职工医保，本人申请退保",
        why_application="" if cash else "该笔现金（2023-11-06 收取）已入库，不在本柜台",
        approver="罗明",
        operator="谭晓燕",
        refunded_at=dt.datetime(2023, 11, 20, 10, 15),
        payer_name="陈建国",
        check_code="R4TX-9KDM",  # from the refund's ledger line (services/anchors.py)
    )


def sample_voucher():  # type: ignore[no-untyped-def]
    from printing.cash_desk import VoucherData

    return VoucherData(
        office=OFFICE,
        voucher_no="PZ-000058",
        resident_name="刘秀英",
        id_number=fake_id("500233", dt.date(1971, 8, 2), 34),
        village="乌杨村",
        policy_year=2024,
        tier="二档",
        channel="POS刷卡",
        reference="POS-20231106-000731",
        amount_fen=75_500,
        paid_at=dt.datetime(2023, 11, 6, 10, 42),
        operator="谭晓燕",
        payer_name="刘秀英",
        benefit_start=dt.date(2024, 1, 1),
        benefit_end=dt.date(2024, 12, 31),
        check_code="V8QN-2HWC",  # from the payment's ledger line (services/anchors.py)
    )


def sample_anchor_block():  # type: ignore[no-untyped-def]
    """The 账链锚点 a day close prints, with perpetual totals."""
    from printing.anchor_block import AnchorBlock

    return AnchorBlock(
        anchor_text="20231122-1-6-4-D9JS-EJNB-857X-Z94N",
        ledger_seq=6,
        audit_seq=4,
        collected_fen=190_000,
        voided_fen=38_000,
        refunded_fen=0,
        deposited_fen=76_000,
        adjusted_fen=-1_000,
    )


#: Samples whose every page is written (``<name>-<page>.png``), not only the first:
#: the anchor and the signatures stand on the day-close sheet's last page.
ALL_PAGES = frozenset({"day_close_anchor"})


def sample_pdfs() -> dict[str, bytes]:
    """Name → PDF bytes of every sample document."""
    import dataclasses

    from printing.cash_desk import render_refund_application, render_refund_slip, render_voucher
    from printing.day_close import render_day_close
    from printing.deposits import render_deposit_register
    from printing.ledger import render_ledger
    from printing.notice import render_notice
    from printing.receipt import render_receipt

    return {
        "notice": render_notice(sample_notice()),
        "notice_no_qr": render_notice(sample_notice(1, template="")),
        "receipt": render_receipt(sample_receipt()),
        "receipt_three_copies": render_receipt(sample_receipt(third_copy=True)),
        "receipt_void": render_receipt(sample_receipt(voided=True)),
        "receipt_reprint": render_receipt(sample_receipt(reprint=1)),
        "ledger": render_ledger(sample_ledger(30)),
        "day_close": render_day_close(sample_day_close()),
        "deposits": render_deposit_register(sample_deposit_register()),
        "refund_slip": render_refund_slip(sample_refund("cash")),
        "refund_application": render_refund_application(sample_refund("application")),
        "refund_application_slip": render_refund_slip(sample_refund("application")),
        "voucher": render_voucher(sample_voucher()),
        "day_close_late": render_day_close(sample_day_close_late()),
        # issue 11: one window's drawer, named on the sheet
        "day_close_drawer": render_day_close(
            dataclasses.replace(sample_day_close(), drawer=f"{sample_day_close().clerk}的钱箱")
        ),
        "day_close_anchor": render_day_close(
            dataclasses.replace(sample_day_close(), anchor=sample_anchor_block())
        ),
    }


def write_samples(out_dir: str | Path, dpi: int = 80) -> list[Path]:
    """Write ``<name>.png`` (first page) of each sample document into ``out_dir``."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise RuntimeError("需要 poppler-utils 中的 pdftoppm：apt-get install poppler-utils")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, pdf in sample_pdfs().items():
            pdf_path = Path(tmp) / f"{name}.pdf"
            pdf_path.write_bytes(pdf)
            if name in ALL_PAGES:
                subprocess.run(
                    [pdftoppm, "-png", "-r", str(dpi), str(pdf_path), str(out / name)], check=True
                )
                written.extend(sorted(out.glob(f"{name}-*.png")))
                continue
            subprocess.run(
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    str(dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf_path),
                    str(out / name),
                ],
                check=True,
            )
            written.append(out / f"{name}.png")
    return written


if __name__ == "__main__":
    for path in write_samples(sys.argv[1] if len(sys.argv) > 1 else "docs/documents"):
        print(path)
