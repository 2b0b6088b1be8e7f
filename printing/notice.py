"""缴费通知单 — the payment notice a resident takes to the window (A5 landscape,
i.e. half an A4 sheet).

``render_notice(data)`` returns the PDF; ``draw_notice(canvas, data)`` draws one
notice on the current page (the batch uses it). ``build_payment_link`` fills the
office's payment-link template for the QR code.
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepInFrame, Table, TableStyle

from common.errors import InputError
from common.money import format_fen
from printing import layout as L
from printing.codes import draw_code128, draw_qr, is_code128_text
from printing.data import NoticeData

PAGE_SIZE = landscape(A5)
MARGIN = 10 * mm

#: placeholders a payment-link template may use
NOTICE_LINK_FIELDS = ("notice_no", "amount", "amount_fen", "policy_year", "office_code")


class PaymentLinkError(InputError):
    """The office's payment-link template cannot be filled."""

    code = "bad_payment_link_template"


def build_payment_link(template: str, **fields: object) -> str:
    """Fill ``template`` ("https://pay.example/?notice={notice_no}&amount={amount}")
    with URL-encoded ``fields``.

    Only ``{name}`` placeholders naming one of ``fields`` are allowed; an unknown
    name, a positional ``{}``, an attribute/index, a format spec or unbalanced
    braces raise ``PaymentLinkError`` saying which placeholders exist. An empty
    template gives "" (no QR code is printed).
    """
    template = (template or "").strip()
    if not template:
        return ""
    allowed = "、".join("{" + name + "}" for name in fields) or "（无）"
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PaymentLinkError(
            f"缴费链接模板格式错误（花括号不成对）：{template}；可用占位符：{allowed}"
            f" / malformed template: {exc}"
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise PaymentLinkError(
                f"缴费链接模板中的占位符 {{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} 不允许；只能写 {allowed}"
            )
        if name not in fields:
            raise PaymentLinkError(
                f"缴费链接模板含有未知占位符 {{{name}}}；可用占位符：{allowed}"
                f" / unknown placeholder {{{name}}}"
            )
    encoded = {key: quote(str(value), safe="") for key, value in fields.items()}
    return template.format_map(encoded)


def payment_link(data: NoticeData) -> str:
    """The QR link of one notice ("" when the office has no template)."""
    return build_payment_link(
        data.payment_link_template,
        notice_no=data.notice_no,
        amount=format_fen(data.due_fen),
        amount_fen=data.due_fen,
        policy_year=data.policy_year,
        office_code=data.office.code,
    )


def _check(data: NoticeData) -> None:
    if not is_code128_text(data.notice_no):
        raise InputError(
            f"通知单号只能包含英文字母、数字和符号（用于条码）：{data.notice_no}",
            code="invalid_input",
        )


def _cover_text(data: NoticeData) -> str:
    if data.cover_start and data.cover_end:
        return f"{L.date_cn(data.cover_start)} 至 {L.date_cn(data.cover_end)}"
    if data.cover_start:
        return f"自 {L.date_cn(data.cover_start)} 起"
    return "按缴费时间依规定确定"


Field = tuple[str, str, float]  # label, value, font size of the value


def _fields(data: NoticeData, size: float) -> list[tuple[Field, Field]]:
    """The notice's fields, two to a row."""
    return [
        (("参保人姓名", data.resident_name, 11), ("身份证号码", L.masked_id(data.id_number), size)),
        (("村（社区）", data.village, size), ("参保年度", f"{data.policy_year}年度", size)),
        (("参保类别", data.category, size), ("缴费档次", data.tier, size)),
        (
            ("个人缴费标准", L.figures(data.standard_fen), size),
            ("资助金额", L.figures(data.subsidy_fen), size),
        ),
        (
            ("应缴金额", L.figures(data.due_fen), 12),
            ("金额大写", L.capitals(data.due_fen), 10.5),
        ),
        (
            ("缴费截止日期", L.date_cn(data.deadline), size),
            ("待遇享受期", _cover_text(data), size),
        ),
    ]


def _main_table(data: NoticeData, width: float, part: str = "all") -> Table:
    """The table of one notice. ``part`` "frame" draws the grid, the labels and
    the 待遇说明 row with the value cells empty; "values" only the value cells,
    with no grid, at the same positions. Drawn one over the other they give
    the "all" table."""
    lw, vw = 25 * mm, width / 2 - 25 * mm
    widths = [lw, vw, lw, vw]
    size = 9.5
    frame, values = part in ("all", "frame"), part in ("all", "values")

    row_h = 7.2 * mm

    def label(text: str) -> Flowable:
        return L.cell(text if frame else "", lw, size, "center", height=row_h)

    def value(text: str, w: float = vw, s: float = size, align: str = "left") -> Flowable:
        return L.cell(text if values else "", w, s, align, height=row_h)

    cover_note = data.cover_note or "在规定期限内缴费的，按规定享受当年度医保待遇。"
    rows = [
        [
            label(left),
            value(left_value, s=left_size),
            label(right),
            value(right_value, s=right_size),
        ]
        for (left, left_value, left_size), (right, right_value, right_size) in _fields(data, size)
    ]
    heights: list[float | None] = [row_h] * 6
    if frame:
        rows.append(
            [label("待遇说明"), L.cell(cover_note, width - lw, 9, "left", height=row_h), "", ""]
        )
        heights.append(None)
        style = L.boxed_style(
            ("SPAN", (1, 6), (3, 6)),
            *[("BACKGROUND", (col, r), (col, r), L.LABEL_GREY) for r in range(7) for col in (0, 2)],
            ("BACKGROUND", (2, 6), (2, 6), None),
        )
    else:
        style = TableStyle(
            [cmd for cmd in L.boxed_style().getCommands() if cmd[0] not in ("GRID", "BOX")]
        )
    return Table(rows, colWidths=widths, rowHeights=heights, style=style)


def _instructions(data: NoticeData, link: str) -> list[Any]:
    lines: list[str] = []
    if data.payment_place:
        place = data.payment_place
        if data.payment_hours:
            place += f"（{data.payment_hours}）"
        lines.append(f"缴费地点：{place}")
    if data.payment_methods:
        lines.append("缴费方式：" + "、".join(data.payment_methods))
    lines.append(f"请于 {L.date_cn(data.deadline)} 前持本通知单缴费，缴费后请索取并妥善保管收据。")
    if link:
        lines.append("也可用手机扫描右侧二维码在线缴费，缴费金额以本通知单为准。")
    else:
        lines.append("本通知单未附缴费二维码（本机构未设置线上缴费链接），请按上述方式缴费。")
    lines.extend(data.remarks)
    return [L.para("缴费地点和方式", 10)] + [L.para(line, 9, leading=12.5) for line in lines]


def _frame_key(data: NoticeData, link: str) -> tuple[Any, ...]:
    """Everything the static part of a notice depends on: within a village's
    batch it is the same on every page."""
    office = data.office
    return (
        data.policy_year,
        office.full_name,
        office.address,
        office.phone,
        data.issued_on,
        data.cover_note,
        data.payment_place,
        data.payment_hours,
        tuple(data.payment_methods),
        data.deadline,
        bool(link),
        tuple(data.remarks),
    )


def _frame_form(c: Canvas, data: NoticeData, link: str) -> tuple[str, float]:
    """The static part of a notice (title, table grid and labels, the box of
    how to pay, the footer) as a PDF form drawn once per canvas and layout,
    so a batch of a thousand draws it once and places it on every page;
    returns the form's name and the height of the table."""
    forms: dict[tuple[Any, ...], tuple[str, float]] = c.__dict__.setdefault("_notice_forms", {})
    key = _frame_key(data, link)
    if key in forms:
        return forms[key]
    name = f"notice_frame_{len(forms)}"
    c.beginForm(name)
    used = _draw_frame(c, data, link)
    c.endForm()
    forms[key] = (name, used)
    return name, used


def _draw_frame(c: Canvas, data: NoticeData, link: str) -> float:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    top = page_h - MARGIN

    L.draw_title(c, "城乡居民基本医疗保险缴费通知单", page_w / 2, top - 8 * mm, 15)
    L.draw_text(c, f"（{data.policy_year}年度）", page_w / 2, top - 14 * mm, 9.5, "center")
    L.draw_text(
        c, f"开具单位：{data.office.full_name}", left, top - 19 * mm, 9, max_width=width * 0.62
    )
    L.draw_text(c, f"开具日期：{L.date_cn(data.issued_on)}", right, top - 19 * mm, 9, "right")

    table_top = top - 21 * mm
    used = L.draw_table(c, _main_table(data, width, "frame"), left, table_top, width)

    # Lower box: where and how to pay, with the QR code on the right.
    footer_h = 7 * mm
    box_top = table_top - used - 2.5 * mm
    box_bottom = MARGIN + footer_h
    box_h = box_top - box_bottom
    qr_w = box_h if link else 0
    c.saveState()
    c.setLineWidth(L.FRAME)
    c.rect(left, box_bottom, width, box_h)
    if link:
        c.setLineWidth(L.GRID)
        c.line(right - qr_w, box_bottom, right - qr_w, box_top)
    c.restoreState()
    text_w = width - qr_w - 4 * mm
    frame = KeepInFrame(text_w, box_h - 3 * mm, _instructions(data, link), mode="shrink")
    _, h = frame.wrapOn(c, text_w, box_h - 3 * mm)
    frame.drawOn(c, left + 2 * mm, box_top - 1.5 * mm - h)
    if link:
        L.draw_text(c, "扫码缴费", right - qr_w / 2, box_bottom + 1.8 * mm, 8, "center")

    office = data.office
    contact = "　".join(
        part
        for part in (
            f"地址：{office.address}" if office.address else "",
            f"咨询电话：{office.phone}" if office.phone else "",
        )
        if part
    )
    L.draw_text(c, contact, left, MARGIN + 1.5 * mm, 8, max_width=width * 0.62)
    L.draw_text(c, "本通知单不作缴费凭证，缴费以收据为准。", right, MARGIN + 1.5 * mm, 8, "right")
    return used


def draw_notice(c: Canvas, data: NoticeData) -> None:
    """Draw one notice on the current page of ``c`` (sized ``PAGE_SIZE``).

    The static part is a form shared by every page with the same layout
    (``_frame_form``); on each page only the number, its barcode, the values
    in the table and the QR code are drawn."""
    _check(data)
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    top = page_h - MARGIN
    link = payment_link(data)
    name, used = _frame_form(c, data, link)
    c.doForm(name)

    code_w = 46 * mm
    draw_code128(c, data.notice_no, right - code_w, top - 8.5 * mm, code_w, 8 * mm)
    L.draw_text(
        c, f"No. {data.notice_no}", right - code_w / 2, top - 12 * mm, 8, "center", max_width=code_w
    )
    table_top = top - 21 * mm
    L.draw_table(c, _main_table(data, width, "values"), left, table_top, width)
    if link:
        box_top = table_top - used - 2.5 * mm
        box_bottom = MARGIN + 7 * mm
        qr_w = box_top - box_bottom
        qr_size = qr_w - 7 * mm
        draw_qr(c, link, right - qr_w + (qr_w - qr_size) / 2, box_bottom + 5 * mm, qr_size)


def render_notice(data: NoticeData) -> bytes:
    """One notice as a one-page PDF."""

    def draw(c: Canvas) -> None:
        draw_notice(c, data)
        c.showPage()

    return L.render_pages(PAGE_SIZE, f"缴费通知单 {data.notice_no}", draw)
