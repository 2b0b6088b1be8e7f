"""Importing the bureau's lists from real workbooks (openpyxl) and CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_desk
from roster_files import person, workbook
from sqlalchemy import func, select

from common.errors import InputError
from common.idcard import parse_id
from db.engine import Database
from db.models import NotEnrolledReason, Resident, RosterChange, RosterImport, RosterMark
from services.roster_file import guess_mapping, read_roster, unknown_headers
from services.roster_import import ImportCancelled, import_roster
from services.roster_marks import (
    PAID_ELSEWHERE_WARNING,
    not_enrolled_reason_of,
    paid_elsewhere,
    record_not_enrolled_reason,
)

HEADERS = ("序号", "村（社区）", "联系电话", "姓名", "户号", "公民身份号码", "参保档次")


@pytest.fixture
def desk(db: Database):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return make_desk(s)


def run(db, clock, desk, path: Path, kind: str = "registered", **kw):  # type: ignore[no-untyped-def]
    table = read_roster(path)
    mapping = kw.pop("mapping", None) or guess_mapping(table.headers)
    with db.write() as s:
        return import_roster(
            s,
            clock,
            office_id=desk.office_id,
            table=table,
            mapping=mapping,
            kind=kind,
            policy_year=2024,
            operator_id=desk.clerk_id,
            **kw,
        )


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_title_rows_odd_header_order_and_merged_village_cells(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    rows = [
        (1, "东村", "13800000001", "张三", "H001", person(1), "高档"),
        (2, None, "１３８０００００００２", "李四", "H002", person(2), "低档"),  # merged village
        (3, "西村", 13800000003, "王五", "H003", person(3), "低档"),  # phone as a number
    ]
    path = workbook(
        tmp_path / "平台名单.xlsx",
        HEADERS,
        rows,
        title="2024年度城乡居民医保参保登记名单",
        merge=["B4:B5"],
    )
    table = read_roster(path)
    assert table.header_row == 3 and table.rows[0][0] == 4
    result = run(db, clock, desk, path)
    assert result.as_json() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": []}
    with db.read() as s:
        li = s.scalars(select(Resident).where(Resident.name == "李四")).one()
        assert li.village_id == desk.village_ids[0]  # filled from the merged cell
        assert li.phone == "13800000002"  # full-width digits folded
        assert li.household_no == "H002" and li.name_initials == "ls"
        wang = s.scalars(select(Resident).where(Resident.name == "王五")).one()
        assert wang.phone == "13800000003" and wang.village_id == desk.village_ids[1]
        assert s.scalar(select(func.count()).select_from(RosterMark)) == 3
        record = s.scalars(select(RosterImport)).one()
        assert (record.created, record.rejected, record.file_name) == (3, 0, "平台名单.xlsx")


def test_a_second_import_of_the_same_file_creates_nothing(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    rows = [(i, "东村", "", f"居民{chr(0x4E00 + i)}", "", person(i), "") for i in range(1, 6)]
    path = workbook(tmp_path / "a.xlsx", HEADERS, rows)
    first = run(db, clock, desk, path)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    residents, marks = count(db, Resident), count(db, RosterMark)
    second = run(db, clock, desk, path)
    assert second.as_json() == {"created": 0, "updated": 0, "unchanged": 5, "rejected": []}
    assert (count(db, Resident), count(db, RosterMark)) == (residents, marks)


def test_id_numbers_stored_as_numbers_by_excel(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    # Excel keeps 15 significant digits: a 15-digit (old) number survives a
    # number cell exactly, an 18-digit one loses its last digits.
    legacy = 120221750312015
    rows = [
        (1, "东村", "", "赵六", "", legacy, ""),
        (2, "东村", "", "钱七", "", int(person(13)), ""),
    ]
    path = workbook(tmp_path / "numbers.xlsx", HEADERS, rows)
    result = run(db, clock, desk, path)
    assert result.created == 1
    assert [r.row for r in result.rejected] == [3]
    assert "存成了数字" in result.rejected[0].reason
    with db.read() as s:
        stored = s.scalar(select(Resident.id_number).where(Resident.name == "赵六"))
    assert stored == parse_id(str(legacy)).number and len(stored) == 18


def test_bad_rows_are_listed_with_row_number_and_reason(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    good = person(21)
    bad_check = person(22)[:17] + ("0" if person(22)[17] != "0" else "1")
    rows = [
        (1, "东村", "", "好人", "", good, ""),
        (2, "东村", "", "错号", "", bad_check, ""),
        (3, "北村", "", "外村", "", person(23), ""),
        (4, "东村", "", "", "", person(24), ""),
        (5, "东村", "", "重复", "", good, ""),
        (6, "", "", "无村", "", person(25), ""),
        (None, None, None, None, None, None, None),  # an empty row is skipped silently
    ]
    path = workbook(tmp_path / "bad.xlsx", HEADERS, rows)
    result = run(db, clock, desk, path)
    assert result.created == 1
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "校验位" in reasons[3]
    assert "北村" in reasons[4]
    assert "姓名" in reasons[5]
    assert "第 2 行" in reasons[6]
    assert "村（社区）" in reasons[7]


def test_existing_person_gets_basic_information_and_the_change_is_kept(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "a.xlsx", HEADERS, [(1, "东村", "", "张三", "", person(31), "")])
    run(db, clock, desk, path)
    newer = workbook(
        tmp_path / "b.xlsx", HEADERS, [(1, "西村", "13900000000", "张三", "H9", person(31), "")]
    )
    result = run(db, clock, desk, newer, kind="last_year")
    assert (result.created, result.updated) == (0, 1)
    with db.read() as s:
        zhang = s.scalars(select(Resident).where(Resident.name == "张三")).one()
        assert (zhang.village_id, zhang.phone, zhang.household_no) == (
            desk.village_ids[1],
            "13900000000",
            "H9",
        )
        fields = set(s.scalars(select(RosterChange.field)).all())
        assert fields == {"village_id", "phone", "household_no"}
        years = set(s.scalars(select(RosterMark.policy_year).where(RosterMark.kind == "last_year")))
        assert years == {2023}  # last year's list belongs to the year before


def test_a_different_name_is_refused_not_overwritten(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    run(
        db,
        clock,
        desk,
        workbook(tmp_path / "a.xlsx", HEADERS, [(1, "东村", "", "张三", "", person(41), "")]),
    )
    result = run(
        db,
        clock,
        desk,
        workbook(tmp_path / "b.xlsx", HEADERS, [(1, "东村", "", "张叁", "", person(41), "")]),
    )
    assert result.rejected[0].row == 2 and "张三" in result.rejected[0].reason
    with db.read() as s:
        assert s.scalar(select(Resident.name).where(Resident.id_number == person(41))) == "张三"


def test_paid_elsewhere_list_flags_the_person(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    headers = ("身份证号", "姓名", "村", "缴费渠道")
    path = workbook(tmp_path / "paid.xlsx", headers, [(person(51), "孙八", "东村", "微信")])
    run(db, clock, desk, path, kind="paid_elsewhere")
    with db.read() as s:
        rid = s.scalar(select(Resident.id).where(Resident.name == "孙八"))
        found = paid_elsewhere(s, rid, 2024)
        assert found is not None and found.message.startswith(PAID_ELSEWHERE_WARNING)
        assert "微信" in found.message
        assert paid_elsewhere(s, rid, 2023) is None


def test_not_enrolled_reasons_from_the_list_and_by_hand(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    headers = ("姓名", "证件号码", "村（社区）", "未参保原因")
    rows = [("周九", person(61), "东村", "参军"), ("吴十", person(62), "东村", "飞天")]
    result = run(db, clock, desk, workbook(tmp_path / "r.xlsx", headers, rows), kind="last_year")
    assert result.created == 1 and "飞天" in result.rejected[0].reason
    with db.write() as s:
        rid = s.scalar(select(Resident.id).where(Resident.name == "周九"))
        assert not_enrolled_reason_of(s, rid, 2024) == "参军"
        record_not_enrolled_reason(
            s, clock, resident_id=rid, policy_year=2024, reason="deceased", operator_id=None
        )
        assert not_enrolled_reason_of(s, rid, 2024) == "死亡"
        with pytest.raises(InputError):
            record_not_enrolled_reason(
                s, clock, resident_id=rid, policy_year=2024, reason="bored", operator_id=None
            )
    assert count(db, NotEnrolledReason) == 1


def test_unknown_header_needs_a_mapping(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    headers = ("人员姓名", "身份证件号", "所属村组")
    path = workbook(tmp_path / "odd.xlsx", headers, [("郑一", person(71), "东村")])
    table = read_roster(path)
    mapping = guess_mapping(table.headers)
    assert mapping == {}
    assert unknown_headers(table.headers, mapping) == list(headers)
    with pytest.raises(InputError, match="公民身份号码"):
        run(db, clock, desk, path)
    assert count(db, RosterImport) == 0
    result = run(db, clock, desk, path, mapping={"name": 0, "id_number": 1, "village": 2})
    assert result.created == 1


def test_csv_in_gbk_and_dry_run(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    text = "姓名,公民身份号码,村（社区）\n冯二," + person(81) + ",西村\n"
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("gb18030"))
    result = run(db, clock, desk, path, dry_run=True)
    assert result.created == 1 and result.import_id is None
    assert count(db, Resident) == 0 and count(db, RosterImport) == 0
    assert run(db, clock, desk, path).created == 1


def test_cancel_writes_nothing(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    rows = [(i, "东村", "", "某人", "", person(100 + i), "") for i in range(1, 2500)]
    path = workbook(tmp_path / "big.xlsx", HEADERS, rows)
    calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return done < 2000

    with pytest.raises(ImportCancelled):
        run(db, clock, desk, path, progress=progress)
    assert count(db, Resident) == 0 and count(db, RosterImport) == 0
    assert calls[0] == 0


def test_files_that_are_not_rosters_are_refused(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(InputError, match="不是有效"):
        read_roster(tmp_path / "x.xls")
    (tmp_path / "y.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="不是有效"):
        read_roster(tmp_path / "y.xlsx")
    (tmp_path / "z.docx").write_bytes(b"")
    with pytest.raises(InputError, match="csv"):
        read_roster(tmp_path / "z.docx")


def test_a_merged_title_is_not_taken_for_the_header(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    headers = ("序号", "人员姓名", "身份证件号", "村（社区）", "联系电话", "户号")
    path = workbook(
        tmp_path / "t.xlsx", headers, [(1, "郑一", person(91), "东村", "", "")], title="名单"
    )
    table = read_roster(path)
    assert table.header_row == 3 and table.headers[:3] == headers[:3]
    unknown_only = workbook(
        tmp_path / "u.xlsx", ("人员", "号码", "所属"), [("郑二", person(92), "东村")], title="名单"
    )
    assert read_roster(unknown_only).headers == ("人员", "号码", "所属")
