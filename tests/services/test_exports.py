"""Exports reopened with openpyxl and compared with the database to the fen.

The office is the demo office, built through the real services (cash and
non-cash payments, voids, refunds, deposits, closes), so every kind of ledger
line is in the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from common.errors import InputError
from db.engine import Database
from db.migrate import upgrade_database
from db.models import Enrollment, LedgerEntry, Office, Payment, Resident, Village
from services.export_rosters import export_progress, export_unpaid
from services.export_workbook import village_id_by_name
from services.exports import export_ledger, export_payments
from services.ledger_views import cash_on_hand_before
from services.progress import weekly_return
from tools.demo import build_demo_office


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade_database(db)
    build_demo_office(db, residents=300, days=8, bulk=False)
    yield db
    db.dispose()


def fen(value: object) -> int:
    """A money cell back to fen, exactly (openpyxl reads numbers as float)."""
    assert isinstance(value, int | float), value
    cents = Decimal(str(value)) * 100
    assert cents == cents.to_integral_value(), value
    return int(cents)


def office_id(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(Office.id)) or 0)


def bounds(db: Database) -> tuple[dt.date, dt.date]:
    with db.read() as s:
        lo, hi = s.execute(
            select(func.min(LedgerEntry.business_date), func.max(LedgerEntry.business_date))
        ).one()
    return lo, hi


def test_ledger_workbook_matches_the_ledger(demo: Database, tmp_path: Path) -> None:
    oid = office_id(demo)
    lo, hi = bounds(demo)
    start = lo + dt.timedelta(days=2)
    path = tmp_path / "台账.xlsx"
    with demo.read() as s:
        summary = export_ledger(s, oid, path, date_from=start, date_to=hi)
        lines = s.execute(
            select(LedgerEntry.seq, LedgerEntry.amount_fen, LedgerEntry.cash_fen, LedgerEntry.kind)
            .where(LedgerEntry.business_date >= start)
            .order_by(LedgerEntry.business_date, LedgerEntry.seq)
        ).all()
        carried = cash_on_hand_before(s, oid, start)
    book = load_workbook(path)
    assert book.sheetnames == ["台账"]
    sheet = book["台账"]
    assert sheet.freeze_panes == "A3"
    headers = [c.value for c in sheet[2]]
    assert headers[:5] == ["序号", "日期", "时间", "摘要", "票据号/入库单号"]
    col = {h: i for i, h in enumerate(headers)}
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    opening, body, total = rows[0], rows[1:-1], rows[-1]
    assert opening[col["摘要"]] == "上期结存" and fen(opening[col["库存现金（元）"]]) == carried
    assert len(body) == len(lines) == summary.rows
    running = carried
    for row, (seq, amount, cash, kind) in zip(body, lines, strict=True):
        running += cash
        assert row[col["序号"]] == seq
        if kind != "deposit":
            assert fen(row[col["金额（元）"]]) == amount
        assert fen(row[col["库存现金（元）"]]) == running
        number = row[col["公民身份号码"]]
        assert number is None or (isinstance(number, str) and len(number) == 18)
    assert total[col["摘要"]] == "合计"
    assert fen(total[col["库存现金（元）"]]) == running == summary.totals_fen["cash_on_hand"]
    cash_in = sum(c for _s, _a, c, _k in lines if c > 0)
    assert fen(total[col["现金收入（元）"]]) == cash_in
    money_cell = sheet.cell(row=4, column=col["库存现金（元）"] + 1)
    assert money_cell.number_format.startswith("#,##0.00")
    assert sheet.column_dimensions["G"].width >= 18  # the ID-number column


def test_payments_workbook_lists_every_payment_with_channel_and_reference(
    demo: Database, tmp_path: Path
) -> None:
    oid = office_id(demo)
    path = tmp_path / "清册.xlsx"
    with demo.read() as s:
        village_name = s.scalars(select(Village.name).order_by(Village.id)).first()
        assert village_name is not None
        vid = village_id_by_name(s, oid, village_name)
        summary = export_payments(s, oid, path, village_id=vid)
        expected = s.execute(
            select(Payment.amount_fen, Payment.status, Payment.channel, Payment.reference)
            .join(Enrollment, Enrollment.id == Payment.enrollment_id)
            .join(Resident, Resident.id == Enrollment.resident_id)
            .where(Resident.village_id == vid)
            .order_by(Payment.business_date, Payment.paid_at, Payment.id)
        ).all()
        with pytest.raises(InputError):
            village_id_by_name(s, oid, "不存在村")
    sheet = load_workbook(path)["缴费清册"]
    headers = [c.value for c in sheet[2]]
    col = {h: i for i, h in enumerate(headers)}
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert len(body) == len(expected) == summary.rows > 0
    assert {r[col["村（社区）"]] for r in body} == {village_name}
    for row, (amount, _status, _channel, reference) in zip(body, expected, strict=True):
        assert fen(row[col["金额（元）"]]) == amount
        assert (row[col["交易参考号"]] or "") == reference
    standing = sum(a for a, st, _c, _r in expected if st == "completed")
    assert fen(total[col["金额（元）"]]) == standing == summary.totals_fen["standing"]
    assert any(r[col["渠道"]] != "现金" for r in body)


def test_unpaid_list_and_progress_workbooks(demo: Database, tmp_path: Path) -> None:
    oid = office_id(demo)
    _lo, hi = bounds(demo)
    with demo.read() as s:
        year = int(s.scalar(select(func.max(Enrollment.policy_year))) or 0)
        summary = export_unpaid(s, oid, tmp_path / "unpaid.xlsx", policy_year=year)
        unpaid = s.execute(
            select(Resident.id_number, Enrollment.personal_due_fen)
            .join(Enrollment, Enrollment.resident_id == Resident.id)
            .where(Enrollment.policy_year == year, Enrollment.status == "registered")
        ).all()
        report = weekly_return(s, oid, year, hi)
    sheet = load_workbook(tmp_path / "unpaid.xlsx")["未缴费名单"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert {r[3] for r in body} == {n for n, _d in unpaid}
    assert fen(total[7]) == sum(d for _n, d in unpaid) == summary.totals_fen["due"]
    villages = [r[0] for r in body]
    assert villages == sorted(villages)

    export_progress(report, tmp_path / "progress.xlsx")
    book = load_workbook(tmp_path / "progress.xlsx")
    assert book.sheetnames == ["参保进度", "困难群体与未参保原因", "逐周进度"]
    rows = list(book["参保进度"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows[:-1]] == [v.name for v in report.villages]
    assert rows[-1][0] == "合计" and rows[-1][3] == report.total.paid
    assert sum(r[3] for r in rows[:-1]) == report.total.paid


def test_export_refuses_a_bad_name_and_leaves_no_file(demo: Database, tmp_path: Path) -> None:
    with demo.read() as s, pytest.raises(InputError, match="xlsx"):
        export_ledger(s, office_id(demo), tmp_path / "a.csv")
    with demo.read() as s, pytest.raises(InputError, match="文件夹"):
        export_ledger(s, office_id(demo), tmp_path / "no" / "a.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_payments_list_of_one_deposit(demo: Database, tmp_path: Path) -> None:
    from common.errors import NotFound
    from db.models import Deposit
    from services.deposits import deposit_register
    from services.exports import export_deposit_payments

    oid = office_id(demo)
    with demo.read() as s:
        deposit = s.scalars(select(Deposit).order_by(Deposit.id)).first()
        assert deposit is not None
        slip_no = deposit.slip_no
        summary = export_deposit_payments(s, oid, tmp_path / "d.xlsx", slip_no=slip_no)
        row = next(
            r
            for r in deposit_register(s, oid, deposit.business_date, deposit.business_date)
            if r.deposit_id == deposit.id
        )
        days = set(row.collection_dates)
        assert sum(b.remaining_fen for b in row.settled) == deposit.amount_fen
        expected = s.scalar(
            select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(
                Payment.channel == "cash",
                Payment.status == "completed",
                Payment.business_date.in_(days),
            )
        )
        with pytest.raises(NotFound):
            export_deposit_payments(s, oid, tmp_path / "x.xlsx", slip_no="没有这张单")
    sheet = load_workbook(tmp_path / "d.xlsx")["缴费清册"]
    assert slip_no in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    body = [r for r in rows[: summary.rows]]
    assert body and {r[8] for r in body} == {"现金"}
    assert {r[0].date() for r in body} <= days
    assert summary.totals_fen["standing"] == expected


def test_cancelled_export_leaves_no_file_and_cells_keep_their_types(
    demo: Database, tmp_path: Path
) -> None:
    from services.export_workbook import ExportCancelled

    oid = office_id(demo)
    with demo.read() as s, pytest.raises(ExportCancelled):
        export_ledger(s, oid, tmp_path / "台账.xlsx", progress=lambda rows: False)
    assert list(tmp_path.iterdir()) == []

    with demo.read() as s:
        export_payments(s, oid, tmp_path / "清册.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["清册.xlsx"]
    sheet = load_workbook(tmp_path / "清册.xlsx")["缴费清册"]
    assert sheet["A1"].font.bold and sheet["A2"].font.bold
    assert sheet.freeze_panes == "A3"
    day, number, money = sheet["A3"], sheet["E3"], sheet["K3"]
    assert isinstance(day.value, dt.datetime) and day.number_format == "yyyy-mm-dd"
    assert isinstance(number.value, str) and number.number_format == "@"
    assert money.number_format.startswith("#,##0.00")
    assert sheet.column_dimensions["E"].width >= 18
