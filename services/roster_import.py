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

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from common.errors import InputError, ServiceError
from common.idcard import ParsedId, parse_id
from db.models import (
    NotEnrolledReason,
    Resident,
    RosterChange,
    RosterImport,
    RosterMark,
    Village,
)
from services.clock import Clock
from services.registry import clean_name, clean_phone, name_initials

__all__ = [
    "FIELD_LABELS",
    "KIND_LABELS",
    "REASON_LABELS",
    "ImportCancelled",
    "ImportResult",
    "RejectedRow",
    "RosterTable",
    "guess_mapping",
    "import_roster",
    "missing_fields",
    "read_roster",
    "reason_key",
]

KIND_LABELS = {
    "last_year": "上年参保名单",
    "registered": "平台已登记名单",
    "paid_elsewhere": "已通过其他渠道缴费名单",
}

FIELD_LABELS = {
    "id_number": "公民身份号码",
    "name": "姓名",
    "village": "村（社区）",
    "phone": "联系电话",
    "household_no": "户号",
    "tier": "参保档次",
    "address": "住址",
    "reference": "缴费渠道/流水号",
    "not_enrolled_reason": "未参保原因",
}
REQUIRED_FIELDS = ("id_number", "name")

# Header names met in the bureau's lists, after NFKC and with spaces and
# asterisks removed (so "身份证号码*" and "村(社区)" match too).
_ALIASES = {
    "id_number": (
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "公民身份证号码",
        "居民身份证号码",
        "参保人身份证号码",
    ),
    "name": ("姓名", "参保人姓名", "参保人", "居民姓名", "户主姓名"),
    "village": ("村(社区)", "村社区", "村", "社区", "村居", "所属村(社区)", "村(居)", "所在村"),
    "phone": ("联系电话", "电话", "手机号", "手机号码", "手机", "联系方式", "电话号码"),
    "household_no": ("户号", "户编号", "户口簿户号"),
    "tier": ("参保档次", "缴费档次", "档次"),
    "address": ("住址", "地址", "家庭住址", "户籍地址"),
    "reference": ("缴费渠道", "缴费方式", "渠道", "交易流水号", "流水号", "缴费凭证号"),
    "not_enrolled_reason": ("未参保原因", "未缴费原因", "原因"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}

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

HEADER_SCAN_ROWS = 30
PROGRESS_EVERY = 1_000
_CHUNK = 500
# Progress: reading the rows is the first half of the work, writing the second.
ProgressFn = Callable[[int, int], bool]


class ImportCancelled(ServiceError):
    code = "import_cancelled"


@dataclasses.dataclass(frozen=True)
class RosterTable:
    """The cells of a roster file below its header row, as text."""

    file_name: str
    sha256: str
    header_row: int  # 1-based row number of the header in the file
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number in the file, cells)
    # cells that held a number too long for Excel to keep exactly: (row, column)
    lossy_numbers: frozenset[tuple[int, int]] = frozenset()


@dataclasses.dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str


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


# --- reading ---------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as clean text: full-width characters folded (NFKC), trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def _header_key(text: str) -> str:
    return "".join(ch for ch in _text(text) if not ch.isspace() and ch not in "*＊:：")


def header_field(text: str) -> str | None:
    """The field a header names, or None when it is not a known header."""
    return _ALIAS_TO_FIELD.get(_header_key(text))


