"""Drawing helpers shared by the documents: fonts, cells that never overflow,
amounts, titles, stamps and cut lines.

A table cell (``cell``) never overflows: its font size is reduced until the
text fits the column on one line (drawn by the light ``TextLines`` flowable);
when that would make it too small and the row has room, the text goes on two
lines; what still does not fit wraps as a CJK ``Paragraph``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from common.idcard import mask_id
from common.money import amount_in_words, format_fen
from printing.fonts import cjk_font_name

# Binary (zlib only) content streams instead of ASCII85 over zlib: 20 % smaller
# and noticeably faster to write, which a batch of a thousand notices feels.
# Every PDF reader handles them; reportlab is only used by this package.
rl_config.useA85 = 0

# Cell padding used by every boxed table (points).
PAD_X = 2.5
PAD_Y = 1.5
MIN_FONT = 5.0
GRID = 0.5
FRAME = 1.0

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}

# --------------------------------------------------------------------------- text


def font() -> str:
    return cjk_font_name()


def style(
    size: float, align: str = "left", leading: float | None = None, color: Color = colors.black
) -> ParagraphStyle:
    return _style(font(), size, align, leading, color)


@lru_cache(maxsize=256)
def _style(
    font_name: str, size: float, align: str, leading: float | None, color: Color
) -> ParagraphStyle:
    return ParagraphStyle(
        name=f"cjk-{size}-{align}-{leading}",
        textColor=color,
        fontName=font_name,
        fontSize=size,
        leading=leading if leading is not None else size * 1.22,
        alignment=_ALIGN[align],
        wordWrap="CJK",
        splitLongWords=True,
    )


def text_width(text: str, size: float) -> float:
    return float(stringWidth(text, font(), size))


def fit_size(text: str, width: float, size: float, min_size: float = MIN_FONT) -> float:
    """Largest font size ≤ ``size`` (≥ ``min_size``) at which ``text`` fits ``width``."""
    if not text:
        return size
    natural = text_width(text, size)
    if natural <= width:
        return size
    return max(min_size, size * width / natural * 0.999)


class TextLines(Flowable):
    """Lines of text at one font size that fit their cell (see ``cell``).

    Much cheaper than a ``Paragraph``: a table of a thousand notices draws tens
    of thousands of cells. ``text`` keeps the content for tests and debugging.
    """

    def __init__(self, lines: list[str], size: float, align: str, color: Color) -> None:
        super().__init__()
        self.lines = lines
        self.text = "\n".join(lines)
        self.size = size
        self.align = align
        self.color = color
        self.leading = size * 1.22

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = self.leading * len(self.lines)
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFont(font(), self.size)
        c.setFillColor(self.color)
        # baseline of the first line: one leading down, lifted by the descent
        y = self.height - self.leading + self.size * 0.24
        for line in self.lines:
            if self.align == "center":
                c.drawCentredString(self.width / 2, y, line)
            elif self.align == "right":
                c.drawRightString(self.width, y, line)
            else:
                c.drawString(0, y, line)
            y -= self.leading


def cell(
    text: object,
    width: float,
    size: float = 9,
    align: str = "left",
    min_size: float = MIN_FONT,
    color: Color = colors.black,
    shrink: bool = True,
    height: float | None = None,
) -> Flowable:
    """A table cell of ``width`` points (padding included) whose text never overflows.

    With ``shrink`` the font gets smaller (down to ``min_size``) until each line
    fits; what still does not fit wraps. When ``height`` (the row height) is
    given and one line would need a much smaller font, the text is set on two
    lines instead if they fit; in such a fixed-height row text never wraps
    further (it is shrunk below ``min_size`` if it must). Without ``shrink`` the
    text wraps at ``size`` (for free-text columns in tables whose rows grow).
    """
    shown = "" if text is None else str(text)
    inner = max(1.0, width - 2 * PAD_X)
    lines = shown.split("\n")
    fitted = size
    if shrink:
        widest = max(text_width(line, size) for line in lines)
        if widest <= inner:
            return TextLines(lines, size, align, color)
        fitted = max(min_size, size * inner / widest * 0.999)
        if height is not None and len(lines) == 1 and fitted < size * 0.8:
            two = _two_lines(shown, inner, height - 2 * PAD_Y, size, fitted, align, color)
            if two is not None:
                return two
        if fitted > min_size:
            return TextLines(lines, round(fitted, 2), align, color)
        if height is not None:
            # a fixed-height row cannot grow: stay on one line, however small,
            # rather than spill into the next row
            return TextLines(lines, round(size * inner / widest * 0.999, 2), align, color)
    markup = "<br/>".join(escape(line) for line in lines)
    return Paragraph(markup, style(round(fitted, 2), align, None, color))


def _two_lines(
    text: str,
    inner: float,
    room: float,
    size: float,
    one_line: float,
    align: str,
    color: Color,
) -> Paragraph | None:
    """``text`` wrapped on two lines at the largest size that fits ``room``,
    if that is larger than the one-line size."""
    best = min(size, room / (2 * 1.22), size * 2 * inner * 0.92 / text_width(text, size))
    candidate = math.floor(best * 100) / 100
    while candidate > one_line + 0.2:
        p = Paragraph(escape(text), style(candidate, align, None, color))
        _, h = p.wrap(inner, 10_000)
        if h <= room + 0.01:
            return p
        candidate = round(candidate - 0.25, 2)
    return None


def para(
    text: str, size: float = 9, align: str = "left", leading: float | None = None
) -> Paragraph:
    """A free paragraph (wraps at the frame width)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style(size, align, leading))


