"""Issue 12: renewal list and carry forward."""

from __future__ import annotations

import datetime as dt

import pytest
from resident_year_helpers import _pay, _resident_of

from common.errors import ServiceError
from db.engine import Database
from db.models import Enrollment, Resident
from services.clock import FixedClock
from services.renewal import renew, renewal_list, renewal_proposal
from tests.services.factories import (
    Desk,
    confirm_date,
    make_enrollment,
    policies,
)

# --- renewal --------------------------------------------------------------------------------


def test_renewal_list_and_carry_forward(db: Database, clock: FixedClock, desk: Desk) -> None:
    last_year = FixedClock(dt.datetime(2022, 11, 7, 9, 0))
    with db.write() as s:
        adult = make_enrollment(s, desk, name="张成", tier="high", due_fen=98_000,
                                policy_key="tianjin-2023", policy_year=2023)  # fmt: skip
        # a child who turns 18 before the 2024 collection: offered as an adult
        teen = make_enrollment(s, desk, name="张小", category="child", tier="low",
                               due_fen=35_000, birth="20051101",
                               policy_key="tianjin-2023", policy_year=2023)  # fmt: skip
        other_village = make_enrollment(s, desk, name="刘某", tier="low", due_fen=35_000,
                                        policy_key="tianjin-2023", policy_year=2023)  # fmt: skip
        s.get(Resident, s.get(Enrollment, other_village).resident_id).village_id = (  # type: ignore[union-attr]
            desk.village_ids[1]
        )
    for eid, amount in ((adult, "980"), (teen, "350"), (other_village, "350")):
        _pay(db, last_year, desk, eid, amount)
    with db.read() as s:
        rows = renewal_list(
            s, office_id=desk.office_id, village_id=desk.village_ids[0], last_year=2023, year=2024
        )
        assert [r.name for r in rows] == ["张小", "张成"] or [r.name for r in rows] == [
            "张成",
            "张小",
        ]
        teen_rid = _resident_of(db, teen)
        proposal = renewal_proposal(
            s, policies().get("tianjin-2024"), resident_id=teen_rid, today=clock.now().date()
        )
        assert proposal.last_category == "child" and proposal.category == "adult"
        assert proposal.category_changed and proposal.problem == ""
    # a year since the last business date: a supervisor confirms the date at login
    # (issue 9: registration is refused under an unconfirmed clock too)
    with db.write() as s:
        confirm_date(s, clock, desk, "新一年度征缴开始")
    with db.write() as s:
        record, q = renew(
            s,
            clock,
            policies(),
            policy_key="tianjin-2024",
            resident_id=_resident_of(db, adult),
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
        )
    assert (record.category, record.tier, q.personal_due_fen) == ("adult", "high", 101_000)
    with db.read() as s:
        rows = renewal_list(
            s, office_id=desk.office_id, village_id=desk.village_ids[0], last_year=2023, year=2024
        )
        assert [r.name for r in rows] == ["张小"]
    with pytest.raises(ServiceError):
        with db.write() as s:
            renew(
                s, clock, policies(), policy_key="tianjin-2024",
                resident_id=_resident_of(db, adult), office_id=desk.office_id,
                operator_id=desk.clerk_id,
            )  # fmt: skip
