"""Issue 17, the two last gaps: a subsidy of a fixed amount, and a source for each figure.

POLICY.md §2 names the subsidy classes 全额资助 / 定额资助; §3 gives the quota
pay as a share of the low standard, and a notice may instead give 定额资助 as
a fixed sum of yuan. The issue asks the editor for "subsidy classes (full /
quota percent / amount)" and "the source document ... for each figure", and
refuses "a subsidy larger than the standard" with the field named, nothing saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from factories import make_desk
from sqlalchemy import select

from db.engine import Database
from db.models import PolicyFileRecord
from services.clock import FixedClock
from services.policy import load_policies
from services.policy_editor import (
    PolicyCheckFailed,
    check_draft,
    field_label,
    load_data,
    previous_policy,
    read_policy_data,
    serialize,
)
from services.policy_file import load_policy_file
from services.policy_form import build_draft, form_from_policy
from services.policy_preview import preview, subsidy_text
from services.policy_store import save_policy_file
from services.policy_types import PolicyFileError, Unset
from services.quote import PersonFacts, QuoteRefused, quote

BOOK = load_policies()
NOTICE = "津医保发〔2026〕1号"
ADULT = PersonFacts(birth_date=dt.date(1980, 5, 1))
DAY = dt.date(2025, 9, 1)  # first day of the 2026 collection period


def form(**changes: object):  # type: ignore[no-untyped-def]
    result = form_from_policy(BOOK.get("tianjin-2025"))
    rates = {"low": ("390.00", "700.00"), "high": ("1030.00", "700.00")}
    for tier in result.tiers:
        tier.standard, tier.fiscal_subsidy = rates[tier.key]
    result.document_no = NOTICE
    result.document_title = "关于做好2026年度城乡居民基本医疗保险参保缴费工作的通知"
    result.document_issued = dt.date(2025, 8, 20)
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def draft(**changes: object) -> dict:  # type: ignore[type-arg]
    return build_draft(BOOK.get("tianjin-2025"), form(**changes), BOOK)


def amount_draft(amount: str, category: str = "minimum_living") -> dict:  # type: ignore[type-arg]
    return draft(
        subsidies={**form().subsidies, category: "amount"},
        subsidy_amounts={category: amount},
        subsidy_sources={category: "津民发〔2026〕5号 附件1"},
    )


# --- a subsidy of a fixed amount (POLICY.md §2/§3) ---------------------------------------


def test_an_amount_subsidy_is_taken_off_the_standard():
    policy = check_draft(amount_draft("300"), BOOK)
    category = policy.categories["minimum_living"]
    assert (category.subsidy, category.subsidy_amount) == ("amount", 30000)
    result = quote(policy, "minimum_living", None, DAY, ADULT)
    assert (result.standard_fen, result.subsidy_fen, result.personal_due_fen) == (
        39000,
        30000,
        9000,
    )
    # the rules say which class applied, and where it comes from
    assert any(
        rule.startswith("津民发〔2026〕5号 附件1 低保对象定额资助300.00元")
        and "个人缴纳低档标准减资助即90.00元" in rule
        for rule in result.rules
    )
    # the other quota categories keep the percent rule (10 % of the low standard)
    assert quote(policy, "low_income_edge", None, DAY, ADULT).personal_due_fen == 3900


def test_an_amount_equal_to_the_standard_leaves_nothing_to_pay():
    policy = check_draft(amount_draft("390.00"), BOOK)
    assert quote(policy, "minimum_living", None, DAY, ADULT).personal_due_fen == 0


def test_the_amount_applies_to_the_default_tier_only_when_others_pay_in_full():
    # minimum_living may give the subsidy up for the high tier (000 §7(1)3): then it
    # pays the high standard in full, so the sum is checked against low only
    policy = check_draft(amount_draft("390.00"), BOOK)
    high = quote(policy, "minimum_living", "high", DAY, ADULT)
    assert (high.subsidy_fen, high.personal_due_fen) == (0, 103000)


def test_the_personal_due_never_falls_below_zero():
    # A sum the file could not compare with the standard (it was unset when the
    # file was checked) still never makes the resident's share negative.
    policy = check_draft(amount_draft("300"), BOOK)
    category = dataclasses.replace(policy.categories["minimum_living"], subsidy_amount=50000)
    bigger = dataclasses.replace(
        policy, categories={**policy.categories, "minimum_living": category}
    )
    result = quote(bigger, "minimum_living", None, DAY, ADULT)
    assert (result.subsidy_fen, result.personal_due_fen) == (39000, 0)
    assert any("资助以缴费标准为限" in rule for rule in result.rules)


def test_a_subsidy_larger_than_the_standard_is_refused_naming_the_field():
    with pytest.raises(PolicyCheckFailed) as info:
        check_draft(amount_draft("390.01"), BOOK)
    assert info.value.field == "categories.minimum_living.subsidy_amount"
    assert info.value.message == (
        "类别“低保对象”定额资助金额（categories.minimum_living.subsidy_amount）："
        "资助金额 390.01 元大于档次“低档”个人缴费标准 390.00 元（资助不能超过缴费标准）"
    )


def test_for_a_category_choosing_any_tier_every_tier_bounds_the_amount():
    # Chongqing's groups choose tier1 or tier2 with no default: the sum must fit both
    data = read_policy_data(BOOK.get("chongqing-zhongxian-2024")) | {"key": "cq-copy"}
    data["categories"]["minimum_living"] |= {"subsidy": "amount", "subsidy_amount": "380.00"}
    policy = check_draft(data, BOOK)
    paid = dt.date(2023, 11, 20)
    assert quote(policy, "minimum_living", "tier2", paid, ADULT).personal_due_fen == 37500
    data["categories"]["minimum_living"]["subsidy_amount"] = "380.50"
    with pytest.raises(PolicyCheckFailed, match="大于档次“一档”个人缴费标准 380.00 元"):
        check_draft(data, BOOK)


@pytest.mark.parametrize("text", ["300.005", "-30", "三百"])
def test_an_amount_with_three_decimals_or_negative_is_refused_by_the_editor(text: str):
    with pytest.raises(PolicyCheckFailed) as info:
        amount_draft(text)
    assert info.value.field == "categories.minimum_living.subsidy_amount"
    assert f"类别“低保对象”定额资助金额“{text}”不正确" in info.value.message


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ('"300.005"', "金额格式不正确（须为非负数，最多两位小数）"),
        ('"-30.00"', "金额格式不正确（须为非负数，最多两位小数）"),
        ("300", '金额须写成带引号的文本，例如 "380.00"'),
        ('"1030.01"', "资助金额 1030.01 元大于档次“低档”个人缴费标准 380.00 元"),
    ],
)
def test_a_hand_written_amount_is_checked_like_the_builtin_files(
    tmp_path: Path, written: str, problem: str
):
    text = BOOK.get("tianjin-2024").path.read_text(encoding="utf-8")
    block = '[categories.minimum_living]\nlabel = "低保对象"\ntiers = ["low", "high"]\ndefault_tier = "low"\nsubsidy = "quota"\n'
    assert block in text
    path = tmp_path / "tianjin-2024.toml"
    path.write_text(
        text.replace(block, block.replace('"quota"\n', f'"amount"\nsubsidy_amount = {written}\n')),
        encoding="utf-8",
    )
    with pytest.raises(PolicyFileError) as info:
        load_policy_file(path)
    assert info.value.field == "categories.minimum_living.subsidy_amount"
    assert problem in info.value.message


def test_an_amount_goes_with_the_amount_class_only(tmp_path: Path):
    data = read_policy_data(BOOK.get("tianjin-2024")) | {"key": "tj-copy"}
    data["categories"]["orphan"]["subsidy_amount"] = "10.00"  # orphan is "full"
    with pytest.raises(PolicyCheckFailed, match='只有 subsidy = "amount"') as info:
        check_draft(data, BOOK)
    assert info.value.field == "categories.orphan.subsidy_amount"
    del data["categories"]["orphan"]["subsidy_amount"]
    data["categories"]["orphan"]["subsidy"] = "amount"
    with pytest.raises(PolicyCheckFailed, match="缺少必填字段"):
        check_draft(data, BOOK)


def test_an_amount_class_left_blank_stays_unset_and_is_refused():
    policy = check_draft(amount_draft(""), BOOK)
    subsidy = policy.categories["minimum_living"].subsidy
    assert isinstance(subsidy, Unset) and "定额资助金额" in subsidy.reason
    with pytest.raises(QuoteRefused, match="低保对象资助标准未在政策文件中给出"):
        quote(policy, "minimum_living", None, DAY, ADULT)


def test_a_larger_subsidy_saves_nothing(db: Database, clock: FixedClock, tmp_path: Path):
    with db.write() as s:
        desk = make_desk(s)
    folder = tmp_path / "policies"
    with pytest.raises(PolicyCheckFailed, match="资助不能超过缴费标准"), db.write() as s:
        save_policy_file(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            data=amount_draft("500.00"),
            book=BOOK,
            folder=folder,
            based_on="tianjin-2025",
        )
    assert not folder.exists()
    with db.read() as s:
        assert s.scalars(select(PolicyFileRecord)).all() == []


def test_the_preview_names_the_class_and_compares_it_with_last_year():
    policy = check_draft(amount_draft("300"), BOOK)
    result = preview(policy, previous_policy(policy, BOOK))
    figure = next(f for f in result.figures if (f.kind, f.key) == ("subsidy", "minimum_living"))
    assert figure.value == "定额资助300.00元（个人缴纳标准减300.00元）"
    assert figure.source == "津民发〔2026〕5号 附件1"
    assert figure.previous == "定额资助（个人缴纳低档标准的10%）"
    row = next(
        r for r in result.rows if (r.category, r.tier, r.day) == ("minimum_living", "low", "first")
    )
    assert (row.new.due_text, row.new.to_json_dict()["subsidy"]) == ("90.00", "300.00")
    assert subsidy_text(BOOK.get("tianjin-2024"), "orphan") == "全额资助（个人应缴0.00元）"


# --- a source for each figure ------------------------------------------------------------


def test_each_figure_keeps_the_source_typed_for_it():
    typed = form(quota_source=f"{NOTICE} §4", subsidy_sources={"orphan": "津民发〔2026〕2号"})
    assert typed.tiers[0].key == "low"
    typed.tiers[0].source = f"{NOTICE} §2(1)"
    typed.tiers[0].fiscal_subsidy_source = "津财社〔2026〕3号"
    data = build_draft(BOOK.get("tianjin-2025"), typed, BOOK)
    assert data["tiers"]["low"]["source"] == f"{NOTICE} §2(1)"
    assert data["tiers"]["low"]["fiscal_subsidy_source"] == "津财社〔2026〕3号"
    assert data["categories"]["orphan"]["subsidy_source"] == "津民发〔2026〕2号"
    assert data["quota_subsidy"]["source"] == f"{NOTICE} §4"
    policy = check_draft(data, BOOK)
    assert policy.tiers["low"].fiscal_subsidy_source == "津财社〔2026〕3号"
    assert policy.categories["orphan"].subsidy_source == "津民发〔2026〕2号"
    # blank sources default to the year's notice
    assert policy.tiers["high"].source == NOTICE
    assert policy.tiers["high"].fiscal_subsidy_source == NOTICE
    assert policy.categories["minimum_living"].subsidy_source == NOTICE

    # the serializer writes them and reads them back unchanged
    text = serialize(data)
    assert tomllib.loads(text) == data
    assert 'fiscal_subsidy_source = "津财社〔2026〕3号"' in text
    again = load_data(tomllib.loads(text))
    assert dataclasses.replace(again, path=policy.path) == policy

    # and the preview shows each figure with its source, last year's beside it
    result = preview(policy, previous_policy(policy, BOOK))
    by = {(f.kind, f.key): f for f in result.figures}
    assert (by["standard", "low"].value, by["standard", "low"].source) == (
        "390.00元",
        f"{NOTICE} §2(1)",
    )
    assert by["fiscal_subsidy", "low"].source == "津财社〔2026〕3号"
    assert by["subsidy", "orphan"].source == "津民发〔2026〕2号"
    assert by["quota_percent", ""].source == f"{NOTICE} §4"
    assert by["standard", "low"].previous is not None
    assert by["standard", "low"].previous.startswith("未给出（2025年度低档个人缴费标准")
    assert by["subsidy", "orphan"].previous_source == "002 §1(1)（继续实施分类资助）；000 §2(3)"
    assert "figures" in result.to_json_dict()
    # a quote cites the source typed for the figure it uses
    rules = quote(policy, "adult", "low", DAY, ADULT).rules
    assert rules[0] == f"{NOTICE} §2(1) 低档个人缴费标准390.00元"
    assert any(rule.startswith("津财社〔2026〕3号 低档财政补助700.00元") for rule in rules)


def test_builtin_files_use_the_same_source_fields():
    tianjin_2025 = BOOK.get("tianjin-2025")
    assert tianjin_2025.categories["orphan"].subsidy_source.startswith("002 §1(1)")
    assert tianjin_2025.categories["minimum_living"].subsidy_source.endswith("000 §2(4)")
    assert tianjin_2025.categories["adult"].subsidy_source == "POLICY.md §2"  # its own source
    tianjin_2023 = BOOK.get("tianjin-2023")
    assert tianjin_2023.tiers["low"].fiscal_subsidy_source == "001 §1(1)"
    assert BOOK.get("tianjin-2024").tiers["high"].fiscal_subsidy_source == "001 §1(1)"
    # no source written: the year's notice, by its document number (or title)
    chongqing = BOOK.get("chongqing-zhongxian-2024")
    assert chongqing.tiers["tier1"].fiscal_subsidy_source == "乌杨街道发〔2023〕84号"
    assert (
        tianjin_2025.tiers["low"].fiscal_subsidy_source
        == "关于健全本市基本医疗保险参保长效机制的若干措施"
    )


def test_source_fields_have_chinese_labels():
    data = read_policy_data(BOOK.get("tianjin-2024"))
    assert field_label("categories.orphan.subsidy_amount", data) == "类别“孤儿”定额资助金额"
    assert field_label("categories.orphan.subsidy_source", data) == "类别“孤儿”资助依据"
    assert field_label("tiers.high.fiscal_subsidy_source", data) == "档次“高档”财政补助依据"
