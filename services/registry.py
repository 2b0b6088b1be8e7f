"""The register of residents and their enrolments (参保登记).

A resident is registered once (by ID number); an enrolment is made once per
policy year — "应保尽保、不重复参保" (POLICY.md §7.5). A second *live*
enrolment in the same year is refused, saying when and at which office the
first was made; a refunded one no longer counts (revised 2026-11), so a person
who gave up a subsidy and was refunded may enrol again. The database's partial
unique index backs the check, so two windows racing for the same person cannot
both succeed. Each enrolment records its eligibility document
(``services.eligibility``).

The records it hands out are in ``services.resident_records``; finding
residents is ``services.resident_search``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.idcard import KIND_LABELS, ParsedId, is_foreign_2017, normalize_id, parse_id
from db.errors import violated_constraint
from db.models import ENROLMENT_ONCE_PER_YEAR, Enrollment, Office, Resident, Village
from services.clock import Clock
from services.concurrency import lock_resident, lost_race_as_conflict
from services.eligibility import check_eligibility_document
from services.policy import PolicyBook
from services.policy_types import Policy
from services.quote import PersonFacts, Quote, quote
from services.resident_records import (
    LIVE_STATUSES,
    EnrollmentRecord,
    ResidentRecord,
    enrollment_record,
    resident_record,
)
from services.write_clock import check_write_clock

NAME_MAX = 32
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


@dataclasses.dataclass(frozen=True)
class ResidentInput:
    """What the clerk types in for a new resident."""

    id_number: str
    name: str
    village_id: int | None = None
    phone: str = ""
    address: str = ""
    household_no: str = ""
    #: typed from the card for a 2017 foreign permanent residence ID only
    birth_date: dt.date | None = None
    sex: str | None = None  # 'M' | 'F'


# --- normalising what the clerk typed ---------------------------------------------


def clean_name(text: str) -> str:
    """A resident's name: trimmed, inner spaces dropped for Chinese names."""
    name = unicodedata.normalize("NFKC", text).strip()
    if _is_cjk_text(name.replace(" ", "").replace("·", "")):
        name = name.replace(" ", "")
    if not name:
        raise InputError("请填写姓名。", code="name_required")
    if len(name) > NAME_MAX:
        raise InputError(f"姓名过长（最多 {NAME_MAX} 个字）。", code="name_too_long")
    if any(ch.isdigit() for ch in name):
        raise InputError("姓名中不能有数字。", code="name_invalid")
    return name


def clean_phone(text: str) -> str:
    phone = unicodedata.normalize("NFKC", text).strip()
    if phone and not PHONE_RE.match(phone):
        raise InputError(f"联系电话格式不正确：{text}", code="phone_invalid")
    return phone.replace(" ", "")


def name_initials(name: str) -> str:
    """Lower-case pinyin initials, ``zs`` for 张三; Latin names keep their letters."""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(letters).lower() if ch.isascii() and ch.isalpha())[:32]


