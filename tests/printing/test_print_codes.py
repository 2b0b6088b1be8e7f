"""The fast QR path gives exactly the symbol of reportlab's own encoder."""

from __future__ import annotations

import pytest
from reportlab.graphics.barcode import qrencoder

from printing.codes import is_code128_text, qr_rows


def _reportlab_rows(data: str) -> tuple[str, ...]:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(qrencoder.QR8bitByte(data))
    qr.make()
    return tuple("".join("1" if m else "0" for m in row) for row in qr.modules)


@pytest.mark.parametrize(
    "data",
    [
        "https://pay.example/yibao/?notice=TZ2024500233000001&amount=755.00",
        "https://pay.example/?n=1",
        "x",
        # long enough for version 7+, which carries version information
        "https://pay.example/?notice=" + "9" * 150 + "&amount=38.00",
    ]
    + [f"https://pay.example/?notice=TZ{i * 7919:010d}&amount={i}8.00" for i in range(10)],
)
def test_qr_matches_reportlab(data):
    assert qr_rows(data) == _reportlab_rows(data)


def test_qr_is_square_with_finder_patterns():
    rows = qr_rows("https://pay.example/?n=1")
    n = len(rows)
    assert all(len(row) == n for row in rows)
    assert rows[0][:7] == "1111111" and rows[0][-7:] == "1111111" and rows[-1][:7] == "1111111"


def test_code128_text():
    assert is_code128_text("TZ2024-0001")
    assert not is_code128_text("通知001")
    assert not is_code128_text("")