# --------------------------------------------------------------------------- amounts


def figures(fen: int) -> str:
    """Figures for a document: ¥ before the amount, "¥1010.00" / "-¥38.00"."""
    text = format_fen(abs(fen))
    return f"-¥{text}" if fen < 0 else f"¥{text}"


def capitals(fen: int) -> str:
    """人民币 capitals of a non-negative amount: "人民币壹仟零壹拾元整"."""
    return "人民币" + amount_in_words(Decimal(fen).scaleb(-2))


def signed_capitals(fen: int) -> str:
    """Capitals for an amount that may be negative (a shortage): "负 人民币…"."""
    return ("负" if fen < 0 else "") + capitals(abs(fen))


# --------------------------------------------------------------------------- id numbers


def masked_id(number: str) -> str:
    """Only the first 6 and the last 4 characters shown: 120221********1234
    (an already masked number stays as it is)."""
    return mask_id((number or "").strip())


# --------------------------------------------------------------------------- dates


def date_cn(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def datetime_cn(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return f"{date_cn(moment.date())} {moment:%H:%M:%S}"


# --------------------------------------------------------------------------- tables


def boxed_style(*extra: tuple[Any, ...]) -> TableStyle:
    """Thin inner grid, thicker outer frame, middle-aligned, tight padding."""
    commands = [
        # tables set the cell font even around flowables; keep it ours so no
        # unembedded Helvetica lands in the PDF
        ("FONT", (0, 0), (-1, -1), font()),
        ("GRID", (0, 0), (-1, -1), GRID, colors.black),
        ("BOX", (0, 0), (-1, -1), FRAME, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
    ]
    commands.extend(extra)
    return TableStyle(commands)


LABEL_GREY = colors.Color(0.93, 0.93, 0.93)
HEADER_GREY = colors.Color(0.88, 0.88, 0.88)
VOID_RED = colors.Color(0.80, 0.10, 0.10)
REPRINT_GREY = colors.Color(0.35, 0.35, 0.35)


def draw_table(c: Canvas, table: Table, x: float, top: float, width: float) -> float:
    """Draw ``table`` with its top-left corner at (x, top); return its height."""
    _, height = table.wrapOn(c, width, 10_000)
    table.drawOn(c, x, top - height)
    return float(height)


# --------------------------------------------------------------------------- canvas


def draw_title(c: Canvas, text: str, cx: float, y: float, size: float) -> None:
    """A centred title, slightly emboldened (fill + thin stroke: the Chinese
    fonts we can embed have no bold face)."""
    c.saveState()
    c.setFillColor(colors.black)
    c.setStrokeColor(colors.black)
    c.setLineWidth(size * 0.03)
    t = c.beginText()
    t.setTextRenderMode(2)
    t.setFont(font(), size)
    t.setCharSpace(size * 0.08)
    width = text_width(text, size) + size * 0.08 * (len(text) - 1)
    t.setTextOrigin(cx - width / 2, y)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def draw_text(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    size: float = 9,
    align: str = "left",
    max_width: float | None = None,
    color: Color = colors.black,
) -> None:
    """One line of text, shrunk to ``max_width`` when given."""
    if max_width is not None:
        size = fit_size(text, max_width, size)
    c.saveState()
    c.setFillColor(color)
    c.setFont(font(), size)
    if align == "center":
        c.drawCentredString(x, y, text)
    elif align == "right":
        c.drawRightString(x, y, text)
    else:
        c.drawString(x, y, text)
    c.restoreState()


def new_canvas(
    buffer: io.BytesIO, pagesize: tuple[float, float], title: str, subject: str = ""
) -> Canvas:
    """A canvas with document info filled and compression on."""
    # initialFontName: otherwise reportlab puts an unembedded Helvetica in
    # every page's resources
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=font())
    c.setTitle(title)
    c.setAuthor("城乡居民医保柜台")
    c.setCreator("yibao-counter")
    if subject:
        c.setSubject(subject)
    return c


def render_pages(
    pagesize: tuple[float, float],
    title: str,
    draw_pages: Callable[[Canvas], None],
    subject: str = "",
) -> bytes:
    """Run ``draw_pages`` on a fresh canvas and return the PDF bytes."""
    font()  # raise FontNotFound before any drawing starts
    buffer = io.BytesIO()
    c = new_canvas(buffer, pagesize, title, subject)
    draw_pages(c)
    c.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------- flowing documents


def render_story(
    pagesize: tuple[float, float],
    title: str,
    story: list[Any],
    margins: tuple[float, float, float, float],
    decorate: Callable[[Canvas, int, int], None],
) -> bytes:
    """Lay out ``story`` (platypus flowables) over as many pages as needed.

    ``margins`` are (left, right, top, bottom) of the frame. ``decorate(c,
    page, total)`` draws each page's header and footer once the page count
    is known (so it can print "第 x 页 共 y 页").
    """
    font()
    buffer = io.BytesIO()
    left, right, top, bottom = margins

    class _Numbered(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not kwargs.get("initialFontName"):
                kwargs["initialFontName"] = font()
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author="城乡居民医保柜台",
        creator="yibao-counter",
        pageCompression=1,
        initialFontName=font(),
    )
    doc.build(story, canvasmaker=_Numbered)
    return buffer.getvalue()
