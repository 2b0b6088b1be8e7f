"""Printing that keeps up: notices into a real CUPS queue (cups-pdf), side by side.

* the old way for comparison: a small batch through the Qt path (every page
  rendered by QtPdf and painted onto a QPrinter), extrapolated to 1,000;
* the new way: the same batch's PDF handed to ``lp`` as it is;
* 1,000 notices: building the batch PDF, then handing it to the queue.

Needs root and cups + printer-driver-cups-pdf (scripts/setup.sh installs
them); a queue ``YIBAO_BENCH_PDF`` is added for the run and removed after.
Jobs are held (queue disabled) and cancelled afterwards, so the figures are
"in the printer's queue", not cups-pdf's own rendering.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_print_queue.py [--notices 1000]

Limit (issue 14): 1,000 notices in the printer's queue within 10 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from printing.batch import build_notices_pdf  # noqa: E402
from tools.samples import sample_notice  # noqa: E402
from ui.printing.cups import submit_pdf  # noqa: E402
from ui.printing.print_job import print_pdf  # noqa: E402

QUEUE = "YIBAO_BENCH_PDF"
LIMIT_S = 10.0
PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=check, timeout=60)


def start_queue() -> None:
    if "scheduler is running" not in run("lpstat", "-r", check=False).stdout:
        run("/usr/sbin/cupsd")
        deadline = time.monotonic() + 15
        while "scheduler is running" not in run("lpstat", "-r", check=False).stdout:
            if time.monotonic() > deadline:
                raise SystemExit("cupsd did not start")
            time.sleep(0.2)
    models = run("lpinfo", "-m", check=False).stdout.split()
    ppd = next((m for m in models if m.endswith("CUPS-PDF_opt.ppd")), PPD)
    run("lpadmin", "-p", QUEUE, "-v", "cups-pdf:/", "-m", ppd, "-E")
    run("cupsdisable", QUEUE)  # hold the jobs: we time the hand-over, not cups-pdf


def notices(count: int):  # type: ignore[no-untyped-def]
    return [
        dataclasses.replace(sample_notice(i), notice_no=f"TZ2024{i:010d}") for i in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--qt-sample", type=int, default=20, help="notices sent the Qt way")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("needs root (lpadmin)")
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - Qt path needs it
    start_queue()
    try:
        small = build_notices_pdf(notices(args.qt_sample))
        t = time.perf_counter()
        print_pdf(small, QUEUE, 1, "A4", via_cups=False)
        qt_s = time.perf_counter() - t
        t = time.perf_counter()
        submit_pdf(small, QUEUE, 1, "A4")
        lp_small_s = time.perf_counter() - t
        n = args.qt_sample
        print(
            f"{n} notices, Qt path (render each page):  {qt_s:6.2f} s"
            f"  -> {qt_s / n * 1000:6.0f} s per 1,000 (extrapolated)"
        )
        print(f"{n} notices, PDF handed to lp:          {lp_small_s:6.2f} s")

        batch = notices(args.notices)
        t, cpu = time.perf_counter(), time.process_time()
        pdf = build_notices_pdf(batch)
        build_s = time.perf_counter() - t
        build_cpu_s = time.process_time() - cpu
        t = time.perf_counter()
        job = submit_pdf(pdf, QUEUE, 1, "A4", title=f"缴费通知单 {args.notices} 份")
        hand_s = time.perf_counter() - t
        queued = job in run("lpstat", "-o", QUEUE, check=False).stdout
        total = build_s + hand_s
        print(
            f"{args.notices} notices, batch PDF built:        {build_s:6.2f} s"
            f" ({build_cpu_s:.2f} s of CPU; {len(pdf) / 1e6:.1f} MB)"
        )
        print(
            f"{args.notices} notices, PDF handed to lp:       {hand_s:6.2f} s"
            f"  (job {job}, in queue: {queued})  [limit {LIMIT_S:.0f} s:"
            f" {'ok' if hand_s <= LIMIT_S else 'SLOW'}]"
        )
        print(
            f"{args.notices} notices, build + hand over:      {total:6.2f} s"
            f"  [limit {LIMIT_S:.0f} s: {'ok' if total <= LIMIT_S else 'OVER'}]"
        )
    finally:
        run("cancel", "-a", QUEUE, check=False)
        run("lpadmin", "-x", QUEUE, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
