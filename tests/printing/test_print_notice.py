"""缴费通知单: every field on the page, the payment link, the QR code."""

from __future__ import annotations

import dataclasses

import pytest

from common.errors import InputError, ServiceError
from printing.data import NoticeData
from printing.notice import (
    NOTICE_LINK_FIELDS,
    PaymentLinkError,
    build_payment_link,
    payment_link,
    render_notice,
)
from tools.samples import sample_notice


def test_notice_shows_every_field(poppler):
    data = sample_notice(0)
    text = poppler.compact_text(render_notice(data))
    expected = [
        "城乡居民基本医疗保险缴费通知单",
        "重庆市忠县乌杨街道办事处",
        data.notice_no,
        data.resident_name,
        data.id_number[:6] + "********" + data.id_number[-4:],
        data.village,
        "2024年度",
        data.category,
        data.tier,
        "¥755.00",  # standard and due
        "¥0.00",  # subsidy
        "人民币柒佰伍拾伍元整",
        "2023年12月31日",  # deadline
        "2024年01月01日至2024年12月31日",  # cover
        "乌杨街道便民服务中心一楼医保窗口",
        "现金、POS刷卡、微信或支付宝扫码",
        "扫码缴费",
        "023-54650000",
    ]
    missing = [field for field in expected if field.replace(" ", "") not in text]
    assert missing == []
    assert data.id_number not in text  # never the full number


def test_subsidised_notice_amounts(poppler):
    data = dataclasses.replace(
        sample_notice(1),
        standard_fen=38000,
        subsidy_fen=34200,
        due_fen=3800,
        category="低保对象",
    )
    text = poppler.compact_text(render_notice(data))
    for field in ("¥380.00", "¥342.00", "¥38.00", "人民币叁拾捌元整", "低保对象"):
        assert field in text


def test_notice_without_link_template_has_no_qr_and_says_so(poppler):
    with_qr = sample_notice(0)
    without = dataclasses.replace(with_qr, payment_link_template="")
    text = poppler.compact_text(render_notice(without))
    assert "未附缴费二维码" in text
    assert "扫码缴费" not in text
    # the QR code is the biggest dark block: its absence shows in the ink
    ink_with = poppler.pages(render_notice(with_qr))[0].dark_fraction()
    ink_without = poppler.pages(render_notice(without))[0].dark_fraction()
    assert ink_with > ink_without + 0.01


def test_payment_link_is_filled_and_encoded():
    link = build_payment_link(
        "https://pay.example/?notice={notice_no}&amount={amount}", notice_no="A B&1", amount="38.00"
    )
    assert link == "https://pay.example/?notice=A%20B%261&amount=38.00"
    assert payment_link(sample_notice(0)) == (
        "https://pay.example/yibao/?notice=TZ2024500233000001&amount=755.00"
    )


def test_payment_link_allows_literal_braces():
    assert build_payment_link("https://x/{{json}}?n={notice_no}", notice_no="7") == (
        "https://x/{json}?n=7"
    )


@pytest.mark.parametrize(
    "template, fragment",
    [
        ("https://pay.example/?id={id_number}", "{id_number}"),
        ("https://pay.example/?n={}", "{}"),
        ("https://pay.example/?n={notice_no.upper}", "{notice_no.upper}"),
        ("https://pay.example/?n={notice_no:>10}", "{notice_no:>10}"),
        ("https://pay.example/?n={notice_no", "花括号"),
    ],
)
def test_payment_link_refuses_unknown_placeholders(template, fragment):
    with pytest.raises(PaymentLinkError) as info:
        build_payment_link(template, **{name: "x" for name in NOTICE_LINK_FIELDS})
    assert fragment in info.value.message
    assert "{notice_no}" in info.value.message  # lists what may be used
    assert isinstance(info.value, ServiceError)


def test_notice_with_bad_template_is_refused():
    data = dataclasses.replace(sample_notice(0), payment_link_template="https://p/?x={name}")
    with pytest.raises(PaymentLinkError):
        render_notice(data)


def test_empty_template_gives_no_link():
    assert build_payment_link("", notice_no="1") == ""
    assert build_payment_link("   ") == ""


def test_notice_number_must_fit_a_barcode():
    with pytest.raises(InputError):
        render_notice(dataclasses.replace(sample_notice(0), notice_no="通知001"))


def test_negative_amounts_are_refused():
    with pytest.raises(InputError):
        dataclasses.replace(sample_notice(0), due_fen=-1)
    with pytest.raises(InputError):
        dataclasses.replace(sample_notice(0), due_fen=1.5)  # type: ignore[arg-type]


def test_long_texts_shrink_instead_of_overflowing(poppler):
    data = dataclasses.replace(
        sample_notice(0),
        resident_name="阿卜杜热合曼·买买提艾力·克然木江",
        village="乌杨街道将军村第十二村民小组（原青石村合并）",
        category="城乡未就业居民（成年）、灵活就业人员及其他未参加职工医保人员",
        payment_place="乌杨街道便民服务中心一楼医保窗口" * 4,
        remarks=("请携带身份证或户口簿原件。",) * 6,
    )
    pdf = render_notice(data)
    page = poppler.pages(pdf)[0]
    assert page.darkest_in_border(8) > 230
    text = poppler.compact_text(pdf)
    assert "阿卜杜热合曼·买买提艾力·克然木江" in text
    assert isinstance(data, NoticeData)
