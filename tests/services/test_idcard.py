"""Tests for common.idcard: identity numbers as fixed by POLICY.md §9."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.errors import InputError
from common.idcard import (
    KIND_LABELS,
    IdNumberError,
    ParsedId,
    check_character,
    mask_id,
    normalize_id,
    parse_id,
)

TODAY = datetime.date(2024, 9, 1)

# The worked example of GB 11643-1999 (check character X, female).
GB_EXAMPLE = "11010519491231002X"


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def other_check_chars(number: str) -> list[str]:
    return [char for char in "0123456789X" if char != number[17]]


# --- the check character -------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # GB 11643-1999 example
        ("44052418800101001", "4"),  # GB 11643-1999 example (born 1880)
        ("00000000000000000", "1"),  # weighted sum 0 -> '1'
    ],
)
def test_check_character(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_matches_iso_7064_definition(first17: str) -> None:
    """ISO 7064 MOD 11-2 from its definition: weight 2**(i-1) mod 11 for the
    character i places from the right (check character at i = 1), and the
    check value makes the weighted sum of all 18 characters 1 mod 11."""
    total = sum(int(char) * pow(2, 17 - index, 11) for index, char in enumerate(first17))
    value = (12 - total % 11) % 11
    assert check_character(first17) == ("X" if value == 10 else str(value))


@pytest.mark.parametrize("bad", ["", "1234", "1101051949123100X", "1101051949123100２"])
def test_check_character_needs_17_ascii_digits(bad: str) -> None:
    with pytest.raises(IdNumberError):
        check_character(bad)


# --- accepted numbers -------------------------------------------------------------


def test_gb_example() -> None:
    parsed = parse_id(GB_EXAMPLE, today=TODAY)
    assert parsed == ParsedId(
        number=GB_EXAMPLE,
        birth_date=datetime.date(1949, 12, 31),
        sex="F",
        kind="mainland",
        area_code="110105",
    )
    assert parsed.kind_label == "居民身份证"
    assert parsed.warnings == ()
    assert parsed.legacy_number is None


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lower-case x
        " 110105 19491231 002X ",  # spaces
        "110105\u300019491231\u3000002X",  # full-width spaces
        "110105-19491231-002x",  # hyphens
        "110105－19491231－002X",  # full-width hyphens
    ],
)
def test_normalisation(typed: str) -> None:
    parsed = parse_id(typed, today=TODAY)
    assert parsed.number == GB_EXAMPLE
    assert normalize_id(typed) == GB_EXAMPLE


def test_male_sequence_is_odd() -> None:
    number = with_check("44052419800101001")
    parsed = parse_id(number, today=TODAY)
    assert parsed.sex == "M"
    assert parsed.birth_date == datetime.date(1980, 1, 1)
    assert parsed.area_code == "440524"


def test_legacy_15_digit_number_is_converted() -> None:
    parsed = parse_id("110105491231002", today=TODAY)
    assert parsed.number == GB_EXAMPLE
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.kind == "mainland"
    assert parsed.legacy_number == "110105491231002"
    assert any("15位旧号码已转换为18位" in warning for warning in parsed.warnings)


def test_legacy_15_digit_male_and_full_width() -> None:
    parsed = parse_id("４４０５２４８００１０１００１", today=TODAY)
    assert parsed.number == with_check("44052419800101001")
    assert parsed.sex == "M"


@pytest.mark.parametrize(
    ("area", "kind", "label"),
    [
        ("810000", "hk_permit", "港澳居民居住证（香港）"),
        ("820000", "macao_permit", "港澳居民居住证（澳门）"),
        ("830000", "taiwan_permit", "台湾居民居住证"),
    ],
)
def test_hk_macao_taiwan_permits(area: str, kind: str, label: str) -> None:
    number = with_check(area + "19900101" + "003")
    parsed = parse_id(number, today=TODAY)
    assert parsed.kind == kind
    assert parsed.kind_label == label
    assert parsed.area_code == area
    assert parsed.birth_date == datetime.date(1990, 1, 1)
    assert parsed.sex == "M"
    assert parsed.warnings == ()


def test_permit_with_wrong_check_is_refused() -> None:
    number = with_check("820000" + "19900101" + "004")
    wrong = other_check_chars(number)[0]
    with pytest.raises(IdNumberError, match=f"校验位应为 {number[17]}"):
        parse_id(number[:17] + wrong, today=TODAY)


def test_foreign_permanent_residence_id_2023() -> None:
    # 9, province 11 (Beijing), nationality 840, born 1985-06-15, sequence 002.
    number = with_check("9" + "11" + "840" + "19850615" + "002")
    parsed = parse_id(number, today=TODAY)
    assert parsed.kind == "foreign_permanent"
    assert parsed.kind_label == "外国人永久居留身份证"
    assert parsed.birth_date == datetime.date(1985, 6, 15)
    assert parsed.sex == "F"
    assert parsed.warnings == ()


def test_foreign_permanent_with_unknown_province_only_warns() -> None:
    number = with_check("9" + "99" + "840" + "19850615" + "001")
    parsed = parse_id(number, today=TODAY)
    assert parsed.kind == "foreign_permanent"
    assert parsed.sex == "M"
    assert len(parsed.warnings) == 1


def test_foreign_permanent_wrong_check() -> None:
    number = with_check("9" + "31" + "392" + "19700101" + "001")
    with pytest.raises(IdNumberError, match=f"校验位应为 {number[17]}"):
        parse_id(number[:17] + other_check_chars(number)[3], today=TODAY)


def test_old_2017_foreign_permanent_id_is_explained() -> None:
    with pytest.raises(IdNumberError, match="2017年版外国人永久居留身份证"):
        parse_id("usa310085060102", today=TODAY)


@pytest.mark.parametrize("area", ["160000", "710000", "000000", "770101", "811234"])
def test_unknown_area_codes_warn_but_parse(area: str) -> None:
    number = with_check(area + "19900101" + "003")
    parsed = parse_id(number, today=TODAY)
    assert parsed.kind == "mainland"
    assert parsed.number == number
    assert len(parsed.warnings) == 1
    assert area in parsed.warnings[0]


@pytest.mark.parametrize("area", ["120104", "500101", "650102", "460100"])
def test_known_provinces_have_no_warning(area: str) -> None:
    assert parse_id(with_check(area + "20000229" + "124"), today=TODAY).warnings == ()


# --- dates --------------------------------------------------------------------------


def test_feb_30_is_refused() -> None:
    with pytest.raises(IdNumberError, match="19990230 不存在") as caught:
        parse_id(with_check("110105" + "19990230" + "002"), today=TODAY)
    assert "2月没有30日" in caught.value.message


def test_feb_29_only_in_leap_years() -> None:
    assert parse_id(with_check("110105" + "20000229" + "002")).birth_date == datetime.date(
        2000, 2, 29
    )
    with pytest.raises(IdNumberError, match="19000229 不存在"):
        parse_id(with_check("110105" + "19000229" + "002"))


def test_month_13_is_refused() -> None:
    with pytest.raises(IdNumberError, match="月份应为01至12"):
        parse_id(with_check("110105" + "19991301" + "002"), today=TODAY)


def test_date_error_comes_before_check_error() -> None:
    # Mistyped date digits usually break the check character as well; the
    # message should point at the date.
    with pytest.raises(IdNumberError, match="不存在"):
        parse_id("110105199902300021", today=TODAY)


def test_1899_is_refused() -> None:
    with pytest.raises(IdNumberError, match="早于1900年"):
        parse_id(with_check("110105" + "18991231" + "002"), today=TODAY)


def test_gb_example_born_1880_is_refused_by_policy() -> None:
    # The check character is right, but POLICY.md §9 refuses births before 1900.
    with pytest.raises(IdNumberError, match="早于1900年"):
        parse_id("440524188001010014", today=TODAY)


def test_1900_01_01_is_accepted() -> None:
    parsed = parse_id(with_check("110105" + "19000101" + "002"), today=TODAY)
    assert parsed.birth_date == datetime.date(1900, 1, 1)


def test_future_birth_date_is_refused() -> None:
    number = with_check("110105" + "20240902" + "002")
    with pytest.raises(IdNumberError, match="晚于今天"):
        parse_id(number, today=TODAY)
    # Born today is fine.
    assert parse_id(number, today=datetime.date(2024, 9, 2)).birth_date == datetime.date(2024, 9, 2)


def test_without_today_the_future_check_is_skipped() -> None:
    number = with_check("110105" + "20990101" + "002")
    assert parse_id(number).birth_date == datetime.date(2099, 1, 1)


def test_legacy_number_dates_are_checked() -> None:
    with pytest.raises(IdNumberError, match="19990230 不存在"):
        parse_id("110105990230002", today=TODAY)


# --- malformed input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("1", 1),
        ("11010519491231002", 17),
        ("1101051949123100", 16),
        ("11010519491231002X1", 19),
        ("11010549123100", 14),
        ("１１０１０５ １９４９１２３１００２", 17),  # counted after normalisation
    ],
)
def test_wrong_length(typed: str, count: int) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id(typed, today=TODAY)
    message = caught.value.message
    assert f"输入的是{count}位" in message
    assert "18位" in message
    assert "15位" in message


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", "--"])
def test_empty(typed: str) -> None:
    with pytest.raises(IdNumberError, match="请输入身份证号码"):
        parse_id(typed, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("11010519491231002Y", "“Y”"),
        ("1101O519491231002X", "“O”"),  # letter O for zero
        ("110105.19491231002X", "“.”"),
        ("11010519491231002X号", "“号”"),
    ],
)
def test_illegal_characters(typed: str, shown: str) -> None:
    with pytest.raises(IdNumberError, match="不允许的字符") as caught:
        parse_id(typed, today=TODAY)
    assert shown in caught.value.message


@pytest.mark.parametrize("typed", ["1101051949123100X2", "X10105491231002", "11010549123100X"])
def test_x_only_as_last_character(typed: str) -> None:
    with pytest.raises(IdNumberError, match="X"):
        parse_id(typed, today=TODAY)


def test_wrong_check_character_message() -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id("110105194912310025", today=TODAY)
    assert "校验位应为 X，实际为 5" in caught.value.message


def test_errors_are_value_errors_with_code() -> None:
    with pytest.raises(ValueError) as caught:
        parse_id("123", today=TODAY)
    assert isinstance(caught.value, InputError)
    assert caught.value.code == "invalid_input"


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_id(110105194912310021)  # type: ignore[arg-type]


# --- masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (GB_EXAMPLE, "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id(number: str, masked: str) -> None:
    assert mask_id(number) == masked


def test_kind_labels_cover_every_kind() -> None:
    assert set(KIND_LABELS) == {
        "mainland",
        "hk_permit",
        "macao_permit",
        "taiwan_permit",
        "foreign_permanent",
        "foreign_permanent_2017",
    }


# --- property-based ---------------------------------------------------------------------

_DAY_ONE = datetime.date(1900, 1, 1)


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    """17-digit bodies with a possible birth date (any area code and sequence)."""
    area = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=_DAY_ONE, max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return f"{area}{born:%Y%m%d}{sequence:03d}"


@settings(max_examples=300, database=None, deadline=None)
@given(id_bodies())
def test_computed_check_parses_and_every_other_is_refused(body: str) -> None:
    expected = check_character(body)
    parsed = parse_id(body + expected, today=TODAY)
    assert parsed.number == body + expected
    assert parsed.birth_date.strftime("%Y%m%d") == body[6:14]
    assert parsed.sex == ("M" if int(body[16]) % 2 else "F")
    assert parsed.kind_label == KIND_LABELS[parsed.kind]
    assert mask_id(parsed.number) == body[:6] + "********" + body[14:] + expected
    for wrong in "0123456789X":
        if wrong == expected:
            continue
        with pytest.raises(IdNumberError) as caught:
            parse_id(body + wrong, today=TODAY)
        assert f"校验位应为 {expected}，实际为 {wrong}" in caught.value.message


@settings(max_examples=200, database=None, deadline=None)
@given(id_bodies())
def test_lower_case_and_full_width_forms_parse_the_same(body: str) -> None:
    number = body + check_character(body)
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else "ｘ" for c in number)
    assert parse_id(full_width, today=TODAY).number == number
    assert parse_id(number.lower(), today=TODAY).number == number


@settings(max_examples=200, database=None, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=_DAY_ONE, max_value=datetime.date(1999, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_legacy_conversion_matches_18_digit_form(
    area: str, born: datetime.date, sequence: int
) -> None:
    legacy = f"{area}{born:%y%m%d}{sequence:03d}"
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    parsed = parse_id(legacy, today=TODAY)
    assert parsed.number == body + check_character(body)
    assert re.fullmatch(r"[0-9]{17}[0-9X]", parsed.number)
    assert parsed.legacy_number == legacy
