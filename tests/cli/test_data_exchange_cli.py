"""``main.py import-roster`` and ``main.py export`` end to end, on a real database file."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from cash_lines import cash_line, make_desk  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from roster_files import person, workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

import main  # noqa: E402
from db.models import AuditEntry  # noqa: E402

HEADERS = ("姓名", "公民身份号码", "村（社区）", "联系电话")


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return make_desk(s)


def run(capsys, db_path: Path, *argv: str) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    code = main.main(["--db", f"sqlite:///{db_path}", *argv])
    out = capsys.readouterr().out
    try:
        return code, json.loads(out)
    except json.JSONDecodeError:
        return code, out


def test_import_roster_json_dry_run_and_second_import(office, db_path, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [("张三", person(1), "东村", "13800000001"), ("李四", "123", "东村", "")]
    path = workbook(tmp_path / "list.xlsx", HEADERS, rows, title="平台已登记名单")
    code, data = run(capsys, db_path, "import-roster", str(path), "--dry-run", "--json")
    assert code == 0
    assert data == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [{"row": 5, "reason": data["rejected"][0]["reason"]}],  # type: ignore[index]
    }
    assert "18位" in data["rejected"][0]["reason"]  # type: ignore[index]
    code, data = run(capsys, db_path, "import-roster", str(path), "--kind", "last-year", "--json")
    assert data["created"] == 1  # type: ignore[index]  # the dry run wrote nothing
    code, data = run(capsys, db_path, "import-roster", str(path), "--kind", "last-year", "--json")
    assert (data["created"], data["unchanged"]) == (0, 1)  # type: ignore[index]


def test_import_roster_names_the_missing_header(office, db_path, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "odd.xlsx", ("人员", "号码"), [("张三", person(2))])
    code, data = run(capsys, db_path, "import-roster", str(path), "--json")
    assert code == 2 and data["error"] == "roster_columns"  # type: ignore[index]
    assert "公民身份号码" in data["message"] and "号码" in data["message"]  # type: ignore[index]


def test_export_ledger_writes_a_workbook(office, db, db_path, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    day = dt.datetime(2023, 11, 6, 10)
    with db.write() as s:
        cash_line(s, office, "payment", 38_000, day)
        cash_line(s, office, "payment", 101_000, day, channel="pos", village=1)
        cash_line(s, office, "void", 38_000, day + dt.timedelta(hours=1))
    out = tmp_path / "台账.xlsx"
    code, data = run(
        capsys,
        db_path,
        "export",
        "ledger",
        "--from",
        "2023-11-01",
        "--to",
        "2023-11-30",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0 and data["rows"] == 3  # type: ignore[index]
    assert data["totals_fen"]["cash_on_hand"] == 0  # type: ignore[index]
    sheet = load_workbook(out)["台账"]
    assert sheet["A1"].value.startswith("芦台街道办事处 现金台账")
    with db.read() as s:  # every export is journalled (issue 10)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.subject == "ledger" and "台账.xlsx" in entry.details
    code, data = run(
        capsys, db_path, "export", "payments", "--village", "北村", "--out", str(out), "--json"
    )
    assert code == 2 and "北村" in data["message"]  # type: ignore[index]
    code, text = run(capsys, db_path, "export", "unpaid", "--out", str(tmp_path / "u.xlsx"))
    assert code == 0 and "未缴费名单" in str(text)


def test_export_payments_of_an_unknown_deposit_is_refused(
    office, db_path, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "d.xlsx"
    code, data = run(
        capsys, db_path, "export", "payments", "--deposit", "YH-001", "--out", str(out), "--json"
    )
    assert code == 2 and data["error"] == "deposit_not_found"  # type: ignore[index]
    assert not out.exists()