def _is_cjk_text(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" for ch in text)


def _resident_where(session: Session, condition: Any) -> ResidentRecord | None:
    """The one resident matching ``condition``, with the village's name."""
    row = session.execute(
        select(Resident, Village.name)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(condition)
    ).first()
    return None if row is None else resident_record(row[0], row[1])


def _enrollments_where(session: Session, condition: Any) -> list[EnrollmentRecord]:
    """The enrolments matching ``condition``, newest year first, with the office's name."""
    rows = session.execute(
        select(Enrollment, Office.name)
        .outerjoin(Office, Office.id == Enrollment.office_id)
        .where(condition)
        .order_by(Enrollment.policy_year.desc())
    ).all()
    return [enrollment_record(e, office_name) for e, office_name in rows]


def get_resident(session: Session, resident_id: int) -> ResidentRecord:
    found = _resident_where(session, Resident.id == resident_id)
    if found is None:
        raise NotFound(f"没有编号为 {resident_id} 的居民。", code="resident_not_found")
    return found


def find_by_id_number(
    session: Session, text: str, *, today: dt.date | None = None
) -> ResidentRecord | None:
    number = normalize_id(text) if is_foreign_2017(text) else parse_id(text, today=today).number
    return _resident_where(session, Resident.id_number == number)


def enrollments_of(session: Session, resident_id: int) -> list[EnrollmentRecord]:
    return _enrollments_where(session, Enrollment.resident_id == resident_id)


def get_enrollment(session: Session, enrollment_id: int) -> EnrollmentRecord:
    found = _enrollments_where(session, Enrollment.id == enrollment_id)
    if not found:
        raise NotFound(f"没有编号为 {enrollment_id} 的参保登记。", code="enrollment_not_found")
    return found[0]


# --- registering ---------------------------------------------------------------------


def _check_village(session: Session, village_id: int | None, office_id: int | None) -> None:
    if village_id is None:
        return
    village = session.get(Village, village_id)
    if village is None or (office_id is not None and village.office_id != office_id):
        raise InputError("所选村（社区）不属于本单位。", code="village_invalid")


def register_resident(
    session: Session,
    clock: Clock,
    *,
    data: ResidentInput,
    office_id: int | None,
    operator_id: int | None,
) -> ResidentRecord:
    """Create the resident, or return the one already on the register.

    An existing resident's name must match: changing a name is an "important
    information" change (POLICY.md §6) that needs a second person's review, so
    it is not done silently at registration.
    """
    parsed: ParsedId = parse_id(
        data.id_number, today=clock.now().date(), birth_date=data.birth_date, sex=data.sex
    )
    name = clean_name(data.name)
    phone = clean_phone(data.phone)
    _check_village(session, data.village_id, office_id)
    check_write_clock(session, clock, office_id, "register")
    known = _known_resident(session, parsed.number, name)
    if known is not None:
        return known
    row = Resident(
        id_number=parsed.number,
        id_tail=parsed.number[-4:],
        name=name,
        name_initials=name_initials(name),
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        document_type=parsed.kind_label,
        phone=phone,
        address=data.address.strip(),
        household_no=data.household_no.strip(),
        village_id=data.village_id,
        office_id=office_id,
        created_at=clock.now(),
        created_by=operator_id,
    )
    try:
        with lost_race_as_conflict(
            session,
            f"另一窗口刚刚登记了身份证号 {parsed.number} 的居民，本次没有保存，请刷新后重试。",
            code="concurrent_registration",
        ):
            session.add(row)
    except ConflictError:
        # Another window registered the same person a moment ago: carry on with
        # that record, exactly as if it had been there first (as on SQLite).
        known = _known_resident(session, parsed.number, name)
        if known is None:
            raise
        return known
    return get_resident(session, row.id)


def _known_resident(session: Session, id_number: str, name: str) -> ResidentRecord | None:
    existing = session.scalars(select(Resident).where(Resident.id_number == id_number)).first()
    if existing is None:
        return None
    if existing.name != name:
        raise ConflictError(
            f"身份证号 {id_number} 已登记为“{existing.name}”，与所填姓名“{name}”不符。"
            "更改姓名属于重要信息变更，须经复核后办理。",
            code="name_mismatch",
        )
    return get_resident(session, existing.id)


def _duplicate_message(session: Session, resident_id: int, policy_year: int) -> str:
    row = session.execute(
        select(Enrollment, Office.name, Resident.name)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .outerjoin(Office, Office.id == Enrollment.office_id)
        .where(
            Enrollment.resident_id == resident_id,
            Enrollment.policy_year == policy_year,
            Enrollment.status.in_(LIVE_STATUSES),
        )
    ).first()
    if row is None:  # the other window's transaction has not committed yet
        return f"该居民的 {policy_year} 年度参保登记正在另一窗口办理，同一年度不能重复参保。"
    enrollment, office_name, resident_name = row
    when = enrollment.created_at.strftime("%Y-%m-%d %H:%M")
    where = office_name or "其他单位"
    hint = (
        "如需更改类别或档次，请在“居民”页（F8）重新核定。"
        if enrollment.status == "registered"
        else ""
    )
    return (
        f"{resident_name} 已于 {when} 在{where}登记 {policy_year} 年度参保"
        f"（登记号 {enrollment.id}），同一年度不能重复参保。{hint}"
    )


def enroll(
    session: Session,
    clock: Clock,
    *,
    policy: Policy,
    resident_id: int,
    category: str,
    tier: str | None,
    facts: PersonFacts,
    office_id: int | None,
    operator_id: int | None,
    eligibility_document: str = "",
) -> tuple[EnrollmentRecord, Quote]:
    """Enrol a registered resident for ``policy``'s year, quoted as of today.

    The benefit dates are provisional until the payment is taken: the payment
    fixes them from the real payment date. ``eligibility_document`` (a key of
    ``services.eligibility.ELIGIBILITY_DOCUMENTS``) is checked against the
    category and the resident's ID; '' leaves it unrecorded (callers that do
    not ask, e.g. the demo data).
    """
    lock_resident(session, resident_id)  # one live enrolment, checked under lock
    check_write_clock(session, clock, office_id, "register")
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"没有编号为 {resident_id} 的居民。", code="resident_not_found")
    facts = dataclasses.replace(facts, birth_date=facts.birth_date or resident.birth_date)
    if eligibility_document:
        check_eligibility_document(
            eligibility_document, category=category, id_kind=_id_kind(resident.document_type)
        )
    _refuse_second_enrollment(session, resident_id, policy.year)
    q = quote(policy, category, tier, clock.now().date(), facts)
    row = _enrollment_row(
        policy,
        q,
        facts,
        resident_id=resident_id,
        office_id=office_id,
        eligibility_document=eligibility_document,
        created_at=clock.now(),
        created_by=operator_id,
    )
    # A savepoint, so that losing a race against another window leaves the
    # caller's transaction usable for the clear message below.
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        # only the once-per-year key means "already enrolled"; any other broken
        # constraint is a program error and goes up as it is
        if violated_constraint(exc) != ENROLMENT_ONCE_PER_YEAR:
            raise
        raise ConflictError(
            _duplicate_message(session, resident_id, policy.year), code="duplicate_enrollment"
        ) from None
    return enrollment_record(row, None), q


