"""The race suite (issue 11): two and four windows doing the same thing at the
same instant, many rounds, on PostgreSQL and on SQLite.

One campaign per backend and number of windows runs every scenario of
``races.py`` once (the windows are started once, to keep the suite fast); the
tests below each judge one rule from what the windows reported and what the
database holds afterwards. ``YIBAO_RACE_ROUNDS`` sets the rounds per scenario.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import races
from races import Outcome
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from db.engine import Database
from db.migrate import upgrade_database
from db.models import (
    CashDifferenceSettlement,
    DayClose,
    DayCloseAnnulment,
    Deposit,
    DepositShare,
    DrawerClose,
    Enrollment,
    LedgerEntry,
    LedgerHead,
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptVoid,
    Refund,
    Resident,
)
from services.ledger import verify_ledger

ROUNDS = int(os.environ.get("YIBAO_RACE_ROUNDS", "10"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclasses.dataclass
class Campaign:
    db: Database
    windows: int
    plan: list[tuple[str, list[dict[str, Any]]]]
    outcomes: list[Outcome]
    seconds: float

    def rounds(self, scenario: str) -> list[tuple[dict[str, Any], list[Outcome]]]:
        args = dict(self.plan)[scenario]
        by_round: dict[int, list[Outcome]] = {}
        for o in self.outcomes:
            if o.scenario == scenario:
                by_round.setdefault(o.round, []).append(o)
        assert sorted(by_round) == list(range(len(args))), "a window did not report every round"
        return [(args[r], sorted(by_round[r], key=lambda o: o.window)) for r in range(len(args))]


def run_campaign(url: str, windows: int) -> Campaign:
    db = Database(url)
    plan = races.seed_plan(db, ROUNDS, windows)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(windows)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=races.window_main, args=(url, w, plan, barrier, results), daemon=True)
        for w in range(windows)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    outcomes: list[Outcome] = []
    try:
        for _ in procs:
            outcomes.extend(results.get(timeout=300))
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return Campaign(db, windows, plan, outcomes, time.monotonic() - started)


def _fresh_pg_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except OperationalError:
        pass  # the tests' private server is already gone, and its files with it
    finally:
        admin.dispose()


class CampaignCache:
    def __init__(self) -> None:
        self.runs: dict[tuple[str, int], Campaign] = {}
        self.cleanups: list[Callable[[], None]] = []


@pytest.fixture(scope="session")
def campaigns() -> Iterator[CampaignCache]:
    """Each campaign runs once per test session, whatever order the tests run in."""
    cache = CampaignCache()
    yield cache
    for cleanup in reversed(cache.cleanups):
        cleanup()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(("sqlite", 2), id="sqlite-2"),
        pytest.param(("sqlite", 4), id="sqlite-4"),
        pytest.param(("postgres", 2), id="postgres-2", marks=pytest.mark.postgres),
        pytest.param(("postgres", 4), id="postgres-4", marks=pytest.mark.postgres),
    ],
)
def campaign(
    request: pytest.FixtureRequest,
    campaigns: CampaignCache,
    migrated_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Campaign:
    key: tuple[str, int] = request.param
    if key in campaigns.runs:
        return campaigns.runs[key]
    backend, windows = key
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("races") / "office.sqlite3"
        shutil.copyfile(migrated_template, path)
        url = f"sqlite:///{path}"
    else:
        admin_url = request.getfixturevalue("postgres_admin_url")
        name = f"races_{windows}"
        url = _fresh_pg_database(admin_url, name)
        setup = Database(url)
        upgrade_database(setup)
        setup.dispose()
        campaigns.cleanups.append(lambda: _drop_pg_database(admin_url, name))
    result = run_campaign(url, windows)
    campaigns.cleanups.append(result.db.dispose)
    print(f"\n{backend} × {windows} windows: {len(result.outcomes)} acts in {result.seconds:.1f} s")
    campaigns.runs[key] = result
    return result


def _winners(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.kind == "ok"]


def _refusals(outcomes: list[Outcome]) -> set[str]:
    return {o.code for o in outcomes if o.kind != "ok"}


def _count(db: Database, *where: Any, model: Any) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- what the clerks saw -------------------------------------------------------------


def test_nothing_internal_reaches_a_clerk(campaign: Campaign):
    assert len(campaign.outcomes) == ROUNDS * len(races.ACTS) * campaign.windows
    leaked = [o for o in campaign.outcomes if o.kind not in ("ok", "refused")]
    assert leaked == [], leaked[0].message if leaked else ""
    for o in campaign.outcomes:
        if o.kind == "refused":
            assert CJK.search(o.message), o
            assert "Error" not in o.message and "SQL" not in o.message


# --- one rule each ---------------------------------------------------------------------


def test_only_one_window_deposits_all_the_cash(campaign: Campaign):
    for args, outcomes in campaign.rounds("deposit_all_cash"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"deposit_exceeds_cash"}
        office = args["office_id"]
        with campaign.db.read() as s:
            deposited = s.scalar(
                select(func.sum(Deposit.amount_fen)).where(Deposit.office_id == office)
            )
            on_hand = s.scalar(
                select(func.sum(LedgerEntry.cash_fen)).where(LedgerEntry.office_id == office)
            )
        assert (deposited, on_hand) == (races.DUE_FEN, 0)


def test_a_slip_number_is_recorded_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("same_slip"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"slip_no_taken"}
        slip = f"SLIP-{args['tag']}"
        assert _count(campaign.db, Deposit.slip_no == slip, model=Deposit) == 1


def test_no_payment_lands_in_a_closed_day(campaign: Campaign):
    for args, outcomes in campaign.rounds("pay_or_close"):
        close, payments = outcomes[0], outcomes[1:]
        assert close.kind == "ok", close
        assert _refusals(payments) <= {"day_closed"}
        office = args["office_id"]
        with campaign.db.read() as s:
            row = s.scalars(select(DayClose).where(DayClose.office_id == office)).one()
            in_ledger = s.execute(
                select(func.count(), func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
                    LedgerEntry.office_id == office,
                    LedgerEntry.kind == "payment",
                    LedgerEntry.business_date == row.business_date,
                )
            ).one()
            # The 日结 record and the ledger tell the same story: every payment
            # that was taken is in the close, none after it.
            assert tuple(in_ledger) == (len(_winners(payments)), row.cash_received_fen)
            assert row.expected_fen == row.cash_received_fen


def test_a_day_closes_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("close_twice"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"day_closed"}
        assert _count(campaign.db, DayClose.office_id == args["office_id"], model=DayClose) == 1


def test_a_day_opens_once(campaign: Campaign):
    for _args, outcomes in campaign.rounds("open_twice"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"day_already_open"}


def test_a_new_resident_is_registered_and_enrolled_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("register_same_person"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"duplicate_enrollment", "concurrent_registration"}
        with campaign.db.read() as s:
            ids = s.scalars(select(Resident.id).where(Resident.id_number == args["id_number"]))
            resident_ids = list(ids)
            enrolled = s.scalar(
                select(func.count()).where(Enrollment.resident_id.in_(resident_ids))
            )
        assert (len(resident_ids), enrolled) == (1, 1)


def test_an_enrollment_is_paid_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("pay_same_enrollment"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"already_paid"}
        eid = args["enrollment_id"]
        assert _count(campaign.db, Payment.enrollment_id == eid, model=Payment) == 1


def test_a_receipt_is_voided_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("void_same_receipt"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"already_voided", "concurrent_change"}
        rid = args["receipt_id"]
        assert _count(campaign.db, ReceiptVoid.receipt_id == rid, model=ReceiptVoid) == 1
        voids = (LedgerEntry.receipt_id == rid, LedgerEntry.kind == "void")
        assert _count(campaign.db, *voids, model=LedgerEntry) == 1


def test_a_payment_is_refunded_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("refund_same_payment"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"already_refunded", "concurrent_change"}
        pid = args["payment_id"]
        assert _count(campaign.db, Refund.payment_id == pid, model=Refund) == 1
        refunds = (LedgerEntry.payment_id == pid, LedgerEntry.kind == "refund")
        assert _count(campaign.db, *refunds, model=LedgerEntry) == 1


def test_an_enrollment_gets_one_valid_notice(campaign: Campaign):
    for args, outcomes in campaign.rounds("issue_same_notice"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"notice_exists"}
        valid = (
            PaymentNotice.enrollment_id == args["enrollment_id"],
            PaymentNotice.status == "issued",
        )
        assert _count(campaign.db, *valid, model=PaymentNotice) == 1


def test_receipt_numbers_stay_unique_and_gapless(campaign: Campaign):
    rounds = campaign.rounds("receipts_gapless")
    for _args, outcomes in rounds:
        assert len(_winners(outcomes)) == campaign.windows, outcomes
    office = rounds[0][0]["office_id"]
    with campaign.db.read() as s:
        numbers = list(
            s.scalars(select(Receipt.number).where(Receipt.office_id == office).order_by("number"))
        )
    assert numbers == list(range(1, ROUNDS * campaign.windows + 1))


# --- the books as a whole ----------------------------------------------------------------


def test_every_ledger_verifies_and_cash_is_never_negative(campaign: Campaign):
    with campaign.db.read() as s:
        assert verify_ledger(s).ok
        heads = {h.office_id: h.last_seq for h in s.scalars(select(LedgerHead))}
        lines = dict(
            s.execute(
                select(LedgerEntry.office_id, func.count()).group_by(LedgerEntry.office_id)
            ).all()
        )
        cash = s.execute(
            select(LedgerEntry.office_id, func.sum(LedgerEntry.cash_fen)).group_by(
                LedgerEntry.office_id
            )
        ).all()
        receipts = s.scalar(select(func.count()).select_from(Receipt))
        cash_payments = s.scalar(
            select(func.count()).where(Payment.channel == "cash").select_from(Payment)
        )
    assert heads == lines
    assert all(total >= 0 for _office, total in cash)
    assert receipts == cash_payments
    kinds = Counter(o.kind for o in campaign.outcomes)
    assert kinds["ok"] > 0 and kinds["refused"] > 0


# --- a drawer per window (issue 11 item 2) ------------------------------------------


def test_each_drawer_closes_once_and_the_office_day_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("two_drawers_close"):
        office = args["office_id"]
        for drawer in (args["clerk_id"], args["clerk2_id"]):
            mine = [o for o in outcomes if races._drawer_of(args, o.window) == drawer]
            assert len(_winners(mine)) == 1, outcomes
        assert _refusals(outcomes) <= {"drawer_already_closed", "day_closed"}
        assert _count(campaign.db, DrawerClose.office_id == office, model=DrawerClose) == 2
        with campaign.db.read() as s:
            row = s.scalars(select(DayClose).where(DayClose.office_id == office)).one()
            figures = (row.expected_fen, row.counted_fen, row.difference_fen)
        # the office's close is the sum of both drawers, each counted right
        assert figures == (
            2 * races.DUE_FEN,
            2 * races.DUE_FEN,
            0,
        )


def test_a_deposit_across_drawers_is_made_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("across_drawers_deposit"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"deposit_exceeds_cash", "deposit_exceeds_open_drawers"}
        office = args["office_id"]
        with campaign.db.read() as s:
            shares = dict(
                s.execute(
                    select(DepositShare.drawer_operator_id, DepositShare.amount_fen)
                    .join(Deposit, Deposit.id == DepositShare.deposit_id)
                    .where(Deposit.office_id == office)
                ).all()
            )
            on_hand = s.scalar(
                select(func.sum(LedgerEntry.cash_fen)).where(LedgerEntry.office_id == office)
            )
        # both drawers' cash, each drawer's share exactly what it held
        assert shares == {args["clerk_id"]: races.DUE_FEN, args["clerk2_id"]: races.DUE_FEN}
        assert on_hand == 0


def test_a_shortage_is_written_off_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("write_off_same_short"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"settlement_exceeds_open", "difference_settled"}
        settled = CashDifferenceSettlement.difference_id == args["difference_id"]
        assert _count(campaign.db, settled, model=CashDifferenceSettlement) == 1


def test_a_close_is_annulled_once(campaign: Campaign):
    for args, outcomes in campaign.rounds("annul_same_close"):
        assert len(_winners(outcomes)) == 1, outcomes
        assert _refusals(outcomes) <= {"close_already_annulled", "already_annulled"}
        annulled = DayCloseAnnulment.day_close_id == args["day_close_id"]
        assert _count(campaign.db, annulled, model=DayCloseAnnulment) == 1
