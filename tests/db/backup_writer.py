"""Takes cash payments in a loop and acknowledges each one; run by test_backup.py.

Usage: ``python backup_writer.py DB_PATH``. Prints ``ready`` once the database
is open, then ``paid <payment id>`` after each payment's transaction has
committed (an acknowledged payment, as the clerk would see it), until the
registered enrolments run out (``exhausted``) or it is killed.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from db.engine import Database  # noqa: E402
from db.models import Enrollment, Operator  # noqa: E402
from services.clock import FixedClock  # noqa: E402
from services.payments import take_payment  # noqa: E402
from services.policy import load_policies  # noqa: E402


def main() -> None:
    db = Database(f"sqlite:///{sys.argv[1]}")
    book = load_policies()
    with db.read() as s:
        clerk = s.scalar(select(Operator.id).where(Operator.role == "clerk"))
    assert clerk is not None
    clock = FixedClock(dt.datetime(2023, 11, 6, 8, 0, 0))
    print("ready", flush=True)
    while True:
        clock.advance(seconds=1)
        with db.write() as s:
            enrollment_id = s.scalar(
                select(Enrollment.id)
                .where(Enrollment.status == "registered")
                .order_by(Enrollment.id)
                .limit(1)
            )
            if enrollment_id is None:
                break
            result = take_payment(
                s,
                clock,
                book,
                enrollment_id=enrollment_id,
                amount="380.00",
                channel="cash",
                operator_id=clerk,
            )
        # Only now, after the commit, is the payment acknowledged.
        print(f"paid {result.payment_id}", flush=True)
    print("exhausted", flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
