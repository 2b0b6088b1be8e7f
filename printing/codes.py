"""Barcodes drawn straight onto a canvas: Code128 for document numbers and QR
codes for payment links.

Both come from ``reportlab.graphics.barcode``. The QR matrix is built with its
encoder and drawn as runs of dark modules, which is much faster than going
through a ``Drawing`` (a batch prints a thousand of them).
"""

from __future__ import annotations

import re
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
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
    return code.width


def _row_strings(rows: list[int], n: int) -> list[str]:
    return [format(row, f"0{n}b") for row in rows]


def _penalty(rows: list[int], n: int) -> int:
    """The mask penalty of ISO/IEC 18004 as reportlab's ``QRUtil.getLostPoint``
    computes it, on rows held as integers (bit n-1-col is column ``col``), so
    the mask chosen is the one reportlab would choose, about ten times faster."""
    lines = _row_strings(rows, n)
    columns = ["".join(col) for col in zip(*lines, strict=True)]
    score = 0
    # rule 1: runs of five or more modules of one colour, N1 + (length - 5);
    # one search over all rows and columns ("\n" stops runs at line ends)
    runs = _RUN.findall("\n".join(lines + columns))
    score += sum(map(len, runs)) - 2 * len(runs)
    # rule 2: 2x2 blocks of one colour
    full = (1 << n) - 1
    for upper, lower in zip(rows, rows[1:], strict=False):
        dark = upper & lower
        light = ~upper & ~lower & full
        score += 3 * ((dark & (dark >> 1)).bit_count() + (light & (light >> 1)).bit_count())
    # rule 3: finder-like 1:1:3:1:1 followed by four light modules. reportlab
    # finds it in rows only (its column pass compares tuples with a list) and
    # never in the last window; mirrored so both choose the same mask.
    score += 40 * len(_FINDER.findall("\n".join(line[:-1] for line in lines)))
    # rule 4: proportion of dark modules
    dark_count = sum(row.bit_count() for row in rows)
    score += 10 * (abs(100 * dark_count // (n * n) - 50) // 5)
    return score


_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER = re.compile(r"10111010000")
_DARK_RUN = re.compile(r"1+")


@lru_cache(maxsize=128)
def _mask_rows(n: int, pattern: int) -> tuple[int, ...]:
    """Mask ``pattern`` over an n×n symbol, one integer per row."""
    mask = qrencoder.QRUtil.getMask(pattern)
    rows = []
    for r in range(n):
        flips = 0
        for col in range(n):
            if mask(r, col):
                flips |= 1 << (n - 1 - col)
        rows.append(flips)
    return tuple(rows)


_EXP = [1] * 512
_LOG = [0] * 256
for _i in range(1, 255):
    _EXP[_i] = _EXP[_i - 1] << 1 ^ (0x11D if _EXP[_i - 1] & 0x80 else 0)
for _i in range(255):
    _LOG[_EXP[_i]] = _i
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@lru_cache(maxsize=32)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Logs of the Reed-Solomon generator coefficients after the leading 1
    (reportlab's polynomial, computed once per length instead of per code)."""
    poly = qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count)
    return tuple(_LOG[c] for c in poly.num[1:])


def _ec_codewords(data: list[int], ec_count: int) -> list[int]:
    """Reed-Solomon remainder of ``data`` (table-driven long division)."""
    gen = _generator_logs(ec_count)
    rem = [0] * ec_count
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = _LOG[factor]
            for j, g in enumerate(gen):
                rem[j] ^= _EXP[lf + g]
    return rem


def _codewords(qr: qrencoder.QRCode) -> list[int]:
    """What ``QRCode.createData`` returns (data and error-correction
    codewords, interleaved), with the fast error correction above."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(qr.version, qr.errorCorrectLevel)
    buffer = qrencoder.QRBitBuffer()
    for item in qr.dataList:
        item.write(buffer, qr.version)
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError("QR data too long")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    index = 0
    while buffer.getLengthInBits() < capacity:
        buffer.put(pads[index % 2], 8)
        index += 1
    data_blocks, ec_blocks = [], []
    offset = 0
    for block in blocks:
        chunk = buffer.buffer[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        ec_blocks.append(_ec_codewords(chunk, block.totalCount - block.dataCount))
    out: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return out


@lru_cache(maxsize=40)
def _data_layout(version: int) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Where the data bits of a symbol go, in order: (row, column bit) pairs,
    and per row the bits that hold data (everything else is a function pattern)."""
    probe = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    n = probe.moduleCount = version * 4 + 17
    positions = []
    data_mask = [0] * n
    for col, row in probe._dataPosIterator():
        bit = 1 << (n - 1 - col)
        positions.append((row, bit))
        data_mask[row] |= bit
    return tuple(positions), tuple(data_mask)


@lru_cache(maxsize=128)
def _function_rows(version: int, ec: int, mask: int | None) -> tuple[int, ...]:
    """The function patterns of a symbol (finders, alignment, timing, format
    and version information for ``mask``; ``None``: blank format as while the
    mask is chosen) as integer rows, data modules cleared. The same for every
    code of one version, so a batch builds them once."""
    qr = qrencoder.QRCode(version, ec)
    n = qr.moduleCount = version * 4 + 17
    qr.modules = [[False] * n for _ in range(n)]
    qr.setupPositionProbePattern(0, 0)
    qr.setupPositionProbePattern(n - 7, 0)
    qr.setupPositionProbePattern(0, n - 7)
    qr.setupPositionAdjustPattern()
    qr.setupTimingPattern()
    qr.setupTypeInfo(mask is None, mask or 0)
    if version >= 7:
        qr.setupTypeNumber(mask is None)
    _positions, data_mask = _data_layout(version)
    return tuple(
        int("".join("1" if m else "0" for m in row), 2) & ~data_mask[r]
        for r, row in enumerate(qr.modules)
    )


def _encode(data: str, level: str) -> list[int]:
    """The final QR symbol of ``data`` as integer rows.

    Built once with reportlab's encoder (function patterns, error correction,
    data placement without mask); the eight masks are then applied by XOR on
    the integer rows and scored, and the winner gets its format information.
    """
    ec = getattr(qrencoder.QRErrorCorrectLevel, level)
    qr = qrencoder.QRCode(None, ec)
    qr.addData(qrencoder.QR8bitByte(data))
    qr.version = qr.calculate_version()
    qr.dataCache = _codewords(qr)
    n = qr.version * 4 + 17
    positions, data_mask = _data_layout(qr.version)
    bits = "".join(format(byte, "08b") for byte in qr.dataCache)
    raw = [0] * n
    for (row, bit), dark in zip(positions, bits, strict=False):
        if dark == "1":
            raw[row] |= bit

    base = _function_rows(qr.version, ec, None)
    best, best_score = 0, -1
    for pattern in range(8):
        flips = _mask_rows(n, pattern)
        rows = [base[r] | ((raw[r] ^ flips[r]) & data_mask[r]) for r in range(n)]
        score = _penalty(rows, n)
        if best_score < 0 or score < best_score:
            best, best_score = pattern, score
    base = _function_rows(qr.version, ec, best)
    flips = _mask_rows(n, best)
    return [base[r] | ((raw[r] ^ flips[r]) & data_mask[r]) for r in range(n)]


@lru_cache(maxsize=64)
def qr_rows(data: str, level: str = "M") -> tuple[str, ...]:
    """The QR symbol for ``data`` (byte mode) as rows of "0"/"1" (1 = dark).
    Identical to what reportlab's own encoder produces, mask choice included."""
    rows = _encode(data, level)
    return tuple(_row_strings(rows, len(rows)))


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
