"""The 「账链锚点」 block of the day-close sheet: anchor, QR code, grand totals.

Kept apart from ``printing/day_close.py`` so that the sheet's own sections and
this block can change independently. :func:`draw_anchor_block` draws a boxed
block of :data:`BLOCK_HEIGHT` whose top edge is at ``top``.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing import layout as L

BLOCK_HEIGHT = 38 * mm
QR_SIZE = 28 * mm


@dataclass(frozen=True)
class AnchorBlock:
    """What the sheet prints of the chains' state at the close (services/day_seal.py)."""

    anchor_text: str
    ledger_seq: int
    audit_seq: int
    collected_fen: int
    voided_fen: int
    refunded_fen: int
    deposited_fen: int
    check_ok: bool = True
    check_message: str = ""
    #: net over/short cash booked since the office began
    adjusted_fen: int = 0


def draw_anchor_block(c: Canvas, block: AnchorBlock, left: float, top: float, width: float) -> None:
    from printing.codes import draw_qr

    bottom = top - BLOCK_HEIGHT
    c.saveState()
    c.setLineWidth(L.FRAME)
    c.rect(left, bottom, width, BLOCK_HEIGHT, stroke=1, fill=0)
    c.restoreState()
    draw_qr(c, block.anchor_text, left + width - QR_SIZE - 3 * mm, bottom + 5 * mm, QR_SIZE)
    x = left + 3 * mm
    text_w = width - QR_SIZE - 9 * mm
    y = top - 6 * mm
    L.draw_text(c, "五、账链锚点（请核对后签字，并妥善保存本单）", x, y, 11)
    y -= 7 * mm
    L.draw_text(c, block.anchor_text, x, y, 12.5, max_width=text_w)
    y -= 5.5 * mm
    L.draw_text(
        c,
        f"台账第 {block.ledger_seq} 行 · 审计日志第 {block.audit_seq} 条；"
        "核对：main.py verify-ledger --anchor 上列锚点",
        x,
        y,
        8.5,
        max_width=text_w,
    )
    y -= 6 * mm
    L.draw_text(
        c,
        f"建账以来累计：收款 {L.figures(block.collected_fen)}　作废 {L.figures(block.voided_fen)}",
        x,
        y,
        10,
        max_width=text_w,
    )
    y -= 5 * mm
    L.draw_text(
        c,
        f"退费 {L.figures(block.refunded_fen)}　入库 {L.figures(block.deposited_fen)}"
        + (f"　长短款 {L.figures(block.adjusted_fen)}" if block.adjusted_fen else ""),
        x + L.text_width("建账以来累计：", 10),
        y,
        10,
        max_width=text_w,
    )
    if not block.check_ok:
        y -= 5 * mm
        L.draw_text(
            c,
            "日结时台账校验未通过，请主管处理：" + block.check_message,
            x,
            y,
            8.5,
            max_width=text_w,
            color=L.VOID_RED,
        )
    else:
        y -= 5 * mm
        L.draw_text(c, "日结时台账校验通过。", x, y, 8.5, color=colors.Color(0.3, 0.3, 0.3))


#: room kept free at the bottom of the page for the signatures
SIGNATURE_ROOM = 16 * mm


def place_anchor_block(
    c: Canvas, block: AnchorBlock, continued_title: str, left: float, y: float, width: float
) -> None:
    """Draw the block below ``y`` (the baseline of the sheet's last line); when it
    does not fit above the signatures, go on to a new page titled
    ``continued_title``, where the signatures then follow the block, so the
    anchor is always on the signed page."""
    from printing.day_close import MARGIN, PAGE_SIZE

    top = y - 6 * mm
    if top - BLOCK_HEIGHT < MARGIN + SIGNATURE_ROOM:
        L.draw_text(c, "（账链锚点与签字见下页）", left + width, MARGIN + 2 * mm, 9, "right")
        c.showPage()
        page_w, page_h = PAGE_SIZE
        title_y = page_h - MARGIN - 8 * mm
        L.draw_title(c, continued_title, page_w / 2, title_y, 14)
        top = title_y - 10 * mm
    draw_anchor_block(c, block, left, top, width)
