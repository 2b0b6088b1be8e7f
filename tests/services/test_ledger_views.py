"""Read-only ledger views: keyset pages, filters and aggregate totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))

from seeded_desk import add_deposit, add_payment, bulk_ledger, make_office  # noqa: E402

from common.errors import InputError  # noqa: E402
from services.ledger_views import (  # noqa: E402
    NO_VILLAGE,
    LedgerFilter,
    ledger_bounds,
    ledger_lines,
    ledger_rows,
    ledger_totals,
    operators_of,
)

D1 = dt.datetime(2023, 11, 3, 9, 0)
D2 = dt.datetime(2023, 11, 6, 9, 0)


@pytest.fixture
def seeded(db, clock):
    seed = make_office(db, clock)
    add_payment(db, seed, when=D1, village="东风村", tier="low", amount_fen=38000)
    add_payment(db, seed, when=D1, village="红旗村", tier="high", amount_fen=101000, channel="pos")
    add_payment(db, seed, when=D1, village="红旗村", amount_fen=38000, status="voided")
    add_deposit(db, seed, when=D1.replace(hour=16), amount_fen=38000, slip_no="YH001")
    add_payment(db, seed, when=D2, village="新华社区", amount_fen=38000, channel="qr")
    add_payment(db, seed, when=D2, village=None, amount_fen=101000, status="refunded")
    add_payment(db, seed, when=D2, village="东风村", amount_fen=101000)
    return seed


def test_lines_in_ledger_order_with_names(db, seeded):
    with db.read() as s:
        lines = ledger_lines(s, seeded.office_id)
    assert [line.seq for line in lines] == list(range(1, 10))
    first = lines[0]
    assert first.kind == "payment" and first.receipt_no.startswith("CG2023")
    assert first.village_name == "东风村" and first.operator_name == "王芳"
    assert first.status_label == "有效" and first.tier_label == "低档"
    assert first.channel_label == "现金"
    void = [line for line in lines if line.kind == "void"][0]
    assert void.amount_fen == -38000 and void.status_label == "作废冲销"
    deposit = [line for line in lines if line.kind == "deposit"][0]
    assert deposit.slip_no == "YH001" and deposit.cash_fen == -38000


def test_keyset_pages_cover_everything_once(db, seeded):
    seen = []
    after = None
    with db.read() as s:
        while True:
            page = ledger_lines(s, seeded.office_id, after=after, limit=2)
            seen.extend(line.seq for line in page)
            if len(page) < 2:
                break
            after = page[-1].key
    assert seen == list(range(1, 10))
    with db.read() as s:
        newest = ledger_lines(s, seeded.office_id, limit=3, newest_first=True)
        older = ledger_lines(s, seeded.office_id, after=newest[-1].key, limit=3, newest_first=True)
    assert [line.seq for line in newest + older] == [9, 8, 7, 6, 5, 4]


def test_filters(db, seeded):
    oid = seeded.office_id
    with db.read() as s:
        day2 = ledger_lines(s, oid, LedgerFilter(date_from=D2.date(), date_to=D2.date()))
        assert {line.business_date for line in day2} == {D2.date()}
        assert len(day2) == 4  # qr, refunded payment + refund line, cash
        hongqi = ledger_lines(s, oid, LedgerFilter(village_id=seeded.villages["红旗村"]))
        assert {line.village_name for line in hongqi} == {"红旗村"} and len(hongqi) == 3
        none = ledger_lines(s, oid, LedgerFilter(village_id=NO_VILLAGE))
        assert {line.kind for line in none} == {"deposit", "payment", "refund"}
        pos = ledger_lines(s, oid, LedgerFilter(channel="pos"))
        assert [line.channel for line in pos] == ["pos"]
        valid = ledger_lines(s, oid, LedgerFilter(status="valid"))
        assert len(valid) == 4 and all(line.payment_status == "completed" for line in valid)
        voided = ledger_lines(s, oid, LedgerFilter(status="voided"))
        assert [line.kind for line in voided] == ["payment", "void"]
        refunded = ledger_lines(s, oid, LedgerFilter(status="refunded"))
        assert [line.kind for line in refunded] == ["payment", "refund"]
        deposits = ledger_lines(s, oid, LedgerFilter(status="deposit"))
        assert [line.kind for line in deposits] == ["deposit"]


def test_totals(db, seeded):
    with db.read() as s:
        totals = ledger_totals(s, seeded.office_id)
        day1 = ledger_totals(s, seeded.office_id, LedgerFilter(date_to=D1.date()))
        valid = ledger_totals(s, seeded.office_id, LedgerFilter(status="valid"))
    assert totals.lines == 9 and totals.receipts == 6
    assert totals.collected_fen == 38000 + 101000 + 38000 + 38000 + 101000 + 101000
    assert totals.reversed_fen == 38000 + 101000
    assert totals.net_fen == totals.collected_fen - totals.reversed_fen
    assert totals.deposited_fen == 38000
    # cash: 380 + 380 - 380 (void) + 1010 - 1010 (refund) + 1010
    assert totals.cash_net_fen == 38000 + 101000
    channels = {c.channel: c for c in totals.by_channel}
    assert [c.channel for c in totals.by_channel] == ["cash", "pos", "qr"]
    assert channels["cash"].receipts == 4 and channels["cash"].net_fen == 139000
    assert channels["pos"].label == "POS刷卡"
    assert day1.lines == 5 and day1.net_fen == 139000 and day1.deposited_fen == 38000
    assert valid.net_fen == valid.collected_fen == 38000 + 101000 + 38000 + 101000


def test_bad_filter_refused():
    with pytest.raises(InputError):
        LedgerFilter(date_from=D2.date(), date_to=D1.date())
    with pytest.raises(InputError):
        LedgerFilter(status="bogus")


def test_bounds_and_operators(db, seeded):
    with db.read() as s:
        assert ledger_bounds(s, seeded.office_id) == (D1.date(), D2.date())
        ops = operators_of(s, seeded.office_id)
    assert [(o.username, o.role_label, o.active) for o in ops] == [
        ("wangfang", "经办人", True),
        ("zhangli", "主管", True),
    ]


def test_pages_stay_fast_on_a_large_ledger(db, clock):
    seed = make_office(db, clock)
    bulk_ledger(db, seed, 60_000, start=dt.date(2023, 1, 2))
    flt = LedgerFilter(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31), channel="cash")
    with db.read() as s:
        ledger_lines(s, seed.office_id, flt)  # warm up
        started = time.perf_counter()
        page = ledger_lines(s, seed.office_id, flt)
        deep = ledger_lines(s, seed.office_id, flt, after=(dt.date(2023, 3, 12), 55_000))
        elapsed = time.perf_counter() - started
        totals = ledger_totals(s, seed.office_id, flt)
    assert len(page) == 200 and deep[0].seq > 55_000
    assert elapsed < 0.5
    assert totals.receipts == 36_000


def test_rows_for_exports_are_the_lines_unbuilt(db, seeded):
    """ledger_rows (one streamed select, for exports) gives every line that
    ledger_lines gives, field for field, also under a filter."""
    for flt in (LedgerFilter(), LedgerFilter(village_id=NO_VILLAGE, date_from=D2.date())):
        with db.read() as s:
            lines = ledger_lines(s, seeded.office_id, flt, limit=1000)
            rows = list(ledger_rows(s, seeded.office_id, flt))
        assert lines and len(rows) == len(lines)
        for row, line in zip(rows, lines, strict=True):
            fields = [f.name for f in dataclasses.fields(line)]
            assert [v if v is not None else "" for v in row] == [getattr(line, f) for f in fields]
