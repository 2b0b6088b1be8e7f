"""Every document on paper: the Chinese font is embedded, pages are not blank,
nothing is drawn in the outermost margin (a printer would cut it off), and the
font can be found or overridden."""

from __future__ import annotations

import dataclasses
import re

import pytest

from common.errors import ServiceError
from printing import fonts
from printing.batch import build_notices_pdf
from printing.fonts import FontNotFound, cjk_font
from printing.ledger import render_ledger
from printing.notice import render_notice
from printing.receipt import render_receipt
from tools.samples import sample_ledger, sample_notice, sample_pdfs, sample_receipt

DPI = 50
BORDER_MM = 4  # every document keeps at least 10 mm; 4 mm is where printers cut
BORDER_PX = round(BORDER_MM / 25.4 * DPI)


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    docs = dict(sample_pdfs())
    docs["ledger_120"] = render_ledger(sample_ledger(120))
    notices = [dataclasses.replace(sample_notice(i), notice_no=f"B{i:06d}") for i in range(3)]
    docs["batch"] = build_notices_pdf(notices)
    return docs


def test_all_sample_documents_are_there(documents):
    assert {
        "notice",
        "receipt",
        "receipt_void",
        "receipt_reprint",
        "ledger",
        "day_close",
        "deposits",
    } <= set(documents)


@pytest.mark.parametrize(
    "name",
    [
        "notice",
        "notice_no_qr",
        "receipt",
        "receipt_three_copies",
        "receipt_void",
        "receipt_reprint",
        "ledger",
        "ledger_120",
        "day_close",
        "deposits",
        "batch",
        "refund_slip",
        "refund_application",
        "refund_application_slip",
        "voucher",
        "day_close_late",
    ],
)
def test_pages_are_inked_and_inside_the_margins(poppler, documents, name):
    pages = poppler.pages(documents[name], dpi=DPI)
    assert pages
    for number, page in enumerate(pages, start=1):
        assert page.dark_fraction() > 0.005, f"{name} page {number} looks blank"
        assert page.darkest_in_border(BORDER_PX) > 235, f"{name} page {number} drawn in margin"


@pytest.mark.parametrize("name", ["notice", "receipt", "ledger", "day_close", "deposits", "batch"])
def test_font_is_embedded(poppler, documents, name):
    listing = poppler.fonts(documents[name])
    rows = [line for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing
    for row in rows:
        # name  type  encoding  emb sub uni  object ID
        assert re.search(r"\byes\s+yes\s+yes\b", row), f"font not embedded as subset: {row}"
    assert any("WenQuanYi" in row or "YibaoCJK" in row or "Sim" in row for row in rows)


def test_page_sizes(poppler, documents):
    # A5 landscape notice, A4 portrait receipt, A4 landscape ledger
    sizes = {
        name: (
            poppler.pages(documents[name], dpi=DPI)[0].width,
            poppler.pages(documents[name], dpi=DPI)[0].height,
        )
        for name in ("notice", "receipt", "ledger")
    }

    def px(mm: float) -> int:
        return mm / 25.4 * DPI

    def close(size, w_mm, h_mm):
        return abs(size[0] - px(w_mm)) <= 1.5 and abs(size[1] - px(h_mm)) <= 1.5

    assert close(sizes["notice"], 210, 148)
    assert close(sizes["receipt"], 210, 297)
    assert close(sizes["ledger"], 297, 210)


def test_font_override_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "missing.ttf"))
    fonts.forget_font_choice()
    try:
        with pytest.raises(FontNotFound) as info:
            cjk_font()
        message = info.value.message
        assert "apt-get install fonts-wqy-microhei" in message
        assert "SimHei" in message and "SimSun" in message
        assert "missing.ttf" in message
        assert isinstance(info.value, ServiceError) and info.value.code == "font_not_found"
        with pytest.raises(FontNotFound):
            render_receipt(sample_receipt())
    finally:
        monkeypatch.delenv(fonts.ENV_VAR)
        fonts.forget_font_choice()


def test_font_override_that_is_not_a_font(monkeypatch, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    monkeypatch.setenv(fonts.ENV_VAR, str(bogus))
    fonts.forget_font_choice()
    try:
        with pytest.raises(FontNotFound, match="bogus.ttf"):
            cjk_font()
    finally:
        monkeypatch.delenv(fonts.ENV_VAR)
        fonts.forget_font_choice()


def test_font_override_is_used(monkeypatch):
    default = cjk_font()
    monkeypatch.setenv(fonts.ENV_VAR, f"{default.path}#1")  # the Mono face of the collection
    fonts.forget_font_choice()
    try:
        chosen = cjk_font()
        assert chosen.subfont_index == 1 and chosen.path == default.path
        assert render_notice(sample_notice(0)).startswith(b"%PDF")
    finally:
        monkeypatch.delenv(fonts.ENV_VAR)
        fonts.forget_font_choice()
    assert cjk_font() == default


def test_no_font_anywhere(monkeypatch):
    monkeypatch.setattr(fonts, "candidate_fonts", lambda: [("/nonexistent/a.ttc", 0)])
    fonts.forget_font_choice()
    try:
        with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
            cjk_font()
    finally:
        monkeypatch.undo()
        fonts.forget_font_choice()


def test_font_is_registered_once():
    assert cjk_font() is cjk_font()
