"""Identity numbers: reading, checking and masking (POLICY.md §9).

Handled numbers, all 18 characters with an ISO 7064 MOD 11-2 check character:

* mainland resident ID (居民身份证, GB 11643-1999): 6-digit area code,
  8-digit birth date, 3-digit sequence (odd = male), check character;
* residence permits for Hong Kong, Macao and Taiwan residents: the same
  structure with area code 810000, 820000 or 830000;
* the 2023 foreign permanent residence ID (外国人永久居留身份证, issued from
  2023-12-01). Per the National Immigration Administration's machine-reading
  rules it follows the resident-ID standard: 17 digits plus a MOD 11-2 check
  character, first digit 9. Our understanding of the rest (an assumption; only
  positions 1, 7-14, 17 and 18 are relied on): positions 2-3 are the province of
  the issuing office, 4-6 a numeric nationality code, 7-14 the birth date,
  15-17 a sequence whose last digit is odd for men.

Legacy 15-digit resident IDs (YYMMDD birth date, always 19YY, no check
character) are converted to 18 characters. The 15-character 2017 foreign
permanent residence ID (three capital letters then twelve digits) is still
valid (POLICY.md §2, revised 2026-11) and is its own document type: the number
holds no birth date or sex that we rely on, so the clerk types both from the
card; without them ``parse_id`` raises :class:`ManualIdentityRequired`.

An area code is never refused for being unknown — codes change and permits use
81/82/83 — it only yields a warning.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Literal

from common.errors import InputError

__all__ = [
    "KIND_LABELS",
    "IdKind",
    "IdNumberError",
    "ManualIdentityRequired",
    "is_foreign_2017",
    "ParsedId",
    "check_character",
    "mask_id",
    "normalize_id",
    "parse_id",
]

IdKind = Literal[
    "mainland",
    "hk_permit",
    "macao_permit",
    "taiwan_permit",
    "foreign_permanent",
    "foreign_permanent_2017",
]

KIND_LABELS: dict[str, str] = {
    "mainland": "居民身份证",
    "hk_permit": "港澳居民居住证（香港）",
    "macao_permit": "港澳居民居住证（澳门）",
    "taiwan_permit": "台湾居民居住证",
    "foreign_permanent": "外国人永久居留身份证",
    "foreign_permanent_2017": "外国人永久居留身份证（2017年版）",
}

_PERMIT_AREAS: dict[str, IdKind] = {
    "810000": "hk_permit",
    "820000": "macao_permit",
    "830000": "taiwan_permit",
}

# Province-level codes of GB/T 2260 under which resident IDs are issued.
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
    }
)  # fmt: skip

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11

# Spaces (incl. U+3000 and no-break space) and hyphens/dashes people type or paste
# are removed; full-width digits and every form of x become ASCII.
_NORMALISE_MAP: dict[str, str | None] = {
    **dict.fromkeys(" \t\r\n\u3000\u00a0-\u2010\u2011\u2012\u2013\u2014\uff0d"),
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "Ｘ": "X",
    "ｘ": "X",
    "x": "X",
}
_NORMALISE = str.maketrans(_NORMALISE_MAP)

_OLD_FOREIGN_RE = re.compile(r"[A-Z]{3}[0-9]{12}")


class IdNumberError(InputError):
    """An identity number that cannot be right; the message says why.

    Keeps ``InputError``'s code ``"invalid_input"``; catch this class to tell
    identity-number problems apart.
    """


class ManualIdentityRequired(IdNumberError):
    """A valid 2017 foreign permanent residence ID given without the birth date
    and sex, which the clerk must type from the card."""

    def __init__(self, number: str) -> None:
        super().__init__(
            f"{number} 是2017年版外国人永久居留身份证号码（3个字母加12位数字），号码中没有"
            "出生日期和性别，请按证件填写出生日期和性别",
            code="manual_identity_required",
        )
        self.number = number


def is_foreign_2017(text: str) -> bool:
    """True if ``text`` (as typed) is a 2017 foreign permanent residence ID number."""
    return bool(_OLD_FOREIGN_RE.fullmatch(normalize_id(text)))


@dataclass(frozen=True)
class ParsedId:
    """A checked identity number and what it says about its holder."""

    number: str  #: normalised, 18 characters, upper-case X
    birth_date: datetime.date
    sex: Literal["M", "F"]
    kind: IdKind
    area_code: str  #: the first six characters
    warnings: tuple[str, ...] = ()
    #: the 15-digit number as entered, when it was converted to ``number``
    legacy_number: str | None = None
    #: birth date and sex were typed by hand (2017 foreign permanent residence ID)
    manual: bool = False
    kind_label: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind_label", KIND_LABELS[self.kind])


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for 17 ASCII digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("计算校验位需要17位数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id(text: str) -> str:
    """Remove spaces and hyphens, turn full-width digits and x/ｘ/Ｘ into ASCII.

    No checking is done; see :func:`parse_id`.
    """
    return text.translate(_NORMALISE).upper()


def mask_id(number: str) -> str:
    """Show the first 6 and last 4 characters, '*' between (for printed notices).

    110105194912310021 → 110105********0021. Text of 10 characters or fewer is
    masked entirely, so that nothing is printed in full by accident.
    """
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _birth_date(digits: str, today: datetime.date | None) -> datetime.date:
    """The birth date from YYYYMMDD, refused when impossible, too old or future."""
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1 <= month <= 12:
        raise IdNumberError(f"出生日期 {digits} 不存在：月份应为01至12，号码中为{digits[4:6]}")
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        raise IdNumberError(f"出生日期 {digits} 不存在：{year}年{month}月没有{day}日") from None
    if year < 1900:
        raise IdNumberError(f"出生日期 {digits} 早于1900年，号码有误")
    if today is not None and born > today:
        raise IdNumberError(f"出生日期 {digits} 晚于今天（{today:%Y%m%d}），号码有误")
    return born


def _parse_foreign_2017(
    number: str, today: datetime.date | None, birth_date: datetime.date | None, sex: str | None
) -> ParsedId:
    if birth_date is None or sex is None:
        raise ManualIdentityRequired(number)
    if sex not in ("M", "F"):
        raise IdNumberError("性别须为男或女")
    born = _birth_date(birth_date.strftime("%Y%m%d"), today)
    return ParsedId(
        number=number,
        birth_date=born,
        sex="M" if sex == "M" else "F",
        kind="foreign_permanent_2017",
        area_code=number[:3],
        manual=True,
    )


def _describe_illegal(number: str) -> str:
    bad: list[str] = []
    for char in number:
        if not ("0" <= char <= "9" or char == "X") and char not in bad:
            bad.append(char)
    shown = "、".join(f"“{char}”" for char in bad[:5])
    return f"身份证号码含有不允许的字符：{shown}（只能是数字，最后一位可以是X）"


def _check_characters(number: str) -> None:
    """Digits only (an X only as an 18-digit number's check character), 15 or 18 of them."""
    if any(not ("0" <= char <= "9" or char == "X") for char in number):
        raise IdNumberError(_describe_illegal(number))
    if len(number) not in (15, 18):
        raise IdNumberError(f"身份证号码应为18位（旧号码为15位），输入的是{len(number)}位")
    if "X" in number[:-1] or (len(number) == 15 and "X" in number):
        raise IdNumberError("身份证号码中只有18位号码的最后一位（校验位）可以是X")


def _id_kind(number: str, legacy: bool, warnings: list[str]) -> IdKind:
    """Which document the number belongs to, by its first digits; an unknown
    province or area code only warns."""
    area_code = number[:6]
    if number[0] == "9" and not legacy:
        if number[1:3] not in _PROVINCE_CODES:
            warnings.append(f"受理地代码 {number[1:3]} 不是已知的省级代码，请核对号码")
        return "foreign_permanent"
    if area_code in _PERMIT_AREAS and not legacy:
        return _PERMIT_AREAS[area_code]
    if area_code[:2] in ("81", "82", "83"):
        warnings.append(
            f"地址码 {area_code} 不常见：港澳台居民居住证的地址码应为810000、820000或830000"
        )
    elif area_code[:2] not in _PROVINCE_CODES:
        warnings.append(f"地址码 {area_code} 的前两位不是已知的省级代码，请核对号码")
    return "mainland"


def parse_id(
    text: str,
    *,
    today: datetime.date | None = None,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
) -> ParsedId:
    """Check an identity number as typed or read from a card, and decode it.

    ``today`` is the office clock's date; birth dates after it are refused.
    When ``today`` is None the future-date check is skipped (services take
    time only from an injected clock, never ``date.today()``): callers in the
    program always pass the clock's date.

    ``birth_date`` and ``sex`` ('M'/'F') are used only for the 2017 foreign
    permanent residence ID, whose number does not give them.

    Raises :class:`IdNumberError` (an ``InputError`` and so a ``ValueError``)
    with a Chinese message that says exactly what is wrong.
    """
    if not isinstance(text, str):
        raise TypeError(f"ID number must be str, not {type(text).__name__}")
    number = normalize_id(text)
    if not number:
        raise IdNumberError("请输入身份证号码")
    if _OLD_FOREIGN_RE.fullmatch(number):
        return _parse_foreign_2017(number, today, birth_date, sex)
    _check_characters(number)
    warnings: list[str] = []
    legacy_number: str | None = None
    if len(number) == 15:
        legacy_number = number
        number = number[:6] + "19" + number[6:]
    # The date is checked before the check character: when a digit of the date
    # is mistyped, "this date does not exist" points the clerk at the right place.
    birth_date = _birth_date(number[6:14], today)
    expected = check_character(number[:17])
    if legacy_number is not None:
        number += expected
        warnings.append(f"15位旧号码已转换为18位：{number}")
    elif number[17] != expected:
        raise IdNumberError(
            f"身份证号码校验位错误：校验位应为 {expected}，实际为 {number[17]}"
            "（可能有数字输错，请核对）"
        )
    holder_sex: Literal["M", "F"] = "M" if int(number[16]) % 2 else "F"
    area_code = number[:6]

    kind = _id_kind(number, legacy_number is not None, warnings)
    return ParsedId(
        number=number,
        birth_date=birth_date,
        sex=holder_sex,
        kind=kind,
        area_code=area_code,
        warnings=tuple(warnings),
        legacy_number=legacy_number,
    )
