"""Start to first window: the counter against a bare PySide6 window, side by side.

Each run is a fresh process; the time is from just before the process is
spawned to the first window painted (the login window for the counter, an
empty ``QWidget`` for the bare program). Runs alternate between the two so
that a busy machine slows both alike. The database is a migrated one with an
office (the login, not the first-run form, is what a clerk sees every day).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_start.py [--runs 7] [--db URL]

Limit (issue 14): the counter's median within 2x the bare window's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_FACTOR = 2.0

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
w = QWidget()
w.resize(400, 300)
w.show()
app.processEvents()
print(f"shown {time.time():.6f}", flush=True)
"""

COUNTER = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from ui import login_dialog
from PySide6.QtWidgets import QApplication

shown = login_dialog.LoginDialog.open

def spy(self):
    shown(self)
    QApplication.processEvents()
    print(f"shown {time.time():.6f}", flush=True)
    print("db-layer-loaded", "sqlalchemy" in sys.modules, flush=True)
    os._exit(0)

login_dialog.LoginDialog.open = spy
import main
main.main(["--db", sys.argv[2]])
"""


def timed(code: str, *args: str) -> float:
    """Seconds from spawn to the ``shown`` line of the child."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    ).stdout
    if "db-layer-loaded True" in out:
        raise SystemExit("the database layer was imported before the login window")
    moment = next(float(line.split()[1]) for line in out.splitlines() if line.startswith("shown"))
    return moment - started


def office_database(folder: Path) -> str:
    """A migrated database with one office (made through the demo command)."""
    path = folder / "start.sqlite3"
    url = f"sqlite:///{path}"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "demo-data",
            "--db",
            url,
            "--residents",
            "50",
            "--days",
            "2",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: a small demo office, made once)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or office_database(Path(tmp))
        timed(BARE)  # warm the file cache for both
        timed(COUNTER, str(ROOT), url)
        bare, counter = [], []
        for _ in range(args.runs):
            bare.append(timed(BARE))
            counter.append(timed(COUNTER, str(ROOT), url))
    b, c = statistics.median(bare), statistics.median(counter)
    limit = LIMIT_FACTOR * b
    verdict = "ok" if c <= limit else "SLOW"
    print(f"bare PySide6 window:       median {b * 1000:6.0f} ms  (min {min(bare) * 1000:.0f})")
    print(
        f"counter, login window:     median {c * 1000:6.0f} ms  (min {min(counter) * 1000:.0f})"
        f"  = {c / b:.2f}x bare  [limit {LIMIT_FACTOR:.0f}x = {limit * 1000:.0f} ms: {verdict}]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
