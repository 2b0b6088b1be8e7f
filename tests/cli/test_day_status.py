"""``main.py day-status``: state, cash on hand, deadline and the day's totals."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from cash_lines import cash_line, make_desk  # noqa: E402

import main  # noqa: E402
from cli import day_status  # noqa: E402
from common.errors import InputError, NotFound  # noqa: E402
from services.business_day import open_day  # noqa: E402

MON = dt.date(2023, 11, 6)


def at(n: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(MON + dt.timedelta(days=n), dt.time(hour))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    day_status.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["day-status", *argv])


@pytest.fixture
def office(db, clock):  # type: ignore[no-untyped-def]
    clock.set(at(0, 8))
    with db.write() as s:
        desk = make_desk(s)
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="200")
        cash_line(s, desk, "payment", 950_000, at(0, 9))
        cash_line(s, desk, "payment", 101_000, at(0, 9), channel="pos")
        cash_line(s, desk, "void", 38_000, at(0, 11))
    return desk


def test_text_output(db, clock, office, capsys) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(0, 17))
    assert day_status.run(parse(), db, clock) == 0
    out = capsys.readouterr().out
    assert "入库状态：warning（预警）" in out
    assert "库存现金：9,120.00 元" in out
    assert "入库期限：2023-11-11" in out
    assert "备用金：200.00 元" in out
    assert "收款 9,500.00 元" in out and "作废 380.00 元" in out
    assert "POS刷卡 1,010.00 元" in out


@pytest.mark.parametrize(
    ("moment", "state"),
    [(at(0, 17), "warning"), (at(5, 9), "due_today"), (at(6, 9), "overdue")],
)
def test_json_output(db, clock, office, capsys, moment, state) -> None:  # type: ignore[no-untyped-def]
    clock.set(moment)
    assert day_status.run(parse("--json", "--office", "LT"), db, clock) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == state
    assert data["cash_on_hand"] == "9120.00" and data["cash_on_hand_fen"] == 912_000
    assert data["deadline"] == "2023-11-11"
    assert data["date"] == moment.date().isoformat()


def test_an_earlier_date_is_told_as_of_its_end(db, clock, office, capsys) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(9))
    day_status.run(parse("--json", "--date", "2023-11-06"), db, clock)
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "warning" and data["totals"]["payments"] == 2
    assert data["totals"]["non_cash"] == {"pos": "1010.00"} and data["opening_float"] == "200.00"


@pytest.mark.parametrize(
    ("argv", "error", "code"),
    [
        (("--office", "NOPE"), NotFound, "office_not_found"),
        (("--date", "2023-13-01"), InputError, "bad_date"),
        (("--date", "2030-01-01"), InputError, "date_in_future"),
    ],
)
def test_bad_arguments_are_refused(db, clock, office, argv, error, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as err:
        day_status.run(parse(*argv), db, clock)
    assert err.value.code == code and err.value.message


def test_several_offices_need_a_code(db, clock, office) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        make_desk(s, code="QT", name="其他街道")
    with pytest.raises(InputError) as err:
        day_status.run(parse(), db, clock)
    assert err.value.code == "office_required"


def test_through_main(db_path, office, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main.main(["day-status", "--db", f"sqlite:///{db_path}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] in ("ok", "warning", "due_today", "overdue")
    assert main.main(["--db", f"sqlite:///{db_path}", "day-status", "--office", "X"]) == 2
    assert "没有代码为" in capsys.readouterr().err
