"""Time ``demo-data`` and ``day-status`` (issue item 9).

    .venv/bin/python bench/bench_demo.py [--residents 20000] [--days 250] [--keep PATH]

Builds the demo office in a fresh SQLite file, reports the time and the rate,
extrapolates to 300,000 residents (the time is linear in residents for a given
number of days), then times ``day-status`` on the result: the service call
in-process, and the whole command as a new process (Python start-up included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.engine import Database  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from services.clock import SystemClock  # noqa: E402
from tools.demo import build_demo_office  # noqa: E402

TARGET = 300_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--keep", type=Path, help="build into this file and keep it")
    parser.add_argument("--services", action="store_true", help="every visit through the services")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        db = Database(url)
        upgrade_database(db)
        began = time.perf_counter()
        result = build_demo_office(
            db, residents=args.residents, days=args.days, bulk=False if args.services else None
        )
        seconds = time.perf_counter() - began
        mode = "bulk visits" if result.bulk else "all through the services"
        print(
            f"demo-data: {args.residents} residents, {args.days} days ({mode}): {seconds:.1f} s "
            f"({seconds / args.residents * 1000:.2f} ms per resident; "
            f"{result.payments} payments, {result.deposits} deposits, {result.closes} closes)"
        )
        print(
            f"  extrapolated to {TARGET} residents: {seconds * TARGET / args.residents / 60:.1f} min"
        )

        from cli.day_status import day_status

        timings = []
        for _ in range(5):
            t = time.perf_counter()
            with db.read() as session:
                data = day_status(session, SystemClock(), None, str(result.last_day))
            timings.append(time.perf_counter() - t)
        print(
            f"day-status (service, --date {result.last_day}): best {min(timings) * 1000:.0f} ms, "
            f"first {timings[0] * 1000:.0f} ms; state {data['state']}"
        )
        db.dispose()
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "day-status", "--db", url, "--json"],
            check=True,
            capture_output=True,
        )
        print(f"day-status (whole command, new process): {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