def _refuse_second_enrollment(session: Session, resident_id: int, year: int) -> None:
    """Once per year (POLICY.md §7.5): a live enrolment of the year refuses another."""
    exists = session.scalar(
        select(Enrollment.id).where(
            Enrollment.resident_id == resident_id,
            Enrollment.policy_year == year,
            Enrollment.status.in_(LIVE_STATUSES),
        )
    )
    if exists is not None:
        raise ConflictError(
            _duplicate_message(session, resident_id, year), code="duplicate_enrollment"
        )


def _enrollment_row(
    policy: Policy,
    q: Quote,
    facts: PersonFacts,
    *,
    resident_id: int,
    office_id: int | None,
    eligibility_document: str,
    created_at: dt.datetime,
    created_by: int | None,
) -> Enrollment:
    """The new enrolment as quoted, with the facts the quote was made on."""
    return Enrollment(
        resident_id=resident_id,
        office_id=office_id,
        policy_key=policy.key,
        policy_year=policy.year,
        category=q.category,
        tier=q.tier,
        benefit_tier=q.benefit_tier,
        standard_fen=q.standard_fen,
        subsidy_fen=q.subsidy_fen,
        personal_due_fen=q.personal_due_fen,
        benefit_start=q.benefit_start,
        benefit_end=q.benefit_end,
        waiting_months=q.waiting_months,
        status="registered",
        continuous_years=facts.continuous_years,
        gap_months=facts.gap_months,
        gap_years=facts.gap_years,
        repaired_years=facts.repaired_years,
        via_school=facts.via_school,
        job_change=facts.job_change,
        hardship_certified=facts.hardship_certified,
        freshman=facts.freshman,
        eligibility_document=eligibility_document,
        created_at=created_at,
        created_by=created_by,
    )


def _id_kind(document_type: str) -> str:
    """The ``IdKind`` of a stored document label ('' if unknown)."""
    return next((kind for kind, label in KIND_LABELS.items() if label == document_type), "")


def register_and_enroll(
    session: Session,
    clock: Clock,
    *,
    policies: PolicyBook,
    policy_key: str,
    data: ResidentInput,
    category: str,
    tier: str | None,
    facts: PersonFacts,
    office_id: int | None,
    operator_id: int | None,
    eligibility_document: str = "",
) -> tuple[ResidentRecord, EnrollmentRecord, Quote]:
    """The registration page's one call: the resident (new or known) and the
    enrolment, in the caller's single transaction."""
    policy = policies.get(policy_key)
    known = session.scalar(select(Resident.id).where(Resident.id_number == _stored_id(data)))
    resident = register_resident(
        session, clock, data=data, office_id=office_id, operator_id=operator_id
    )
    if known is not None and office_id is not None and operator_id is not None:
        resident = _update_basic_info(session, clock, resident, data, office_id, operator_id)
    enrollment, q = enroll(
        session,
        clock,
        policy=policy,
        resident_id=resident.id,
        category=category,
        tier=tier,
        facts=facts,
        office_id=office_id,
        operator_id=operator_id,
        eligibility_document=eligibility_document,
    )
    return resident, enrollment, q


def _stored_id(data: ResidentInput) -> str:
    """The stored form of the typed number ('' when it does not parse: the
    registration itself then refuses it with the clear message)."""
    try:
        if is_foreign_2017(data.id_number):
            return normalize_id(data.id_number)
        return parse_id(data.id_number, birth_date=data.birth_date, sex=data.sex).number
    except ValueError:
        return ""


def _update_basic_info(
    session: Session,
    clock: Clock,
    resident: ResidentRecord,
    data: ResidentInput,
    office_id: int,
    operator_id: int,
) -> ResidentRecord:
    """A returning resident's new phone, address, village or 户号 typed on 登记 is
    not dropped: it is a basic information change (POLICY.md §6), applied at
    once with its history and slip number. A field left blank changes nothing."""
    from services.info_changes import request_changes  # it imports this module

    changes: dict[str, str] = {}
    if data.phone.strip() and clean_phone(data.phone) != resident.phone:
        changes["phone"] = data.phone
    if data.address.strip() and data.address.strip() != resident.address:
        changes["address"] = data.address
    if data.household_no.strip() and data.household_no.strip() != resident.household_no:
        changes["household_no"] = data.household_no
    if data.village_id is not None and data.village_id != resident.village_id:
        village = session.get(Village, data.village_id)
        if village is not None:
            changes["village"] = village.name
    if not changes:
        return resident
    request_changes(
        session,
        clock,
        resident_id=resident.id,
        changes=changes,
        asked_by=resident.name,
        reason="登记时更新",
        office_id=office_id,
        operator_id=operator_id,
    )
    return get_resident(session, resident.id)
