"""Crash safety (issue item 8): payment, receipt and ledger line are one transaction.

A worker process takes payments (and the odd void) in a loop; it is killed
with SIGKILL at random moments, many times over. Afterwards the ledger must
verify, receipt numbers must run 1..n without a gap, every receipt must belong
to exactly one cash payment and every payment must have exactly its lines.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from factories import make_desk, make_enrollment
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    Enrollment,
    LedgerEntry,
    NumberSeries,
    Payment,
    Receipt,
    ReceiptVoid,
)
from services.ledger import verify_ledger

WORKER = Path(__file__).with_name("crash_worker.py")
ROUNDS = 30
ENROLMENTS = 3000


def _run_and_kill(db_path: Path, rng: random.Random, seed: int) -> str:
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(db_path), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"worker did not start: {line!r} {err}")
    time.sleep(rng.uniform(0.05, 0.5))
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    if proc.returncode != -signal.SIGKILL:
        pytest.fail(f"worker ended by itself ({proc.returncode}): {out} {err}")
    return err


def _check(db: Database) -> int:
    with db.read() as s:
        return _check_in(s)


def _check_in(s: Session) -> int:
    result = verify_ledger(s)
    assert result.ok, result.first_bad and result.first_bad.describe()
    payments = s.scalars(select(Payment)).all()
    receipts = s.scalars(select(Receipt)).all()
    lines = s.scalars(select(LedgerEntry)).all()
    voids = {v.receipt_id for v in s.scalars(select(ReceiptVoid))}
    enrollments = {e.id: e.status for e in s.scalars(select(Enrollment))}
    series = {n.series: n.next_number for n in s.scalars(select(NumberSeries))}

    assert result.rows_checked == len(lines)
    # Receipt numbers: gapless 1..n, and the counter is right after the last.
    numbers = sorted(r.number for r in receipts)
    assert numbers == list(range(1, len(receipts) + 1))
    if receipts:
        assert series == {"LT2023": len(receipts) + 1}
    # Every receipt <-> exactly one cash payment of the same amount.
    by_payment = Counter(r.payment_id for r in receipts)
    payment_by_id = {p.id: p for p in payments}
    for receipt in receipts:
        payment = payment_by_id[receipt.payment_id]
        assert payment.channel == "cash" and payment.amount_fen == receipt.amount_fen
    for payment in payments:
        assert by_payment[payment.id] == (1 if payment.channel == "cash" else 0)
    # Ledger lines: one per payment, one per void, and nothing else.
    kinds = Counter((line.kind, line.payment_id) for line in lines)
    receipt_of = {r.payment_id: r.id for r in receipts}
    for payment in payments:
        assert kinds[("payment", payment.id)] == 1
        voided = payment.status == "voided"
        assert kinds[("void", payment.id)] == (1 if voided else 0)
        assert (receipt_of.get(payment.id) in voids) == voided
    assert sum(kinds.values()) == len(payments) + len(voids)
    # Enrolments: paid exactly when they have a completed payment.
    completed = Counter(p.enrollment_id for p in payments if p.status == "completed")
    for enrollment_id, status in enrollments.items():
        assert completed[enrollment_id] == (1 if status == "paid" else 0), enrollment_id
    return len(payments)


@pytest.mark.slow
def test_sigkill_during_payments_loses_and_breaks_nothing(db: Database, db_path: Path) -> None:
    with db.write() as s:
        desk = make_desk(s)
        for _ in range(ENROLMENTS):
            make_enrollment(s, desk)
    db.dispose()
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    started = time.monotonic()
    for round_no in range(ROUNDS):
        _run_and_kill(db_path, rng, seed + round_no)
        if time.monotonic() - started > 45:  # keep the test under a minute on slow machines
            break
    paid = _check(db)
    assert paid > 0, f"no payment was ever committed (seed {seed})"
