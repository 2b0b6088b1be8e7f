"""Screenshots of the drawer-aware 日结 and 入库 pages (issue 11): two windows,
two clerks and a supervisor on one database.

    python -m tools.screenshot_drawers --out docs/screenshots/1366x768 --size 1366x768

Two clerks take cash at their windows on one morning; the first closes her
drawer. Then: 入库 at the second window (the office's cash and each drawer's
share), 日结 at the supervisor's window (the office view of every drawer),
and the second window after its close completes the office's day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from common.idcard import check_character
from db.engine import Database
from db.migrate import upgrade_database
from services.business_day import open_day
from services.clock import FixedClock
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.office import create_office, create_operator
from services.payments import take_payment
from services.policy import PolicyBook, load_policies
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from tools.screenshots import save, settle
from ui.context import AppContext, OperatorSession
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.printing_bridge import RecordingOutput
from ui.style import style_app

DAY = dt.date(2023, 11, 6)
PASSWORD = "window-2023"
PEOPLE = (
    ("19710203", "刘秀英", "high"),
    ("19650911", "陈国栋", "low"),
    ("19880415", "杨丽娟", "low"),
    ("19590120", "周建华", "high"),
    ("19920607", "吴海燕", "low"),
)


def _id(birth: str, seq: int) -> str:
    body = f"120221{birth}{seq:03d}"
    return body + check_character(body)


def _take(db: Database, clock: FixedClock, policies: PolicyBook, office_id: int, who: int, n: int) -> None:  # fmt: skip
    birth, name, tier = PEOPLE[n]
    with db.write() as s:
        _r, e, _q = register_and_enroll(
            s,
            clock,
            policies=policies,
            policy_key="tianjin-2024",
            data=ResidentInput(_id(birth, 11 + 2 * n), name),
            category="adult",
            tier=tier,
            facts=PersonFacts(),
            office_id=office_id,
            operator_id=who,
        )
        take_payment(
            s,
            clock,
            policies,
            enrollment_id=e.id,
            amount=e.personal_due_fen // 100,
            channel="cash",
            operator_id=who,
        )


def _window(
    db: Database, clock: FixedClock, policies: PolicyBook, office: tuple[int, str], who: tuple[int, str, str], size: tuple[int, int]
) -> MainWindow:  # fmt: skip
    ctx = AppContext(db, clock, policies, session=OperatorSession(office[0], office[1], *who))
    ops = Operations(ctx)
    ops.show_dialogs = False
    window = MainWindow(ctx, ops, documents=RecordingOutput())
    window.resize(*size)
    window.show()
    settle(300)
    return window


def shoot(out: Path, size: tuple[int, int]) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    style_app(app)  # type: ignore[arg-type]
    out.mkdir(parents=True, exist_ok=True)
    policies = load_policies()
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'drawers.sqlite3'}")
        upgrade_database(db)
        clock = FixedClock(dt.datetime.combine(DAY, dt.time(8, 0)))
        with db.write() as s:
            info = create_office(
                s,
                clock,
                code="NHLT",
                name="宁河区芦台街道便民服务中心",
                level="street_office",
                policy_key="tianjin-2024",
                receipt_prefix="LT",
                villages=["东关村", "西关村"],
                known_policies=frozenset(policies.keys()),
            )
            boss = create_operator(
                s, clock, office_id=info.id, username="super", display_name="张建国",
                role="supervisor", password=PASSWORD, created_by=None,
            ).id  # fmt: skip
            first = create_operator(
                s, clock, office_id=info.id, username="win1", display_name="王丽",
                role="clerk", password=PASSWORD, created_by=boss,
            ).id  # fmt: skip
            second = create_operator(
                s, clock, office_id=info.id, username="win2", display_name="赵敏",
                role="clerk", password=PASSWORD, created_by=boss,
            ).id  # fmt: skip
            open_day(s, clock, office_id=info.id, operator_id=first, opening_float="200")
            open_day(s, clock, office_id=info.id, operator_id=second, opening_float="100")
        for n, who in enumerate((first, second, first, second, second)):
            clock.set(dt.datetime.combine(DAY, dt.time(9 + n, 10)))
            _take(db, clock, policies, info.id, who, n)
        clock.set(dt.datetime.combine(DAY, dt.time(16, 40)))
        with db.write() as s:  # the first window counts and closes her drawer
            close_day(
                s,
                clock,
                office_id=info.id,
                operator_id=first,
                denominations=count_for_amount(20_000 + 101_000 + 38_000),
            )
        clock.set(dt.datetime.combine(DAY, dt.time(16, 50)))
        office = (info.id, info.name)
        win2 = _window(db, clock, policies, office, (second, "赵敏", "clerk"), size)
        win2.show_page("deposit")
        shots.append(save(win2, out, "06c-deposit-two-drawers"))
        boss_window = _window(db, clock, policies, office, (boss, "张建国", "supervisor"), size)
        boss_window.show_page("day_close")
        shots.append(save(boss_window, out, "07e-day-close-office-drawers"))
        boss_window.close()
        page: Any = win2.show_page("day_close")
        page.refresh()
        page.count.clear()
        pieces = count_for_amount(10_000 + 38_000 + 38_000 + 101_000)
        from common.denominations import DENOMINATIONS

        for d in DENOMINATIONS:
            page.count.set_count(d.kind, d.fen, pieces.get(d.key, 0))
        page.confirm_count()
        page.request_close()
        shots.append(save(win2, out, "07f-day-close-last-drawer-completes-day"))
        win2.close()
        db.dispose()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    shoot(Path(args.out), (width, height))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
