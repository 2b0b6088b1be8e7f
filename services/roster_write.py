"""Writing a checked roster import (the last step of ``services.roster_import``).

The checking step fills a :class:`RosterPlan` — new people, changed basic
information, list marks, not-enrolled reasons, rejected rows — and
:func:`write_plan` writes it in bulk, in the caller's transaction, after the
``roster_import`` row that every written row points back to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from db.models import NotEnrolledReason, Resident, RosterChange, RosterImport, RosterMark
from services.roster_file import RosterTable

_RESIDENT_BATCH = 2_000
_MARK_BATCH = 5_000


@dataclasses.dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


@dataclasses.dataclass
class RosterPlan:
    """What an import will write; new people's marks are keyed by ID number."""

    new_residents: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    new_marks: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # id_number keyed
    updates: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    changes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    reasons: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    reason_updates: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class ImportTarget:
    """Where and when the rows go: the office, the list, the years, the operator."""

    office_id: int
    kind: str
    policy_year: int
    mark_year: int
    now: dt.datetime
    operator_id: int | None


def write_plan(
    session: Session,
    plan: RosterPlan,
    target: ImportTarget,
    table: RosterTable,
    *,
    tick: Callable[[int], None],
    work: int,
) -> int:
    """Write ``plan``; ``tick(done)`` reports progress in the second half of ``work``.
    Returns the id of the ``roster_import`` row."""
    import_id = _import_record(session, plan, target, table)
    new_ids = _insert_residents(session, plan, tick=tick, work=work)
    if plan.updates:
        session.execute(update(Resident), plan.updates)
    if plan.changes:
        session.execute(insert(RosterChange), [{"import_id": import_id, **c} for c in plan.changes])
    reasons = _insert_marks(session, plan, target, import_id, new_ids)
    _write_reasons(session, plan, target, table, import_id, reasons)
    session.flush()
    return import_id


def _import_record(
    session: Session, plan: RosterPlan, target: ImportTarget, table: RosterTable
) -> int:
    record = RosterImport(
        office_id=target.office_id,
        kind=target.kind,
        policy_year=target.mark_year,
        file_name=table.file_name[:255],
        file_sha256=table.sha256,
        rows_total=len(table.rows),
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        rejected=len(plan.rejected),
        imported_at=target.now,
        operator_id=target.operator_id,
    )
    session.add(record)
    session.flush()
    return record.id


def _insert_residents(
    session: Session, plan: RosterPlan, *, tick: Callable[[int], None], work: int
) -> dict[str, int]:
    """Insert the new people in batches; their ids by ID number."""
    half = work // 2
    new_ids: dict[str, int] = {}
    rows = plan.new_residents
    for start in range(0, len(rows), _RESIDENT_BATCH):
        batch = rows[start : start + _RESIDENT_BATCH]
        result = session.execute(insert(Resident).returning(Resident.id, Resident.id_number), batch)
        new_ids.update((number, rid) for rid, number in result.all())
        tick(half + (start + len(batch)) * half // max(len(rows), 1))
    return new_ids


def _insert_marks(
    session: Session,
    plan: RosterPlan,
    target: ImportTarget,
    import_id: int,
    new_ids: dict[str, int],
) -> list[dict[str, Any]]:
    """Mark everyone on the list; returns the new reasons, the listed new people's included."""
    marks: list[dict[str, Any]] = []
    reasons = list(plan.reasons)
    for mark in plan.new_marks:
        resident_id = mark.get("resident_id") or new_ids[mark["id_number"]]
        marks.append(
            {
                "resident_id": resident_id,
                "office_id": target.office_id,
                "kind": target.kind,
                "policy_year": target.mark_year,
                "import_id": import_id,
                "reference": mark["reference"],
                "tier": mark["tier"],
                "created_at": target.now,
            }
        )
        if mark.get("reason"):
            reasons.append({"resident_id": resident_id, "reason": mark["reason"]})
    for start in range(0, len(marks), _MARK_BATCH):
        session.execute(insert(RosterMark), marks[start : start + _MARK_BATCH])
    return reasons


def _write_reasons(
    session: Session,
    plan: RosterPlan,
    target: ImportTarget,
    table: RosterTable,
    import_id: int,
    reasons: list[dict[str, Any]],
) -> None:
    """New not-enrolled reasons inserted, changed ones updated."""
    if reasons:
        session.execute(
            insert(NotEnrolledReason),
            [
                {
                    **r,
                    "office_id": target.office_id,
                    "policy_year": target.policy_year,
                    "note": f"导入：{table.file_name}"[:200],
                    "recorded_at": target.now,
                    "recorded_by": target.operator_id,
                    "import_id": import_id,
                }
                for r in reasons
            ],
        )
    for r in plan.reason_updates:
        session.execute(
            update(NotEnrolledReason)
            .where(
                NotEnrolledReason.resident_id == r["resident_id"],
                NotEnrolledReason.policy_year == target.policy_year,
            )
            .values(
                reason=r["reason"],
                recorded_at=target.now,
                recorded_by=target.operator_id,
                import_id=import_id,
            )
        )
