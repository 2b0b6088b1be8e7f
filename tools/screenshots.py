"""Screenshots of every page, for docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tools.screenshots [--out docs/screenshots]
    # or under Xvfb:  Xvfb :99 &  DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python -m tools.screenshots

Builds a small demo office (``tools.demo``) in a temporary folder — or
copies the one given with ``--db`` so it is not changed — adds a busy morning
at the counter (``tools.screenshot_day``: cash from two earlier days in the
drawer, the oldest banked at opening, a queue of payments in cash and
otherwise, a voided receipt), logs in as the demo clerk, walks the window
through its pages at 1366×768 and saves ``widget.grab()`` of each (the day
close with a counted drawer that is short), plus the dialogs the counter uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from common.denominations import DENOMINATIONS
from common.idcard import check_character
from db.engine import Database, sqlite_path
from db.migrate import upgrade_database
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_totals import count_for_amount
from services.ledger_views import ledger_bounds
from services.office import authenticate
from services.policy import load_policies
from services.registry import find_by_id_number
from tools.demo import DEMO_OPERATORS, build_demo_office
from tools.screenshot_day import CounterDays
from ui.app import style_app
from ui.context import AppContext, OperatorSession
from ui.first_run import FirstRunDialog
from ui.login_dialog import LoginDialog
from ui.machine_settings import MachineSettings
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.page_registry import PAGES
from ui.printing_bridge import RecordingOutput

log = logging.getLogger("screenshots")
SIZE = (1366, 768)


def settle(ms: int = 150) -> None:
    """Let layouts, lazy models and timers catch up before grabbing."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, out: Path, name: str) -> Path:
    settle()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    log.info("wrote %s", path)
    print(path)
    return path


def valid_id(first17: str) -> str:
    return first17 + check_character(first17)


def next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def prepare_db(args: argparse.Namespace, work: Path) -> Database:
    target = work / "screens.sqlite3"
    if args.db:
        source = sqlite_path(args.db)
        if source is None:
            raise SystemExit("--db must be a SQLite file URL")
        # SQLite's online backup: a consistent copy, WAL included
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        db = Database(f"sqlite:///{target}")
        upgrade_database(db)
        return db
    db = Database(f"sqlite:///{target}")
    upgrade_database(db)
    build_demo_office(db, residents=args.residents, days=args.days, seed=20231010)
    return db


