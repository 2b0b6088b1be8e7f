"""Issue 9: bank holidays move deadlines (POLICY §7.3 revised)."""

from __future__ import annotations

import datetime as dt

from cash_desk_helpers import at
from cash_lines import cash_line

from services.bank_calendar import BankCalendar, set_office_closed_days, weekday_zh
from services.deposit_state import current_deposit_status

# --- bank holidays (POLICY §7.3 revised) -------------------------------------------------------------


def test_a_deadline_on_a_bank_holiday_moves_to_the_next_open_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    # 2026-09-28 + 5 days = 10-03, inside the National Day holiday (10-01 … 10-07)
    collected = dt.date(2026, 9, 28)
    with db.write() as s:
        cash_line(s, desk, "payment", 38_000, at(collected, 9))
    clock.set(at(collected, 10))
    with db.read() as s:
        status = current_deposit_status(s, clock, desk.office_id)
    assert status.deadline == dt.date(2026, 10, 8) and weekday_zh(status.deadline) == "星期四"
    with db.write() as s:
        set_office_closed_days(s, desk.office_id, [dt.date(2026, 10, 8)], note="网点装修")
        assert current_deposit_status(s, clock, desk.office_id).deadline == dt.date(2026, 10, 9)


def test_weekends_count_as_open_unless_the_office_says_so() -> None:
    sat, sun, mon = dt.date(2024, 3, 16), dt.date(2024, 3, 17), dt.date(2024, 3, 18)
    assert BankCalendar().next_open(sat) == sat
    closed = BankCalendar(closed_weekends=True)
    assert closed.next_open(sat) == mon and closed.next_open(sun) == mon
    # a 调休 Saturday is a working day: 2026-10-10
    assert closed.is_open(dt.date(2026, 10, 10))
    # statutory holidays are closed whatever the office says
    assert not BankCalendar().is_open(dt.date(2024, 10, 1))
