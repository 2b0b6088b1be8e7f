"""What an information change looks like when read back (信息变更, POLICY.md §6).

The levels and labels of changes, :class:`ChangeView` (one change with its items
and the people behind it, for the lists and the slip), the history of a resident,
the supervisor's review list, the name and ID number a resident had at a given
time, and the change slip's data. Making and reviewing changes is
``services.info_changes``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from common.errors import NotFound
from db.models import InfoChange, InfoChangeItem, Office, Operator, Resident
from printing.change_slip import ChangeSlipData, ChangeSlipItem

BASIC_FIELDS = ("phone", "address", "household_type", "village", "household_no")
IMPORTANT_FIELDS = ("name", "document_type", "sex", "birth_date")
ID_FIELD = "id_number"

FIELD_LABELS = {
    "phone": "联系电话",
    "address": "住址",
    "household_type": "户口性质",
    "village": "村（社区）",
    "household_no": "户号",
    "name": "姓名",
    "document_type": "证件类型",
    "sex": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
}
LEVEL_LABELS = {"basic": "基本信息", "important": "重要信息", "id_number": "身份证号"}
SEX_LABELS = {"M": "男", "F": "女"}
STATUS_LABELS = {"pending": "待复核", "applied": "已生效", "rejected": "已驳回"}
#: reviews a change of each level needs before it takes effect
REVIEWS_NEEDED = {"basic": 0, "important": 1, "id_number": 2}


@dataclasses.dataclass(frozen=True)
class ChangeItemView:
    field: str
    old_value: str
    new_value: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def old_text(self) -> str:
        return display_value(self.field, self.old_value)

    @property
    def new_text(self) -> str:
        return display_value(self.field, self.new_value)


@dataclasses.dataclass(frozen=True)
class ChangeView:
    """One change with its items and the people behind it, for lists and the slip."""

    id: int
    slip_no: str
    resident_id: int
    resident_name: str
    id_number: str
    level: str
    status: str
    asked_by: str
    reason: str
    created_at: dt.datetime
    created_by_name: str
    first_review_name: str
    first_review_at: dt.datetime | None
    second_review_name: str
    second_review_at: dt.datetime | None
    rejected_by_name: str
    rejected_at: dt.datetime | None
    reject_reason: str
    applied_at: dt.datetime | None
    office_name: str
    items: tuple[ChangeItemView, ...]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def status_label(self) -> str:
        if self.status == "pending" and self.level == "id_number" and self.first_review_name:
            return "待二级复核"
        return STATUS_LABELS[self.status]

    @property
    def reviewers(self) -> str:
        return "、".join(n for n in (self.first_review_name, self.second_review_name) if n)


def display_value(field: str, value: str) -> str:
    if field == "sex":
        return SEX_LABELS.get(value, value)
    return value


# --- reading ---------------------------------------------------------------------------------


def _views(session: Session, where: list[object], *, newest_first: bool = True) -> list[ChangeView]:
    creator = aliased(Operator)
    first = aliased(Operator)
    second = aliased(Operator)
    rejecter = aliased(Operator)
    stmt = (
        select(
            InfoChange,
            Resident.name,
            Resident.id_number,
            creator.display_name,
            first.display_name,
            second.display_name,
            rejecter.display_name,
            Office.name,
        )
        .join(Resident, Resident.id == InfoChange.resident_id)
        .join(creator, creator.id == InfoChange.created_by)
        .outerjoin(first, first.id == InfoChange.first_review_by)
        .outerjoin(second, second.id == InfoChange.second_review_by)
        .outerjoin(rejecter, rejecter.id == InfoChange.rejected_by)
        .join(Office, Office.id == InfoChange.office_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(InfoChange.id.desc() if newest_first else InfoChange.id)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return []
    items: dict[int, list[ChangeItemView]] = {}
    for item in session.scalars(
        select(InfoChangeItem)
        .where(InfoChangeItem.change_id.in_([r[0].id for r in rows]))
        .order_by(InfoChangeItem.id)
    ):
        items.setdefault(item.change_id, []).append(
            ChangeItemView(item.field, item.old_value, item.new_value)
        )
    return [_view(row, tuple(items.get(row[0].id, ()))) for row in rows]


def _view(row: Any, items: tuple[ChangeItemView, ...]) -> ChangeView:
    """One row of ``_views``' query (the change and the names joined to it) as a view."""
    c, name, number, made, r1, r2, rej, office_name = row
    return ChangeView(
        id=c.id,
        slip_no=c.slip_no,
        resident_id=c.resident_id,
        resident_name=name,
        id_number=number,
        level=c.level,
        status=c.status,
        asked_by=c.asked_by,
        reason=c.reason,
        created_at=c.created_at,
        created_by_name=made,
        first_review_name=r1 or "",
        first_review_at=c.first_review_at,
        second_review_name=r2 or "",
        second_review_at=c.second_review_at,
        rejected_by_name=rej or "",
        rejected_at=c.rejected_at,
        reject_reason=c.reject_reason,
        applied_at=c.applied_at,
        office_name=office_name,
        items=items,
    )