def _is_lossy(value: object) -> bool:
    # Excel keeps 15 significant digits: an 18-digit ID typed into a number
    # cell comes back as a float with its last digits gone.
    return isinstance(value, float) and abs(value) >= 1e15


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[object]]], set[tuple[int, int]]]:
    """Rows of the first sheet (1-based numbers), merged blocks filled in.

    Read with calamine (a Rust reader, ten times faster than openpyxl's on a
    50,000-row list). A merged block — a title, or a village written once for
    many rows — holds its value in its top-left cell: every cell of the block
    gets that value."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    grid: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ():
        if r1 >= len(grid):
            continue
        top = grid[r1]
        value = top[c1] if c1 < len(top) else None
        for r in range(r1, min(r2, len(grid) - 1) + 1):
            cells = grid[r]
            if len(cells) <= c2:
                cells.extend([None] * (c2 + 1 - len(cells)))
            for c in range(c1, c2 + 1):
                cells[c] = value
    lossy = {
        (n, c)
        for n, cells in enumerate(grid, start=1)
        for c, v in enumerate(cells)
        if isinstance(v, float) and _is_lossy(v)
    }
    return list(enumerate(grid, start=1)), lossy


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("无法识别 CSV 文件的编码（应为 UTF-8 或 GBK）。", code="roster_encoding")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(n, list(cells)) for n, cells in enumerate(reader, start=1)]


def _find_header(rows: Sequence[tuple[int, Sequence[str]]]) -> int:
    """Index in ``rows`` of the header row: the row naming most known fields
    (the ID number counts double); failing that, the first of the rows with
    the most different values (a merged title fills many cells with one)."""
    best, best_score = -1, 1
    for i, (_n, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {header_field(c) for c in cells if c}
        fields.discard(None)
        score = len(fields) + ("id_number" in fields)
        if score > best_score:
            best, best_score = i, score
    if best >= 0:
        return best
    widths = [len({c for c in cells if c}) for _n, cells in rows[:HEADER_SCAN_ROWS]]
    if not widths or max(widths) == 0:
        raise InputError("文件中没有数据。", code="roster_empty")
    return widths.index(max(widths))


def read_roster(path: Path | str, data: bytes | None = None) -> RosterTable:
    """Read an Excel (``.xlsx``, ``.xls``) or ``.csv`` roster; find its header row and data."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"无法读取文件 {path.name}：{exc.strerror}", code="roster_io"
            ) from None
    suffix = path.suffix.lower()
    lossy: set[tuple[int, int]] = set()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            raw, lossy = _xlsx_rows(data)
        except Exception as exc:  # calamine raises its own errors for broken files
            raise InputError(
                f"{path.name} 不是有效的 Excel 文件，无法打开（{type(exc).__name__}）。",
                code="roster_unreadable",
            ) from None
    elif suffix == ".csv":
        raw = _csv_rows(data)
    else:
        raise InputError("只能导入 Excel（.xlsx、.xls）或 .csv 文件。", code="roster_format")
    rows = [(n, tuple(_text(v) for v in cells)) for n, cells in raw]
    header_index = _find_header(rows)
    header_row, headers = rows[header_index]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    body = tuple(
        (n, tuple(cells[:width]) + ("",) * (width - len(cells)))
        for n, cells in rows[header_index + 1 :]
    )
    return RosterTable(
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        header_row=header_row,
        headers=tuple(headers[:width]),
        rows=body,
        lossy_numbers=frozenset((n, c) for n, c in lossy if c < width),
    )


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field -> column index for the headers this program knows (first one wins)."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = header_field(header)
        if field is not None and field not in mapping:
            mapping[field] = index
    return mapping


# Columns lists carry that hold nothing to import.
_IGNORED_HEADERS = frozenset({"序号", "编号", "备注", "说明"})


def unknown_headers(headers: Sequence[str], mapping: dict[str, int]) -> list[str]:
    """Headers neither mapped nor known to hold nothing (序号, 备注)."""
    used = set(mapping.values())
    return [
        h
        for i, h in enumerate(headers)
        if h and i not in used and _header_key(h) not in _IGNORED_HEADERS
    ]


def missing_fields(mapping: dict[str, int]) -> list[str]:
    return [f for f in REQUIRED_FIELDS if f not in mapping]


def reason_key(text: str) -> str:
    """The reason key for a Chinese reason as lists write it (参军、服刑 …)."""
    word = _header_key(text).replace("/", "").replace("、", "")
    if word in REASON_LABELS:
        return word
    key = _REASON_WORDS.get(word) or _REASON_WORDS.get(_header_key(text))
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


