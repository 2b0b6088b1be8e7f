"""How fast the documents are built (not a test: prints figures).

    .venv/bin/python bench/bench_printing.py [--receipts N] [--notices N]

Targets: one receipt in under 30 ms (median), 1,000 notices in one batch PDF
in under 15 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printing.batch import build_notices_pdf  # noqa: E402
from printing.fonts import cjk_font  # noqa: E402
from printing.ledger import render_ledger  # noqa: E402
from printing.notice import render_notice  # noqa: E402
from printing.receipt import render_receipt  # noqa: E402
from tools.samples import sample_ledger, sample_notice, sample_receipt  # noqa: E402

RECEIPT_TARGET_MS = 30.0
BATCH_TARGET_S = 15.0


def _median_ms(fn, runs: int) -> tuple[float, float, float]:
    """Median wall time, worst wall time and median CPU time, in ms. The CPU
    time is what to compare on a busy machine (other processes inflate the
    wall time)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=50, help="receipts to time")
    parser.add_argument("--notices", type=int, default=1000, help="notices in the batch")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    font = cjk_font()
    print(
        f"font: {font.path} (index {font.subfont_index}), "
        f"registered in {(time.perf_counter() - start) * 1000:.0f} ms"
    )

    receipt = sample_receipt()
    render_receipt(receipt)  # warm up: font subsetting tables, caches
    median, worst, cpu = _median_ms(lambda: render_receipt(receipt), args.receipts)
    verdict = "ok" if median < RECEIPT_TARGET_MS else "SLOW"
    print(
        f"receipt (2 copies):   median {median:6.1f} ms (cpu {cpu:5.1f} ms), max {worst:6.1f} ms"
        f" over {args.receipts} runs  [target < {RECEIPT_TARGET_MS:.0f} ms: {verdict}]"
    )

    three = sample_receipt(third_copy=True)
    median, _, cpu = _median_ms(lambda: render_receipt(three), args.receipts)
    print(f"receipt (3 copies):   median {median:6.1f} ms (cpu {cpu:5.1f} ms)")

    notice = sample_notice(0)
    median, _, cpu = _median_ms(lambda: render_notice(notice), args.receipts)
    print(f"notice (with QR):     median {median:6.1f} ms (cpu {cpu:5.1f} ms)")

    ledger = sample_ledger(120)
    median, _, cpu = _median_ms(lambda: render_ledger(ledger), 5)
    print(f"ledger (120 rows):    median {median:6.1f} ms (cpu {cpu:5.1f} ms)")

    # every notice different (number, amount, link), as in a real batch
    notices = [
        dataclasses.replace(sample_notice(i), notice_no=f"TZ2024{i:010d}")
        for i in range(args.notices)
    ]
    start, start_cpu = time.perf_counter(), time.process_time()
    pdf = build_notices_pdf(notices)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    verdict = "ok" if elapsed < BATCH_TARGET_S * args.notices / 1000 else "SLOW"
    print(
        f"batch of {args.notices} notices: {elapsed:6.2f} s (cpu {cpu:5.2f} s) "
        f"({elapsed / args.notices * 1000:.1f} ms each, {len(pdf) / 1e6:.1f} MB)  "
        f"[target < {BATCH_TARGET_S:.0f} s per 1000: {verdict}]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
