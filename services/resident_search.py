"""Finding residents in a register of 300,000 (issue 14 item 3).

Every kind of query is answered from an index: full ID number, last four
characters, name prefix, pinyin-initials prefix, phone prefix
(:func:`search_residents`); lists that fetch on demand read the register a page
at a time (:func:`residents_page`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.idcard import is_foreign_2017, normalize_id, parse_id
from db.models import Resident, Village
from services.resident_records import ResidentRecord, resident_record

SEARCH_LIMIT = 50


# --- search ---------------------------------------------------------------------------


def normalise_query(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("-", "")


#: what one search sends: the record's columns, the meanings' ids UNIONed, one statement
_SEARCH_SQL = (
    "SELECT r.id, r.id_number, r.name, r.sex, r.birth_date, r.document_type, r.phone,"
    " r.address, r.household_no, r.village_id, coalesce(v.name, ''), r.household_type"
    " FROM resident r LEFT JOIN village v ON v.id = r.village_id"
    " WHERE r.id IN ({ids}) ORDER BY r.name, r.id_number LIMIT {limit} OFFSET {offset}"
)
_HIGH = "\U0010ffff"


def search_plan(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The indexed conditions a query may mean, as SQL with ``?`` parameters;
    the same meanings as ``search_conditions``."""
    q = normalise_query(text)
    if not q:
        return []
    upper = q.upper()
    if is_foreign_2017(upper):
        return [("id_number = ?", (normalize_id(upper),))]
    if re.fullmatch(r"\d{17}[\dX]", upper):  # already the stored form
        return [("id_number = ?", (upper,))]
    if re.fullmatch(r"\d{15}", upper):  # a legacy number: converted to 18
        try:
            return [("id_number = ?", (parse_id(upper).number,))]
        except ValueError:
            return [("id_number = ?", (upper,))]
    if re.fullmatch(r"\d{3,17}X?", upper):
        plan: list[tuple[str, tuple[str, ...]]] = []
        if len(upper) == 4:
            plan.append(("id_tail = ?", (upper,)))
        elif len(upper) > 4:
            # substr(…, length - n + 1): the last n characters on SQLite and PostgreSQL
            # alike, and cheaper than LIKE '%…' (no case folding)
            tail = f"substr(id_number, length(id_number) - {len(upper) - 1}) = ?"
            plan.append((f"id_tail = ? AND {tail}", (upper[-4:], upper)))
        if upper.isdigit():
            plan.append(("phone >= ? AND phone < ?", (upper, upper + _HIGH)))
        return plan
    if re.fullmatch(r"[a-zA-Z]+", q):
        return [
            ("name_initials >= ? AND name_initials < ?", (q.lower(), q.lower() + _HIGH)),
            ("name >= ? AND name < ?", (q, q + _HIGH)),
        ]
    return [("name >= ? AND name < ?", (q, q + _HIGH))]


def search_residents(
    session: Session, text: str, *, limit: int = SEARCH_LIMIT, offset: int = 0
) -> list[ResidentRecord]:
    """Residents matching a full ID number, its last 4+ characters, a name
    (prefix), pinyin initials (``zs`` → 张三) or a phone number (prefix).

    At the speed of the index (issue 14 item 3): one statement per query, each
    meaning its own indexed sub-select (OR across different indexes would make
    SQLite scan) joined by UNION, sent on the session's own connection in its
    transaction as plain DB-API SQL; the shown columns come back as tuples and
    become records directly — no ORM objects, no statement building per call.
    """
    plan = search_plan(text)
    if not plan:
        return []
    lim, off = int(limit), int(offset)
    ids = " UNION ".join(
        f"SELECT id FROM (SELECT id FROM resident WHERE {c} LIMIT {lim + off}) AS m{i}"
        for i, (c, _) in enumerate(plan)
    )
    sql = _SEARCH_SQL.format(ids=ids, limit=lim, offset=off)
    params = tuple(p for _, ps in plan for p in ps)
    conn = session.connection()
    if conn.dialect.paramstyle != "qmark":  # psycopg: %s placeholders, and % itself doubled
        sql = sql.replace("%", "%%").replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        ResidentRecord(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4] if isinstance(row[4], dt.date) else dt.date.fromisoformat(row[4]),
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
        )
        for row in rows
    ]


_RECORD_COLUMNS = (
    Resident.id,
    Resident.id_number,
    Resident.name,
    Resident.sex,
    Resident.birth_date,
    Resident.document_type,
    Resident.phone,
    Resident.address,
    Resident.household_no,
    Resident.village_id,
    func.coalesce(Village.name, ""),
    Resident.household_type,
)


def residents_by_ids(session: Session, ids: Sequence[int]) -> list[ResidentRecord]:
    """The records of the given residents, in one query of plain rows."""
    if not ids:
        return []
    rows = session.execute(
        select(*_RECORD_COLUMNS)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(Resident.id.in_(list(ids)))
    ).all()
    return [ResidentRecord(*row) for row in rows]


def count_residents(session: Session, office_id: int | None = None) -> int:
    stmt = select(func.count(Resident.id))
    if office_id is not None:
        stmt = stmt.where(Resident.office_id == office_id)
    return int(session.scalar(stmt) or 0)


def residents_page(
    session: Session, *, office_id: int | None, offset: int, limit: int
) -> Sequence[ResidentRecord]:
    """One page of the register in ID order, for lists that fetch on demand."""
    stmt = (
        select(Resident, Village.name)
        .outerjoin(Village, Village.id == Resident.village_id)
        .order_by(Resident.id)
        .offset(offset)
        .limit(limit)
    )
    if office_id is not None:
        stmt = stmt.where(Resident.office_id == office_id)
    return [resident_record(r, v) for r, v in session.execute(stmt).all()]