@dataclasses.dataclass
class _Plan:
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
    return "".join(_text(name).split())


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise ImportCancelled("导入已取消，没有写入任何数据。")


_BASIC_FIELDS = ("village_id", "phone", "household_no", "address")


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
    now = clock.now()
    today = now.date()
    mark_year = policy_year - 1 if kind == "last_year" else policy_year
    villages = {
        _normal_village(name): vid
        for vid, name in session.execute(
            select(Village.id, Village.name).where(Village.office_id == office_id)
        ).all()
    }

    total = len(table.rows)
    work = total * 2 or 1
    _tick(progress, 0, work)
    id_col = mapping["id_number"]
    # Every ID number is checked once, up front, so the people already on the
    # register can be fetched in a few queries instead of one per row.
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
                RosterMark.office_id == office_id,
                RosterMark.kind == kind,
                RosterMark.policy_year == mark_year,
            )
        ).all()
    )
    reasons_now = dict(
        session.execute(
            select(NotEnrolledReason.resident_id, NotEnrolledReason.reason).where(
                NotEnrolledReason.office_id == office_id,
                NotEnrolledReason.policy_year == policy_year,
            )
        ).all()
    )

    plan = _Plan()
    seen: dict[str, int] = {}

    def cell(cells: tuple[str, ...], field: str) -> str:
        index = mapping.get(field)
        return cells[index] if index is not None else ""

    for done, (row_no, cells) in enumerate(table.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            _tick(progress, done, work)
        if not any(cells):
            continue
        try:
            if (row_no, id_col) in table.lossy_numbers:
                raise InputError(
                    "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”后重新填写"
                )
            parsed = parsed_ids[row_no]
            if isinstance(parsed, InputError):
                raise parsed
            number = parsed.number
            if number in seen:
                raise InputError(f"与第 {seen[number]} 行的身份证号重复")
            seen[number] = row_no
            name = clean_name(cell(cells, "name"))
            phone = clean_phone(cell(cells, "phone"))
            village_text = _normal_village(cell(cells, "village"))
            village_id: int | None = None
            if village_text:
                village_id = villages.get(village_text)
                if village_id is None:
                    raise InputError(f"村（社区）“{cell(cells, 'village')}”不是本单位的村（社区）")
            reason_text = cell(cells, "not_enrolled_reason")
            reason = reason_key(reason_text) if reason_text else None
            household_no = cell(cells, "household_no")[:40]
            address = cell(cells, "address")[:200]
            reference = cell(cells, "reference")[:200]
            tier = cell(cells, "tier")[:32]
            known = existing.get(number)
            if known is None:
                if village_id is None:
                    raise InputError("本单位尚未登记此人，须填写村（社区）")
                plan.new_residents.append(
                    {
                        "id_number": number,
                        "id_tail": number[-4:],
                        "name": name,
                        "name_initials": name_initials(name),
                        "sex": parsed.sex,
                        "birth_date": parsed.birth_date,
                        "document_type": parsed.kind_label,
                        "phone": phone,
                        "address": address,
                        "household_no": household_no,
                        "village_id": village_id,
                        "office_id": office_id,
                        "created_at": now,
                        "created_by": operator_id,
                    }
                )
                plan.new_marks.append(
                    {"id_number": number, "reference": reference, "tier": tier, "reason": reason}
                )
                plan.created += 1
                continue
            if known.name != name:
                raise InputError(
                    f"姓名与登记不符（已登记为“{known.name}”）；更改姓名须到窗口办理信息变更"
                )
            given = {
                "village_id": village_id,
                "phone": phone,
                "household_no": household_no,
                "address": address,
            }
            values: dict[str, Any] = {}
            for field in _BASIC_FIELDS:
                new = given[field]
                old = getattr(known, field)
                if new not in (None, "") and new != old:
                    values[field] = new
                    plan.changes.append(
                        {
                            "resident_id": known.id,
                            "field": field,
                            "old_value": "" if old is None else str(old),
                            "new_value": str(new),
                        }
                    )
            changed = bool(values)
            if values:
                plan.updates.append({"id": known.id, **values})
            if known.id not in marked:
                marked.add(known.id)
                plan.new_marks.append(
                    {"resident_id": known.id, "reference": reference, "tier": tier, "reason": None}
                )
                changed = True
            if reason is not None and reasons_now.get(known.id) != reason:
                row = {"resident_id": known.id, "reason": reason}
                if known.id in reasons_now:
                    plan.reason_updates.append(row)
                else:
                    plan.reasons.append(row)
                reasons_now[known.id] = reason
                changed = True
            if changed:
                plan.updated += 1
            else:
                plan.unchanged += 1
        except InputError as exc:
            plan.rejected.append(RejectedRow(row_no, exc.message.rstrip("。")))

    import_id: int | None = None
    if not dry_run:
        import_id = _write(
            session,
            plan,
            office_id=office_id,
            kind=kind,
            policy_year=policy_year,
            mark_year=mark_year,
            table=table,
            now=now,
            operator_id=operator_id,
            progress=progress,
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


def _write(
    session: Session,
    plan: _Plan,
    *,
    office_id: int,
    kind: str,
    policy_year: int,
    mark_year: int,
    table: RosterTable,
    now: dt.datetime,
    operator_id: int | None,
    progress: ProgressFn | None,
    work: int,
) -> int:
    record = RosterImport(
        office_id=office_id,
        kind=kind,
        policy_year=mark_year,
        file_name=table.file_name[:255],
        file_sha256=table.sha256,
        rows_total=len(table.rows),
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        rejected=len(plan.rejected),
        imported_at=now,
        operator_id=operator_id,
    )
    session.add(record)
    session.flush()
    half = work // 2
    new_ids: dict[str, int] = {}
    rows = plan.new_residents
    for start in range(0, len(rows), 2_000):
        batch = rows[start : start + 2_000]
        result = session.execute(insert(Resident).returning(Resident.id, Resident.id_number), batch)
        new_ids.update((number, rid) for rid, number in result.all())
        _tick(progress, half + (start + len(batch)) * half // max(len(rows), 1), work)
    if plan.updates:
        session.execute(update(Resident), plan.updates)
    if plan.changes:
        session.execute(insert(RosterChange), [{"import_id": record.id, **c} for c in plan.changes])
    marks: list[dict[str, Any]] = []
    reasons = list(plan.reasons)
    for mark in plan.new_marks:
        resident_id = mark.get("resident_id") or new_ids[mark["id_number"]]
        marks.append(
            {
                "resident_id": resident_id,
                "office_id": office_id,
                "kind": kind,
                "policy_year": mark_year,
                "import_id": record.id,
                "reference": mark["reference"],
                "tier": mark["tier"],
                "created_at": now,
            }
        )
        if mark.get("reason"):
            reasons.append({"resident_id": resident_id, "reason": mark["reason"]})
    for start in range(0, len(marks), 5_000):
        session.execute(insert(RosterMark), marks[start : start + 5_000])
    if reasons:
        session.execute(
            insert(NotEnrolledReason),
            [
                {
                    **r,
                    "office_id": office_id,
                    "policy_year": policy_year,
                    "note": f"导入：{table.file_name}"[:200],
                    "recorded_at": now,
                    "recorded_by": operator_id,
                    "import_id": record.id,
                }
                for r in reasons
            ],
        )
    for r in plan.reason_updates:
        session.execute(
            update(NotEnrolledReason)
            .where(
                NotEnrolledReason.resident_id == r["resident_id"],
                NotEnrolledReason.policy_year == policy_year,
            )
            .values(
                reason=r["reason"], recorded_at=now, recorded_by=operator_id, import_id=record.id
            )
        )
    session.flush()
    return record.id
