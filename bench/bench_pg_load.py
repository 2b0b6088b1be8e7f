"""Four windows taking payments on one PostgreSQL office database for 60 seconds.

Each window is a process of its own with its own connection, as at a real
office. It does what a clerk does, as fast as it can: register a new resident
and enrol them (one transaction), then take the payment (another) — four in
five in cash, with a receipt; the fifth by QR code, with a reference. At the
end the script checks that receipt numbers are unique and gapless, that every
cash payment has exactly one receipt, that the ledger chain verifies, and that
no window ever saw an internal error, and prints throughput and latency.

    .venv/bin/python bench/bench_pg_load.py [--windows 4] [--seconds 60] [--url URL]

Without ``--url`` it starts a private PostgreSQL cluster (tests/pg_server.py;
Debian's ``postgresql`` package, run as root or as a user who may run initdb).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from common.errors import ServiceError  # noqa: E402
from common.idcard import check_character  # noqa: E402
from common.money import format_fen  # noqa: E402
from db.engine import Database  # noqa: E402
from db.errors import describe_database_error  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from db.models import LedgerEntry, Office, Operator, Payment, Receipt, Village  # noqa: E402
from services.clock import FixedClock  # noqa: E402
from services.ledger import verify_ledger  # noqa: E402
from services.payments import take_payment  # noqa: E402
from services.policy import load_policies  # noqa: E402
from services.quote import PersonFacts  # noqa: E402
from services.registry import ResidentInput, register_and_enroll  # noqa: E402

NOW = dt.datetime(2023, 11, 6, 9, 30)  # inside the Tianjin 2024 collection period


def seed(url: str, windows: int) -> dict[str, int]:
    db = Database(url)
    upgrade_database(db)
    with db.write() as s:
        office = Office(
            code="LOAD",
            name="芦台街道办事处",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="LT",
            created_at=NOW,
        )
        s.add(office)
        s.flush()
        village = Village(office_id=office.id, name="东村", active=True)
        s.add(village)
        clerks = [
            Operator(
                office_id=office.id,
                username=f"window{w}",
                display_name=f"窗口{w + 1}",
                role="clerk",
                password_hash="-",
                active=True,
                created_at=NOW,
            )
            for w in range(windows)
        ]
        s.add_all(clerks)
        s.flush()
        ids = {"office_id": office.id, "village_id": village.id}
        ids.update({f"clerk{w}": c.id for w, c in enumerate(clerks)})
    db.dispose()
    return ids


def id_number(window: int, serial: int) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=window * 5000 + serial // 900)
    body = f"120221{born:%Y%m%d}{serial % 900 + 100:03d}"
    return body + check_character(body)


def window_main(
    url: str, w: int, ids: dict[str, int], seconds: float, barrier: Any, results: Any
) -> None:
    db = Database(url)
    policies = load_policies()
    clock = FixedClock(NOW)
    clerk = ids[f"clerk{w}"]
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    barrier.wait()
    deadline = time.monotonic() + seconds
    serial = 0
    while time.monotonic() < deadline:
        serial += 1
        try:
            with db.write() as s:
                _r, enrollment, _q = register_and_enroll(
                    s,
                    clock,
                    policies=policies,
                    policy_key="tianjin-2024",
                    data=ResidentInput(
                        id_number=id_number(w, serial), name="李明", village_id=ids["village_id"]
                    ),
                    category="adult",
                    tier="low",
                    facts=PersonFacts(),
                    office_id=ids["office_id"],
                    operator_id=clerk,
                )
            cash = serial % 5 != 0
            started = time.perf_counter()
            with db.write() as s:
                take_payment(
                    s,
                    clock,
                    policies,
                    enrollment_id=enrollment.id,
                    amount=format_fen(enrollment.personal_due_fen),
                    channel="cash" if cash else "qr",
                    reference="" if cash else f"QR{w}-{serial}",
                    operator_id=clerk,
                )
            latencies.append(time.perf_counter() - started)
            outcomes["cash" if cash else "qr"] += 1
        except ServiceError as exc:
            outcomes[f"refused:{exc.code}"] += 1
            errors.append(exc.message)
        except Exception as exc:  # noqa: BLE001 - counted and shown, never hidden
            described = describe_database_error(exc)
            outcomes["db:" + described[0] if described else "internal"] += 1
            errors.append(traceback.format_exc(limit=3))
    results.put((w, latencies, dict(outcomes), errors[:3]))
    db.dispose()


def check(url: str, office_id: int) -> dict[str, Any]:
    db = Database(url)
    with db.read() as s:
        numbers = list(
            s.scalars(
                select(Receipt.number).where(Receipt.office_id == office_id).order_by("number")
            )
        )
        distinct_nos = s.scalar(select(func.count(func.distinct(Receipt.receipt_no))))
        cash = s.scalar(select(func.count()).where(Payment.channel == "cash").select_from(Payment))
        payments = s.scalar(select(func.count()).select_from(Payment))
        lines = s.scalar(select(func.count()).select_from(LedgerEntry))
        verified = verify_ledger(s, office_id)
    db.dispose()
    return {
        "receipts": len(numbers),
        "gapless": numbers == list(range(1, len(numbers) + 1)),
        "unique": distinct_nos == len(numbers),
        "one_receipt_per_cash_payment": cash == len(numbers),
        "ledger_lines_equal_payments": lines == payments,
        "ledger_verifies": verified.ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a private cluster)")
    args = parser.parse_args()
    cluster = None
    if args.url:
        url = args.url
    else:
        from pg_server import PgCluster

        cluster = PgCluster()
        admin = cluster.start()
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE load")
        engine.dispose()
        url = make_url(admin).set(database="load").render_as_string(hide_password=False)
    try:
        ids = seed(url, args.windows)
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(args.windows)
        results = ctx.Queue()
        procs = [
            ctx.Process(target=window_main, args=(url, w, ids, args.seconds, barrier, results))
            for w in range(args.windows)
        ]
        for p in procs:
            p.start()
        reports = [results.get(timeout=args.seconds + 300) for _ in procs]
        for p in procs:
            p.join()
        verdict = check(url, ids["office_id"])
    finally:
        if cluster is not None:
            cluster.stop()
    latencies = sorted(x for _w, lat, _o, _e in reports for x in lat)
    outcomes: Counter[str] = Counter()
    for w, lat, out, errors in sorted(reports):
        outcomes.update(out)
        print(f"window {w + 1}: {len(lat)} payments {dict(out)}")
        for e in errors:
            print("   ", e)
    total = len(latencies)
    if total < 2:
        print("too few payments to measure:", dict(outcomes))
        return 1
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{args.windows} windows × {args.seconds:.0f} s on PostgreSQL: {total} payments "
        f"({total / args.seconds:.1f}/s), {verdict['receipts']} cash receipts"
    )
    print(
        f"payment transaction: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {q[94] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    print("checks:", verdict)
    anomalies = sum(n for k, n in outcomes.items() if k not in ("cash", "qr"))
    print("refusals, database errors, internal errors:", anomalies)
    return 0 if all(verdict.values()) and anomalies == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
