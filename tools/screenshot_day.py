"""Three days at the counter after the demo office's history, for the screenshots.

``tools.demo`` builds weeks of history, every day banked in the evening;
the screenshots want the counter in the middle of an ordinary busy morning:
each village's enrolment target set by the supervisor, two quiet days whose
cash is still in the drawer, then *today* — the oldest
day's cash banked at opening, a queue of residents from many villages paying
in cash and by QR code, POS or bank, and one receipt voided and issued again.
Everything goes through ``ops.write`` exactly as the pages' clicks would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from common.idcard import check_character
from common.money import format_fen
from services.business_day import open_day
from services.clock import FixedClock
from services.close_preview import preview_close
from services.corrections import void_receipt
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposits import record_deposit
from services.office import office_info, set_village_target
from services.payments import take_payment
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from services.reports import enrollment_progress
from tools.demo import DEMO_OPERATORS
from ui.operations import (
    DAY,
    DEPOSITS,
    ENROLLMENTS,
    LEDGER,
    OFFICE,
    PAYMENTS,
    OperationFailed,
    Operations,
)

log = logging.getLogger(__name__)

POLICY_KEY = "tianjin-2024"
OPENING_FLOAT = "200.00"
POLICY_YEAR = 2024
#: target ÷ residents paid so far, village by village: completion rates vary
TARGET_FACTORS = (1.5, 2.1, 1.8, 2.6, 1.3, 2.3, 3.0, 1.7)


@dataclasses.dataclass(frozen=True)
class Visit:
    time: str  # "HH:MM"
    name: str
    birth: dt.date
    male: bool
    village: int  # index into the office's villages
    category: str
    tier: str | None
    channel: str = "cash"


QUIET_DAYS = (
    (
        Visit("09:05", "马玉萍", dt.date(1968, 4, 12), False, 2, "adult", "low"),
        Visit("09:40", "罗伟", dt.date(1983, 9, 3), True, 5, "adult", "high"),
        Visit("10:25", "梁秀兰", dt.date(1957, 1, 21), False, 9, "adult", "low"),
        Visit("14:10", "宋明", dt.date(2009, 6, 30), True, 18, "student", "low", "qr"),
        Visit("15:20", "郑红梅", dt.date(1975, 11, 8), False, 2, "adult", "low"),
    ),
    (
        Visit("08:50", "韩静", dt.date(1987, 2, 14), False, 11, "adult", "low"),
        Visit("09:30", "唐勇", dt.date(1979, 7, 19), True, 0, "adult", "high"),
        Visit("10:15", "冯丽", dt.date(2018, 3, 2), False, 20, "child", "low"),
        Visit("11:05", "于涛", dt.date(1964, 10, 27), True, 7, "adult", "low", "pos"),
        Visit("14:35", "董兰", dt.date(1959, 5, 5), False, 14, "adult", "low"),
        Visit("15:30", "萧磊", dt.date(1992, 12, 1), True, 3, "adult", "low"),
    ),
)
TODAY = (
    Visit("08:36", "王建华", dt.date(1966, 3, 9), True, 0, "adult", "low"),
    Visit("08:44", "李秀英", dt.date(1961, 8, 17), False, 1, "adult", "low"),
    Visit("08:53", "张志强", dt.date(1980, 5, 26), True, 4, "adult", "high", "qr"),
    Visit("09:02", "刘桂兰", dt.date(1954, 12, 3), False, 18, "adult", "low"),
    Visit("09:14", "陈宇轩", dt.date(2008, 9, 1), True, 18, "student", "low"),
    Visit("09:21", "杨欣怡", dt.date(2019, 4, 22), False, 6, "child", "low"),
    Visit("09:35", "赵德福", dt.date(1958, 2, 11), True, 13, "adult", "low"),
    Visit("09:47", "黄淑珍", dt.date(1962, 6, 30), False, 13, "adult", "low"),
    Visit("09:58", "周海燕", dt.date(1979, 10, 15), False, 21, "adult", "high", "pos"),
    Visit("10:12", "吴俊杰", dt.date(1990, 1, 7), True, 9, "adult", "low", "qr"),
    Visit("10:26", "徐丽娟", dt.date(1985, 7, 29), False, 1, "adult", "high"),
    Visit("10:38", "孙立新", dt.date(1967, 3, 18), True, 25, "adult", "low", "bank"),
    Visit("10:49", "胡梓萱", dt.date(2020, 8, 8), False, 4, "child", "low"),
    Visit("11:02", "朱建国", dt.date(1955, 11, 23), True, 0, "adult", "low"),
    Visit("11:10", "高春梅", dt.date(1972, 4, 4), False, 27, "adult", "low"),
    Visit("11:18", "林浩然", dt.date(2006, 12, 19), True, 6, "student", "low", "qr"),
)
#: today's visitor whose receipt is voided (wrong payer name) and issued again
VOIDED = "刘桂兰"


def id_number(birth: dt.date, seq: int, male: bool) -> str:
    """A valid ID number of 宁河区 (the sequence digit gives the sex)."""
    order = seq * 2 + (1 if male else 0)
    body = f"120221{birth:%Y%m%d}{900 + order % 100:03d}"
    return body + check_character(body)


class CounterDays:
    """Writes the days through ``ops``; ``clock`` is moved along as it goes."""

    def __init__(
        self,
        ops: Operations,
        clock: FixedClock,
        *,
        office_id: int,
        clerk_id: int,
        supervisor_id: int,
    ) -> None:
        self.ops, self.clock = ops, clock
        self.policies = ops.ctx.policies
        self.office_id, self.clerk_id, self.supervisor_id = office_id, clerk_id, supervisor_id
        self.villages = [v.id for v in ops.read(office_info, office_id).villages]
        self.cash_by_day: dict[dt.date, int] = {}
        self._seq = 0

    def at(self, day: dt.date, hhmm: str) -> None:
        hour, minute = (int(x) for x in hhmm.split(":"))
        self.clock.set(dt.datetime.combine(day, dt.time(hour, minute)))

    def run(self, quiet: tuple[dt.date, dt.date], today: dt.date) -> None:
        self.at(quiet[0], "07:50")
        self.set_targets()
        for day, visits in zip(quiet, QUIET_DAYS, strict=True):
            self.open(day)
            for visit in visits:
                self.serve(day, visit)
            self.close(day)
        self.open(today)
        # first thing: the oldest day's cash to the bank counter
        self.at(today, "08:20")
        self.ops.write(
            (DEPOSITS, LEDGER),
            record_deposit,
            office_id=self.office_id,
            amount=format_fen(self.cash_by_day[quiet[0]]),
            channel="bank",
            slip_no=f"JK{today:%Y%m%d}-01",
            operator_id=self.clerk_id,
        )
        receipts: dict[str, tuple[int, int]] = {}
        for visit in TODAY:
            paid = self.serve(today, visit)
            if paid is not None:
                receipts[visit.name] = paid
        if VOIDED in receipts:
            self.void_and_reissue(today, *receipts[VOIDED])

    # --- the acts -------------------------------------------------------------------

    def set_targets(self) -> None:
        """Each village's target for the year, in round tens; one village has none yet."""
        progress = self.ops.read(enrollment_progress, self.office_id, POLICY_YEAR)
        villages = [p for p in progress if p.village_id is not None]
        for n, village in enumerate(villages[:-1]):
            factor = TARGET_FACTORS[n % len(TARGET_FACTORS)]
            target = max(10, int(village.paid * factor + 9) // 10 * 10)
            self.ops.write(
                OFFICE,
                set_village_target,
                village_id=village.village_id,
                target=target,
                operator_id=self.supervisor_id,
            )

    def open(self, day: dt.date) -> None:
        self.at(day, "08:00")
        self.ops.write(
            DAY,
            open_day,
            office_id=self.office_id,
            operator_id=self.clerk_id,
            opening_float=OPENING_FLOAT,
        )

    def serve(self, day: dt.date, visit: Visit) -> tuple[int, int] | None:
        """Register, enrol and pay; (enrolment id, receipt id) of a cash payment."""
        self.at(day, visit.time)
        self._seq += 1
        data = ResidentInput(
            id_number=id_number(visit.birth, self._seq, visit.male),
            name=visit.name,
            village_id=self.villages[visit.village % len(self.villages)],
            phone=f"1{3 + self._seq % 6}{self._seq * 7919 % 10**9:09d}",
        )
        try:
            _resident, enrollment, _quote = self.ops.write(
                ENROLLMENTS,
                register_and_enroll,
                policies=self.policies,
                policy_key=POLICY_KEY,
                data=data,
                category=visit.category,
                tier=visit.tier,
                facts=PersonFacts(birth_date=visit.birth),
                office_id=self.office_id,
                operator_id=self.clerk_id,
            )
        except OperationFailed as exc:
            log.warning("screenshot visitor %s not registered: %s", visit.name, exc.message)
            return None
        self.clock.advance(minutes=3)
        reference = ""
        if visit.channel != "cash":
            reference = f"{visit.channel.upper()}{day:%Y%m%d}{self._seq:06d}"
        paid = self.ops.write(
            (PAYMENTS, LEDGER),
            take_payment,
            self.policies,
            enrollment_id=enrollment.id,
            amount=format_fen(enrollment.personal_due_fen),
            channel=visit.channel,
            reference=reference,
            payer_name=visit.name,
            operator_id=self.clerk_id,
        )
        if visit.channel != "cash" or paid.receipt_id is None:
            return None
        self.cash_by_day[day] = self.cash_by_day.get(day, 0) + paid.amount_fen
        return enrollment.id, paid.receipt_id

    def void_and_reissue(self, day: dt.date, enrollment_id: int, receipt_id: int) -> None:
        self.at(day, "11:21")
        void = self.ops.write(
            (PAYMENTS, LEDGER),
            void_receipt,
            receipt_id=receipt_id,
            supervisor_id=self.supervisor_id,
            supervisor_password=DEMO_OPERATORS[0][1],
            reason="缴款人姓名录错，作废重开",
            operator_id=self.clerk_id,
        )
        self.clock.advance(minutes=1)
        self.ops.write(
            (PAYMENTS, LEDGER),
            take_payment,
            self.policies,
            enrollment_id=enrollment_id,
            amount=format_fen(void.amount_fen),
            channel="cash",
            payer_name=VOIDED,
            agent_name="刘建军",
            operator_id=self.clerk_id,
        )

    def close(self, day: dt.date) -> None:
        """Counted as expected; the cash stays in the drawer (not due yet)."""
        self.at(day, "17:20")
        clock = self.clock
        preview = self.ops.read(
            lambda s: preview_close(s, clock, office_id=self.office_id, denominations={})
        )
        self.ops.write(
            DAY,
            close_day,
            office_id=self.office_id,
            operator_id=self.clerk_id,
            denominations=count_for_amount(preview.expected_fen),
        )
