"""收据: copies, fields, the confirmation sentence, 作废 and 重打 marks."""

from __future__ import annotations

import dataclasses

import pytest

from common.errors import InputError
from printing.receipt import CONFIRMATION, render_receipt
from tools.samples import sample_receipt


def _masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def test_receipt_shows_every_field(poppler):
    data = sample_receipt()
    text = poppler.compact_text(render_receipt(data))
    expected = [
        "城乡居民基本医疗保险费收据",
        f"No.{data.receipt_no}",
        "重庆市忠县乌杨街道办事处",
        "2023年11月21日09:42:15",
        data.resident_name,
        data.village,
        "2024年度",
        "城乡未就业居民（成年）",
        "二档",
        "李建国（配偶）",  # agent
        "人民币柒佰伍拾伍元整",
        "¥755.00",
        "现金",
        "谭晓燕",  # collector
        data.notice_no,
        CONFIRMATION.rstrip("。"),
        "缴款人（代办人）签字",
        "经办人签字",
        "收款单位（盖章）",
    ]
    missing = [field for field in expected if field not in text]
    assert missing == []
    assert "作废" not in text and "重打" not in text


def test_two_copies_and_their_id_numbers(poppler):
    data = sample_receipt()
    text = poppler.compact_text(render_receipt(data))
    # copy names are printed vertically at the edge, one character per line
    for name in ("存根联", "缴款人联"):
        assert all(ch in text for ch in name)
    assert "记账联" not in text and "第三联" not in text
    # the office keeps the full number (the payer confirms it), the payer's copy is masked
    assert text.count(data.id_number) == 1
    assert text.count(_masked(data.id_number)) == 1
    assert text.count("城乡居民基本医疗保险费收据") == 2
    assert text.count("人民币柒佰伍拾伍元整") == 2


def test_third_copy_on_request(poppler):
    data = sample_receipt(third_copy=True)
    text = poppler.compact_text(render_receipt(data))
    assert text.count("城乡居民基本医疗保险费收据") == 3
    assert text.count(data.receipt_no) == 3
    assert text.count(data.id_number) == 2


def test_masked_everywhere_when_asked(poppler):
    data = dataclasses.replace(sample_receipt(), full_id_on_office_copies=False)
    text = poppler.compact_text(render_receipt(data))
    assert data.id_number not in text
    assert text.count(_masked(data.id_number)) == 2


def test_payer_in_person(poppler):
    data = dataclasses.replace(sample_receipt(), agent_name="", agent_relation="")
    text = poppler.compact_text(render_receipt(data))
    assert "张秀英（本人）" in text


def test_voided_receipt_is_marked(poppler):
    data = sample_receipt(voided=True)
    pdf = render_receipt(data)
    text = poppler.compact_text(pdf)
    assert "作废原因：档次选错，重新开票" in text
    assert "作废时间：2023年11月21日10:05:00" in text
    assert data.receipt_no in text  # the number stays readable
    # the big diagonal mark: plenty of red ink on the page
    page = poppler.pages(pdf, color=True)[0]
    red = page.count(lambda p: p[0] > 170 and p[1] < 150 and p[2] < 150 and p[0] - p[1] > 60)
    assert red > 0.01 * page.width * page.height


def test_reprint_is_marked(poppler):
    data = sample_receipt(reprint=2)
    text = poppler.compact_text(render_receipt(data))
    assert "重打（第2次）" in text
    assert "重打时间：2023年11月23日14:02:40" in text
    assert text.count("重打") >= 4  # two marks and two notes


def test_original_has_no_marks(poppler):
    page = poppler.pages(render_receipt(sample_receipt()), color=True)[0]
    red = page.count(lambda p: p[0] > 170 and p[1] < 150 and p[2] < 150 and p[0] - p[1] > 60)
    # only the red receipt numbers
    assert red < 0.002 * page.width * page.height


def test_receipt_amount_rules():
    with pytest.raises(InputError):
        dataclasses.replace(sample_receipt(), amount_fen=-100)
    with pytest.raises(InputError):
        dataclasses.replace(sample_receipt(), receipt_no=" ")


@pytest.mark.parametrize(
    "fen, words",
    [
        (101000, "人民币壹仟零壹拾元整"),
        (3800, "人民币叁拾捌元整"),
        (75550, "人民币柒佰伍拾伍元伍角整"),
        (1000000, "人民币壹万元整"),
        (0, "人民币零元整"),
    ],
)
def test_capitals_on_receipt(poppler, fen, words):
    text = poppler.compact_text(
        render_receipt(dataclasses.replace(sample_receipt(), amount_fen=fen))
    )
    assert words in text
    assert f"¥{fen // 100}.{fen % 100:02d}" in text


def test_agent_payment_prints_the_agent_once_per_copy(poppler):
    """An agent pays for the resident: 缴款人 is the resident, 代办人 the agent (issue 14)."""
    data = sample_receipt()
    text = poppler.compact_text(render_receipt(data))
    copies = text.count("城乡居民基本医疗保险费收据")
    assert text.count(data.agent_name) == copies  # only as 代办人, once on each copy
    assert text.count(f"缴款人{data.resident_name}") == copies
    assert f"缴款人{data.agent_name}" not in text
