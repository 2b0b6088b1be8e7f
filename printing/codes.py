"""Barcodes drawn straight onto a canvas: Code128 for document numbers and QR
codes for payment links.

Code128 comes from ``reportlab.graphics.barcode``; the QR symbol is encoded
by ``segno`` and drawn as runs of dark modules, which is much faster than
going through a ``Drawing`` (a batch prints a thousand of them).
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from common.errors import InputError


def is_code128_text(value: str) -> bool:
    return bool(value) and all(32 <= ord(ch) < 127 for ch in value)


def draw_code128(c: Canvas, value: str, x: float, y: float, width: float, height: float) -> float:
    """Draw ``value`` as Code128 inside (x, y, width, height), centred; returns
    the width used. Bars are never narrower than 0.6 pt so scanners read them."""
    if not is_code128_text(value):
        raise InputError(f"条码只能包含英文字母、数字和符号：{value!r}", code="invalid_input")
    probe = Code128(value, barWidth=1.0, barHeight=height, quiet=0, humanReadable=False)
    probe.wrap(10_000, 10_000)
    bar_width = max(0.6, min(1.2, width / probe.width))
    code = Code128(value, barWidth=bar_width, barHeight=height, quiet=0, humanReadable=False)
    code.wrap(10_000, 10_000)
    code.drawOn(c, x + (width - code.width) / 2, y)
    return float(code.width)


@lru_cache(maxsize=64)
def qr_rows(data: str, level: str = "M") -> tuple[str, ...]:
    """The QR symbol for ``data`` (byte mode, error correction ``level``) as
    rows of "0"/"1" (1 = dark), without the quiet zone. Encoded by segno, which
    chooses the mask by the penalty rules of ISO/IEC 18004."""
    code = segno.make_qr(data, error=level.lower(), boost_error=False, mode="byte")
    return tuple("".join("1" if module else "0" for module in row) for row in code.matrix)


_DARK_RUN = re.compile(r"1+")


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw a QR code of ``data`` in the square (x, y, size) with a quiet zone of
    ``border`` modules.

    Dark runs of each row become rectangles in module units under a scaling
    transform; the path is written as one literal, which keeps a batch of a
    thousand codes fast.
    """
    rows = qr_rows(data)
    count = len(rows)
    box = size / (count + 2 * border)
    parts: list[str] = []
    for r, line in enumerate(rows):
        bottom = count - 1 - r
        for run in _DARK_RUN.finditer(line):
            parts.append(f"{run.start()} {bottom} {run.end() - run.start()} 1 re")
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    c.translate(x + border * box, y + border * box)
    c.scale(box, box)
    c.addLiteral("\n".join(parts) + "\nf")
    c.restoreState()
