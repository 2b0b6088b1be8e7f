"""The marks drawn on a form besides its tables: signature lines, the office
stamp, the cut line between copies, and vertical labels."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.layout import VOID_RED, draw_text, font, text_width


def draw_signatures(
    c: Canvas,
    people: tuple[tuple[str, str], ...],
    x: float,
    y: float,
    size: float = 9.5,
    line_width: float = 26 * mm,
    gap: float = 8 * mm,
) -> float:
    """ "经办人：谭晓燕　签字：______" for each (role, name); returns the x after
    the last one. An empty name leaves a blank to write it in."""
    c.saveState()
    c.setLineWidth(0.5)
    for role, name in people:
        label = f"{role}：{name or '__________'}　签字："
        draw_text(c, label, x, y, size)
        start = x + text_width(label, size) + 1
        c.line(start, y - 1.5, start + line_width, y - 1.5)
        x = start + line_width + gap
    c.restoreState()
    return x


def draw_stamp(
    c: Canvas,
    text: str,
    cx: float,
    cy: float,
    size: float,
    color: Color = VOID_RED,
    angle: float = 28,
    alpha: float = 0.45,
    boxed: bool = True,
) -> None:
    """A big diagonal mark (作废 / 重打) over a document, translucent so the
    text under it stays readable; red prints as grey on a black printer."""
    c.saveState()
    c.translate(cx, cy)
    c.rotate(angle)
    c.setFillColor(color)
    c.setStrokeColor(color)
    c.setFillAlpha(alpha)
    c.setStrokeAlpha(alpha)
    c.setFont(font(), size)
    spacing = size * 0.25
    width = text_width(text, size) + spacing * (len(text) - 1)
    t = c.beginText()
    t.setFont(font(), size)
    t.setCharSpace(spacing)
    t.setTextOrigin(-width / 2, -size * 0.36)
    t.textOut(text)
    c.drawText(t)
    if boxed:
        c.setLineWidth(size * 0.06)
        pad = size * 0.22
        c.roundRect(-width / 2 - pad, -size * 0.6, width + 2 * pad, size * 1.2, size * 0.12, 1, 0)
    c.restoreState()


def draw_cut_line(c: Canvas, y: float, x0: float, x1: float, label: str = "沿虚线裁开") -> None:
    """A dashed line across the page where the copies are cut apart."""
    c.saveState()
    c.setStrokeColor(colors.Color(0.45, 0.45, 0.45))
    c.setLineWidth(0.6)
    c.setDash(4, 3)
    size = 6.5
    gap = text_width(label, size) + 8
    mid = (x0 + x1) / 2
    c.line(x0, y, mid - gap / 2, y)
    c.line(mid + gap / 2, y, x1, y)
    c.restoreState()
    draw_text(c, label, mid, y - size * 0.35, size, "center", color=colors.Color(0.4, 0.4, 0.4))


_VERTICAL_FORMS = str.maketrans({"（": "︵", "）": "︶", "(": "︵", ")": "︶", "　": " "})


def draw_vertical_label(
    c: Canvas, text: str, x: float, top: float, bottom: float, size: float = 8.5
) -> None:
    """Characters stacked top to bottom (the copy name at a receipt's edge)."""
    text = text.translate(_VERTICAL_FORMS)
    n = len(text)
    if n == 0:
        return
    step = min(size * 1.25, (top - bottom) / n)
    size = min(size, step / 1.1)
    total = step * n
    y = (top + bottom) / 2 + total / 2 - size
    t = c.beginText()
    t.setFont(font(), size)
    for ch in text:  # one text object for the whole column
        t.setTextOrigin(x - text_width(ch, size) / 2, y)
        t.textOut(ch)
        y -= step
    c.drawText(t)
