"""Policy data files: the built-in ones, validation of bad files, extra folders."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from common.errors import NotFound, ServiceError
from services.policy import (
    PolicyBook,
    UnknownPolicy,
    builtin_policy_dir,
    load_policies,
    policy_dirs_from_env,
)
from services.policy_file import load_policy_file
from services.policy_reader import parse_amount_fen
from services.policy_types import (
    CATEGORY_KEYS,
    REQUIRED_CATEGORY_KEYS,
    Chongqing2024Waiting,
    PolicyFileError,
    Tianjin2024Waiting,
    Unset,
)

BUILTIN = builtin_policy_dir()
BOOK = load_policies()


def builtin_text(key: str) -> str:
    return (BUILTIN / f"{key}.toml").read_text(encoding="utf-8")


def write_policy(folder: Path, key: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(key: str, old: str, new: str) -> str:
    text = builtin_text(key)
    assert old in text, old
    return text.replace(old, new, 1)


def load_error(tmp_path: Path, text: str, key: str = "tianjin-2024") -> PolicyFileError:
    path = write_policy(tmp_path, key, text)
    with pytest.raises(PolicyFileError) as info:
        load_policy_file(path)
    return info.value


def rates_2026() -> str:
    """tianjin-2025 with invented rates, as an office might add for a later year."""
    text = builtin_text("tianjin-2025").replace('key = "tianjin-2025"', 'key = "tianjin-2026"')
    text = text.replace("year = 2025", "year = 2026").replace("2025年度城乡", "2026年度城乡")
    text = text.replace(
        "collection = { start = 2024-09-01, end = 2024-12-31",
        "collection = { start = 2025-09-01, end = 2025-12-31",
    )
    text = text.replace(
        "late = { start = 2025-01-01, end = 2025-12-31",
        "late = { start = 2026-01-01, end = 2026-12-31",
    )
    text = text.replace(
        'standard = { unset = "2025年度低档个人缴费标准未在政策文件中公布" }', 'standard = "400.00"'
    )
    text = text.replace(
        'standard = { unset = "2025年度高档个人缴费标准未在政策文件中公布" }',
        'standard = "1050.00"',
    )
    return text


# --- built-in files ----------------------------------------------------------


def test_builtin_policies_load():
    assert BOOK.keys() == [
        "chongqing-zhongxian-2024",
        "tianjin-2023",
        "tianjin-2024",
        "tianjin-2025",
    ]
    assert [p.key for p in BOOK] == BOOK.keys()
    assert len(BOOK) == 4
    assert "tianjin-2024" in BOOK


@pytest.mark.parametrize(
    "key", ["chongqing-zhongxian-2024", "tianjin-2023", "tianjin-2024", "tianjin-2025"]
)
def test_every_policy_has_the_required_categories(key):
    policy = BOOK.get(key)
    assert set(REQUIRED_CATEGORY_KEYS) <= set(policy.categories) <= set(CATEGORY_KEYS)
    if policy.region == "天津市":  # 000 §2 / 003 §4: Tianjin's twelve, in the document's order
        assert tuple(policy.categories) == CATEGORY_KEYS[:12]
    for category in policy.categories.values():
        assert category.label
        assert all(tier in policy.tiers for tier in category.tiers)


def test_tianjin_2024_rates_and_periods():
    policy = BOOK.get("tianjin-2024")
    assert policy.year == 2024 and policy.region == "天津市"
    assert policy.tiers["high"].standard == 101000
    assert policy.tiers["low"].standard == 38000
    assert policy.tiers["high"].label == "高档"
    assert policy.tiers["low"].label == "低档"
    assert policy.collection.start == dt.date(2023, 10, 10)
    assert policy.collection.end == dt.date(2023, 12, 31)
    assert policy.late.start == dt.date(2024, 1, 1)  # type: ignore[union-attr]
    assert policy.quota_personal_percent == 10
    assert policy.categories["student"].benefit_tier == "high"
    assert policy.categories["student"].adult_outside_school.min_age == 18  # type: ignore[union-attr]
    assert policy.categories["extreme_poverty"].subsidy == "full"
    assert policy.categories["student_loan"].subsidy == "quota"
    assert isinstance(policy.tiers["high"].fiscal_subsidy, Unset)
    assert policy.sources[0].document_no == "津医保局发〔2023〕72号"
    assert isinstance(policy.waiting, Tianjin2024Waiting)
    assert policy.waiting.waiting_months == 6
    assert policy.newborn.window_months == 4
    assert "住院报销：一级医院85%，二级医院80%，三级医院75%" in policy.tiers["high"].benefits


def test_tianjin_2023_fiscal_subsidy_from_001_and_late_unset():
    policy = BOOK.get("tianjin-2023")
    assert policy.tiers["high"].standard == 98000
    assert policy.tiers["low"].standard == 35000
    assert policy.tiers["low"].fiscal_subsidy == 64000
    assert policy.tiers["high"].fiscal_subsidy == 110000
    assert policy.collection.start == dt.date(2022, 9, 1)
    assert isinstance(policy.late, Unset) and "003" in policy.late.reason


def test_tianjin_2025_has_rules_and_period_but_unset_rates():
    policy = BOOK.get("tianjin-2025")
    assert policy.rules == "tianjin-2025"
    assert policy.collection.start == dt.date(2024, 9, 1)
    assert policy.collection.end == dt.date(2024, 12, 31)
    for tier in policy.tiers.values():
        assert isinstance(tier.standard, Unset) and tier.standard.reason
        assert isinstance(tier.fiscal_subsidy, Unset)
        assert isinstance(tier.benefits, Unset)


def test_chongqing_unset_values():
    policy = BOOK.get("chongqing-zhongxian-2024")
    assert list(policy.tiers) == ["tier1", "tier2"]
    assert policy.tiers["tier1"].label == "一档" and policy.tiers["tier1"].standard == 38000
    assert policy.tiers["tier2"].label == "二档" and policy.tiers["tier2"].standard == 75500
    assert all(isinstance(t.fiscal_subsidy, Unset) for t in policy.tiers.values())
    groups = [key for key in policy.categories if key not in REQUIRED_CATEGORY_KEYS]
    assert len(groups) == 11  # 004 §6: seven hardship groups, 脱贫人口, 优抚, 残疾人, 计生特扶
    for key in groups:
        subsidy = policy.categories[key].subsidy
        assert isinstance(subsidy, Unset) and "附件1" in subsidy.reason
    assert not {"orphan", "retired_cadre_spouse", "student_loan"} & set(policy.categories)
    assert policy.categories["student"].tiers == ("tier1", "tier2")
    assert policy.categories["student"].benefit_tier is None
    assert policy.late.end == dt.date(2024, 9, 30)  # type: ignore[union-attr]
    assert isinstance(policy.waiting, Chongqing2024Waiting)
    assert policy.waiting.hardship_categories == {
        "extreme_poverty",
        "minimum_living",
        "low_income_edge",
        "returned_to_poverty",
        "unstable_lifted",
        "edge_poverty_risk",
        "sudden_hardship",
    }
    assert policy.waiting.no_waiting_categories == {"lifted_from_poverty"}
    assert policy.waiting.freshman_payable_from == dt.date(2023, 9, 1)
    assert policy.newborn.window_days == 90


def test_get_unknown_policy_lists_known_keys():
    with pytest.raises(UnknownPolicy) as info:
        BOOK.get("beijing-2024")
    error = info.value
    assert isinstance(error, NotFound) and isinstance(error, ServiceError)
    assert error.code == "unknown_policy"
    assert "beijing-2024" in error.message
    assert "tianjin-2024" in error.message and "chongqing-zhongxian-2024" in error.message


def test_empty_book():
    book = PolicyBook()
    assert book.keys() == [] and list(book) == []
    with pytest.raises(UnknownPolicy):
        book.get("tianjin-2024")


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1010.00", 101000), ("380", 38000), ("0.5", 50), ("0.05", 5), ("0", 0), ("12.3", 1230)],
)
def test_parse_amount_fen(text, fen):
    assert parse_amount_fen(text) == fen


@pytest.mark.parametrize(
    "text", ["1010.001", "-1.00", "1,010.00", "", "01.00", "1e3", ".5", "1.", " 1.00"]
)
def test_parse_amount_fen_refuses(text):
    assert parse_amount_fen(text) is None


# --- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('standard = "1010.00"', 'standard = "1010.001"', "tiers.high.standard", "金额格式不正确"),
        ('standard = "1010.00"', 'standard = "-1010.00"', "tiers.high.standard", "金额格式不正确"),
        ('standard = "1010.00"', "standard = 1010.0", "tiers.high.standard", "带引号"),
        ('standard = "1010.00"', "standard = 1010", "tiers.high.standard", "带引号"),
        ("year = 2024\n", "", "year", "缺少必填字段"),
        ("year = 2024\n", 'year = 2024\ncolour = "red"\n', "colour", "未知字段"),
        ('label = "高档"', 'label = "高档"\nprice = "1.00"', "tiers.high.price", "未知字段"),
        ("start = 2023-10-10", 'start = "2023-13-01"', "periods.collection.start", "日期格式"),
        (
            "start = 2023-10-10",
            "start = 2023-10-10T08:00:00",
            "periods.collection.start",
            "日期格式",
        ),
        ("start = 2023-10-10", "start = 2024-01-10", "periods.collection", "晚于"),
        ('tiers = ["low", "high"]', 'tiers = ["low", "top"]', "categories.adult.tiers", "top"),
        (
            'benefit_tier = "high"',
            'benefit_tier = "gold"',
            "categories.student.benefit_tier",
            "gold",
        ),
        ('subsidy = "full"', 'subsidy = "half"', "categories.extreme_poverty.subsidy", "unset"),
        ("[categories.orphan]", "[categories.orphans]", "categories.orphans", "未知的参保类别"),
        ('low_tier = "low"', 'low_tier = "base"', "low_tier", "base"),
        ('rules = "tianjin-2024"', 'rules = "beijing"', "rules", "未知的待遇规则集"),
        ('key = "tianjin-2024"', 'key = "tianjin-2042"', "key", "文件名"),
        ("waiting_months = 6", "waiting_months = -6", "waiting.waiting_months", "整数"),
        ("waiting_months = 6\n", "", "waiting.waiting_months", "缺少必填字段"),
        (
            "waiting_months = 6",
            "waiting_months = 6\nwaiting_days = 90",
            "waiting.waiting_days",
            "未知字段",
        ),
        (
            'new_pupil_categories = ["student", "child"]',
            'new_pupil_categories = ["pupil"]',
            "waiting.new_pupil_categories",
            "pupil",
        ),
        ("window = { months = 4 }", "window = { months = 4, days = 90 }", "newborn.window", "只须"),
        (
            'fiscal_subsidy = { unset = "001 §1(1)',
            'fiscal_subsidy = { unset = "", x = "001',
            "tiers.low.fiscal_subsidy",
            "unset",
        ),
        ("year = 2024", 'year = { unset = "不知道" }', "year", "整数"),
        (
            "late = { start = 2024-01-01, end = 2024-12-31",
            "late = { start = 2024-01-01, end = 2025-01-31",
            "periods.late",
            "补缴期",
        ),
        (
            'document_no = "津医保局发〔2023〕72号"',
            "document_no = 72",
            "sources[0].document_no",
            "文本",
        ),
    ],
)
def test_bad_field_is_named_with_the_file(tmp_path, old, new, field, problem):
    error = load_error(tmp_path, edited("tianjin-2024", old, new))
    assert error.code == "policy_file_invalid"
    assert error.message.startswith("政策配置文件 tianjin-2024.toml 字段 ")
    assert error.field == field
    assert f"字段 {field}：" in error.message
    assert problem in error.message


def test_missing_category_is_named(tmp_path):
    text = builtin_text("tianjin-2024")
    start = text.index("[categories.child]")
    end = text.index("[categories.newborn]")
    error = load_error(tmp_path, text[:start] + text[end:])
    assert error.field == "categories"
    assert "缺少参保类别 child" in error.message


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            'age = { from = 18, source = "POLICY.md §2（成年居民）" }',
            "age = { from = 18, below = 10 }",
            "categories.adult.age",
            "from 须小于 below",
        ),
        (
            'age = { from = 18, source = "POLICY.md §2（成年居民）" }',
            'age = { source = "x" }',
            "categories.adult.age",
            "须写 from",
        ),
        (
            'age = { from = 18, source = "POLICY.md §2（成年居民）" }',
            "age = { from = -1 }",
            "categories.adult.age.from",
            "之间的整数",
        ),
        (
            'minor_benefit_tier = "high"  # 000 §2(2)',
            'minor_benefit_tier = "top"  # 000 §2(2)',
            "categories.extreme_poverty.minor_benefit_tier",
            "档次 top 不存在",
        ),
        (
            'give_up_subsidy = { min_age = 18, source = "000 §7(1)3" }',
            'give_up_subsidy = { min_age = 18, source = "000 §7(1)3", tier = "high" }',
            "categories.extreme_poverty.give_up_subsidy.tier",
            "未知字段",
        ),
    ],
)
def test_new_category_fields_are_validated_in_chinese(tmp_path, old, new, field, words):
    """The fields added for issue 8 are checked like every other (for the policy editor)."""
    text = builtin_text("tianjin-2024")
    assert old in text
    error = load_error(tmp_path, text.replace(old, new, 1))
    assert error.field == field and words in error.message


def test_give_up_subsidy_needs_a_subsidised_category_with_two_tiers(tmp_path):
    text = builtin_text("tianjin-2024")
    block = '[categories.adult]\nlabel = "城乡未就业居民（成年）、灵活就业人员"\n'
    assert block in text
    bad = text.replace(
        block, block + 'default_tier = "low"\ngive_up_subsidy = { min_age = 18 }\n', 1
    )
    error = load_error(tmp_path, bad)
    assert error.field == "categories.adult.give_up_subsidy" and "享受资助" in error.message


def test_chongqing_optional_waiting_fields_are_validated(tmp_path):
    text = builtin_text("chongqing-zhongxian-2024")
    bad = text.replace(
        'no_waiting_categories = ["lifted_from_poverty"]', 'no_waiting_categories = ["x"]'
    )
    error = load_error(tmp_path, bad, key="chongqing-zhongxian-2024")
    assert error.field == "waiting.no_waiting_categories" and "参保类别 x 不存在" in error.message


def test_bad_toml_names_the_file(tmp_path):
    error = load_error(tmp_path, edited("tianjin-2024", "start = 2023-10-10", "start = 2023-02-30"))
    assert "tianjin-2024.toml" in error.message and "TOML" in error.message


def test_unreadable_file(tmp_path):
    with pytest.raises(PolicyFileError) as info:
        load_policy_file(tmp_path / "nothing.toml")
    assert "nothing.toml" in info.value.message


def test_unset_value_loads_as_unset(tmp_path):
    text = edited(
        "tianjin-2024", 'standard = "1010.00"', 'standard = { unset = "高档标准尚未公布" }'
    )
    policy = load_policy_file(write_policy(tmp_path, "tianjin-2024", text))
    assert policy.tiers["high"].standard == Unset("高档标准尚未公布")


def test_collection_period_cannot_be_unset(tmp_path):
    error = load_error(
        tmp_path,
        edited(
            "tianjin-2024",
            'collection = { start = 2023-10-10, end = 2023-12-31, source = "000 §3" }',
            'collection = { unset = "不知道" }',
        ),
    )
    assert error.field == "periods.collection.start"


# --- extra folders -----------------------------------------------------------


def test_extra_folder_adds_a_new_policy(tmp_path):
    write_policy(tmp_path / "extra", "tianjin-2026", rates_2026())
    book = load_policies([tmp_path / "extra"])
    assert "tianjin-2026" in book.keys() and len(book) == 5
    policy = book.get("tianjin-2026")
    assert policy.tiers["high"].standard == 105000
    assert policy.path == tmp_path / "extra" / "tianjin-2026.toml"
    assert book.get("tianjin-2024").path.parent == BUILTIN


def test_extra_file_with_builtin_key_is_an_error_naming_both(tmp_path):
    path = write_policy(tmp_path, "tianjin-2024", builtin_text("tianjin-2024"))
    with pytest.raises(PolicyFileError) as info:
        load_policies([tmp_path])
    error = info.value
    assert error.code == "duplicate_policy"
    assert str(path) in error.message
    assert str(BUILTIN / "tianjin-2024.toml") in error.message
    assert "replaces_builtin" in error.message


def test_extra_file_may_replace_a_builtin_when_it_says_so(tmp_path):
    text = (
        builtin_text("tianjin-2025")
        .replace('rules = "tianjin-2025"', 'rules = "tianjin-2025"\nreplaces_builtin = true')
        .replace(
            'standard = { unset = "2025年度高档个人缴费标准未在政策文件中公布" }',
            'standard = "1010.00"',
        )
    )
    write_policy(tmp_path, "tianjin-2025", text)
    book = load_policies([tmp_path])
    policy = book.get("tianjin-2025")
    assert policy.replaces_builtin and policy.tiers["high"].standard == 101000
    assert len(book) == 4


def test_replaces_builtin_needs_a_builtin(tmp_path):
    write_policy(
        tmp_path,
        "tianjin-2026",
        rates_2026().replace(
            'rules = "tianjin-2025"', 'rules = "tianjin-2025"\nreplaces_builtin = true'
        ),
    )
    with pytest.raises(PolicyFileError) as info:
        load_policies([tmp_path])
    assert info.value.field == "replaces_builtin"


def test_same_key_in_two_extra_folders_is_an_error(tmp_path):
    first = write_policy(tmp_path / "a", "tianjin-2026", rates_2026())
    second = write_policy(tmp_path / "b", "tianjin-2026", rates_2026())
    with pytest.raises(PolicyFileError) as info:
        load_policies([tmp_path / "a", tmp_path / "b"])
    assert str(first) in info.value.message and str(second) in info.value.message


def test_bad_file_in_extra_folder_names_it(tmp_path):
    write_policy(tmp_path, "tianjin-2026", rates_2026().replace('"400.00"', '"400,00"'))
    with pytest.raises(PolicyFileError) as info:
        load_policies([tmp_path])
    assert "tianjin-2026.toml 字段 tiers.low.standard" in info.value.message


def test_missing_extra_folder(tmp_path):
    with pytest.raises(PolicyFileError) as info:
        load_policies([tmp_path / "absent"])
    assert info.value.code == "policy_dir_missing"
    assert "absent" in info.value.message


def test_policy_dirs_from_env():
    value = os.pathsep.join(["/srv/a", "", "/srv/b"])
    assert policy_dirs_from_env({"YIBAO_POLICY_DIR": value}) == [Path("/srv/a"), Path("/srv/b")]
    assert policy_dirs_from_env({}) == []


def test_policy_dirs_from_process_env(monkeypatch, tmp_path):
    monkeypatch.setenv("YIBAO_POLICY_DIR", str(tmp_path))
    assert policy_dirs_from_env() == [tmp_path]