def change_view(session: Session, change_id: int) -> ChangeView:
    found = _views(session, [InfoChange.id == change_id])
    if not found:
        raise NotFound(f"没有编号为 {change_id} 的信息变更。", code="change_not_found")
    return found[0]


def history_of(session: Session, resident_id: int) -> list[ChangeView]:
    """Every change of a resident, newest first, pending and rejected ones included."""
    return _views(session, [InfoChange.resident_id == resident_id])


def pending_changes(session: Session, office_id: int) -> list[ChangeView]:
    """The supervisor's review list: changes of this office waiting for a review."""
    return _views(
        session,
        [InfoChange.office_id == office_id, InfoChange.status == "pending"],
        newest_first=False,
    )


def residents_by_old_value(session: Session, text: str, *, limit: int = 50) -> list[int]:
    """Residents who once had this ID number or name (applied changes only)."""
    value = text.strip()
    if not value:
        return []
    candidates = [("name", value)]
    upper = value.upper()
    if len(upper) in (15, 18):
        candidates.append((ID_FIELD, upper))
    ids: list[int] = []
    for field, old in candidates:
        ids.extend(
            session.scalars(
                select(InfoChange.resident_id)
                .join(InfoChangeItem, InfoChangeItem.change_id == InfoChange.id)
                .where(
                    InfoChangeItem.field == field,
                    InfoChangeItem.old_value == old,
                    InfoChange.status == "applied",
                )
                .limit(limit)
            ).all()
        )
    return list(dict.fromkeys(ids))


def identity_as_of(
    session: Session, resident_id: int, name: str, id_number: str, when: dt.datetime
) -> tuple[str, str]:
    """The name and ID number the resident had at ``when``: a paper printed then
    is printed again with what it said (POLICY.md §6: history is never rewritten)."""
    rows = session.execute(
        select(InfoChangeItem.field, InfoChangeItem.old_value)
        .join(InfoChange, InfoChange.id == InfoChangeItem.change_id)
        .where(
            InfoChange.resident_id == resident_id,
            InfoChange.status == "applied",
            InfoChange.applied_at > when,
            InfoChangeItem.field.in_(("name", ID_FIELD)),
        )
        .order_by(InfoChange.applied_at.desc(), InfoChange.id.desc())
    ).all()
    for field, old in rows:  # undo the newest first, ending at the oldest
        if field == "name":
            name = old
        else:
            id_number = old
    return name, id_number


def change_slip_document(session: Session, change_id: int) -> ChangeSlipData:
    """The 综合业务处理单 of a change, ready for ``printing.change_slip``."""
    # local: services.documents imports this module (through services.receipts)
    from services.documents import office_header

    view = change_view(session, change_id)
    if view.status == "applied" and view.level == "basic":
        note = "基本信息变更即时生效。"
    elif view.status == "pending":
        needed = REVIEWS_NEEDED[view.level]
        note = f"本变更须经{'两名不同主管两级' if needed == 2 else '主管'}复核后生效。"
    elif view.status == "rejected":
        note = f"本变更已驳回：{view.reject_reason}"
    else:
        note = "本变更已经复核并生效。"
    office_id = session.scalar(select(InfoChange.office_id).where(InfoChange.id == change_id))
    assert office_id is not None
    return ChangeSlipData(
        office=office_header(session, office_id),
        slip_no=view.slip_no,
        created_at=view.created_at,
        resident_name=view.resident_name,
        id_number=view.id_number,
        level_label=view.level_label,
        status_label=view.status_label,
        items=tuple(ChangeSlipItem(i.label, i.old_text, i.new_text) for i in view.items),
        asked_by=view.asked_by,
        clerk=view.created_by_name,
        reviewers=view.reviewers,
        reason=view.reason,
        note=note,
        reviews_needed=REVIEWS_NEEDED[view.level],
    )
