"""A demo office, built through the real services (issue item 9).

:func:`build_demo_office` makes a Tianjin street office (policy
``tianjin-2024``) with its villages, a clerk and a supervisor, then runs
``days`` working days (weekends skipped) from the start of the collection
period on a :class:`~services.clock.FixedClock`. Each day: open with a float;
residents come to the counter, are registered and enrolled (every category, in
realistic proportions) and most pay, in cash or not; a few receipts are voided
and paid again, a few earlier payments refunded; the cash is deposited when the
deposit rule asks for it (now and then a day closes with a supervisor's
override instead, and the cash goes to the bank first thing next morning); the
drawer is counted and the day closed. One transaction per day.

Everything goes through the services a clerk's clicks would call: identity
numbers are valid (MOD 11-2 check character), names are drawn from common
surnames and given-name characters, and the same ``seed`` always builds the
same office. Above :data:`BULK_ABOVE` residents the routine visits (register,
enrol, pay) are written in batches by :mod:`services.demo_bulk`, which writes
row for row what the services write (a test builds one office both ways and
compares every table); that takes a 300,000-resident year from hours to
minutes. Opening, voids, refunds, deposits and closes always go through the
services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, ServiceError
from common.idcard import check_character
from common.money import format_fen
from db.engine import Database
from db.models import Office, Operator, Resident, Village
from services.business_day import open_day
from services.clock import FixedClock
from services.close_preview import preview_close
from services.corrections import void_receipt
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.demo_bulk import Arrival, Served, serve_in_bulk
from services.deposit_state import current_deposit_status
from services.deposits import record_deposit
from services.office import create_office, create_operator
from services.over_short import differences, settle_difference
from services.payments import take_payment
from services.policy import PolicyBook, load_policies
from services.quote import PersonFacts
from services.refunds import refund_payment
from services.registry import ResidentInput, register_and_enroll

__all__ = ["DEMO_OPERATORS", "DemoResult", "build_demo_office", "working_days"]

POLICY_KEY = "tianjin-2024"
START = dt.date(2023, 10, 10)  # first day of the 2024 collection period
OFFICE_CODE = "NHLT"
#: (username, password, display name, role) — printed by ``demo-data``.
DEMO_OPERATORS = (
    ("super", "super123", "张建国", "supervisor"),
    ("clerk", "clerk123", "王丽", "clerk"),
)
VILLAGES = (
    "东关村", "西关村", "南关村", "北关村", "大辛村", "小辛村", "丰台村", "造甲村",
    "潘庄村", "俵口村", "苗庄村", "东棘坨村", "板桥村", "岳龙村", "七里海村", "廉庄村",
    "北淮淀村", "任凤村", "桥北社区", "光明社区", "建设社区", "振兴社区", "和平社区",
    "金翠社区", "幸福社区", "新华社区", "富民社区", "芦台一街社区", "芦台二街社区", "宁园社区",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯秀兰建国建华"
    "志强海燕春梅淑珍淑华丽娟文博子涵雨欣梓萱一诺浩然宇轩欣怡思远佳怡俊杰晨曦家豪立新德福"
)
AREAS = ("120221", "120117", "120104", "120110")  # 宁河 (old and new codes), 南开, 东丽
# Category, share of residents, age range at enrolment (years).
CATEGORIES = (
    ("adult", 0.560, (18, 85)),
    ("student", 0.180, (6, 22)),
    ("child", 0.085, (1, 6)),  # under 4 months a baby enrols as a newborn (000 §8(5))
    ("newborn", 0.012, (0, 0)),
    ("extreme_poverty", 0.006, (25, 90)),
    ("special_care", 0.006, (40, 95)),
    ("retired_cadre_spouse", 0.002, (70, 95)),
    ("orphan", 0.002, (1, 17)),
    ("minimum_living", 0.075, (18, 90)),
    ("low_income_edge", 0.040, (18, 90)),
    ("severe_disability", 0.022, (18, 90)),
    ("student_loan", 0.010, (18, 23)),
)
CHANNELS = (("cash", 0.46), ("qr", 0.34), ("pos", 0.15), ("bank", 0.05))
UNPAID_SHARE = 0.04  # enrolled but never pays in the demo's period
OPENING_FLOAT = "200.00"
RECEIPT_PREFIX = "LT"
#: Above this many residents the routine visits are written in batches.
BULK_ABOVE = 5_000

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class DemoResult:
    office_id: int = 0
    office_code: str = OFFICE_CODE
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    days: int = 0
    residents: int = 0
    enrollments: dict[str, int] = field(default_factory=dict)
    payments: int = 0
    cash_payments: int = 0
    voids: int = 0
    refunds: int = 0
    deposits: int = 0
    closes: int = 0
    overrides: int = 0
    refused: dict[str, int] = field(default_factory=dict)  # quotes refused, by code
    seconds: float = 0.0
    bulk: bool = False


def working_days(start: dt.date, count: int) -> list[dt.date]:
    """``count`` weekdays from ``start`` on (weekends skipped)."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


