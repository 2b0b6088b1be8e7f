"""Money at the counter: parsing, formatting and amounts in Chinese capitals.

Every amount inside the program is an ``int`` of fen (分, 1/100 yuan); ``Decimal``
is used only at the edges (display, reports). ``float`` is never used: a clerk's
1010.5 must stay exactly 101050 fen.

``amount_in_words`` writes 人民币大写 as fixed by POLICY.md §8, which follows
《正确填写票据和结算凭证的基本规定》 and 《会计基础工作规范》 art. 52, with the
conventions chosen there:

* 整 follows 元 or 角 when no 分 follows, never 分;
* a run of zeros inside the integer part is one 零, read the ordinary Chinese way
  by sections of four digits (1010 → 壹仟零壹拾; 100010000 → 壹亿零壹万;
  107000 → 壹拾万柒仟: zeros at the end of the 万 section are not read when the
  thousands digit follows, as in the policy example 107000.53);
* after 元, one 零 is written when the 元 digit is zero or the 角 digit is zero
  and something non-zero follows (1680.32 → …捌拾元零叁角贰分; 100.05 → …元零伍分);
* ten to nineteen keep 壹 (壹拾元整), there is no 元 under one yuan (伍角整, 伍分),
  and zero is 零元整.

One formatter for figures (issue 15; there were six): ``format_fen`` for plain
figures ("1010.00": paper, CSV, citations of policy amounts), ``format_fen_grouped``
for wide tables, and ``yuan_text`` for an amount in a sentence on screen
("1,010.00 元").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from common.errors import InputError

__all__ = [
    "MAX_FEN",
    "amount_in_words",
    "fen_in_words",
    "fen_to_decimal",
    "format_fen",
    "format_fen_grouped",
    "parse_amount",
]

#: Largest amount handled, in fen: 9999,9999,9999.99 yuan (just under 一万亿元).
#: Far above anything a counter sees; the bound keeps hostile input such as
#: ``Decimal("1E+999999")`` from producing enormous integers.
MAX_FEN = 10**14 - 1

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")  # inside a four-digit section
_SECTION_UNITS = ("", "万", "亿")  # one per four-digit section, lowest first

# Full-width forms a Chinese input method may produce, mapped to ASCII.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "，": ",",
        "．": ".",
        "。": ".",
        "－": "-",
        "＋": "+",
        "\u3000": " ",
    }
)

# Either plain digits or correctly grouped thousands, then optional decimals.
_AMOUNT_RE = re.compile(r"([+-]?)([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]*))?")


def _check_fen(fen: int) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")


def _decimal_to_fen(value: Decimal, shown: str) -> int:
    """Exact conversion of a yuan ``Decimal`` to fen; refuses, never rounds.

    Works on the digits and exponent directly: ``Decimal`` arithmetic would round
    to the context precision (28 digits) and could hide a third decimal.
    """
    if not value.is_finite():
        raise InputError(f"金额格式不正确：{shown}")
    if value < 0:
        raise InputError("金额不能为负数")
    if value == 0:
        return 0
    # Compare magnitudes before scaling so absurd exponents stay cheap.
    if value.adjusted() > 12:
        raise InputError("金额过大")
    _sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len("".join(map(str, digit_tuple))) - len(digits)
    scale = exponent + 2  # power of ten of the last significant digit, in fen
    if scale < 0:
        raise InputError("金额最多两位小数")
    result = int(digits + "0" * scale)
    if result > MAX_FEN:
        raise InputError("金额过大")
    return result


def parse_amount(text: str | int | Decimal) -> int:
    """Read an amount in yuan and return it in fen.

    Accepted: ``"1010"``, ``"1010.5"``, ``"1,010.00"`` (groups of three only),
    full-width digits and punctuation (``"１０１０"``), an optional leading ¥/￥,
    surrounding spaces, an ``int`` of yuan, or a ``Decimal`` of yuan. Extra zero
    decimals (``"1.500"``) are accepted because no rounding is needed.

    Refused with :class:`InputError`: empty text, anything that is not a number,
    NaN and infinity, negative amounts, more than two significant decimals
    (never rounded) and amounts of 一万亿元 or more. A ``float`` (or ``bool``) is a
    programming error and raises ``TypeError``.
    """
    if isinstance(text, bool) or isinstance(text, float):
        raise TypeError(f"amount must be str, int or Decimal, not {type(text).__name__}")
    if isinstance(text, int):
        if text < 0:
            raise InputError("金额不能为负数")
        if text > MAX_FEN // 100:
            raise InputError("金额过大")
        return text * 100
    if isinstance(text, Decimal):
        return _decimal_to_fen(text, str(text))
    if not isinstance(text, str):
        raise TypeError(f"amount must be str, int or Decimal, not {type(text).__name__}")

    cleaned = text.translate(_FULL_WIDTH).strip()
    if cleaned[:1] in ("¥", "￥"):
        cleaned = cleaned[1:].lstrip()
    if not cleaned:
        raise InputError("请输入金额")
    match = _AMOUNT_RE.fullmatch(cleaned)
    if match is None:
        raise InputError(f"金额格式不正确：{text.strip()}")
    sign, whole, decimals = match.groups()
    if sign == "-" and (whole.strip("0,") or (decimals or "").strip("0")):
        raise InputError("金额不能为负数")
    if decimals and len(decimals.rstrip("0")) > 2:
        raise InputError("金额最多两位小数")
    try:
        value = Decimal(whole.replace(",", "") + "." + (decimals or "0"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise InputError(f"金额格式不正确：{text.strip()}") from None
    return _decimal_to_fen(value, text.strip())


def fen_to_decimal(fen: int) -> Decimal:
    """Fen as a yuan ``Decimal`` with two places: 101000 → Decimal('1010.00')."""
    _check_fen(fen)
    return Decimal(format_fen(fen))


def format_fen(fen: int) -> str:
    """Fen as plain yuan text: 101000 → "1010.00", -3800 → "-38.00"."""
    _check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def format_fen_grouped(fen: int) -> str:
    """Fen as yuan with thousands separators: 101000 → "1,010.00"."""
    _check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan_text(fen: int) -> str:
    """An amount for a sentence on screen: 101000 → "1,010.00 元"."""
    return f"{format_fen_grouped(fen)} 元"


def _integer_in_words(yuan: int) -> str:
    """Whole yuan (> 0) in capitals, without 元; zeros read as in POLICY.md §8."""
    sections: list[int] = []
    while yuan:
        yuan, section = divmod(yuan, 10_000)
        sections.append(section)
    if len(sections) > len(_SECTION_UNITS):  # pragma: no cover - bounded by MAX_FEN
        raise InputError("金额过大")

    words: list[str] = []
    pending_zero = False  # a zero has been passed and not yet written
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            # A whole empty section is a zero inside the number (壹亿零壹万)
            # unless nothing has been written yet.
            pending_zero = pending_zero or bool(words)
            continue
        for position in range(3, -1, -1):
            digit = section // 10**position % 10
            if digit == 0:
                pending_zero = pending_zero or bool(words)
                continue
            if pending_zero:
                words.append("零")
                pending_zero = False
            words.append(_DIGITS[digit] + _SMALL_UNITS[position])
        words.append(_SECTION_UNITS[index])
        # Zeros at the end of a section are not read when the next section
        # starts with its thousands digit (壹拾万柒仟); the next section's own
        # leading zeros set the flag again (贰拾万零柒佰).
        pending_zero = False
    return "".join(words)


def fen_in_words(fen: int) -> str:
    """An amount in fen written in 人民币 capitals (without the 人民币 prefix)."""
    _check_fen(fen)
    if fen < 0:
        raise InputError("金额不能为负数")
    if fen > MAX_FEN:
        raise InputError("金额过大")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "零元整"

    words: list[str] = []
    if yuan:
        words.append(_integer_in_words(yuan) + "元")
        # One 零 after 元 when the 元 digit or the 角 digit is zero and a
        # non-zero 角/分 follows (Convention in POLICY.md §8).
        if cents and (yuan % 10 == 0 or jiao == 0):
            words.append("零")
    if jiao:
        words.append(_DIGITS[jiao] + "角")
    if fen_digit:
        words.append(_DIGITS[fen_digit] + "分")
    else:
        words.append("整")
    return "".join(words)


def amount_in_words(amount: int | Decimal | str) -> str:
    """An amount in yuan (``int``, ``Decimal`` or text such as "1010.00") in capitals.

    1010.00 → 壹仟零壹拾元整; 16409.02 → 壹万陆仟肆佰零玖元零贰分. Negative
    amounts and more than two decimals raise :class:`InputError` (a ``ValueError``).
    """
    return fen_in_words(parse_amount(amount))
