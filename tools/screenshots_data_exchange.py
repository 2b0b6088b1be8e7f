"""Pictures of the data exchange for docs/: the 报表 page's weekly return with
its charts, the roster import dialog at its mapping step, the printed weekly
return, and the 入库 page at 1024x768 after exporting the 缴费清册 of a deposit.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tools.screenshots_data_exchange --db DEMO.sqlite3
        [--deposit-only]

``DEMO.sqlite3`` is a demo office (``main.py demo-data``); it is copied, never
changed. Village targets are set from the register, then three lists go in
through the real import: last year's list (with reasons for those who will
not enrol), the platform's registered list and a paid-elsewhere list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select, update

from common.idcard import check_character
from db.engine import Database
from db.migrate import upgrade_database
from db.models import Enrollment, Office, Operator, Payment, Resident, Village
from printing.progress_report import render_weekly_return
from services.clock import FixedClock
from services.policy import load_policies
from services.roster_file import guess_mapping, read_roster
from services.roster_import import import_roster
from tools.screenshots import save, settle
from ui.app import style_app
from ui.context import AppContext, OperatorSession
from ui.data_exchange.file_chooser import FixedFileChooser
from ui.machine_settings import MachineSettings
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.pages.reports_page import ReportsPage
from ui.printing_bridge import RecordingOutput

REASONS = ("参军", "服刑", "死亡", "失联", "外出/异地参保", "职工医保", "自愿放弃")


def _id(first17: str) -> str:
    return first17 + check_character(first17)


def _write(path: Path, headers: list[str], rows: list[list[object]], title: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def prepare(db: Database, clock: FixedClock, work: Path) -> tuple[int, int]:
    rng = random.Random(13)
    with db.write() as s:
        office_id = int(s.scalar(select(Office.id)) or 0)
        for vid, n in s.execute(
            select(Resident.village_id, func.count()).group_by(Resident.village_id)
        ).all():
            target = int(n * rng.uniform(1.02, 1.12))
            s.execute(update(Village).where(Village.id == vid).values(target=target))
        people = s.execute(
            select(Resident.name, Resident.id_number, Village.name, Enrollment.status)
            .join(Village, Village.id == Resident.village_id)
            .join(Enrollment, Enrollment.resident_id == Resident.id)
        ).all()
    last_year = [[n, i, v, ""] for n, i, v, _s in people if rng.random() < 0.93]
    for row in rng.sample(last_year, 60):
        row[3] = rng.choice(REASONS)
    unpaid = [p for p in people if p[3] == "registered"]
    paid_elsewhere = [
        [n, i, v, "微信", f"420000{rng.randrange(10**10):010d}"] for n, i, v, _s in unpaid[:25]
    ]

    lists = (
        (
            "last_year",
            ["姓名", "公民身份号码", "村（社区）", "未参保原因"],
            last_year,
            "上年参保名单",
        ),
        (
            "paid_elsewhere",
            ["姓名", "身份证号", "村", "缴费渠道", "交易流水号"],
            paid_elsewhere,
            "其他渠道缴费名单",
        ),
    )
    for kind, headers, rows, title in lists:
        table = read_roster(_write(work / f"{kind}.xlsx", headers, list(map(list, rows)), title))
        with db.write() as s:
            import_roster(
                s,
                clock,
                office_id=office_id,
                table=table,
                mapping=guess_mapping(table.headers),
                kind=kind,
                policy_year=2024,
            )
    return office_id, len(people)


def deposit_export_shot(ctx: AppContext, ops: Operations, work: Path, out: Path) -> Path:
    """The 入库 page in the window at 1024x768: the latest deposit selected in
    the register and its 缴费清册 just exported (导出缴费清册…)."""
    machine = MachineSettings(
        QSettings(str(work / "machine.ini"), QSettings.Format.IniFormat),
        system_printer=lambda: "HP LaserJet Pro M404",
    )
    window = MainWindow(ctx, ops, documents=RecordingOutput(), machine=machine)
    window.resize(1024, 768)
    window.show()
    page: Any = window.show_page("deposit")
    today = ctx.clock.now().date()
    page.reg_from.setDate(QDate(today.year, today.month, today.day).addDays(-14))
    exports = page.payments_export
    exports.runner.chooser = FixedFileChooser(work)
    page.register_view.selectRow(page.register.rowCount() - 1)
    exports.button.click()
    while exports.runner.running:
        settle(100)
    settle(300)
    path = save(window, out / "1024x768", "23-deposit-payments-export")
    window.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--shots", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--documents", type=Path, default=Path("docs/documents"))
    parser.add_argument(
        "--deposit-only", action="store_true", help="only the 入库 page's 缴费清册 export"
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="yibao-shots-"))
    shutil.copyfile(args.db, work / "demo.sqlite3")
    db = Database(f"sqlite:///{work / 'demo.sqlite3'}")
    upgrade_database(db)
    with db.read() as s:
        last = s.scalar(select(func.max(Payment.business_date)))
        boss = s.execute(
            select(Operator.id, Operator.display_name).where(Operator.role == "supervisor")
        ).first()
    assert last is not None and boss is not None
    clock = FixedClock(dt.datetime.combine(last, dt.time(16, 30)))
    if args.deposit_only:
        with db.read() as s:
            office_id = int(s.scalar(select(Office.id)) or 0)
    else:
        office_id, _people = prepare(db, clock, work)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    style_app(app)  # type: ignore[arg-type]
    with db.read() as s:
        office_name = s.scalar(select(Office.name)) or ""
    ctx = AppContext(
        db=db,
        clock=clock,
        policies=load_policies(),
        session=OperatorSession(office_id, office_name, boss[0], boss[1], "supervisor"),
    )
    ops = Operations(ctx)
    ops.show_dialogs = False
    args.shots.mkdir(parents=True, exist_ok=True)
    print(deposit_export_shot(ctx, ops, work, args.shots))
    if args.deposit_only:
        db.dispose()
        return 0
    output = RecordingOutput()
    odd = _write(
        work / "平台名单.xlsx",
        ["序号", "人员姓名", "身份证件号", "村（社区）", "联系电话", "户号"],
        [
            [1, "张新华", _id("12022119800101123"), "东关村", "13800000001", "H0001"],
            [2, "李秀兰", "120221198203041235", "东关村", "13800000002", "H0002"],
            [3, "王建国", _id("12022119750606321"), "北辰村", "", "H0003"],
            [4, "赵淑芬", _id("12022119900909456"), "西关村", "１３９００００００１", "H0004"],
        ],
        "2024年度平台已登记名单",
    )
    page = ReportsPage(ctx, ops, documents=output, chooser=FixedFileChooser(work, odd))
    page.resize(1366, 860)
    page.show()
    page.finish_loading()
    page.tabs.setCurrentWidget(page.weekly)
    page.weekly.refresh()
    settle(400)
    args.shots.mkdir(parents=True, exist_ok=True)
    print(save(page, args.shots, "13-reports-weekly"))

    dialog = page.weekly.open_import()
    dialog.choose_file()
    while dialog.job is not None or dialog.table is None:
        settle(100)
    settle(300)
    print(save(dialog, args.shots, "14-roster-import-mapping"))
    dialog.set_column("id_number", 2)
    dialog.set_column("name", 1)
    dialog.start(dry_run=True)
    while dialog.job is not None:
        settle(100)
    settle(200)
    print(save(dialog, args.shots, "15-roster-import-result"))
    dialog.close()

    assert page.weekly.report is not None
    pdf = render_weekly_return(page.weekly.report, clock.now())
    args.documents.mkdir(parents=True, exist_ok=True)
    pdf_path = work / "weekly_return.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(args.documents / "weekly_return"),
        ],
        check=True,
    )
    print(args.documents / "weekly_return.png")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
