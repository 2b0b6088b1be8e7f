"""The weekly return on the 报表 page, printing from it, exports from the 报表 and
台账 pages, the roster import dialog (mapping step, progress, cancel) and the
paid-elsewhere warning at the cash desk."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from seeded_desk import add_payment, ctx, fake_id, ops, seed  # noqa: F401
from sqlalchemy import func, select

from db.models import Resident
from ui.data_exchange.file_chooser import FixedFileChooser
from ui.data_exchange.paid_elsewhere_hint import paid_elsewhere_html
from ui.pages.ledger_page import LedgerPage
from ui.pages.reports_page import ReportsPage
from ui.printing_bridge import RecordingOutput

TODAY = dt.datetime(2023, 11, 6, 9, 0)
WAIT = 60_000


def roster(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["城关街道 平台已登记名单"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def output() -> RecordingOutput:
    return RecordingOutput()


@pytest.fixture
def page(qtbot, ctx, ops, db, seed, output, tmp_path):  # noqa: F811
    add_payment(db, seed, when=TODAY, village="东风村")
    add_payment(db, seed, when=TODAY - dt.timedelta(days=9), village="红旗村", channel="qr")
    widget = ReportsPage(ctx, ops, documents=output, chooser=FixedFileChooser(save_to=tmp_path))
    qtbot.addWidget(widget)
    widget.resize(1366, 760)
    widget.show()
    widget.finish_loading()  # the reports are read off the GUI thread
    widget.tabs.setCurrentWidget(widget.weekly)
    return widget


def test_weekly_tab_shows_figures_and_charts(page) -> None:  # type: ignore[no-untyped-def]
    weekly = page.weekly
    report = weekly.report
    assert report is not None and report.week_end == TODAY.date()
    assert report.total.paid == 2 and report.total.paid_this_week == 1
    assert [v.name for v in weekly.bars.rows] == ["东风村", "新华社区", "红旗村"]
    assert [p.paid for p in weekly.curve.points] == [1, 2]
    assert "已缴费 2 人" in weekly.summary.text()
    assert weekly.model.rowCount() == len(report.villages) + 1
    image = weekly.grab().toImage()
    assert not image.isNull()


def test_print_what_the_page_shows(page, output) -> None:  # type: ignore[no-untyped-def]
    page.print_current()
    assert output.documents[-1].kind == "progress"
    assert output.documents[-1].pdf.startswith(b"%PDF")
    page.tabs.setCurrentIndex(0)
    page.print_current()
    assert output.documents[-1].kind == "takings"


def test_export_progress_and_unpaid_from_the_page(qtbot, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.weekly.exports.finished, timeout=WAIT) as done:
        page.weekly.export_progress()
    message, ok = done.args
    assert ok, message
    book = load_workbook(tmp_path / "参保进度周报20231106.xlsx")
    assert book.sheetnames[0] == "参保进度"
    with qtbot.waitSignal(page.weekly.exports.finished, timeout=WAIT) as done:
        page.weekly.export_payments()
    assert done.args[1] and "缴费清册" in done.args[0]


def test_import_dialog_asks_about_an_unknown_header(qtbot, page, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = fake_id(dt.date(1970, 5, 6), 11)
    path = roster(
        tmp_path / "名单.xlsx", ["姓名", "身份证件号", "村（社区）"], [["张新", number, "柳河村"]]
    )
    page.weekly.chooser.open_path = path
    dialog = page.weekly.open_import()
    qtbot.addWidget(dialog)
    dialog.choose_file()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WAIT)
    assert "公民身份号码" in dialog.mapping_note.text()
    assert "身份证件号" in dialog.mapping_note.text()
    assert not dialog.import_button.isEnabled()
    dialog.set_column("id_number", 1)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as done:
        dialog.start(dry_run=False)
    assert done.args[0].created == 1
    assert "新建 1 人" in dialog.report.toPlainText()
    with db.read() as s:
        assert s.scalar(select(Resident.name).where(Resident.id_number == number)) == "张新"
    dialog.close()


def test_cancelling_an_import_writes_nothing(qtbot, page, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [f"人{i}", fake_id(dt.date(1960, 1, 1) + dt.timedelta(days=i), i), "东风村"]
        for i in range(3000)
    ]
    path = roster(tmp_path / "big.xlsx", ["姓名", "公民身份号码", "村（社区）"], rows)
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(Resident))
    dialog = page.weekly.open_import()
    qtbot.addWidget(dialog)
    dialog.load_file(path)
    qtbot.waitUntil(lambda: dialog.table is not None and dialog.job is None, timeout=WAIT)
    dialog.start(dry_run=False)
    assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WAIT)
    assert "取消" in dialog.report.toPlainText()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Resident)) == before


def test_ledger_page_exports_its_dates(qtbot, ctx, ops, db, seed, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    add_payment(db, seed, when=TODAY, village="东风村")
    page = LedgerPage(ctx, ops, documents=RecordingOutput(), chooser=FixedFileChooser(tmp_path))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.exports.runner.finished, timeout=WAIT) as done:
        page.exports.button.click()
    assert done.args[1], done.args[0]
    sheet = load_workbook(tmp_path / "台账20231106-20231106.xlsx")["台账"]
    assert sheet.cell(row=4, column=5).value.startswith("CG2023")  # the receipt number
    assert page.exports.message.isVisible()


def test_paid_elsewhere_warning_line(ops, ctx, db, seed, tmp_path, clock) -> None:  # noqa: F811
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
    from services.roster_file import guess_mapping, read_roster
    from services.roster_import import import_roster

    number = fake_id(dt.date(1980, 3, 3), 21)
    path = roster(
        tmp_path / "paid.xlsx",
        ["姓名", "身份证号", "村", "缴费渠道"],
        [["李付", number, "东风村", "微信"]],
    )
    table = read_roster(path)
    with db.write() as s:
        import_roster(
            s,
            clock,
            office_id=seed.office_id,
            table=table,
            mapping=guess_mapping(table.headers),
            kind="paid_elsewhere",
            policy_year=2024,
        )
        rid = s.scalar(select(Resident.id).where(Resident.id_number == number))
    assert "已通过其他渠道缴费，请核实" in paid_elsewhere_html(ops, rid, 2024)
    assert paid_elsewhere_html(ops, rid, 2025) == ""


def test_recording_a_reason_by_hand(qtbot, page, db) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        number = s.scalar(select(Resident.id_number).order_by(Resident.id))
    dialog = page.weekly.open_reasons()
    qtbot.addWidget(dialog)
    dialog.id_number.setText("123")
    dialog.record()
    assert "18位" in dialog.status.text()
    dialog.id_number.setText(number)
    dialog.reason.setCurrentIndex(dialog.reason.findData("military"))
    dialog.record()
    assert dialog.status.text().startswith("已记录")
    dialog.close()
    page.weekly.refresh()
    assert dict((k, n) for k, _l, n in page.weekly.report.not_enrolled)["military"] == 1
