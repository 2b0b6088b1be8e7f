"""Importing the lists a village collector is handed: last year's enrolment
list, the national platform's registered list, and the list of people who
already paid through other channels (WeChat, bank app, tax app).

A list is an ``.xlsx`` or ``.csv`` file as the bureau sends it: title rows
above the header, headers in any order under their common Chinese names,
merged cells, full-width digits, ID numbers that Excel turned into numbers.
:func:`read_roster` finds the header row and the data; :func:`guess_mapping`
maps headers to fields (the window asks the clerk about headers it does not
know); :func:`import_roster` checks every row and writes the good ones in one
transaction.

A row is checked like a registration at the window: the ID number with its
check character, the name, the village (one of the office's). A person not
yet on the register is created; a person already there gets the basic
information the list gives (phone, household number, address, village; each
change kept with old and new value in ``roster_change``) — never a new name,
which is an "important information" change that needs review (POLICY.md §6).
The person is marked as being on the list for the policy year, and a reason
for not enrolling (参军、服刑 …) given in the list is recorded on the person.
Importing the same file again changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import InputError, ServiceError
from common.idcard import ParsedId, parse_id
from db.models import (
    NotEnrolledReason,
    Resident,
    RosterMark,
    Village,
)
from services.clock import Clock
from services.registry import clean_name, clean_phone, name_initials
from services.roster_file import (
    FIELD_LABELS,
    RosterTable,
    cell_text,
    header_key,
    missing_fields,
)
from services.roster_write import ImportTarget, RejectedRow, RosterPlan, write_plan

__all__ = [
    "KIND_LABELS",
    "REASON_LABELS",
    "ImportCancelled",
    "ImportResult",
    "RejectedRow",
    "import_roster",
    "reason_key",
]

KIND_LABELS = {
    "last_year": "上年参保名单",
    "registered": "平台已登记名单",
    "paid_elsewhere": "已通过其他渠道缴费名单",
}

REASON_LABELS = {
    "military": "参军",
    "prison": "服刑",
    "deceased": "死亡",
    "lost_contact": "失联",
    "elsewhere": "外出/异地参保",
    "employee_insurance": "职工医保",
    "declined": "自愿放弃",
}
_REASON_WORDS = {
    **{label: key for key, label in REASON_LABELS.items()},
    "外出": "elsewhere",
    "异地参保": "elsewhere",
    "外出异地参保": "elsewhere",
    "参加职工医保": "employee_insurance",
    "职工医疗保险": "employee_insurance",
    "放弃": "declined",
    "去世": "deceased",
    "入伍": "military",
}

PROGRESS_EVERY = 1_000
_CHUNK = 500
# Progress: reading the rows is the first half of the work, writing the second.
ProgressFn = Callable[[int, int], bool]


class ImportCancelled(ServiceError):
    code = "import_cancelled"


@dataclasses.dataclass(frozen=True)
class ImportResult:
    kind: str
    policy_year: int
    created: int
    updated: int
    unchanged: int
    rejected: tuple[RejectedRow, ...]
    dry_run: bool
    import_id: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
        }


def reason_key(text: str) -> str:
    """The reason key for a Chinese reason as lists write it (参军、服刑 …)."""
    word = header_key(text).replace("/", "").replace("、", "")
    if word in REASON_LABELS:
        return word
    key = _REASON_WORDS.get(word) or _REASON_WORDS.get(header_key(text))
    if key is None:
        known = "、".join(REASON_LABELS.values())
        raise InputError(f"未参保原因“{text}”无法识别（可填：{known}）", code="reason_invalid")
    return key


# --- checking and writing --------------------------------------------------------------


@dataclasses.dataclass
class _Existing:
    id: int
    name: str
    village_id: int | None
    phone: str
    household_no: str
    address: str


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(session: Session, numbers: Sequence[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for chunk in _chunks(numbers):
        rows = session.execute(
            select(
                Resident.id_number,
                Resident.id,
                Resident.name,
                Resident.village_id,
                Resident.phone,
                Resident.household_no,
                Resident.address,
            ).where(Resident.id_number.in_(chunk))
        ).all()
        for number, rid, name, village_id, phone, household_no, address in rows:
            found[number] = _Existing(rid, name, village_id, phone, household_no, address)
    return found


def _normal_village(name: str) -> str:
    return "".join(cell_text(name).split())


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise ImportCancelled("导入已取消，没有写入任何数据。")


_BASIC_FIELDS = ("village_id", "phone", "household_no", "address")


@dataclasses.dataclass
class _Known:
    """What the checks of the rows need from the database, fetched once up front."""

    villages: dict[str, int]  # normalised name -> id
    parsed_ids: dict[int, ParsedId | InputError]  # row number -> its ID number, or why not
    existing: dict[str, _Existing]  # people already on the register, by ID number
    marked: set[int]  # people already on this list for the year
    reasons_now: dict[int, str]  # not-enrolled reasons already recorded for the year
    seen: dict[str, int] = dataclasses.field(default_factory=dict)  # ID number -> first row


def import_roster(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    table: RosterTable,
    mapping: dict[str, int],
    kind: str,
    policy_year: int,
    operator_id: int | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Check every row of ``table`` and write the good ones (unless ``dry_run``).

    ``policy_year`` is the office's current policy year; last year's list is
    recorded against the year before it. ``progress(done, total)`` is called
    now and then; when it returns False the import stops with
    :class:`ImportCancelled` and the caller's transaction writes nothing.
    """
    _check_request(table, mapping, kind)
    now = clock.now()
    target = ImportTarget(
        office_id=office_id,
        kind=kind,
        policy_year=policy_year,
        mark_year=policy_year - 1 if kind == "last_year" else policy_year,
        now=now,
        operator_id=operator_id,
    )
    total = len(table.rows)
    work = total * 2 or 1
    _tick(progress, 0, work)
    known = _load_known(session, target, table, mapping)
    plan = _plan_rows(known, target, table, mapping, lambda done: _tick(progress, done, work))
    import_id: int | None = None
    if not dry_run:
        import_id = write_plan(
            session,
            plan,
            target,
            table,
            tick=lambda done: _tick(progress, done, work),
            work=work,
        )
    _tick(progress, work, work)
    return ImportResult(
        kind=kind,
        policy_year=policy_year,
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        rejected=tuple(plan.rejected),
        dry_run=dry_run,
        import_id=import_id,
    )


