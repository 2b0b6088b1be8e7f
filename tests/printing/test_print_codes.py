"""QR codes and Code128 as printed.

The QR symbol comes from segno; these tests read it back with an independent
decoder (zbar's ``zbarimg``, part of the test setup) from the rendered page, so
a wrong symbol or a wrong drawing of it is caught, not only a changed library.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from printing.anchor_block import AnchorBlock
from printing.codes import draw_qr, is_code128_text, qr_rows
from printing.day_close import render_day_close
from printing.notice import payment_link, render_notice
from tools.samples import sample_day_close, sample_notice

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _zbarimg() -> str:
    path = shutil.which("zbarimg")
    if path is None:
        message = "zbarimg not found: apt-get install zbar-tools (scripts/setup.sh test)"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def _decoded(pdf: bytes, dpi: int = 200) -> list[str]:
    """Every QR text zbar finds on the pages of ``pdf``."""
    tool = _zbarimg()
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(src), str(Path(tmp) / "p")], check=True
        )
        for page in sorted(Path(tmp).glob("p-*.png")):
            result = subprocess.run(
                [tool, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                capture_output=True,
                text=True,
            )
            # zbarimg exits 4 when a page has no code at all
            assert result.returncode in (0, 4), result.stderr
            found.extend(line for line in result.stdout.splitlines() if line)
    return found


def _page_with_qr(data: str) -> bytes:
    path = Path(tempfile.mkdtemp()) / "qr.pdf"
    c = Canvas(str(path), pagesize=A4)
    draw_qr(c, data, 100, 400, 120)
    c.save()
    pdf = path.read_bytes()
    path.unlink()
    path.parent.rmdir()
    return pdf


def test_the_notice_qr_reads_back_as_its_payment_link(poppler) -> None:  # type: ignore[no-untyped-def]
    notice = sample_notice(0)
    link = payment_link(notice)
    assert link.startswith("http")
    assert _decoded(render_notice(notice)) == [link]


def test_the_day_close_qr_reads_back_as_its_anchor(poppler) -> None:  # type: ignore[no-untyped-def]
    anchor = "20231107-1-6-4-D9JS-EJNB-857X-Z94N"
    block = AnchorBlock(
        anchor_text=anchor,
        ledger_seq=6,
        audit_seq=4,
        collected_fen=190_000,
        voided_fen=38_000,
        refunded_fen=0,
        deposited_fen=76_000,
    )
    pdf = render_day_close(dataclasses.replace(sample_day_close(), anchor=block))
    assert _decoded(pdf) == [anchor]


@settings(max_examples=15, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126),
        min_size=1,
        max_size=180,
    )
)
def test_any_printable_text_reads_back(data: str) -> None:
    # long enough (180) for version 7+, which carries version information
    assert _decoded(_page_with_qr(data), dpi=150) == [data]


def test_qr_is_square_with_finder_patterns() -> None:
    rows = qr_rows("https://pay.example/?n=1")
    n = len(rows)
    assert n >= 21 and (n - 17) % 4 == 0
    assert all(len(row) == n for row in rows)
    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        assert rows[top][left : left + 7] == "1111111"
        assert rows[top + 1][left : left + 7] == "1000001"
        assert rows[top + 3][left : left + 7] == "1011101"


def test_code128_text() -> None:
    assert is_code128_text("TZ2024-0001")
    assert not is_code128_text("通知001")
    assert not is_code128_text("")
