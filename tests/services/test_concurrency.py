"""services/concurrency.py on SQLite: the lock helpers and the lost-race sentence.

(The races themselves, with real processes on both databases, are in
tests/concurrency/.)"""

from __future__ import annotations

import pytest
from factories import make_desk
from sqlalchemy.exc import IntegrityError

from common.errors import ConflictError, NotFound
from db.engine import Database
from db.models import Village
from services.concurrency import lock_office, lock_resident, lost_race_as_conflict


def test_locking_a_missing_row_is_not_found(db: Database):
    with db.write() as s:
        with pytest.raises(NotFound, match="单位"):
            lock_office(s, 999)
        with pytest.raises(NotFound, match="居民"):
            lock_resident(s, 999)


def test_a_taken_key_becomes_a_sentence_and_the_transaction_goes_on(db: Database):
    with db.write() as s:
        desk = make_desk(s)
        with pytest.raises(ConflictError) as info:
            with lost_race_as_conflict(s, "另一窗口刚刚添加了东村，请刷新后重试。", code="x"):
                s.add(Village(office_id=desk.office_id, name="东村", active=True))
        assert info.value.code == "x" and info.value.message.startswith("另一窗口刚刚")
        s.add(Village(office_id=desk.office_id, name="南村", active=True))  # still usable
    with db.read() as s:
        assert s.query(Village).filter_by(name="南村").count() == 1


def test_other_database_errors_pass_through(db: Database):
    with db.write() as s:
        desk = make_desk(s)
        with pytest.raises(IntegrityError):
            with lost_race_as_conflict(s, "x", code="x"):
                s.add(Village(office_id=desk.office_id + 100, name="北村", active=True))
