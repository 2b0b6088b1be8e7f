"""Tests for common.money: parsing, formatting and 人民币大写 (POLICY.md §8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import InputError
from common.money import (
    MAX_FEN,
    amount_in_words,
    fen_in_words,
    fen_to_decimal,
    format_fen,
    format_fen_grouped,
    parse_amount,
)

# --- amounts in words -------------------------------------------------------

# Every example of POLICY.md §8, in the order the section gives them.
POLICY_EXAMPLES = [
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("100.05", "壹佰元零伍分"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("10.00", "壹拾元整"),
    ("100000.00", "壹拾万元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("0", "零元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("380.00", "叁佰捌拾元整"),
    ("38.00", "叁拾捌元整"),
    ("755.50", "柒佰伍拾伍元伍角整"),
    ("10000.00", "壹万元整"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),
]

# Zeros across the 万 and 亿 sections, and the largest amounts.
SECTION_EXAMPLES = [
    ("100000000.00", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("100100000", "壹亿零壹拾万元整"),
    ("1000000001", "壹拾亿零壹元整"),
    ("10000000.10", "壹仟万元零壹角整"),
    ("200700", "贰拾万零柒佰元整"),
    ("1000100", "壹佰万零壹佰元整"),
    ("10100", "壹万零壹佰元整"),
    ("11", "壹拾壹元整"),
    ("1.01", "壹元零壹分"),
    ("20.20", "贰拾元零贰角整"),
    ("0.55", "伍角伍分"),
    ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    (
        "999999999999.99",
        "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
]


@pytest.mark.parametrize(("amount", "words"), POLICY_EXAMPLES + SECTION_EXAMPLES)
def test_amount_in_words_examples(amount: str, words: str) -> None:
    assert amount_in_words(amount) == words
    assert amount_in_words(Decimal(amount)) == words
    assert fen_in_words(parse_amount(amount)) == words


@pytest.mark.parametrize(
    ("yuan", "words"), [(0, "零元整"), (10, "壹拾元整"), (1010, "壹仟零壹拾元整")]
)
def test_amount_in_words_int_is_yuan(yuan: int, words: str) -> None:
    assert amount_in_words(yuan) == words


def test_zheng_follows_jiao_never_fen() -> None:
    """Convention: 整 after 元 or 角 when no 分 follows; never after 分."""
    assert amount_in_words("3.00").endswith("元整")
    assert amount_in_words("3.40").endswith("角整")
    assert not amount_in_words("3.45").endswith("整")


@pytest.mark.parametrize(
    "amount",
    ["-1", "-0.01", Decimal("-38.00"), -5, "1.234", Decimal("0.001"), "10.005"],
)
def test_amount_in_words_refuses(amount: str | int | Decimal) -> None:
    with pytest.raises(InputError):
        amount_in_words(amount)


def test_amount_in_words_refusal_is_value_error() -> None:
    with pytest.raises(ValueError, match="负数"):
        amount_in_words("-38.00")
    with pytest.raises(ValueError, match="两位小数"):
        amount_in_words("1.234")


def test_fen_in_words_refuses_negative_and_too_large() -> None:
    with pytest.raises(InputError):
        fen_in_words(-1)
    with pytest.raises(InputError, match="过大"):
        fen_in_words(MAX_FEN + 1)


# --- an independent decoder for the property test ---------------------------

_DIGIT_VALUES = {char: value for value, char in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def decode_words(words: str) -> int:
    """Read 人民币大写 back into fen (test oracle, written without the encoder)."""
    total_fen = 0
    high = 0  # yuan from completed 亿/万 sections
    section = 0  # yuan of the section being read
    digit = 0
    for char in words:
        if char in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[char]
        elif char in _SMALL_UNITS:
            assert digit, f"a unit without a digit in {words}"
            section += digit * _SMALL_UNITS[char]
            digit = 0
        elif char == "万":
            high += (section + digit) * 10**4
            section = digit = 0
        elif char == "亿":
            high = (high + section + digit) * 10**8
            section = digit = 0
        elif char == "元":
            total_fen += (high + section + digit) * 100
            high = section = digit = 0
        elif char == "角":
            total_fen += digit * 10
            digit = 0
        elif char == "分":
            total_fen += digit
            digit = 0
        else:
            assert char == "整", f"unexpected {char!r} in {words}"
    return total_fen


@settings(max_examples=500, database=None, deadline=None)
@given(st.integers(min_value=0, max_value=10**12) | st.integers(min_value=0, max_value=MAX_FEN))
def test_words_properties(fen: int) -> None:
    words = fen_in_words(fen)
    assert "零零" not in words
    assert not words.endswith("零")
    assert words.endswith("整") == (fen % 10 == 0)
    assert words.count("整") <= 1
    if fen:
        # 零 is never read before a unit: it only stands for skipped digits.
        for unit in "拾佰仟万亿元角分整":
            assert "零" + unit not in words
        assert not words.startswith("零")
    assert ("元" in words) == (fen >= 100 or fen == 0)
    assert decode_words(words) == fen


# --- parse_amount ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1010", 101000),
        ("1010.5", 101050),
        ("1010.50", 101050),
        ("1,010.00", 101000),
        ("1,234,567.89", 123456789),
        ("１０１０", 101000),
        ("１，０１０．５０", 101050),
        ("  380  ", 38000),
        ("\u3000380\u3000", 38000),
        ("¥1,010.00", 101000),
        ("￥ 38", 3800),
        ("0", 0),
        ("0.01", 1),
        ("1.", 100),
        ("1.500", 150),
        (1010, 101000),
        (0, 0),
        (Decimal("1010.5"), 101050),
        (Decimal("1E+3"), 100000),
        (Decimal("1.500"), 150),
    ],
)
def test_parse_amount_accepts(text: str | int | Decimal, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请输入金额"),
        ("   ", "请输入金额"),
        ("-1", "金额不能为负数"),
        ("-0.50", "金额不能为负数"),
        ("－１", "金额不能为负数"),
        (-1, "金额不能为负数"),
        (Decimal("-0.01"), "金额不能为负数"),
        ("1010.555", "金额最多两位小数"),
        ("0.001", "金额最多两位小数"),
        (Decimal("0.001"), "金额最多两位小数"),
        (Decimal("1.0000000000000000000000000001"), "金额最多两位小数"),
        ("abc", "金额格式不正确"),
        ("12a", "金额格式不正确"),
        ("1.2.3", "金额格式不正确"),
        ("10,10", "金额格式不正确"),
        (".5", "金额格式不正确"),
        ("1e3", "金额格式不正确"),
        ("NaN", "金额格式不正确"),
        ("inf", "金额格式不正确"),
        ("٣", "金额格式不正确"),  # Arabic-Indic digit: not accepted as a digit
        (Decimal("NaN"), "金额格式不正确"),
        (Decimal("Infinity"), "金额格式不正确"),
        (Decimal("1E+999999"), "金额过大"),
        ("1000000000000", "金额过大"),
        (10**12, "金额过大"),
    ],
)
def test_parse_amount_refuses(text: str | int | Decimal, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_amount(text)
    assert caught.value.code == "invalid_input"


@pytest.mark.parametrize("value", [1.5, True, None, b"1"])
def test_parse_amount_rejects_wrong_types(value: object) -> None:
    with pytest.raises(TypeError):
        parse_amount(value)  # type: ignore[arg-type]


@settings(max_examples=300, database=None, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_and_parse_round_trip(fen: int) -> None:
    assert parse_amount(format_fen(fen)) == fen
    assert parse_amount(format_fen_grouped(fen)) == fen
    assert parse_amount(fen_to_decimal(fen)) == fen


# --- formatting --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "plain", "grouped"),
    [
        (0, "0.00", "0.00"),
        (5, "0.05", "0.05"),
        (101000, "1010.00", "1,010.00"),
        (-3800, "-38.00", "-38.00"),
        (-101050, "-1010.50", "-1,010.50"),
        (123456789, "1234567.89", "1,234,567.89"),
    ],
)
def test_format_fen(fen: int, plain: str, grouped: str) -> None:
    assert format_fen(fen) == plain
    assert format_fen_grouped(fen) == grouped
    assert fen_to_decimal(fen) == Decimal(plain)
    assert str(fen_to_decimal(fen)) == plain


def test_fen_functions_reject_non_int() -> None:
    for bad in (1.0, Decimal("1"), True):
        with pytest.raises(TypeError):
            format_fen(bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            fen_in_words(bad)  # type: ignore[arg-type]


# --- POLICY.md §8 (revised 2026-11): zeros in the 万 group --------------------


@st.composite
def _fen_with_zeros_in_wan_group(draw: st.DrawFn) -> int:
    """Amounts of at least 10 万 yuan whose 万 group (the four digits 万..千万)
    has one or more zero digits, with any 元 group and 角分."""
    digits = [draw(st.sampled_from([0, 0, 1, 7, 9])) for _ in range(4)]
    if 0 not in digits:
        digits[draw(st.integers(0, 3))] = 0
    if not any(digits[:3]):  # keep at least 10 万 so the group is written
        digits[2] = draw(st.integers(1, 9))
    wan = int("".join(map(str, digits)))
    yi = draw(st.integers(0, 99))
    low = draw(st.integers(0, 9999))
    return ((yi * 10**8) + wan * 10**4 + low) * 100 + draw(st.integers(0, 99))


@settings(max_examples=500, database=None, deadline=None)
@given(_fen_with_zeros_in_wan_group())
def test_zeros_in_the_wan_group_decode_back(fen: int) -> None:
    """Issue 8 item 11: every such amount reads back to itself with the independent
    decoder, and a zero 万 digit before a non-zero 仟 gets no 零 (壹拾万柒仟)."""
    words = fen_in_words(fen)
    assert decode_words(words) == fen
    assert "零零" not in words
    yuan = fen // 100
    if yuan % 10**5 // 10**4 == 0 and yuan % 10**4 // 10**3 != 0:
        assert "万零" not in words


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (10700053, "壹拾万柒仟元零伍角叁分"),  # POLICY.md §8's own example
        (10700000, "壹拾万柒仟元整"),
        (10070000, "壹拾万零柒佰元整"),
        (100000000, "壹佰万元整"),
        (1000700000, "壹仟万柒仟元整"),
    ],
)
def test_wan_group_examples(fen: int, words: str) -> None:
    assert fen_in_words(fen) == words
    assert decode_words(words) == fen


def test_yuan_text_is_the_grouped_figure_with_its_unit() -> None:
    from common.money import format_fen_grouped, yuan_text

    assert yuan_text(101000) == "1,010.00 元"
    assert yuan_text(-3850) == "-38.50 元"
    assert yuan_text(0) == "0.00 元"
    assert yuan_text(123456789) == f"{format_fen_grouped(123456789)} 元"
