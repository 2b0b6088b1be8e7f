"""Information changes of a resident (信息变更, POLICY.md §6 revised 2026-11).

Three levels, by what the counter can check:

- **basic** — phone, address, 户口性质, village, 户号: applied at once; the
  clerk prints the change slip (综合业务处理单) for the resident or agent to sign;
- **important** — name, document type, sex, birth date: the national system
  checks these against the police register, which the counter cannot reach, so
  the change waits for one review by a supervisor other than the clerk who
  entered it;
- **id_number** — two reviews by two different supervisors, neither of them
  the clerk who entered it.

Every change is a row with its items (old value, new value), who asked, who
entered it, who reviewed it, when, and its slip number; a rejected change
keeps its reason. Nothing is overwritten without that trail, and a receipt
printed before a change keeps what it said (``identity_as_of``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound, PermissionDenied
from common.idcard import KIND_LABELS, is_foreign_2017, parse_id
from db.models import InfoChange, InfoChangeItem, Office, Resident, Village
from services.clock import Clock
from services.info_change_views import (
    BASIC_FIELDS,
    FIELD_LABELS,
    ID_FIELD,
    IMPORTANT_FIELDS,
    REVIEWS_NEEDED,
    SEX_LABELS,
    STATUS_LABELS,
    ChangeView,
    change_view,
)
from services.numbering import take_next_number
from services.office import require_operator, require_role
from services.registry import clean_name, clean_phone, name_initials

HOUSEHOLD_TYPES = ("农业户口", "非农业户口", "居民户口")
ADDRESS_MAX = 200
HOUSEHOLD_NO_MAX = 40
ASKED_BY_MAX = 64
REASON_MAX = 500


def level_of(field: str) -> str:
    if field in BASIC_FIELDS:
        return "basic"
    if field in IMPORTANT_FIELDS:
        return "important"
    if field == ID_FIELD:
        return "id_number"
    raise InputError(f"不能变更的信息项：{field}", code="unknown_field")


def slip_series(year: int) -> str:
    return f"BG{year}"


def format_slip_no(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-BG{year}-{number:06d}"


# --- current values and the checks of new ones ------------------------------------------


def _current(session: Session, resident: Resident, field: str) -> str:
    if field == "village":
        if resident.village_id is None:
            return ""
        return session.scalar(select(Village.name).where(Village.id == resident.village_id)) or ""
    if field == "birth_date":
        return resident.birth_date.isoformat()
    return str(getattr(resident, field) or "")


def _village_by_name(session: Session, office_id: int, name: str) -> Village:
    row = session.scalars(
        select(Village).where(Village.office_id == office_id, Village.name == name)
    ).first()
    if row is None:
        raise InputError(f"本单位没有名为“{name}”的村（社区）。", code="village_invalid")
    return row


def _clean_value(
    session: Session, resident: Resident, field: str, raw: str, *, today: dt.date, office_id: int
) -> str:
    """The new value of one field as typed, checked and in its stored form."""
    text = (raw or "").strip()
    if field in BASIC_FIELDS:
        return _clean_basic(session, field, text, office_id=office_id)
    if field == ID_FIELD:
        return _check_new_id(session, resident, text, today=today)
    return _clean_important(resident, field, text, today=today)


def _clean_basic(session: Session, field: str, text: str, *, office_id: int) -> str:
    """Phone, address, 户口性质, village, 户号."""
    if field == "phone":
        return clean_phone(text)
    if field == "address":
        if len(text) > ADDRESS_MAX:
            raise InputError(f"住址过长（最多 {ADDRESS_MAX} 个字）。", code="address_too_long")
        return text
    if field == "household_type":
        if text and text not in HOUSEHOLD_TYPES:
            raise InputError(
                f"户口性质只能是{'、'.join(HOUSEHOLD_TYPES)}。", code="household_type_invalid"
            )
        return text
    if field == "village":
        if not text:
            raise InputError("请选择村（社区）。", code="village_required")
        return _village_by_name(session, office_id, text).name
    if field == "household_no":
        if len(text) > HOUSEHOLD_NO_MAX:
            raise InputError(
                f"户号过长（最多 {HOUSEHOLD_NO_MAX} 个字符）。", code="household_no_too_long"
            )
        return text.replace(" ", "")
    raise InputError(f"不能变更的信息项：{field}", code="unknown_field")  # pragma: no cover


def _clean_important(resident: Resident, field: str, text: str, *, today: dt.date) -> str:
    """Name, document type, and the sex and birth date a 2017 foreign ID does not carry."""
    if field == "name":
        return clean_name(text)
    if field == "document_type":
        if text not in KIND_LABELS.values():
            raise InputError(
                f"证件类型只能是{'、'.join(KIND_LABELS.values())}。", code="document_type_invalid"
            )
        return text
    if field == "sex":
        value = {"男": "M", "女": "F"}.get(text, text.upper())
        if value not in SEX_LABELS:
            raise InputError("性别只能是男或女。", code="sex_invalid")
        if not is_foreign_2017(resident.id_number):
            raise InputError(
                "性别由身份证号决定；身份证号有误时请办理身份证号变更。", code="sex_from_id"
            )
        return value
    if field == "birth_date":
        try:
            born = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"出生日期格式不正确：{text}（应为 2000-01-31）", code="birth_date_invalid"
            ) from None
        if born > today or born.year < 1900:
            raise InputError(f"出生日期不可能：{born}", code="birth_date_invalid")
        if not is_foreign_2017(resident.id_number):
            raise InputError(
                "出生日期由身份证号决定；身份证号有误时请办理身份证号变更。",
                code="birth_date_from_id",
            )
        return born.isoformat()
    raise InputError(f"不能变更的信息项：{field}", code="unknown_field")  # pragma: no cover


def _check_new_id(session: Session, resident: Resident, text: str, *, today: dt.date) -> str:
    if is_foreign_2017(text):
        raise InputError(
            "2017年版外国人永久居留身份证不能作为变更后的号码，请核对证件。",
            code="id_number_invalid",
        )
    number = parse_id(text, today=today).number  # refuses a bad check character
    if number == resident.id_number:
        return number  # unchanged: left out of the change
    other = session.scalars(select(Resident).where(Resident.id_number == number)).first()
    if other is not None:
        raise ConflictError(
            f"身份证号 {number} 已登记为居民“{other.name}”，不能变更为该号码。",
            code="id_number_taken",
        )
    pending = session.execute(
        select(InfoChange.slip_no)
        .join(InfoChangeItem, InfoChangeItem.change_id == InfoChange.id)
        .where(
            InfoChange.status == "pending",
            InfoChangeItem.field == ID_FIELD,
            InfoChangeItem.new_value == number,
        )
    ).first()
    if pending is not None:
        raise ConflictError(
            f"已有变更为身份证号 {number} 的申请待复核（处理单号 {pending[0]}）。",
            code="id_number_pending",
        )
    return number


# --- requesting a change -------------------------------------------------------------------


def request_changes(
    session: Session,
    clock: Clock,
    *,
    resident_id: int,
    changes: Mapping[str, str],
    asked_by: str,
    reason: str = "",
    office_id: int,
    operator_id: int,
) -> list[ChangeView]:
    """Enter a resident's information changes; one change (and slip) per level.

    ``changes`` maps field keys (``BASIC_FIELDS``, ``IMPORTANT_FIELDS``,
    ``"id_number"``) to the new value as typed; fields whose value does not
    change are left out. ``asked_by`` is the resident's or the agent's name.
    Basic changes take effect at once; the others wait for review.
    """
    now = clock.now()
    require_operator(session, operator_id, office_id=office_id)
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"没有编号为 {resident_id} 的居民。", code="resident_not_found")
    who, why = _check_asker(asked_by, reason)
    by_level = _items_by_level(session, resident, changes, today=now.date(), office_id=office_id)
    if not by_level:
        raise InputError("没有要变更的信息：所填内容与现有信息相同。", code="no_change")
    if ID_FIELD in {f for items in by_level.values() for f, _, _ in items}:
        by_level["id_number"].extend(_derived_from_id(resident, by_level["id_number"][0][2]))
    for level in ("important", "id_number"):
        if level in by_level:
            _refuse_second_pending(session, resident.id, [f for f, _, _ in by_level[level]])
    if "important" in by_level and "id_number" in by_level:
        raise InputError(
            "身份证号变更须单独办理（两级复核），请先提交身份证号变更。", code="id_change_alone"
        )
    office = session.get(Office, office_id)
    assert office is not None
    ids: list[int] = []
    for level in ("basic", "important", "id_number"):
        if level not in by_level:
            continue
        row = _store_change(
            session,
            office,
            resident,
            level,
            by_level[level],
            asked_by=who,
            reason=why,
            now=now,
            operator_id=operator_id,
        )
        if not REVIEWS_NEEDED[level]:
            _apply(session, resident, row.office_id, by_level[level])
        ids.append(row.id)
    session.flush()
    return [change_view(session, i) for i in ids]


def _store_change(
    session: Session,
    office: Office,
    resident: Resident,
    level: str,
    items: list[tuple[str, str, str]],
    *,
    asked_by: str,
    reason: str,
    now: dt.datetime,
    operator_id: int,
) -> InfoChange:
    """One change of one level with its slip number and its items; a basic one
    is applied at once (status ``applied``), the others wait for review."""
    number = take_next_number(session, office.id, slip_series(now.year))
    row = InfoChange(
        office_id=office.id,
        resident_id=resident.id,
        level=level,
        status="pending" if REVIEWS_NEEDED[level] else "applied",
        slip_no=format_slip_no(office.receipt_prefix, now.year, number),
        asked_by=asked_by,
        reason=reason,
        created_at=now,
        created_by=operator_id,
        reject_reason="",
        applied_at=None if REVIEWS_NEEDED[level] else now,
    )
    session.add(row)
    session.flush()
    for field, old, new in items:
        session.add(InfoChangeItem(change_id=row.id, field=field, old_value=old, new_value=new))
    return row


def _check_asker(asked_by: str, reason: str) -> tuple[str, str]:
    """Who asked (the resident or the agent) and why, trimmed and checked."""
    who = (asked_by or "").strip()
    if not who:
        raise InputError("请填写申请人（本人或代办人姓名）。", code="asked_by_required")
    if len(who) > ASKED_BY_MAX:
        raise InputError(f"申请人姓名过长（最多 {ASKED_BY_MAX} 个字）。", code="name_too_long")
    why = (reason or "").strip()
    if len(why) > REASON_MAX:
        raise InputError(f"变更原因过长（最多 {REASON_MAX} 个字）。", code="reason_too_long")
    return who, why


def _items_by_level(
    session: Session,
    resident: Resident,
    changes: Mapping[str, str],
    *,
    today: dt.date,
    office_id: int,
) -> dict[str, list[tuple[str, str, str]]]:
    """The typed values checked and compared: (field, old, new) of each level,
    fields whose value does not change left out."""
    by_level: dict[str, list[tuple[str, str, str]]] = {}
    for field, raw in changes.items():
        level = level_of(field)
        new = _clean_value(session, resident, field, raw, today=today, office_id=office_id)
        old = _current(session, resident, field)
        if new == old:
            continue
        by_level.setdefault(level, []).append((field, old, new))
    return by_level


def _derived_from_id(resident: Resident, number: str) -> list[tuple[str, str, str]]:
    """Birth date, sex and document type follow a new ID number; kept as items too."""
    parsed = parse_id(number)
    items = []
    if parsed.birth_date != resident.birth_date:
        items.append(("birth_date", resident.birth_date.isoformat(), parsed.birth_date.isoformat()))
    if parsed.sex != resident.sex:
        items.append(("sex", resident.sex, parsed.sex))
    if parsed.kind_label != resident.document_type:
        items.append(("document_type", resident.document_type, parsed.kind_label))
    return items


def _refuse_second_pending(session: Session, resident_id: int, fields: list[str]) -> None:
    row = session.execute(
        select(InfoChange.slip_no, InfoChangeItem.field)
        .join(InfoChangeItem, InfoChangeItem.change_id == InfoChange.id)
        .where(
            InfoChange.resident_id == resident_id,
            InfoChange.status == "pending",
            InfoChangeItem.field.in_(fields),
        )
    ).first()
    if row is not None:
        raise ConflictError(
            f"该居民的{FIELD_LABELS[row[1]]}已有变更待复核（处理单号 {row[0]}），"
            "请等复核完成或驳回后再办理。",
            code="change_pending",
        )


def _apply(
    session: Session, resident: Resident, office_id: int, items: list[tuple[str, str, str]]
) -> None:
    for field, _old, new in items:
        if field == "village":
            resident.village_id = _village_by_name(session, office_id, new).id
        elif field == "birth_date":
            resident.birth_date = dt.date.fromisoformat(new)
        elif field == ID_FIELD:
            resident.id_number = new
            resident.id_tail = new[-4:]
        else:
            setattr(resident, field, new)
        if field == "name":
            resident.name_initials = name_initials(new)
    session.flush()


# --- reviewing -----------------------------------------------------------------------------


def review_change(
    session: Session,
    clock: Clock,
    *,
    change_id: int,
    reviewer_id: int,
    approve: bool,
    reason: str = "",
) -> ChangeView:
    """A supervisor's review: approve (the change takes effect once it has all
    the reviews its level needs) or reject with a reason."""
    now = clock.now()
    row = session.get(InfoChange, change_id)
    if row is None:
        raise NotFound(f"没有编号为 {change_id} 的信息变更。", code="change_not_found")
    require_role(session, reviewer_id, "supervisor", office_id=row.office_id)
    _check_reviewer(row, reviewer_id)
    values = _review_values(row, reviewer_id, approve=approve, reason=reason, now=now)
    reviews = int(row.first_review_by is not None) + int(approve)
    takes_effect = approve and reviews >= REVIEWS_NEEDED[row.level]
    resident = session.get(Resident, row.resident_id)
    assert resident is not None
    items = [
        (i.field, i.old_value, i.new_value)
        for i in session.scalars(
            select(InfoChangeItem).where(InfoChangeItem.change_id == row.id)
        ).all()
    ]
    if takes_effect:
        _check_still_current(session, resident, items, today=now.date())
        values.update(status="applied", applied_at=now)
    # conditional: a second supervisor reviewing the same change in another window
    done = session.execute(
        update(InfoChange)
        .where(
            InfoChange.id == row.id,
            InfoChange.status == "pending",
            InfoChange.first_review_by.is_(None)
            if row.first_review_by is None
            else InfoChange.first_review_by == row.first_review_by,
        )
        .values(**values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(
            f"处理单 {row.slip_no} 刚被另一窗口复核，请刷新后重试。", code="concurrent_change"
        )
    if takes_effect:
        _apply(session, resident, row.office_id, items)
    session.expire(row)
    return change_view(session, row.id)


def _check_reviewer(row: InfoChange, reviewer_id: int) -> None:
    """A pending change, reviewed by a supervisor other than its clerk and, for
    the second review of an ID number, other than the first reviewer."""
    if row.status != "pending":
        raise ConflictError(
            f"处理单 {row.slip_no} {STATUS_LABELS[row.status]}，不能再复核。",
            code="change_not_pending",
        )
    if reviewer_id == row.created_by:
        raise PermissionDenied(
            "复核须由录入人以外的主管办理，不能复核自己录入的变更。", code="self_review"
        )
    if row.first_review_by is not None and reviewer_id == row.first_review_by:
        raise PermissionDenied(
            "身份证号变更须由两名不同的主管分别复核，您已完成第一级复核。", code="same_reviewer"
        )


def _review_values(
    row: InfoChange, reviewer_id: int, *, approve: bool, reason: str, now: dt.datetime
) -> dict[str, object]:
    """The columns a review sets: a rejection with its reason, or the first or
    second review."""
    why = (reason or "").strip()
    if len(why) > REASON_MAX:
        raise InputError(f"驳回原因过长（最多 {REASON_MAX} 个字）。", code="reason_too_long")
    values: dict[str, object]
    if not approve:
        if not why:
            raise InputError("驳回须填写原因。", code="reason_required")
        values = {
            "status": "rejected",
            "rejected_by": reviewer_id,
            "rejected_at": now,
            "reject_reason": why,
        }
    elif row.first_review_by is None:
        values = {"first_review_by": reviewer_id, "first_review_at": now}
    else:
        values = {"second_review_by": reviewer_id, "second_review_at": now}
    return values


def _check_still_current(
    session: Session, resident: Resident, items: list[tuple[str, str, str]], *, today: dt.date
) -> None:
    """A change entered against values that changed since is refused, not applied."""
    for field, old, new in items:
        if _current(session, resident, field) != old:
            raise ConflictError(
                f"{FIELD_LABELS[field]}在录入后已被更改，请驳回后重新办理。", code="stale_change"
            )
        if field == ID_FIELD:
            other = session.scalar(select(Resident.name).where(Resident.id_number == new))
            if other is not None:
                raise ConflictError(
                    f"身份证号 {new} 已登记为居民“{other}”，不能变更为该号码。",
                    code="id_number_taken",
                )
