"""Reports: takings by village, tier and channel; overrides; enrolment progress."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_lines import cash_line, make_desk
from factories import PASSWORD, make_enrollment, policies

from common.errors import InputError
from db.models import Village
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.payments import take_payment
from services.reports import enrollment_progress, month_report, override_list, period_report

MON = dt.date(2023, 11, 6)


def at(n: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(MON + dt.timedelta(days=n), dt.time(hour))


def test_takings_by_village_tier_and_channel(db) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 38_000, at(0), village=0, tier="low")
        cash_line(s, desk, "payment", 101_000, at(0), village=1, tier="high")
        cash_line(s, desk, "payment", 101_000, at(1), village=1, tier="high", channel="qr")
        cash_line(s, desk, "void", 38_000, at(1), village=0, tier="low")
        cash_line(s, desk, "deposit", 50_000, at(1))  # not takings
        cash_line(s, desk, "payment", 38_000, at(40), village=0)  # December
    with db.read() as s:
        report = month_report(s, desk.office_id, 2023, 11)
        one_day = period_report(s, desk.office_id, MON, MON)
    assert report.amount_fen == 202_000 and report.payments == 3
    villages = {g.label: (g.payments, g.reversals, g.amount_fen) for g in report.by_village}
    assert villages == {"西村": (2, 0, 202_000), "东村": (1, 1, 0)}
    assert {g.key: g.amount_fen for g in report.by_tier} == {"high": 202_000, "low": 0}
    assert {g.label: g.amount_fen for g in report.by_tier} == {"高档": 202_000, "低档": 0}
    channels = {g.label: g.net_count for g in report.by_channel}
    assert channels == {"现金": 1, "扫码/APP": 1}
    assert one_day.amount_fen == 139_000


def test_bad_periods_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        with pytest.raises(InputError):
            month_report(s, 1, 2023, 13)
        with pytest.raises(InputError):
            period_report(s, 1, MON, MON - dt.timedelta(days=1))


def test_overrides_show_in_the_report(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 100_000, at(0))
    clock.set(at(0, 18))
    with db.write() as s:
        close_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            denominations=count_for_amount(100_000),
        )
    clock.set(at(5, 17))
    with db.write() as s:
        close_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            denominations=count_for_amount(100_000),
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            override_reason="银行已关门",
        )
    with db.read() as s:
        rows = override_list(s, desk.office_id, MON, at(30).date())
        none = override_list(s, desk.office_id, MON, MON)
    assert [(r.kind_label, r.reason) for r in rows] == [("当日应入库未入库即日结", "银行已关门")]
    assert rows[0].day_close_id is not None
    assert rows[0].supervisor_name == "张强" and rows[0].operator_name == "王丽"
    assert none == []


def test_enrolments_against_village_targets(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        s.get(Village, desk.village_ids[0]).target = 4  # type: ignore[union-attr]
        first = make_enrollment(s, desk)
        make_enrollment(s, desk, name="王芳")
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=first,
            amount="380",
            channel="pos",
            reference="POS123",
            operator_id=desk.clerk_id,
        )
    with db.read() as s:
        rows = {r.name: r for r in enrollment_progress(s, desk.office_id, 2024)}
    assert (rows["东村"].enrolled, rows["东村"].paid, rows["东村"].target) == (2, 1, 4)
    assert rows["东村"].rate == 0.25
    assert rows["西村"].enrolled == 0 and rows["西村"].rate is None
