"""The cash desk's documents (issue 9): refund slip, refund application,
non-cash voucher, and the late day-close sheet."""

from __future__ import annotations

from printing.cash_desk import render_refund_application, render_refund_slip, render_voucher
from printing.day_close import render_day_close
from tools.samples import sample_day_close_late, sample_refund, sample_voucher


def test_a_cash_refund_slip_says_cash_left_the_drawer(poppler):
    text = poppler.compact_text(render_refund_slip(sample_refund("cash")))
    for field in ("城乡居民医保费退费单", "TF-000012", "陈建国", "¥380.00", "叁佰捌拾元整"):
        assert field in text, field
    assert "柜台现金退付" in text and "领款人" in text
    assert "校验码R4TX-9KDM" in text  # from its ledger line (issue 10)
    assert "500233196203140021" not in text  # masked on the payer's slip


def test_an_application_slip_says_no_cash_moves(poppler):
    text = poppler.compact_text(render_refund_slip(sample_refund("application")))
    assert "退费申请（由税务部门退付）" in text and "柜台不付现金" in text
    assert "已入库" in text and "申请人" in text


def test_the_refund_application_for_the_tax_department(poppler):
    text = poppler.compact_text(render_refund_application(sample_refund("application")))
    for field in (
        "社会保险费退费申请表",
        "陈建国",
        "全年参加职工医保",  # the POLICY §6 ground
        "罗明",  # the approver
        "ZX2023-000117",  # the payment it concerns
        "税务部门意见",
        "柜台不退现金原因",
        "R4TX-9KDM",  # its 校验码
    ):
        assert field in text, field


def test_the_non_cash_voucher_carries_the_reference(poppler):
    text = poppler.compact_text(render_voucher(sample_voucher()))
    for field in ("城乡居民医保缴费凭证", "POS-20231106-000731", "POS刷卡", "¥755.00", "刘秀英"):
        assert field in text, field
    assert "不作现金收据使用" in text
    assert "校验码V8QN-2HWC" in text  # from its ledger line (issue 10)


def test_documents_without_a_check_code_print_no_empty_line(poppler):
    import dataclasses

    text = poppler.compact_text(
        render_voucher(dataclasses.replace(sample_voucher(), check_code=""))
    )
    assert "校验码" not in text


def test_a_late_close_is_printed_as_such(poppler):
    text = poppler.compact_text(render_day_close(sample_day_close_late()))
    assert "补日结" in text and "突发疾病" in text
    assert "退费申请1笔" in text
    assert "未了结的长短款" in text and "短款（未补足）10.00元" in text
