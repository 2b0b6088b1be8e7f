"""Clock sanity for every write, not only money.

``services.business_day.ensure_day_open`` checks the date of every money write
against the newest business date in the database
(``services.clock_sanity.check_business_date``). Registration, payment notices
and the office's settings carry the clock's date too (created_at, the notice's
issue date and deadline, updated_at): a clock set years ahead or turned back
would write them into the wrong year just as well. :func:`check_write_clock`
applies the same rule before such a write — a date before the newest business
date, or more than ``MAX_FORWARD_DAYS`` after it, is refused until a
supervisor confirms the date (``confirm_business_date``) — with a refusal that
names what was refused.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.errors import ConflictError
from services.clock import Clock
from services.clock_sanity import assess_date

#: what the refusal names, by kind of write
WRITES = {
    "register": "登记",
    "notice": "开具缴费通知单",
    "settings": "修改单位设置",
}


def check_write_clock(session: Session, clock: Clock, office_id: int | None, write: str) -> None:
    """Refuse (codes ``clock_backwards`` / ``clock_ahead``) a write of kind
    ``write`` (a key of :data:`WRITES`) while the clock disagrees with the
    office's newest business date and no supervisor has confirmed it.

    A write with no office (``office_id`` None: a record not tied to a counter)
    has no business dates to compare with and is not checked."""
    if office_id is None:
        return
    what = WRITES[write]
    check = assess_date(session, office_id, clock.now().date())
    if check.ok:
        return
    if check.state == "backwards":
        told = f"电脑日期 {check.today} 早于系统中最新的业务日期 {check.newest}，电脑时钟可能被调回"
    else:
        assert check.newest is not None
        days = (check.today - check.newest).days
        told = (
            f"电脑日期 {check.today} 比系统中最新的业务日期 {check.newest} 晚 {days} 天，"
            "电脑时钟可能不准"
        )
    raise ConflictError(
        f"暂不能{what}：{told}。请核对日期；如日期无误，须由主管确认日期后才能继续。",
        code=f"clock_{check.state}",
    )
