"""Time the roster import and the ledger export (issue 13, "Speed").

    .venv/bin/python bench/bench_data_exchange.py import [--rows 50000]
    .venv/bin/python bench/bench_data_exchange.py export --db PATH [--from DATE --to DATE]
        [--baseline GIT_REV]
    .venv/bin/python bench/bench_data_exchange.py build --db PATH [--residents 300000 --days 250]

``import`` writes a realistic 50,000-row roster workbook (a title row, the
bureau's headers in an odd order, full-width digits in some phone numbers, a
few bad rows), then times reading it and importing it into a fresh demo
office, and importing it a second time (nothing to create).

``build`` makes the demo office (``tools.demo``) into PATH; ``export``
times the 台账 and the 缴费清册 of the whole ledger of PATH written to
workbooks, then, for the 台账, reading the ledger alone and the bare writer
writing the very rows the export wrote, so the three figures come from one
run on the same machine load. With ``--baseline REV`` it first times ``services/exports.py`` as it
was at git revision REV (e.g. the commit before a speed-up), then the current
one, in the same run, so the two are measured on the same machine load. (A
revision before the move to ``rvgsrust-xlsxwriter`` needs ``XlsxWriter``
installed: ``pip install 'XlsxWriter>=3.2,<4'``.)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.idcard import check_character  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from services.clock import FixedClock  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def _roster(path: Path, rows: int, villages: list[str], seed: int = 7) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["2024年度城乡居民医保平台已登记名单"])
    sheet.append(["序号", "村（社区）", "姓名", "联系电话", "户号", "公民身份号码", "参保档次"])
    seen: set[str] = set()
    n = 0
    while n < rows:
        born = f"{rng.randrange(1940, 2020)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        body = f"120221{born}{rng.randrange(1000):03d}"
        number = body + check_character(body)
        if number in seen:
            continue
        seen.add(number)
        n += 1
        if n % 1000 == 0:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # a bad check character
        phone = f"13{rng.randrange(10**9):09d}"
        if n % 7 == 0:
            phone = phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        sheet.append(
            [n, rng.choice(villages), name, phone, f"H{rng.randrange(10**6):06d}", number, "低档"]
        )
    book.save(path)


def bench_import(rows: int) -> None:
    from sqlalchemy import select

    from db.models import Office, Village
    from services.roster_file import guess_mapping, read_roster
    from services.roster_import import import_roster
    from tools.demo import build_demo_office

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade_database(db)
        build_demo_office(db, residents=50, days=1)
        with db.read() as s:
            office_id = int(s.scalar(select(Office.id)) or 0)
            villages = list(s.scalars(select(Village.name)).all())
        path = Path(tmp) / "roster.xlsx"
        began = time.perf_counter()
        _roster(path, rows, villages)
        print(
            f"wrote a {rows}-row roster ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - began:.1f} s"
        )
        import datetime as dt

        clock = FixedClock(dt.datetime(2023, 11, 6, 9, 30))
        for attempt in ("first", "second"):
            began, cpu = time.perf_counter(), time.process_time()
            table = read_roster(path)
            read = time.perf_counter() - began
            with db.write() as s:
                result = import_roster(
                    s,
                    clock,
                    office_id=office_id,
                    table=table,
                    mapping=guess_mapping(table.headers),
                    kind="registered",
                    policy_year=2024,
                )
            total, cpu = time.perf_counter() - began, time.process_time() - cpu
            print(
                f"{attempt} import: {total:.1f} s wall, {cpu:.1f} s CPU "
                f"(reading the workbook {read:.1f} s); "
                f"created {result.created}, updated {result.updated}, "
                f"unchanged {result.unchanged}, rejected {len(result.rejected)}"
            )
        db.dispose()


def _exports_at(rev: str) -> Any:
    """``services/exports.py`` as it was at git revision ``rev``, as a module."""
    import importlib.util
    import subprocess

    source = subprocess.run(
        ["git", "show", f"{rev}:services/exports.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader(f"exports_at_{rev}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, f"{rev}:services/exports.py", "exec"), module.__dict__)
    return module


def bench_export(
    path: Path, date_from: str | None, date_to: str | None, baseline: str | None = None
) -> None:
    import datetime as dt

    from sqlalchemy import func, select

    import services.exports
    from db.models import LedgerEntry, Office, Resident

    db = Database(f"sqlite:///{path}")
    with db.read() as s:
        office_id = int(s.scalar(select(Office.id)) or 0)
        residents = s.scalar(select(func.count()).select_from(Resident))
        lines = s.scalar(select(func.count()).select_from(LedgerEntry))
    print(f"office: {residents} residents, {lines} ledger lines")
    lo = dt.date.fromisoformat(date_from) if date_from else None
    hi = dt.date.fromisoformat(date_to) if date_to else None
    versions = [("current", services.exports)]
    if baseline:
        versions.insert(0, (f"at {baseline}", _exports_at(baseline)))
    with tempfile.TemporaryDirectory() as tmp:
        for label, module in versions:
            for name in ("ledger", "payments"):
                export = getattr(module, f"export_{name}")
                began, cpu = time.perf_counter(), time.process_time()
                with db.read() as s:
                    summary = export(
                        s, office_id, Path(tmp) / f"{name}.xlsx", date_from=lo, date_to=hi
                    )
                seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
                size = summary.path.stat().st_size / 1e6
                print(
                    f"export {name} ({label}): {summary.rows} rows in {seconds:.1f} s wall, "
                    f"{cpu:.1f} s CPU ({size:.1f} MB)"
                )
        _bench_parts(db, office_id, Path(tmp), lo, hi)
    db.dispose()


def _bench_parts(db: Database, office_id: int, tmp: Path, lo: Any, hi: Any) -> None:
    """Where the time of the 台账 export goes: reading the ledger alone, and
    the bare writer writing exactly the rows the export wrote (captured from
    one more export run), with no formats, no conversions and no query."""
    from rvgsrust_xlsxwriter import Workbook

    import services.exports as exports
    from services.ledger_views import LedgerFilter, ledger_rows

    flt = LedgerFilter(date_from=lo, date_to=hi)
    cpu = time.process_time()
    with db.read() as s:
        lines = sum(1 for _row in ledger_rows(s, office_id, flt))
    print(f"reading the ledger alone: {lines} lines in {time.process_time() - cpu:.1f} s CPU")

    captured: list[list[Any]] = []

    class Recorder:
        def __init__(self, sheet: Any) -> None:
            self._sheet = sheet

        def write_row(self, row: int, col: int, values: Any, *fmt: Any) -> None:
            if row >= 2:  # the data rows, not the header
                captured.append(values)
            self._sheet.write_row(row, col, values, *fmt)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._sheet, name)

    original = exports.SheetWriter.__init__

    def recording_init(self: Any, *args: Any) -> None:
        original(self, *args)
        self.sheet = Recorder(self.sheet)

    exports.SheetWriter.__init__ = recording_init  # type: ignore[method-assign,assignment]
    try:
        with db.read() as s:
            exports.export_ledger(s, office_id, tmp / "captured.xlsx", date_from=lo, date_to=hi)
    finally:
        exports.SheetWriter.__init__ = original  # type: ignore[method-assign]
    cells = sum(1 for row in captured for v in row if v is not None and v != "")
    cpu = time.process_time()
    book = Workbook(str(tmp / "bare.xlsx"))
    sheet = book.add_worksheet("台账", constant_memory=True)
    for i, values in enumerate(captured, start=2):
        sheet.write_row(i, 0, values)
    book.close()
    cpu = time.process_time() - cpu
    print(
        f"bare writer, the same {len(captured)} rows ({cells} cells): {cpu:.1f} s CPU "
        f"({cpu / cells * 1e6:.2f} µs a cell)"
    )


def bench_build(path: Path, residents: int, days: int) -> None:
    from tools.demo import build_demo_office

    path.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    upgrade_database(db)
    began = time.perf_counter()
    result = build_demo_office(db, residents=residents, days=days)
    print(
        f"built {residents} residents, {days} days, {result.payments} payments in "
        f"{time.perf_counter() - began:.0f} s"
    )
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("--rows", type=int, default=50_000)
    exp = sub.add_parser("export")
    exp.add_argument("--db", type=Path, required=True)
    exp.add_argument("--from", dest="date_from")
    exp.add_argument("--to", dest="date_to")
    exp.add_argument("--baseline", help="also time services/exports.py at this git revision")
    build = sub.add_parser("build")
    build.add_argument("--db", type=Path, required=True)
    build.add_argument("--residents", type=int, default=300_000)
    build.add_argument("--days", type=int, default=250)
    args = parser.parse_args()
    if args.what == "import":
        bench_import(args.rows)
    elif args.what == "export":
        bench_export(args.db, args.date_from, args.date_to, args.baseline)
    else:
        bench_build(args.db, args.residents, args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
