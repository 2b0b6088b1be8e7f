"""Issue 14 item 3: search at the speed of the index."""

from __future__ import annotations

import pytest

from db.engine import Database
from db.models import Enrollment, Resident
from tests.services.factories import (
    Desk,
    make_enrollment,
)

# --- search at the speed of the index (issue 14 item 3) ----------------------------------------


@pytest.mark.parametrize("query", ["李明", "lm", "0064", "010064", "13800138000", "李"])
def test_search_is_one_statement_per_query(db: Database, desk: Desk, query: str) -> None:
    from services.resident_search import search_residents

    with db.write() as s:
        eid = make_enrollment(s, desk)
        s.get(Resident, s.get(Enrollment, eid).resident_id).phone = "13800138000"  # type: ignore[union-attr]
    with db.read() as s:
        raw = s.connection().connection.driver_connection
        sent: list[str] = []
        raw.set_trace_callback(sent.append)  # type: ignore[union-attr]
        try:
            found = search_residents(s, query)
        finally:
            raw.set_trace_callback(None)  # type: ignore[union-attr]
    assert len(sent) == 1, sent
    assert "resident" in sent[0]
    if query in ("李明", "lm", "李", "13800138000"):
        assert [r.name for r in found] == ["李明"]
