"""How fast is the counter window on a big office?

Uses the demo office (``python main.py demo-data --residents N``), built once
and cached in ``bench/out/`` (pass ``--db`` to use another), and measures:

* start: opening the database (migration check) and loading the policies;
* window: building the main window and showing it until it is painted
  (after login: the password check is the clerk's typing, not the window);
* the first visit of every page (pages are built when first shown);
* search on the 缴费 page, from Enter to the results in the table, for every
  kind of query the counter sees: full ID number, last 4 and 6 characters,
  name, pinyin initials, phone.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py [--residents 300000]

Targets (issue 14): the window within 0.5 s of login (the password accepted)
on the 300,000-resident office; a search on the 缴费 page shows its results
within 25 ms at p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from services.clock import FixedClock  # noqa: E402
from services.ledger_views import ledger_bounds  # noqa: E402
from services.office import authenticate, office_info  # noqa: E402
from services.registry import name_initials  # noqa: E402
from services.resident_search import count_residents, residents_page, search_residents  # noqa: E402
from tools.demo import DEMO_OPERATORS  # noqa: E402
from ui.app import open_context, style_app  # noqa: E402
from ui.context import OperatorSession  # noqa: E402
from ui.main_window import PAGES, MainWindow  # noqa: E402
from ui.operations import Operations  # noqa: E402
from ui.printing_bridge import RecordingOutput  # noqa: E402

IMPORTS_S = time.perf_counter() - T0
OUT = ROOT / "bench" / "out"
WINDOW_TARGET_MS = 1000
AFTER_LOGIN_TARGET_MS = 500  # issue 14: the window within 0.5 s of login
SEARCH_TARGET_MS = 25  # issue 14: the 缴费 page shows results within 25 ms p95


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def ensure_demo(residents: int, days: int) -> str:
    path = OUT / f"ui-demo-{residents}.sqlite3"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"building the demo office with {residents} residents (once) …", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "demo-data",
                "--db",
                f"sqlite:///{path}",
                "--residents",
                str(residents),
                "--days",
                str(days),
                "--quiet",
            ],
            check=True,
        )
    return f"sqlite:///{path}"


def next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def wait_painted(app: QApplication, window: MainWindow) -> None:
    # offscreen and xcb both paint on the first processed events after show()
    for _ in range(3):
        app.processEvents()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cold_child(url: str) -> int:
    """Run in a fresh process: start as ``run_app`` does, report moments on stdout."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    from ui.app import AppController

    app = QApplication.instance() or QApplication(sys.argv[:1])
    style_app(app)  # type: ignore[arg-type]
    ctx = open_context(url, [])
    ops = Operations(ctx)
    ops.show_dialogs = False
    controller = AppController(ctx, ops, documents=RecordingOutput())
    controller.start()
    for _ in range(3):
        app.processEvents()
    print(f"login {time.time():.6f}", flush=True)
    # the clerk types user name and password (the window's code loads meanwhile)
    loop = QEventLoop()
    QTimer.singleShot(1500, loop.quit)
    loop.exec()
    dialog = controller.dialog
    dialog.username.setText(DEMO_OPERATORS[1][0])
    dialog.password.setText(DEMO_OPERATORS[1][1])
    print(f"enter {time.time():.6f}", flush=True)
    import ui.main_window

    build = ui.main_window.MainWindow.__init__

    def timed_build(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # the password was checked (argon2, slow on purpose): the window starts here
        print(f"accepted {time.time():.6f}", flush=True)
        print(f"accepted_cpu {time.process_time():.6f}", flush=True)
        build(self, *args, **kwargs)

    ui.main_window.MainWindow.__init__ = timed_build  # type: ignore[method-assign]

    class FirstPaint(QObject):
        """The moment the window's pixels are first drawn."""

        seen = False

        def eventFilter(self, watched, event):  # type: ignore[no-untyped-def]  # noqa: N802
            if (
                not self.seen
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and isinstance(watched.window(), ui.main_window.MainWindow)
            ):
                self.seen = True
                print(f"painted {time.time():.6f}", flush=True)
                print(f"painted_cpu {time.process_time():.6f}", flush=True)
            return False

    first_paint = FirstPaint()
    app.installEventFilter(first_paint)
    dialog.try_login()
    for _ in range(3):
        app.processEvents()
    print(f"window {time.time():.6f}", flush=True)
    # what the window reads once it is up (deposit clock, login checks)
    for _ in range(10):
        app.processEvents()
    print(f"settled {time.time():.6f}", flush=True)
    app.removeEventFilter(first_paint)
    controller.window.close()
    return 0


def bare_window_ms() -> float:
    """Side by side: a bare main window with a list, a stack and a status bar."""
    from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QStackedWidget

    app = QApplication.instance()
    t = time.perf_counter()
    window = QMainWindow()
    window.setMenuWidget(QListWidget())
    window.setCentralWidget(QStackedWidget())
    window.statusBar().addWidget(QLabel("经办人"))
    window.resize(1366, 768)
    window.show()
    for _ in range(3):
        app.processEvents()  # type: ignore[union-attr]
    elapsed = (time.perf_counter() - t) * 1000
    window.close()
    return elapsed


def cold_start(url: str, runs: int = 3) -> list[dict[str, float]]:
    """Process start → login dialog painted; Enter on the password → window painted."""
    results = []
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--cold-child", "--db", url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        moments = {
            k: float(v)
            for k, v in (line.split() for line in out.splitlines() if line[:1].isalpha())
        }
        results.append(
            {
                "login_ms": (moments["login"] - started) * 1000,
                "window_ms": (moments["window"] - moments["enter"]) * 1000,
                "after_login_ms": (moments["painted"] - moments["accepted"]) * 1000,
                "settled_ms": (moments["settled"] - moments["accepted"]) * 1000,
                "after_login_cpu_ms": (moments["painted_cpu"] - moments["accepted_cpu"]) * 1000,
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--db", help="SQLAlchemy URL of a demo database (default: built and cached)"
    )
    parser.add_argument("--queries", type=int, default=60, help="searches per kind")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        return cold_child(args.db)
    url = args.db or ensure_demo(args.residents, args.days)
    cold = cold_start(url)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    style_app(app)  # type: ignore[arg-type]

    t = time.perf_counter()
    ctx = open_context(url, [])
    start_s = time.perf_counter() - t
    ops = Operations(ctx)
    ops.show_dialogs = False

    with ctx.db.read() as s:  # the login (not timed)
        username, password = DEMO_OPERATORS[1][0], DEMO_OPERATORS[1][1]
        operator = authenticate(s, username, password)
        office = office_info(s, operator.office_id)
        _first, last = ledger_bounds(s, office.id)
        total = count_residents(s, office.id)
    today = next_weekday(last or dt.date(2023, 10, 10))
    ctx.clock = FixedClock(dt.datetime.combine(today, dt.time(9, 30)))
    ops.ctx.clock = ctx.clock
    ctx.session = OperatorSession(
        office.id, office.name, operator.id, operator.display_name, operator.role
    )

    t, cpu = time.perf_counter(), time.process_time()
    window = MainWindow(ctx, ops, documents=RecordingOutput())
    window.resize(1366, 768)
    window.show()
    wait_painted(app, window)
    window_s = time.perf_counter() - t
    window_cpu_s = time.process_time() - cpu

    # what the window loads in the background once it is up (see MainWindow)
    t = time.perf_counter()
    window._preload_pages()
    preload_s = time.perf_counter() - t

    pages: dict[str, float] = {}
    for spec in PAGES:
        t = time.perf_counter()
        window.show_page(spec.key)
        wait_painted(app, window)
        pages[spec.key] = ms(time.perf_counter() - t)

    # --- search ----------------------------------------------------------------------
    rng = random.Random(7)
    sample = []
    with ctx.db.read() as s:
        for _ in range(args.queries):
            offset = rng.randrange(max(total - 1, 1))
            sample.extend(residents_page(s, office_id=office.id, offset=offset, limit=1))
    kinds = {
        "full ID": lambda r: r.id_number,
        "last 4": lambda r: r.id_number[-4:],
        "last 6": lambda r: r.id_number[-6:],
        "name": lambda r: r.name,
        "pinyin": lambda r: name_initials(r.name),
        "phone": lambda r: r.phone[:7] if r.phone else r.id_number[-4:],
    }
    collect = window.show_page("collect")
    results: dict[str, list[float]] = {}
    cpu_times: list[float] = []  # the same searches in CPU time (a shared machine)
    hits: dict[str, list[int]] = {}
    for kind, make in kinds.items():
        times: list[float] = []
        found: list[int] = []
        for r in sample:
            collect.search_box.setText(make(r))
            t, cpu = time.perf_counter(), time.process_time()
            rows = collect.search_now()  # Enter: query, fill the model, select, show enrolments
            app.processEvents()  # paint
            times.append((time.perf_counter() - t) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            found.append(len(rows))
        results[kind] = times
        hits[kind] = found

    service: list[float] = []  # the service alone, for comparison
    for r in sample:
        t = time.perf_counter()
        ops.read(search_residents, r.id_number[-4:])
        service.append((time.perf_counter() - t) * 1000)

    everything = [v for values in results.values() for v in values]
    print(f"database: {url}")
    print(f"residents in the office: {total:,}; business date {today}")
    print(f"imports (PySide6, SQLAlchemy, services): {ms(IMPORTS_S)} ms")
    print(f"open database + policies: {ms(start_s)} ms")
    print(
        f"main window built and painted: {ms(window_s)} ms ({ms(window_cpu_s)} ms CPU) "
        f"(target < {WINDOW_TARGET_MS} ms: {'OK' if window_s * 1000 < WINDOW_TARGET_MS else 'MISSED'})"
    )
    print(f"start to window (without imports and login): {ms(start_s + window_s)} ms")
    print(
        "cold process, 3 runs (ms): start → login dialog painted "
        + ", ".join(f"{c['login_ms']:.0f}" for c in cold)
        + "; Enter on the password → window painted "
        + ", ".join(f"{c['window_ms']:.0f}" for c in cold)
        + f" (target < {WINDOW_TARGET_MS} ms: "
        + ("OK" if max(c["window_ms"] for c in cold) < WINDOW_TARGET_MS else "MISSED")
        + ")"
    )
    print(
        "  of which after the password was accepted (argon2 done) → window painted: "
        + ", ".join(f"{c['after_login_ms']:.0f}" for c in cold)
        + f" ms (target < {AFTER_LOGIN_TARGET_MS} ms: "
        + ("OK" if max(c["after_login_ms"] for c in cold) < AFTER_LOGIN_TARGET_MS else "MISSED")
        + "); deposit clock and login checks read after it: settled at "
        + ", ".join(f"{c['settled_ms']:.0f}" for c in cold)
        + " ms; CPU time accepted → painted: "
        + ", ".join(f"{c['after_login_cpu_ms']:.0f}" for c in cold)
        + " ms"
    )
    bare = bare_window_ms()
    print(f"a bare QMainWindow with a status bar, built and painted in this process: {bare:.0f} ms")
    print(f"page code loaded in the background after the window is up: {ms(preload_s)} ms")
    print("first visit of each page (ms):", ", ".join(f"{k} {v}" for k, v in pages.items()))
    print(f"search, {args.queries} queries per kind, Enter → results shown (ms):")
    print(f"  {'kind':<8} {'median':>8} {'p95':>8} {'max':>8}  mean hits")
    for kind, values in results.items():
        print(
            f"  {kind:<8} {statistics.median(values):8.1f} {percentile(values, 95):8.1f} "
            f"{max(values):8.1f}  {statistics.mean(hits[kind]):.1f}"
        )
    p95 = percentile(everything, 95)
    print(
        f"  {'all':<8} {statistics.median(everything):8.1f} {p95:8.1f} {max(everything):8.1f}"
        f"  (target < {SEARCH_TARGET_MS} ms: {'OK' if p95 < SEARCH_TARGET_MS else 'MISSED'} at p95)"
    )
    print(
        f"  {'all, CPU':<8} {statistics.median(cpu_times):8.1f} {percentile(cpu_times, 95):8.1f}"
        f" {max(cpu_times):8.1f}  (CPU time of the same searches: what the machine's load"
        " leaves out)"
    )
    print(f"  (the service alone, last-4 query: median {statistics.median(service):.1f} ms)")
    window.close()
    ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
