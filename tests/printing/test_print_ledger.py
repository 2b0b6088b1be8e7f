"""台账: one line per receipt, running cash on hand, totals carried from page
to page (承前页 / 过次页) and the final totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from common.errors import InputError
from printing.data import LedgerPageData, LedgerRow
from printing.ledger import ledger_pages, render_ledger
from tools.samples import OFFICE, sample_ledger, sample_ledger_rows


def _numbers_after(label: str, page_text: str) -> list[str]:
    line = next(
        line for line in page_text.splitlines() if re.sub(r"\s+", "", line).startswith(label)
    )
    return re.findall(r"-?\d+\.\d\d", line)


def _yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


@pytest.fixture
def ledger_120() -> LedgerPageData:
    return sample_ledger(120)


def test_arithmetic_of_120_rows(ledger_120):
    pages = ledger_pages(ledger_120, rows_per_page=20)
    assert len(pages) == 6
    rows = ledger_120.rows
    received = sum(r.received_fen for r in rows)
    cash_in = sum(r.cash_in_fen for r in rows)
    cash_out = sum(r.cash_out_fen for r in rows)
    last = pages[-1].carried_forward
    assert (last.received_fen, last.cash_in_fen, last.cash_out_fen) == (received, cash_in, cash_out)
    assert last.cash_on_hand_fen == ledger_120.opening_cash_fen + cash_in - cash_out
    for previous, page in zip(pages, pages[1:], strict=False):
        assert page.brought_forward == previous.carried_forward
    for page in pages:
        b, p, c = page.brought_forward, page.page_totals, page.carried_forward
        assert c.received_fen == b.received_fen + p.received_fen
        assert c.cash_in_fen == b.cash_in_fen + p.cash_in_fen
        assert c.cash_out_fen == b.cash_out_fen + p.cash_out_fen
        assert c.cash_on_hand_fen == b.cash_on_hand_fen + p.cash_in_fen - p.cash_out_fen
        assert p.received_fen == sum(line.row.received_fen for line in page.lines)
    # voided rows count in nothing, refunds are negative, deposits are no income
    assert any(r.voided for r in rows) and any(r.kind == "refund" for r in rows)
    assert any(r.kind == "deposit" for r in rows)


def test_totals_carried_forward_on_the_pages(poppler, ledger_120):
    pdf = render_ledger(ledger_120, rows_per_page=20)
    texts = poppler.page_texts(pdf)
    pages = ledger_pages(ledger_120, rows_per_page=20)
    assert len(texts) == len(pages) == 6
    for number, (text, page) in enumerate(zip(texts, pages, strict=True), start=1):
        compact = re.sub(r"\s+", "", text)
        assert f"第{number}页共6页" in compact
        assert "收据号" in compact and "缴款人签字" in compact  # heading repeated
        if number == 1:
            assert _numbers_after("上期结存", text) == [_yuan(ledger_120.opening_cash_fen)]
            assert "承前页" not in compact
        else:
            b = page.brought_forward
            assert _numbers_after("承前页", text) == [
                _yuan(b.received_fen),
                _yuan(b.cash_in_fen),
                _yuan(b.cash_out_fen),
                _yuan(b.cash_on_hand_fen),
            ]
        p = page.page_totals
        assert _numbers_after("本页合计", text) == [
            _yuan(p.received_fen),
            _yuan(p.cash_in_fen),
            _yuan(p.cash_out_fen),
        ]
        c = page.carried_forward
        label = "本期合计" if number == 6 else "过次页"
        assert _numbers_after(label, text) == [
            _yuan(c.received_fen),
            _yuan(c.cash_in_fen),
            _yuan(c.cash_out_fen),
            _yuan(c.cash_on_hand_fen),
        ]
        # every line of the page, with its running cash on hand
        for line in page.lines:
            assert line.row.receipt_no in compact
            assert _yuan(line.cash_on_hand_fen) in compact
    final = pages[-1].carried_forward
    compact = re.sub(r"\s+", "", texts[-1])
    assert f"期末库存现金¥{_yuan(final.cash_on_hand_fen)}" in compact
    assert "（以下空白）" not in compact  # 120 rows fill the last page exactly


def test_ledger_lines_show_their_fields(poppler):
    data = sample_ledger(30)
    text = poppler.compact_text(render_ledger(data))
    row = data.rows[0]
    for field in (
        row.receipt_no,
        row.resident_name,
        row.village,
        row.tier,
        row.channel,
        row.id_number[:6] + "********" + row.id_number[-4:],
        "11-2008:57",
    ):
        assert field in text
    assert row.id_number not in text
    voided = next(r for r in data.rows if r.voided)
    assert f"作废（不计）{voided.note}" in text
    assert "退费" in text and "入库" in text
    assert "（以下空白）" in text
    assert "经办人：谭晓燕签字" in text and "复核人：罗明签字" in text


def test_given_running_balances_are_printed_as_given(poppler):
    rows = (
        LedgerRow(
            "R1",
            dt.datetime(2024, 1, 2, 9),
            "甲",
            "",
            "村",
            "一档",
            "现金",
            38000,
            38000,
            cash_on_hand_fen=138000,
        ),
        LedgerRow("R2", dt.datetime(2024, 1, 2, 10), "乙", "", "村", "一档", "现金", 38000, 38000),
    )
    data = LedgerPageData(
        OFFICE, dt.date(2024, 1, 2), dt.date(2024, 1, 2), rows, opening_cash_fen=100000
    )
    lines = ledger_pages(data)[0].lines
    assert [line.cash_on_hand_fen for line in lines] == [138000, 176000]


def test_empty_ledger(poppler):
    data = LedgerPageData(
        OFFICE, dt.date(2024, 1, 2), dt.date(2024, 1, 3), (), opening_cash_fen=50000
    )
    text = poppler.compact_text(render_ledger(data))
    assert "本期无收付记录" in text
    assert "本期合计" in text and "500.00" in text


def test_ledger_refuses_bad_rows():
    with pytest.raises(InputError):
        LedgerRow("R", dt.datetime(2024, 1, 1), "甲", "", "", "", "", 1, 1, kind="gift")
    with pytest.raises(InputError):
        dataclasses.replace(sample_ledger(1), date_to=dt.date(2023, 1, 1))


def test_rows_per_page_is_respected():
    assert len(ledger_pages(sample_ledger(41), rows_per_page=20)) == 3
    assert len(sample_ledger_rows(0)) == 0


def test_absurdly_long_cells_stay_in_their_rows(poppler):
    long_name = "买买提" * 30
    rows = tuple(
        LedgerRow(
            f"R{i}",
            dt.datetime(2024, 1, 2, 9, i),
            long_name,
            "",
            "村" * 40,
            "一档",
            "现金" * 10,
            38000,
            38000,
            note="备注" * 50,
        )
        for i in range(25)
    )
    data = LedgerPageData(OFFICE, dt.date(2024, 1, 2), dt.date(2024, 1, 2), rows)
    pdf = render_ledger(data)
    pages = ledger_pages(data)
    assert len(poppler.pages(pdf)) == len(pages) == 2  # rows did not push the table off
    for page in poppler.pages(pdf):
        assert page.darkest_in_border(8) > 235
