"""Documents of the cash desk, each one A5-landscape-sized block on A4:

* 退费单 — the refund slip for the payer's signature, for a cash refund from
  the drawer and for a refund application alike (it says which);
* 社会保险费退费申请表 — the refund application for the tax department, when
  the money is no longer in this drawer (POLICY.md §6 revised);
* 缴费凭证 — the voucher of a non-cash payment (POS, QR, bank), with its
  reference, for the payer to keep and the office to file.

Pure functions: a data object in, PDF bytes out; no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table

from printing import layout as L
from printing.data import OfficeHeader
from printing.marks import draw_signatures

PAGE_SIZE = A4
MARGIN = 14 * mm


@dataclass(frozen=True)
class RefundDocData:
    """A refund as both the slip and the application print it."""

    office: OfficeHeader
    refund_no: str  # e.g. "TF-000012" (the refund row's number)
    method: str  # cash | application
    method_label: str
    resident_name: str
    id_number: str
    village: str
    policy_year: int
    tier: str
    paid_on: dt.date
    paid_channel: str  # 现金 / POS刷卡 / …
    proof: str  # receipt number or payment reference
    amount_fen: int
    ground: str  # the POLICY §6 ground, in Chinese
    reason: str
    why_application: str
    approver: str
    operator: str
    refunded_at: dt.datetime
    payer_name: str = ""
    #: 校验码 of the refund's ledger line (services/anchors.py); "" for none
    check_code: str = ""


@dataclass(frozen=True)
class VoucherData:
    """缴费凭证 of a non-cash payment."""

    office: OfficeHeader
    voucher_no: str
    resident_name: str
    id_number: str
    village: str
    policy_year: int
    tier: str
    channel: str
    reference: str
    amount_fen: int
    paid_at: dt.datetime
    operator: str
    payer_name: str = ""
    benefit_start: dt.date | None = None
    benefit_end: dt.date | None = None
    #: 校验码 of the payment's ledger line (services/anchors.py); "" for none
    check_code: str = ""


def _grid(rows: list[tuple[str, str, str, str]], width: float, size: float = 10) -> Table:
    lw = 26 * mm
    vw = width / 2 - lw
    widths = [lw, vw, lw, vw]
    row_h = 8 * mm
    cells = []
    styles: list[tuple[Any, ...]] = []
    for r, (a, b, c, d) in enumerate(rows):
        if not c and not d:
            cells.append(
                [
                    L.cell(a, lw, size, "center", height=row_h),
                    L.cell(b, width - lw, size, "left", height=row_h),
                    "",
                    "",
                ]
            )
            styles += [("SPAN", (1, r), (3, r)), ("BACKGROUND", (0, r), (0, r), L.LABEL_GREY)]
            continue
        cells.append(
            [
                L.cell(a, lw, size, "center", height=row_h),
                L.cell(b, vw, size, "left", height=row_h),
                L.cell(c, lw, size, "center", height=row_h),
                L.cell(d, vw, size, "left", height=row_h),
            ]
        )
        styles += [
            ("BACKGROUND", (0, r), (0, r), L.LABEL_GREY),
            ("BACKGROUND", (2, r), (2, r), L.LABEL_GREY),
        ]
    return Table(
        cells, colWidths=widths, rowHeights=[row_h] * len(rows), style=L.boxed_style(*styles)
    )


def _check_code_text(code: str) -> str:
    # as on the receipt: derived from the ledger line, checked by verify-ledger
    return code


def _amount(fen: int) -> str:
    return f"{L.figures(fen)}　{L.capitals(fen)}"


def _header(c: Canvas, title: str, office: OfficeHeader, number: str, y: float) -> float:
    page_w = PAGE_SIZE[0]
    L.draw_title(c, title, page_w / 2, y, 17)
    y -= 9 * mm
    L.draw_text(c, f"经办单位：{office.name}", MARGIN, y, 10, max_width=page_w * 0.55)
    L.draw_text(c, f"编号：{number}", page_w - MARGIN, y, 10, "right")
    return float(y - 4 * mm)


def _refund_rows(data: RefundDocData) -> list[tuple[str, str, str, str]]:
    return [
        ("参保人姓名", data.resident_name, "身份证号码", L.masked_id(data.id_number)),
        ("村（社区）", data.village, "参保年度", f"{data.policy_year}年度"),
        ("缴费档次", data.tier, "原缴费日期", L.date_cn(data.paid_on)),
        ("原缴费方式", data.paid_channel, "收据号/流水号", data.proof or "—"),
        ("退费金额", _amount(data.amount_fen), "", ""),
        ("退费依据", data.ground, "", ""),
        ("退费原因", data.reason, "", ""),
    ]


def draw_refund_slip(c: Canvas, data: RefundDocData) -> None:
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    y = _header(c, "城乡居民医保费退费单", data.office, data.refund_no, page_h - MARGIN - 8 * mm)
    rows = _refund_rows(data)
    if data.method == "cash":
        how = "柜台现金退付：退费金额已当面以现金退还，请领款人核对后签字。"
    else:
        how = (
            f"退费申请（由税务部门退付）：{data.why_application}，柜台不付现金；"
            "退费款由税务部门审核后退至缴费人账户。"
        )
    rows.append(("退费方式", how, "", ""))
    rows.append(("审批人", data.approver, "办理时间", L.datetime_cn(data.refunded_at)))
    if data.check_code:
        rows.append(("校验码", _check_code_text(data.check_code), "", ""))
    y -= L.draw_table(c, _grid(rows, width), MARGIN, y, width) + 12 * mm
    signer = "领款人" if data.method == "cash" else "申请人"
    x = draw_signatures(
        c, ((f"{signer}（参保人或代办人）", data.payer_name), ("经办人", data.operator)), MARGIN, y
    )
    L.draw_text(c, "日期：", x, y, 9.5)


def draw_refund_application(c: Canvas, data: RefundDocData) -> None:
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    y = _header(c, "社会保险费退费申请表", data.office, data.refund_no, page_h - MARGIN - 8 * mm)
    L.draw_text(
        c,
        "（城乡居民基本医疗保险费　由缴费地经办单位受理，报税务部门审核退付）",
        page_w / 2,
        y,
        9,
        "center",
    )
    y -= 4 * mm
    rows = _refund_rows(data)
    rows[0] = ("参保人姓名", data.resident_name, "身份证号码", data.id_number)
    rows += [
        ("柜台不退现金原因", data.why_application, "", ""),
        ("经办单位意见", f"经审核符合退费条件，同意申请。审批人：{data.approver}", "", ""),
        ("受理时间", L.datetime_cn(data.refunded_at), "经办人", data.operator),
        ("税务部门意见", "", "", ""),
    ]
    if data.check_code:
        rows.insert(-1, ("校验码", _check_code_text(data.check_code), "", ""))
    y -= L.draw_table(c, _grid(rows, width), MARGIN, y, width) + 12 * mm
    x = draw_signatures(
        c, (("申请人（参保人或代办人）", data.payer_name), ("经办人", data.operator)), MARGIN, y
    )
    L.draw_text(c, "日期：", x, y, 9.5)
    y -= 10 * mm
    L.draw_text(
        c,
        "附：原缴费收据或缴费凭证复印件、身份证复印件、退费依据证明材料。",
        MARGIN,
        y,
        9,
    )


def draw_voucher(c: Canvas, data: VoucherData) -> None:
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    y = _header(c, "城乡居民医保缴费凭证", data.office, data.voucher_no, page_h - MARGIN - 8 * mm)
    cover = (
        f"{L.date_cn(data.benefit_start)} 至 {L.date_cn(data.benefit_end)}"
        if data.benefit_start and data.benefit_end
        else "—"
    )
    rows = [
        ("参保人姓名", data.resident_name, "身份证号码", L.masked_id(data.id_number)),
        ("村（社区）", data.village, "参保年度", f"{data.policy_year}年度"),
        ("缴费档次", data.tier, "待遇享受期", cover),
        ("缴费方式", data.channel, "交易流水号", data.reference),
        ("缴费金额", _amount(data.amount_fen), "", ""),
        ("缴费时间", L.datetime_cn(data.paid_at), "缴款人", data.payer_name or data.resident_name),
        *([("校验码", _check_code_text(data.check_code), "", "")] if data.check_code else []),
        (
            "说明",
            "本凭证证明上述非现金缴费已登记，不作现金收据使用；请缴款人妥善保管，经办单位留存一份备查。",
            "",
            "",
        ),
    ]
    y -= L.draw_table(c, _grid(rows, width), MARGIN, y, width) + 12 * mm
    x = draw_signatures(
        c, (("缴款人", data.payer_name or data.resident_name), ("经办人", data.operator)), MARGIN, y
    )
    L.draw_text(c, "日期：", x, y, 9.5)


def _one_page(title: str, draw) -> bytes:  # type: ignore[no-untyped-def]
    def pages(c: Canvas) -> None:
        draw(c)
        c.showPage()

    return L.render_pages(PAGE_SIZE, title, pages)


def render_refund_slip(data: RefundDocData) -> bytes:
    return _one_page(f"退费单 {data.refund_no}", lambda c: draw_refund_slip(c, data))


def render_refund_application(data: RefundDocData) -> bytes:
    return _one_page(f"退费申请表 {data.refund_no}", lambda c: draw_refund_application(c, data))


def render_voucher(data: VoucherData) -> bytes:
    return _one_page(f"缴费凭证 {data.voucher_no}", lambda c: draw_voucher(c, data))
