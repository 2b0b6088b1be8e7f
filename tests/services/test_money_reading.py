"""Where 零 goes in the capitals (POLICY.md §8), checked against a second,
independent reading of the digits.

test_money.py decodes the words back to the amount, which proves the digits and
units but not the 零s (a decoder skips them: 壹亿壹万 and 壹亿零壹万 both read
100010000). Here a reference reading written another way — every digit read
with its unit, zeros as 零, then the ordinary rules applied as text rewrites —
must give exactly the same words, 零 for 零.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from common.money import MAX_FEN, fen_in_words

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL = ("仟", "佰", "拾", "")
SECTIONS = ("亿", "万", "")


def reference_words(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "零元整"
    text = ""
    if yuan:
        padded = f"{yuan:012d}"
        parts = []
        for i, unit in enumerate(SECTIONS):
            group = padded[4 * i : 4 * i + 4]
            read = "".join(
                "零" if d == "0" else DIGITS[int(d)] + SMALL[j] for j, d in enumerate(group)
            )
            # an empty section says nothing of its unit
            parts.append(read + (unit if group != "0000" else ""))
        text = "".join(parts)
        text = text.lstrip("零")  # leading zeros are not read
        text = re.sub("零+", "零", text)  # a run of zeros is one 零
        text = re.sub("零([万亿])", r"\1", text)  # nor before a section unit (壹拾万柒仟)
        text = text.rstrip("零") + "元"
        if cents and (yuan % 10 == 0 or jiao == 0):
            text += "零"
    if jiao:
        text += DIGITS[jiao] + "角"
    text += DIGITS[fen_digit] + "分" if fen_digit else "整"
    return text


def test_the_reference_reads_the_policy_examples() -> None:
    examples = {
        101000: "壹仟零壹拾元整",
        1640902: "壹万陆仟肆佰零玖元零贰分",
        10700053: "壹拾万柒仟元零伍角叁分",
        10070000: "壹拾万零柒佰元整",
        10000000000: "壹亿元整",
        10001000000: "壹亿零壹万元整",
        10010000000: "壹亿零壹拾万元整",
        168032: "壹仟陆佰捌拾元零叁角贰分",
        10005: "壹佰元零伍分",
        1000: "壹拾元整",
        50: "伍角整",
        5: "伍分",
    }
    for fen, words in examples.items():
        assert reference_words(fen) == words, fen


@st.composite
def _zeros_around_wan(draw: st.DrawFn) -> int:
    """Amounts built digit by digit with many zeros, so that zeros fall at the
    start, middle and end of the 万 group and of the groups beside it."""
    digits = draw(st.lists(st.sampled_from("0000123"), min_size=5, max_size=12))
    return int("".join(digits)) * 100 + draw(st.sampled_from([0, 5, 30, 47]))


@settings(max_examples=400, database=None, deadline=None)
@given(_zeros_around_wan() | st.integers(min_value=0, max_value=MAX_FEN))
def test_the_zeros_are_where_the_reference_puts_them(fen: int) -> None:
    assert fen_in_words(fen) == reference_words(fen)
