"""Fixtures shared by the cash-desk (issue 9) and resident-year (issue 12) service tests."""

from __future__ import annotations

import pytest

from db.engine import Database
from tests.services.factories import Desk, make_desk, make_operator


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


@pytest.fixture
def second_supervisor(db: Database, desk: Desk) -> int:
    with db.write() as s:
        return make_operator(s, desk.office_id, "boss2", "赵主管", "supervisor")
