"""日结单 and 入库登记."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from common.errors import InputError
from printing.data import (
    DayCloseData,
    DenominationCount,
    Deposit,
    DepositRegisterData,
    SettledDay,
    denomination_counts,
)
from printing.day_close import render_day_close
from printing.deposits import render_deposit_register
from tools.samples import OFFICE, sample_day_close, sample_deposit_register


def test_day_close_shows_every_field(poppler):
    data = sample_day_close()
    text = poppler.compact_text(render_day_close(data))
    expected = [
        "城乡居民医保费现金日结单",
        "重庆市忠县乌杨街道办事处",
        "日结日期：2023年11月22日",
        "结账时间：2023年11月22日17:35:00",
        # denomination table: count and subtotal of each line
        "100元505000.00",
        "50元5250.00",
        "20元6120.00",
        "10元330.00",
        "5元210.00",
        "1元33.00",
        "1元11.00",
        "5角21.00",
        "1角00.00",
        "人民币伍仟肆佰壹拾伍元整",
        "¥5415.00",
        "期初备用金¥500.00",
        "加：上日结存未入库现金¥12080.00",
        "本日现金收款¥4925.00",
        "本日现金退费¥0.00",
        "本日现金入库¥12080.00",
        "应有库存现金¥5425.00（人民币伍仟肆佰贰拾伍元整）",
        "实点库存现金¥5415.00",
        "短款¥10.00（人民币壹拾元整）",
        "找零差错（多找10元），已报告街道财政所",
        "13张（其中作废1张）",
        "¥1510.00",
        # the day's deposit
        "15:10",
        "CQRCB-20231122-0081",
        "重庆农商行柜台",
        "12080.00",
        "入库状态：正常",
        "结账后未入库现金¥4915.00，最迟应于2023年11月27日入库",
        "经办人：谭晓燕签字",
        "复核人：罗明签字",
    ]
    missing = [field for field in expected if field not in text]
    assert missing == []
    assert "ok" not in text  # Chinese labels only, never the state's code (issue 9)


def test_day_close_over_and_no_deposit(poppler):
    counts = denomination_counts(notes={10000: 4})
    data = DayCloseData(
        office=OFFICE,
        date=dt.date(2024, 1, 5),
        counts=counts,
        opening_float_fen=0,
        cash_received_fen=38000,
        cash_refunded_fen=0,
        cash_deposited_fen=0,
        expected_fen=38000,
        counted_fen=40000,
        difference_fen=2000,
        difference_reason="原因待查",
        clerk="王芳",
        deposit_state="overdue",
        deposit_state_label="已超期",
    )
    text = poppler.compact_text(render_day_close(data))
    for field in (
        "长款¥20.00（人民币贰拾元整）",
        "本日无入库",
        "入库状态：已超期",
        "复核人：__________签字",
    ):
        assert field in text


def test_day_close_balances_must_agree():
    good = sample_day_close()
    with pytest.raises(InputError, match="应有库存现金"):
        dataclasses.replace(good, expected_fen=good.expected_fen + 1)
    with pytest.raises(InputError, match="长短款"):
        dataclasses.replace(good, difference_fen=0)
    with pytest.raises(InputError, match="券别合计"):
        dataclasses.replace(
            good, counted_fen=good.counted_fen + 100, difference_fen=good.difference_fen + 100
        )
    with pytest.raises(InputError, match="原因"):
        dataclasses.replace(good, difference_reason="")


def test_cash_brought_forward_is_derived_when_not_given(poppler):
    data = dataclasses.replace(sample_day_close(), brought_forward_fen=None)
    assert data.carried_in_fen == 1_208_000
    text = poppler.compact_text(render_day_close(data))
    assert "加：上日结存未入库现金¥12080.00" in text


def test_denominations():
    counts = denomination_counts(notes={10000: 2}, coins={50: 3})
    assert len(counts) == 9
    assert sum(c.subtotal_fen for c in counts) == 20150
    with pytest.raises(InputError):
        denomination_counts(notes={3000: 1})
    with pytest.raises(InputError):
        DenominationCount("coin", 10, -1)


def test_deposit_register_shows_every_field(poppler):
    data = sample_deposit_register()
    text = poppler.compact_text(render_deposit_register(data))
    expected = [
        "城乡居民医保费现金入库登记簿",
        "期间：2023年11月01日至2023年11月30日",
        "2023-11-22",
        "15:10",
        "12080.00",
        "重庆农商行柜台",
        "CQRCB-20231122-0081",
        "谭晓燕",
        "2023-11-206420.00",
        "2023-11-215660.00",
        "SW500233-2023-11-0457",
        "税务代收POS",
        "罗明",
        "2023-11-233015.00",
        "2023-11-243775.00",
        "2023-11-273560.00",
        "合计（3笔）27325.00",
        "人民币贰万柒仟叁佰贰拾伍元整",
        "第1页共1页",
        "登记人：谭晓燕签字",
    ]
    missing = [field for field in expected if field not in text]
    assert missing == []


def test_deposit_not_matched_to_collection_days(poppler):
    deposit = Deposit(
        dt.datetime(2024, 1, 3, 10),
        50000,
        "银行柜台",
        "S-1",
        "王芳",
        settles=(SettledDay(dt.date(2024, 1, 2), 30000),),
    )
    data = DepositRegisterData(OFFICE, dt.date(2024, 1, 1), dt.date(2024, 1, 31), (deposit,))
    text = poppler.compact_text(render_deposit_register(data))
    assert "未对应收款日200.00" in text


def test_long_deposit_register_flows_over_pages(poppler):
    deposits = tuple(
        Deposit(
            dt.datetime(2024, 1, 1, 9) + dt.timedelta(days=i),
            100000 + i,
            "银行柜台",
            f"SLIP-{i:04d}",
            "王芳",
            settles=(SettledDay(dt.date(2023, 12, 31) + dt.timedelta(days=i), 100000 + i),),
        )
        for i in range(80)
    )
    data = DepositRegisterData(OFFICE, dt.date(2024, 1, 1), dt.date(2024, 3, 31), deposits)
    pdf = render_deposit_register(data)
    pages = poppler.page_texts(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        compact = page.replace(" ", "")
        assert "缴款凭证号" in compact  # heading repeated
        assert f"第{number}页共{len(pages)}页" in compact
    text = poppler.compact_text(pdf)
    assert all(f"SLIP-{i:04d}" in text for i in range(80))


def test_empty_deposit_register(poppler):
    data = DepositRegisterData(OFFICE, dt.date(2024, 1, 1), dt.date(2024, 1, 31), ())
    assert "本期无入库记录" in poppler.compact_text(render_deposit_register(data))