def _plan_rows(
    known: _Known,
    target: ImportTarget,
    table: RosterTable,
    mapping: dict[str, int],
    tick: Callable[[int], None],
) -> RosterPlan:
    """Every row checked into the plan; a bad row is rejected with its reason."""
    plan = RosterPlan()
    for done, (row_no, cells) in enumerate(table.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            tick(done)
        if not any(cells):
            continue
        try:
            _plan_row(plan, known, target, table, mapping, row_no, cells)
        except InputError as exc:
            plan.rejected.append(RejectedRow(row_no, exc.message.rstrip("。")))
    return plan


def _check_request(table: RosterTable, mapping: dict[str, int], kind: str) -> None:
    """The list kind and the column mapping, before any row is read."""
    if kind not in KIND_LABELS:
        raise InputError(f"名单类型 {kind} 无效。", code="roster_kind")
    if missing := missing_fields(mapping):
        names = "、".join(FIELD_LABELS[f] for f in missing)
        raise InputError(
            f"名单缺少必需的列：{names}。请在导入时指定对应的表头。", code="roster_columns"
        )
    for field, index in mapping.items():
        if field not in FIELD_LABELS or not 0 <= index < len(table.headers):
            raise InputError(f"表头对应关系无效：{field}", code="roster_mapping")


def _load_known(
    session: Session, target: ImportTarget, table: RosterTable, mapping: dict[str, int]
) -> _Known:
    """Every ID number is checked once, up front, so the people already on the
    register can be fetched in a few queries instead of one per row."""
    villages = {
        _normal_village(name): vid
        for vid, name in session.execute(
            select(Village.id, Village.name).where(Village.office_id == target.office_id)
        ).all()
    }
    id_col = mapping["id_number"]
    today = target.now.date()
    parsed_ids: dict[int, ParsedId | InputError] = {}
    for row_no, cells in table.rows:
        try:
            parsed_ids[row_no] = parse_id(cells[id_col], today=today)
        except InputError as exc:
            parsed_ids[row_no] = exc
    numbers = {p.number for p in parsed_ids.values() if isinstance(p, ParsedId)}
    existing = _load_existing(session, sorted(numbers))
    marked = set(
        session.scalars(
            select(RosterMark.resident_id).where(
                RosterMark.office_id == target.office_id,
                RosterMark.kind == target.kind,
                RosterMark.policy_year == target.mark_year,
            )
        ).all()
    )
    reasons_now = dict(
        session.execute(
            select(NotEnrolledReason.resident_id, NotEnrolledReason.reason).where(
                NotEnrolledReason.office_id == target.office_id,
                NotEnrolledReason.policy_year == target.policy_year,
            )
        ).all()
    )
    return _Known(villages, parsed_ids, existing, marked, reasons_now)


@dataclasses.dataclass(frozen=True)
class _Row:
    """One row's values, checked and cleaned."""

    parsed: ParsedId
    name: str
    phone: str
    village_id: int | None
    reason: str | None
    household_no: str
    address: str
    reference: str
    tier: str


def _plan_row(
    plan: RosterPlan,
    known: _Known,
    target: ImportTarget,
    table: RosterTable,
    mapping: dict[str, int],
    row_no: int,
    cells: tuple[str, ...],
) -> None:
    """Check one row like a registration at the window and add it to the plan;
    a bad row raises ``InputError`` (the caller rejects it)."""
    row = _clean_row(known, table, mapping, row_no, cells)
    person = known.existing.get(row.parsed.number)
    if person is None:
        _plan_new_person(plan, target, row)
    else:
        _plan_known_person(plan, known, person, row)


def _clean_row(
    known: _Known,
    table: RosterTable,
    mapping: dict[str, int],
    row_no: int,
    cells: tuple[str, ...],
) -> _Row:
    def cell(field: str) -> str:
        index = mapping.get(field)
        return cells[index] if index is not None else ""

    if (row_no, mapping["id_number"]) in table.lossy_numbers:
        raise InputError("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写")
    parsed = known.parsed_ids[row_no]
    if isinstance(parsed, InputError):
        raise parsed
    number = parsed.number
    if number in known.seen:
        raise InputError(f"与第 {known.seen[number]} 行的身份证号重复")
    known.seen[number] = row_no
    name = clean_name(cell("name"))
    phone = clean_phone(cell("phone"))
    village_text = _normal_village(cell("village"))
    village_id: int | None = None
    if village_text:
        village_id = known.villages.get(village_text)
        if village_id is None:
            raise InputError(f"村（社区）“{cell('village')}”不是本单位的村（社区）")
    reason_text = cell("not_enrolled_reason")
    return _Row(
        parsed=parsed,
        name=name,
        phone=phone,
        village_id=village_id,
        reason=reason_key(reason_text) if reason_text else None,
        household_no=cell("household_no")[:40],
        address=cell("address")[:200],
        reference=cell("reference")[:200],
        tier=cell("tier")[:32],
    )


def _plan_new_person(plan: RosterPlan, target: ImportTarget, row: _Row) -> None:
    """Someone not yet on the register: created, with the list's information."""
    if row.village_id is None:
        raise InputError("本单位尚未登记此人，须填写村（社区）")
    number = row.parsed.number
    plan.new_residents.append(
        {
            "id_number": number,
            "id_tail": number[-4:],
            "name": row.name,
            "name_initials": name_initials(row.name),
            "sex": row.parsed.sex,
            "birth_date": row.parsed.birth_date,
            "document_type": row.parsed.kind_label,
            "phone": row.phone,
            "address": row.address,
            "household_no": row.household_no,
            "village_id": row.village_id,
            "office_id": target.office_id,
            "created_at": target.now,
            "created_by": target.operator_id,
        }
    )
    plan.new_marks.append(
        {"id_number": number, "reference": row.reference, "tier": row.tier, "reason": row.reason}
    )
    plan.created += 1


def _plan_known_person(plan: RosterPlan, known: _Known, person: _Existing, row: _Row) -> None:
    """Someone already on the register: basic information the list gives, never a
    new name; marked on the list; a reason for not enrolling recorded."""
    if person.name != row.name:
        raise InputError(f"姓名与登记不符（已登记为“{person.name}”）；更改姓名须到窗口办理信息变更")
    given = {
        "village_id": row.village_id,
        "phone": row.phone,
        "household_no": row.household_no,
        "address": row.address,
    }
    values: dict[str, Any] = {}
    for field in _BASIC_FIELDS:
        new = given[field]
        old = getattr(person, field)
        if new not in (None, "") and new != old:
            values[field] = new
            plan.changes.append(
                {
                    "resident_id": person.id,
                    "field": field,
                    "old_value": "" if old is None else str(old),
                    "new_value": str(new),
                }
            )
    changed = bool(values)
    if values:
        plan.updates.append({"id": person.id, **values})
    if person.id not in known.marked:
        known.marked.add(person.id)
        plan.new_marks.append(
            {"resident_id": person.id, "reference": row.reference, "tier": row.tier, "reason": None}
        )
        changed = True
    if row.reason is not None and known.reasons_now.get(person.id) != row.reason:
        entry = {"resident_id": person.id, "reason": row.reason}
        if person.id in known.reasons_now:
            plan.reason_updates.append(entry)
        else:
            plan.reasons.append(entry)
        known.reasons_now[person.id] = row.reason
        changed = True
    if changed:
        plan.updated += 1
    else:
        plan.unchanged += 1