def shoot(args: argparse.Namespace) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    style_app(app)  # type: ignore[arg-type]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    policies = load_policies()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # --- first run, on an empty database -------------------------------------------
        empty = Database(f"sqlite:///{work / 'empty.sqlite3'}")
        upgrade_database(empty)
        clock0 = FixedClock(dt.datetime(2023, 10, 9, 8, 30))
        first = FirstRunDialog(
            AppContext(empty, clock0, policies), Operations(AppContext(empty, clock0, policies))
        )
        first.code.setText("NHLT")
        first.policy.setCurrentIndex(max(first.policy.findData("tianjin-2024"), 0))
        first.name.setText("宁河区芦台街道便民服务中心")
        first.prefix.setText("LT")
        first.villages.setPlainText("东关村\n西关村\n桥北社区")
        first.username.setText("super")
        first.display_name.setText("张建国")
        first.password.setText("super-2023")
        first.password2.setText("super-2023")
        first.show()
        shots.append(save(first, out, "00-first-run"))
        first.close()
        empty.dispose()

        # --- the demo office ---------------------------------------------------------------
        db = prepare_db(args, work)
        with db.read() as s:
            operator = authenticate(s, DEMO_OPERATORS[1][0], DEMO_OPERATORS[1][1])
            boss = authenticate(s, DEMO_OPERATORS[0][0], DEMO_OPERATORS[0][1])
            _first, last = ledger_bounds(s, operator.office_id)
        quiet_a = next_weekday(last or dt.date(2023, 10, 9))
        quiet_b = next_weekday(quiet_a)
        today = next_weekday(quiet_b)
        clock = FixedClock(dt.datetime.combine(quiet_a, dt.time(8, 0)))
        ctx = AppContext(db, clock, policies)
        ops = Operations(ctx)
        ops.show_dialogs = False
        CounterDays(
            ops, clock, office_id=operator.office_id, clerk_id=operator.id, supervisor_id=boss.id
        ).run((quiet_a, quiet_b), today)
        clock.set(dt.datetime.combine(today, dt.time(11, 26)))

        login = LoginDialog(ctx, ops)
        login.username.setText(DEMO_OPERATORS[1][0])
        login.password.setText(DEMO_OPERATORS[1][1])
        login.show()
        shots.append(save(login, out, "01-login"))
        sessions: list[OperatorSession] = []
        login.loggedIn.connect(sessions.append)
        login.try_login()
        assert sessions, ops.last_error
        ctx.session = sessions[0]

        documents = RecordingOutput()
        # this computer's settings in the temporary folder, never the user's own
        machine = MachineSettings(
            QSettings(str(work / "machine.ini"), QSettings.Format.IniFormat),
            system_printer=lambda: "HP LaserJet Pro M404",
        )
        window = MainWindow(ctx, ops, documents=documents, machine=machine)
        window.resize(*args.size)
        window.show()
        settle(300)

        def page_shot(
            key: str, name: str, prepare: Callable[[QWidget], None] | None = None
        ) -> None:
            page = window.show_page(key)
            finish = getattr(page, "finish_loading", None)
            if callable(finish):  # pages reading off the GUI thread (报表)
                finish()
            if prepare is not None:
                prepare(page)
            shots.append(save(window, out, name))

        resident_ids = demo_ids(window, ops)

        # the pages are driven by their own attributes: typed as Any here
        def register(page: Any) -> None:
            page.id_input.setText(valid_id("12022119880315061"))
            page.name.setText("刘晓明")
            page.phone.setText("13612345678")
            page.village.setCurrentIndex(1)
            page.choose_tier("high")

        def collect(page: Any) -> None:
            """The clerk typed the surname and picked the resident from the list."""
            for number in resident_ids:
                found = ops.read(find_by_id_number, number)
                if found is None:
                    continue
                surname = found.name[:1]
                page.search_box.setText(surname)
                rows = page.search_now()
                row = next((i for i, r in enumerate(rows) if r.id_number == number), None)
                if row is not None:
                    page.results.selectRow(row)
                    page.show_resident(rows[row])
                    return
            if resident_ids:  # not among the first results: by the ID number's tail
                page.search_box.setText(resident_ids[0][-6:])
                page.search_now()

        page_shot("register", "02-register", register)
        page_shot("collect", "03-collect", collect)
        collect_page: Any = window.page("collect")
        if collect_page.cash_button.isEnabled():
            collect_page.start_payment(cash=True)
            dialog = collect_page.collect_actions.dialog
            due = Decimal(dialog.amount.text().replace(",", "") or "0")
            dialog.received.setText(str((due // 100 + 1) * 100))  # a round sum, with change
            shots.append(save(dialog, out, "04-cash-payment-dialog"))
            dialog.try_submit()  # takes the cash; the receipt goes to `documents`
            shots.append(save(window, out, "04b-collect-after-payment"))
            receipts = documents.of_kind("receipt")
            if receipts:
                shots.extend(preview_shot(receipts[-1].pdf, receipts[-1].title, out))

        def day_close(page: Any) -> None:
            """The drawer counted ten yuan short, the reason typed in."""
            expected = ops.read(
                lambda s: preview_close(s, clock, office_id=ctx.office_id, denominations={})
            ).expected_fen
            page.count.clear()
            page.recount()
            window._update_blind()
            # the blind count: no cash figure in the page, the status bar or the banner
            shots.append(save(window, out, "07a-day-close-blind-count"))
            pieces = drawer_count(max(expected - 1_000, 0))
            for d in DENOMINATIONS:
                page.count.set_count(d.kind, d.fen, pieces.get(d.key, 0))
            # a page switch mid-count shows no cash either (入库 covered)
            window.show_page("deposit")
            shots.append(save(window, out, "07b-deposit-during-blind-count"))
            window.show_page("day_close")
            page.confirm_count()
            page.reason.setText("找零时多找给参保人 10 元，已联系追回")

        prepare: dict[str, Callable[[Any], None]] = {"day_close": day_close}
        for number, spec in enumerate(PAGES[2:], start=5):
            page_shot(spec.key, f"{number:02d}-{spec.key.replace('_', '-')}", prepare.get(spec.key))
            if spec.key == "reports":
                reports: Any = window.page("reports")
                reports.tabs.setCurrentIndex(1)
                shots.append(save(window, out, "08b-reports-progress"))
                reports.tabs.setCurrentWidget(reports.exceptions_tab)
                shots.append(save(window, out, "08c-reports-cash-exceptions"))
                reports.tabs.setCurrentIndex(0)
            if spec.key == "settings":
                settings: Any = window.page("settings")
                settings.tabs.setCurrentWidget(settings.machine_tab)
                shots.append(save(window, out, "09b-settings-machine"))
                settings.tabs.setCurrentIndex(0)

        # Qt's own save-as dialog, in Chinese, and the training band
        shots.append(save_dialog_shot(window, out))
        shots.append(training_shot(ctx, ops, args.size, out))

        # the supervisor dialog (void / refund / override all use it)
        from ui.dialogs.supervisor_approval import SupervisorApprovalDialog

        approval = SupervisorApprovalDialog(
            ctx,
            ops,
            title="作废收据",
            explanation="作废收据 LT2023-000123（380.00 元）。作废只能在收款当日办理，收据号保留不再使用，须主管授权。",
            reason_label="作废原因",
        )
        approval.username.setText("super")
        approval.reason.setText("档次选错，重新收费")
        approval.show()
        shots.append(save(approval, out, "34-supervisor-approval"))
        approval.close()

        # the deposit clock when cash is due today: the banner across the top
        status = window.clock.status
        if status is not None and status.deadline is not None:
            clock.set(dt.datetime.combine(max(status.deadline, today), dt.time(15, 0)))
            window.clock.refresh()
            window._update_date()
            page_shot("register", "11-deposit-due-banner")
        window.close()
        db.dispose()
    return shots


#: The small notes and coins of a counter's drawer (change given all day).
CHANGE = {
    "note_50": 9,
    "note_20": 14,
    "note_10": 17,
    "note_5": 6,
    "note_1": 8,
    "coin_1": 5,
    "coin_5j": 4,
}


def save_dialog_shot(parent: QWidget, out: Path) -> Path:
    """The save-as dialog the print preview opens (Qt's own, not the desktop's)."""
    dialog = QFileDialog(parent, "另存为 PDF", str(out))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter("PDF 文件 (*.pdf)")
    dialog.selectFile("收据.pdf")
    dialog.resize(820, 520)
    dialog.show()
    settle()
    path = save(dialog, out, "17-save-as-dialog")
    dialog.close()
    return path


def training_shot(ctx: AppContext, ops: Operations, size: tuple[int, int], out: Path) -> Path:
    """The window as a new clerk sees it with ``--training``."""
    ctx.training = True
    try:
        window = MainWindow(ctx, ops, documents=RecordingOutput())
        window.resize(*size)
        window.show()
        window.show_page("collect")
        settle(300)
        path = save(window, out, "18-training-mode")
        window.close()
    finally:
        ctx.training = False
    return path


def drawer_count(fen: int) -> dict[str, int]:
    """A drawer holding ``fen``: change in small notes and coins, the rest in 100s."""
    change = sum(d.fen * CHANGE.get(d.key, 0) for d in DENOMINATIONS)
    if fen < change:
        return count_for_amount(fen)
    counts = count_for_amount(fen - change)
    for key, pieces in CHANGE.items():
        counts[key] = counts.get(key, 0) + pieces
    return counts


def preview_shot(pdf: bytes, title: str, out: Path) -> list[Path]:
    """The print preview of a receipt, with a fake printer list."""
    try:
        from ui.printing.print_preview import PrintPreviewDialog
    except ImportError:
        return []
    dialog = PrintPreviewDialog(
        pdf, title=title, printers=lambda: ["收据打印机"], default_printer=lambda: "收据打印机"
    )
    dialog.resize(900, 700)
    dialog.show()
    settle(400)
    path = save(dialog, out, "12-receipt-preview")
    dialog.close()
    return [path]


def demo_ids(window: MainWindow, ops: Operations) -> list[str]:
    """A few ID numbers of residents still to pay (for the collect page)."""
    from services.registry import enrollments_of
    from services.resident_search import residents_page

    ctx = window.ctx
    found: list[str] = []
    page = ops.read(residents_page, office_id=ctx.office_id, offset=0, limit=400)
    for r in reversed(page):
        if any(
            e.status == "registered" and e.personal_due_fen > 0
            for e in ops.read(enrollments_of, r.id)
        ):
            found.append(r.id_number)
            if len(found) >= 3:
                break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of every page of the counter window.")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--db", help="an existing demo database (SQLite URL); copied, not changed")
    parser.add_argument("--residents", type=int, default=1200)
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument(
        "--size",
        type=lambda text: tuple(int(n) for n in text.lower().split("x")),
        default=SIZE,
        help="window size, e.g. 1024x768 (default 1366x768)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    shoot(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
