"""Takes payments in a loop until killed; run by test_crash_safety.py.

Usage: ``python crash_worker.py DB_PATH SEED``. Prints ``ready`` once the
database is open, then pays the registered enrolments one by one (mostly cash,
some by POS) and now and then voids the last cash receipt, each act in its own
transaction, as fast as it can. The parent kills it with SIGKILL at random.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from factories import PASSWORD  # noqa: E402  (the supervisor's password the desk was made with)
from sqlalchemy import func, select  # noqa: E402

from db.engine import Database  # noqa: E402
from db.models import Enrollment, Operator, Payment, Receipt, ReceiptVoid  # noqa: E402
from services.clock import FixedClock  # noqa: E402
from services.corrections import void_receipt  # noqa: E402
from services.payments import take_payment  # noqa: E402
from services.policy import load_policies  # noqa: E402

START = dt.datetime(2023, 11, 6, 8, 0, 0)


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    db = Database(f"sqlite:///{path}")
    book = load_policies()
    with db.read() as s:
        clerk = s.scalar(select(Operator.id).where(Operator.role == "clerk"))
        boss = s.scalar(select(Operator.id).where(Operator.role == "supervisor"))
        done = s.scalar(select(func.count(Payment.id))) or 0
    assert clerk is not None and boss is not None
    # One second per act, all on the same business day (voids need that).
    clock = FixedClock(START + dt.timedelta(seconds=2 * done))
    print("ready", flush=True)
    while True:
        clock.advance(seconds=1)
        with db.write() as s:
            if rng.random() < 0.15:
                receipt_id = s.scalar(
                    select(Receipt.id)
                    .where(~Receipt.id.in_(select(ReceiptVoid.receipt_id)))
                    .order_by(Receipt.id.desc())
                    .limit(1)
                )
                if receipt_id is not None:
                    void_receipt(
                        s,
                        clock,
                        receipt_id=receipt_id,
                        supervisor_id=boss,
                        supervisor_password=PASSWORD,
                        reason="演练作废",
                        operator_id=clerk,
                    )
                    continue
            enrollment_id = s.scalar(
                select(Enrollment.id)
                .where(Enrollment.status == "registered")
                .order_by(Enrollment.id)
                .limit(1)
            )
            if enrollment_id is None:
                print("exhausted", flush=True)
                return
            cash = rng.random() < 0.75
            take_payment(
                s,
                clock,
                book,
                enrollment_id=enrollment_id,
                amount="380.00",
                channel="cash" if cash else "pos",
                reference="" if cash else f"POS{rng.randrange(10**8):08d}",
                operator_id=clerk,
            )


if __name__ == "__main__":
    main()
