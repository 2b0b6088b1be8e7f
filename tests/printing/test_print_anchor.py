"""The 账链锚点 block of the day-close sheet and the receipt's 校验码."""

from __future__ import annotations

import dataclasses

from printing.anchor_block import AnchorBlock
from printing.codes import qr_rows
from printing.day_close import render_day_close
from printing.receipt import render_receipt
from tools.samples import sample_day_close, sample_receipt

ANCHOR = "20231107-1-6-4-D9JS-EJNB-857X-Z94N"
BLOCK = AnchorBlock(
    anchor_text=ANCHOR,
    ledger_seq=6,
    audit_seq=4,
    collected_fen=190_000,
    voided_fen=38_000,
    refunded_fen=0,
    deposited_fen=76_000,
)


def test_the_sheet_prints_the_anchor_and_grand_totals_on_the_signed_page(poppler) -> None:  # type: ignore[no-untyped-def]
    pdf = render_day_close(dataclasses.replace(sample_day_close(), anchor=BLOCK))
    pages = poppler.page_texts(pdf)
    last = pages[-1].replace(" ", "")
    assert ANCHOR in last
    assert "台账第6行·审计日志第4条" in last
    assert "收款¥1900.00" in last and "作废¥380.00" in last and "入库¥760.00" in last
    assert "经办人：" in last and "复核人：" in last  # the signatures follow the anchor
    assert "日结时台账校验通过" in last


def test_a_failed_check_is_printed_in_red_words(poppler) -> None:  # type: ignore[no-untyped-def]
    block = dataclasses.replace(
        BLOCK, check_ok=False, check_message="单位 1 第 3 行：内容与其哈希不符"
    )
    pdf = render_day_close(dataclasses.replace(sample_day_close(), anchor=block))
    assert "台账校验未通过" in poppler.text(pdf).replace(" ", "")


def test_the_qr_code_holds_the_anchor_text() -> None:
    rows = qr_rows(ANCHOR)
    assert len(rows) >= 21 and all(len(r) == len(rows) for r in rows)


def test_the_receipt_prints_its_check_code(poppler) -> None:  # type: ignore[no-untyped-def]
    pdf = render_receipt(dataclasses.replace(sample_receipt(), check_code="0DQW-8DJ3"))
    assert poppler.text(pdf).count("校验码：0DQW-8DJ3") >= 2  # on every copy
