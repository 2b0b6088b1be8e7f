"""The weekly enrolment return: counts per village, this week's change, last
year, hardship groups, reasons, and the weekly curve."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import make_desk, make_enrollment, policies
from roster_files import person, workbook
from sqlalchemy import select, update

from common.errors import InputError
from db.engine import Database
from db.models import Enrollment, Resident, Village
from printing.report_data import percent_text
from services.clock import FixedClock
from services.payments import take_payment
from services.progress import weekly_return
from services.roster_file import guess_mapping, read_roster
from services.roster_import import import_roster

MON = dt.datetime(2023, 11, 6, 9, 30)


def test_percent_text_rounds_half_up_with_integers() -> None:
    assert percent_text(1, 3) == "33.3%"
    assert percent_text(2, 3) == "66.7%"
    assert percent_text(269_100, 269_100) == "100.0%"
    assert percent_text(5, 0) == "—"


@pytest.fixture
def office(db: Database, clock: FixedClock, tmp_path):  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        s.execute(update(Village).where(Village.id == desk.village_ids[0]).values(target=4))
        s.execute(update(Village).where(Village.id == desk.village_ids[1]).values(target=10))
        ids = [make_enrollment(s, desk, name=f"人{i}") for i in range(4)]
        poor = make_enrollment(s, desk, name="困难", category="minimum_living", due_fen=3_800)
        last = make_enrollment(s, desk, name="去年", policy_year=2023)
        s.execute(update(Enrollment).where(Enrollment.id == last).values(status="paid"))
    # two paid in the week before, one this week; the hardship person not yet
    for n, enrollment_id in enumerate(ids[:3]):
        clock.set(MON - dt.timedelta(days=7) if n < 2 else MON)
        with db.write() as s:
            take_payment(
                s,
                clock,
                policies(),
                enrollment_id=enrollment_id,
                amount="380",
                channel="qr",
                reference=f"WX{n:04d}",
                operator_id=desk.clerk_id,
            )
    # one more person paid by WeChat, from the paid-elsewhere list (西村)
    clock.set(MON)
    path = workbook(
        tmp_path / "paid.xlsx",
        ("姓名", "身份证号", "村", "未参保原因"),
        [("微信", person(900), "西村", ""), ("当兵", person(901), "西村", "参军")],
    )
    table = read_roster(path)
    with db.write() as s:
        import_roster(
            s,
            clock,
            office_id=desk.office_id,
            table=table,
            mapping=guess_mapping(table.headers),
            kind="paid_elsewhere",
            policy_year=2024,
        )
    return desk, poor


def test_weekly_return_per_village_and_office(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    desk, _poor = office
    with db.read() as s:
        report = weekly_return(s, desk.office_id, 2024, MON.date())
    east, west = report.villages
    assert (east.name, east.target, east.registered, east.paid) == ("东村", 4, 5, 3)
    assert east.paid_this_week == 1 and east.last_year == 1
    assert east.rate_text == "75.0%"
    # the list's two people are paid-elsewhere marks: one counts as paid
    assert (west.paid, west.paid_this_week) == (2, 2)
    assert report.total.target == 14 and report.total.paid == 5
    assert report.hardship.registered == 1 and report.hardship.paid == 0
    assert report.hardship.rate_text == "0.0%"
    assert dict((k, n) for k, _l, n in report.not_enrolled)["military"] == 1
    assert [p.paid for p in report.curve] == [2, 5]
    assert report.curve[-1].week_end == MON.date()


def test_an_earlier_week_does_not_count_later_payments(db: Database, office) -> None:  # type: ignore[no-untyped-def]
    desk, _poor = office
    with db.read() as s:
        report = weekly_return(s, desk.office_id, 2024, MON.date() - dt.timedelta(days=1))
        assert report.total.paid == 2 and report.total.paid_this_week == 2  # on 10-30
        before = weekly_return(s, desk.office_id, 2024, MON.date() - dt.timedelta(days=8))
        assert before.total.paid == 0 and before.total.registered == 5
        with pytest.raises(InputError):
            weekly_return(s, desk.office_id, 1800, MON.date())
        assert s.scalar(select(Resident.id).where(Resident.name == "当兵")) is not None