class _People:
    """Makes up residents: valid, unique ID numbers; names; phones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def id_number(self, birth: dt.date) -> str:
        while True:
            body = f"{self.rng.choice(AREAS)}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = body + check_character(body)
            if number not in self.used:
                self.used.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(("13", "15", "18", "17")) + f"{self.rng.randrange(10**9):09d}"

    def birth(self, category: str, ages: tuple[int, int], today: dt.date) -> dt.date:
        if category == "newborn":
            return today - dt.timedelta(days=self.rng.randint(3, 110))
        low, high = ages
        days_old = self.rng.randint(low * 365 + 30, high * 365 + 300)
        return today - dt.timedelta(days=days_old)


def _weights(days: list[dt.date], policies: PolicyBook) -> list[float]:
    """Most people come during the collection period; a trickle later."""
    end = policies.get(POLICY_KEY).collection.end
    return [4.0 if day <= end else 1.0 for day in days]


def _split(total: int, weights: list[float]) -> list[int]:
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _setup(
    db: Database, clock: FixedClock, policies: PolicyBook, result: DemoResult
) -> tuple[int, int, list[int]]:
    with db.write() as s:
        existing = s.scalars(select(Office.name).limit(1)).first()
        if existing is not None:
            # A live office's database must never receive demo residents and a
            # demo supervisor with a published password.
            raise ConflictError(
                f"该数据库已有经办单位（{existing}），演示数据只能写入新建的空数据库。"
                "请用 --db 指定一个新文件。",
                code="demo_refused",
            )
        info = create_office(
            s,
            clock,
            code=OFFICE_CODE,
            name="天津市宁河区芦台街道办事处",
            level="street_office",
            policy_key=POLICY_KEY,
            receipt_prefix=RECEIPT_PREFIX,
            villages=VILLAGES,
            address="天津市宁河区芦台镇光明路1号",
            phone="022-69591234",
            known_policies=frozenset(policies.keys()),
        )
        ids: dict[str, int] = {}
        for username, password, display, role in DEMO_OPERATORS:
            ids[role] = create_operator(
                s,
                clock,
                office_id=info.id,
                username=username,
                display_name=display,
                role=role,
                password=password,
                created_by=ids.get("supervisor"),
            ).id
    result.office_id = info.id
    return ids["clerk"], ids["supervisor"], [v.id for v in info.villages]


def build_demo_office(
    db: Database,
    *,
    residents: int,
    days: int,
    seed: int = 20231010,
    start: dt.date = START,
    progress: ProgressCallback | None = None,
    policies: PolicyBook | None = None,
    bulk: bool | None = None,
) -> DemoResult:
    """Build the demo office in ``db`` (see the module docstring).

    ``bulk`` writes the routine visits (register, enrol, pay) in batches with
    :func:`services.demo_bulk.serve_in_bulk`, which writes the very rows the
    services would; by default it is used above :data:`BULK_ABOVE` residents.
    Everything else (opening, voids, refunds, deposits, closes) always goes
    through the services.
    """
    if isinstance(residents, bool) or not isinstance(residents, int) or residents < 1:
        raise InputError("居民人数须为正整数。", code="bad_residents")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 400:
        raise InputError("营业天数须为 1–400 之间的整数。", code="bad_days")
    began = time.perf_counter()
    policies = policies or load_policies()
    policy = policies.get(POLICY_KEY)
    bulk = residents > BULK_ABOVE if bulk is None else bulk
    rng = random.Random(seed)
    people = _People(rng)
    calendar = working_days(start, days)
    clock = FixedClock(dt.datetime.combine(calendar[0], dt.time(8, 0)))
    result = DemoResult(first_day=calendar[0], last_day=calendar[-1], days=days, bulk=bulk)
    clerk, boss, villages = _setup(db, clock, policies, result)
    village_weights = [rng.uniform(0.5, 1.5) for _ in villages]
    counts = _split(residents, _weights(calendar, policies))
    refundable: list[int] = []  # payment ids that may be refunded on a later day
    visitors = 0
    for index, (day, count) in enumerate(zip(calendar, counts, strict=True)):
        arrivals = []
        for k in range(count):
            # The first visitors show every category once, however small the demo.
            shown = CATEGORIES[visitors][0] if visitors < len(CATEGORIES) else None
            arrivals.append(_arrival(rng, people, day, k, count, villages, village_weights, shown))
            visitors += 1
        with db.write() as s:
            kept = _keep_office_objects(s, result.office_id)
            counter = _Day(s, clock, policies, rng, result, clerk, boss, day)
            counter.morning()
            if bulk:
                clock.set(arrivals[0].at if arrivals else clock.now())
                served, refused = serve_in_bulk(
                    s,
                    clock,
                    policy=policy,
                    office_id=result.office_id,
                    receipt_prefix=RECEIPT_PREFIX,
                    operator_id=clerk,
                    arrivals=arrivals,
                )
            else:
                served, refused = counter.serve_through_services(arrivals)
            counter.count(served, refused)
            counter.voids(served, index)
            paid_today = [x.payment_id for x in served if x.payment_id]
            refundable.extend(p for p in paid_today if rng.random() < 0.01)
            if not refundable and paid_today:
                refundable.append(paid_today[0])  # so that even a small demo has a refund
            counter.refunds(refundable, index)
            counter.evening(index)
            del kept
        if progress is not None:
            progress(index + 1, days, f"{day} 接待 {count} 人")
    result.seconds = time.perf_counter() - began
    return result


def _arrival(
    rng: random.Random,
    people: _People,
    day: dt.date,
    k: int,
    count: int,
    villages: list[int],
    village_weights: list[float],
    category_shown: str | None = None,
) -> Arrival:
    """The ``k``-th of ``count`` visitors of the day, spread over 08:30–15:45."""
    at = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(
        seconds=int(k * 7.25 * 3600 / max(count, 1))
    )
    category, _, ages = rng.choices(CATEGORIES, [share for _, share, _ in CATEGORIES])[0]
    if category_shown is not None:
        category, _, ages = next(c for c in CATEGORIES if c[0] == category_shown)
    birth = people.birth(category, ages, day)
    tier: str | None = "low"
    if category == "adult" or (category == "severe_disability" and rng.random() < 0.05):
        tier = "high" if rng.random() < 0.28 else "low"
    facts = PersonFacts(
        birth_date=birth,
        continuous_years=rng.choice((0, 1, 2, 3, 5, 8)),
        via_school=category in ("student", "student_loan") and rng.random() < 0.85,
    )
    data = ResidentInput(
        id_number=people.id_number(birth),
        name=people.name(),
        village_id=rng.choices(villages, village_weights)[0],
        phone=people.phone() if category != "newborn" else "",
        address=f"宁河区芦台镇{rng.randint(1, 80)}号",
        household_no=f"HH{rng.randrange(10**8):08d}",
    )
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    reference = "" if channel == "cash" else f"{channel.upper()}{rng.randrange(10**12):012d}"
    return Arrival(
        at=at,
        data=data,
        category=category,
        tier=tier,
        facts=facts,
        pays=rng.random() >= UNPAID_SHARE,
        channel=channel,
        reference=reference,
    )


def _keep_office_objects(session: Session, office_id: int) -> list[object]:
    """Load the office, its operators and villages once for the day's session.

    The session's identity map holds objects only weakly, so each service
    call's ``session.get`` of the office or the operator would query again; a
    reference held for the day saves those queries. (Holding *every* object
    would slow the services' ORM UPDATEs, which scan the identity map.)
    """
    return [
        session.get(Office, office_id),
        *session.scalars(select(Operator).where(Operator.office_id == office_id)),
        *session.scalars(select(Village).where(Village.office_id == office_id)),
    ]


class _Day:
    """One working day at the counter, inside one transaction."""

    def __init__(
        self,
        session: Session,
        clock: FixedClock,
        policies: PolicyBook,
        rng: random.Random,
        result: DemoResult,
        clerk: int,
        boss: int,
        day: dt.date,
    ) -> None:
        self.session, self.clock, self.policies, self.rng = session, clock, policies, rng
        self.result, self.clerk, self.boss, self.day = result, clerk, boss, day
        self.office = result.office_id

    def at(self, hour: int, minute: int = 0) -> None:
        self.clock.set(dt.datetime.combine(self.day, dt.time(hour, minute)))

    def morning(self) -> None:
        self.at(8, 0)
        open_day(
            self.session,
            self.clock,
            office_id=self.office,
            operator_id=self.clerk,
            opening_float=OPENING_FLOAT,
        )
        # A shortage found at yesterday's count is made up by the clerk (POLICY
        # §7.3 revised: it stays open against the collector until then).
        for case in differences(self.session, self.office):
            if case.kind == "short":
                settle_difference(
                    self.session,
                    self.clock,
                    difference_id=case.id,
                    action="cash_in",
                    amount=format_fen(case.open_fen),
                    operator_id=self.clerk,
                    reason="经办人补齐短款",
                )
        status = current_deposit_status(self.session, self.clock, self.office)
        if status.state in ("due_today", "overdue"):
            # Yesterday's cash went unbanked (an override): to the bank first.
            self.at(8, 20)
            self.deposit(status.cash_on_hand_fen, "bank")

    def serve_through_services(
        self, arrivals: list[Arrival]
    ) -> tuple[list[Served], dict[str, int]]:
        """Each visit as the registration and payment pages would do it."""
        served: list[Served] = []
        refused: dict[str, int] = {}
        s = self.session
        for a in arrivals:
            self.clock.set(a.at)
            try:
                with s.begin_nested():
                    resident, enrollment, q = register_and_enroll(
                        s,
                        self.clock,
                        policies=self.policies,
                        policy_key=POLICY_KEY,
                        data=a.data,
                        category=a.category,
                        tier=a.tier,
                        facts=a.facts,
                        office_id=self.office,
                        operator_id=self.clerk,
                    )
            except ServiceError as refusal:
                refused[refusal.code] = refused.get(refusal.code, 0) + 1
                continue
            due = q.personal_due_fen
            if not a.pays or due == 0:
                served.append(Served(a.category, resident.id, enrollment.id, due))
                continue
            paid = self.pay(enrollment.id, due, a.channel, a.reference, resident.name)
            served.append(
                Served(
                    a.category,
                    resident.id,
                    enrollment.id,
                    due,
                    paid.payment_id,
                    paid.receipt_id,
                    a.channel,
                )
            )
        return served, refused

    def count(self, served: list[Served], refused: dict[str, int]) -> None:
        result = self.result
        result.residents += len(served)
        for x in served:
            result.enrollments[x.category] = result.enrollments.get(x.category, 0) + 1
            if x.payment_id is not None:
                result.payments += 1
                result.cash_payments += int(x.channel == "cash")
        for code, n in refused.items():
            result.refused[code] = result.refused.get(code, 0) + n

    def pay(self, enrollment_id: int, due_fen: int, channel: str, reference: str, payer: str):  # type: ignore[no-untyped-def]
        return take_payment(
            self.session,
            self.clock,
            self.policies,
            enrollment_id=enrollment_id,
            amount=format_fen(due_fen),
            channel=channel,
            reference=reference,
            payer_name=payer,
            operator_id=self.clerk,
        )

    def voids(self, served: list[Served], index: int) -> None:
        """A wrong receipt now and then: voided by the supervisor and paid again."""
        cash = [x for x in served if x.receipt_id is not None]
        chosen = [x for x in cash if self.rng.random() < 0.003]
        if not chosen and cash and index % 3 == 0:
            chosen = [cash[0]]
        self.at(15, 50)
        for x in chosen:
            assert x.receipt_id is not None
            void_receipt(
                self.session,
                self.clock,
                receipt_id=x.receipt_id,
                supervisor_id=self.boss,
                supervisor_password=DEMO_OPERATORS[0][1],
                reason="收据信息录入错误，作废重开",
                operator_id=self.clerk,
            )
            self.result.voids += 1
            name = self.session.get(Resident, x.resident_id).name  # type: ignore[union-attr]
            paid = self.pay(x.enrollment_id, x.due_fen, "cash", "", name)
            served[served.index(x)] = dataclasses.replace(
                x, payment_id=paid.payment_id, receipt_id=paid.receipt_id
            )
            self.result.payments += 1
            self.result.cash_payments += 1

    def refunds(self, candidates: list[int], index: int) -> None:
        """A few earlier payments are refunded (insured elsewhere for the year)."""
        if index == 0 or not candidates:
            return
        wanted = max(1 if index % 3 == 1 else 0, round(self.result.payments * 0.001 / index))
        self.at(16, 0)
        for _ in range(min(wanted, len(candidates))):
            payment_id = candidates.pop(self.rng.randrange(len(candidates)))
            refund_payment(
                self.session,
                self.clock,
                payment_id=payment_id,
                reason="已在外省参加全年居民医保，重复参保",
                approver_id=self.boss,
                approver_password=DEMO_OPERATORS[0][1],
                operator_id=self.clerk,
                category="duplicate_other_province",
            )
            self.result.refunds += 1

    def deposit(self, fen: int, channel: str) -> None:
        if fen <= 0:
            return
        self.result.deposits += 1
        record_deposit(
            self.session,
            self.clock,
            office_id=self.office,
            amount=format_fen(fen),
            channel=channel,
            slip_no=f"JK{self.clock.now():%Y%m%d%H%M}",
            operator_id=self.clerk,
        )

    def evening(self, index: int) -> None:
        s = self.session
        self.at(16, 30)
        status = current_deposit_status(s, self.clock, self.office)
        skip = index % 37 == 36 and status.state == "due_today"  # now and then: bank closed
        if status.state != "ok" and not skip:
            self.deposit(status.cash_on_hand_fen, "bank_pickup")
        self.at(17, 30)
        preview = preview_close(s, self.clock, office_id=self.office, denominations={})
        counted = preview.expected_fen - preview.expected_fen % 10  # no fen coins counted
        if index % 53 == 52 and counted >= 1_000:
            counted -= 1_000  # ten yuan short, found at the count
        extra: dict[str, object] = {}
        if counted != preview.expected_fen:
            extra.update(
                difference_reason="找零差错，短款由经办人补齐",
                supervisor_id=self.boss,
                supervisor_password=DEMO_OPERATORS[0][1],
            )
        if skip:
            extra.update(
                override_reason="银行网点系统故障未能入库，次日一早入库",
                supervisor_id=self.boss,
                supervisor_password=DEMO_OPERATORS[0][1],
            )
            self.result.overrides += 1
        close_day(
            s,
            self.clock,
            office_id=self.office,
            operator_id=self.clerk,
            denominations=count_for_amount(counted),
            **extra,  # type: ignore[arg-type]
        )
        self.result.closes += 1
