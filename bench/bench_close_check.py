"""Time the automatic ledger check at a day close: whole ledger vs incremental.

    .venv/bin/python bench/bench_close_check.py --db PATH [--repeat 3]

``PATH`` is an office's SQLite file with closed days, e.g. one kept by
``bench/bench_demo.py --residents 30000 --days 120 --keep PATH``. A copy is
migrated and read; nothing is written to ``PATH``. For each office the script
times what ``seal_day`` (services/day_seal.py) does at a close:

* before — ``verify_everything`` over the whole ledger, then the anchor's
  grand totals summed from line 1;
* after — the incremental check (``verify_since_last_anchor``) from the
  anchor of the close before the last one, then the totals added to that
  anchor's: what the last close would do now.

It prints the best of ``--repeat`` runs of each, and the per-check times.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from db.models import DayAnchor, LedgerEntry  # noqa: E402
from services.anchors import current_anchor  # noqa: E402
from services.day_seal import seal_of_row  # noqa: E402
from services.verification import CHECKS, trusted_anchor, verify_everything  # noqa: E402
from services.verification_model import VerifyRequest  # noqa: E402


def _best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        shutil.copyfile(args.db, copy)
        db = Database(f"sqlite:///{copy}")
        upgrade_database(db)
        with db.read() as s:
            lines = s.scalar(select(func.count(LedgerEntry.id)))
            closes = s.scalar(select(func.count(DayAnchor.id)))
            office_id = s.scalars(select(DayAnchor.office_id).limit(1)).one()
            # Replay the last close: it trusts the anchor of the close before it.
            last_seq = s.scalar(
                select(func.max(DayAnchor.ledger_seq)).where(DayAnchor.office_id == office_id)
            )
            trusted = trusted_anchor(s, office_id, below_seq=last_seq)
            assert trusted is not None, "no checked anchor to start from"
            base_row = s.get(DayAnchor, trusted.anchor_id)
            assert base_row is not None
            base = (base_row.ledger_seq, seal_of_row(base_row).totals)
            date = trusted.business_date

            def before() -> None:
                assert verify_everything(s).ok
                current_anchor(s, office_id, date)

            def after() -> None:
                req = VerifyRequest(office_id=office_id, trusted=trusted)
                assert verify_everything(s, req).ok
                current_anchor(s, office_id, date, base)

            full = _best(before, args.repeat)
            incremental = _best(after, args.repeat)
            print(
                f"office {office_id}: {lines} ledger lines, {closes} anchored closes; "
                f"trusted anchor {trusted.business_date} (line {trusted.ledger_seq})"
            )
            print(f"check at a day close, whole ledger (before): {full:.2f} s")
            print(f"check at a day close, incremental (after):   {incremental:.2f} s")
            req = VerifyRequest(office_id=office_id, trusted=trusted)
            for check in CHECKS:
                t0 = time.perf_counter()
                check(s, VerifyRequest())
                t1 = time.perf_counter()
                check(s, req)
                t2 = time.perf_counter()
                print(
                    f"  {check.__name__:24s} whole {t1 - t0:6.2f} s   incremental {t2 - t1:6.2f} s"
                )
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
