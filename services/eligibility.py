"""What makes a person eligible to enrol here (POLICY.md §2, revised 2026-11).

Each enrolment records one eligibility document: local household registration
(户籍), a local residence permit (居住证), a parent's local residence permit (a
newborn, 000 §1(2)), an HK/Macao or Taiwan residents' residence permit, a foreign
permanent residence ID (the 2023 and the 2017 card), or enrolment at a local
school (学籍). ``check_eligibility_document`` refuses a choice that contradicts
the category or the identity document, in Chinese; ``suggested_document``
proposes the one the ID number already proves.
"""

from __future__ import annotations

from common.errors import InputError

#: key -> label shown at the window, in the order of 000 §1(1)(2)
ELIGIBILITY_DOCUMENTS: dict[str, str] = {
    "household_registration": "本地户籍",
    "residence_permit": "本地居住证",
    "parent_residence_permit": "父母一方的本地居住证（新生儿）",
    "hk_macao_taiwan_permit": "港澳台居民居住证",
    "foreign_permanent_id": "外国人永久居留身份证",
    "school_enrolment": "本地学校学籍、托育机构（在校学生儿童）",
}

_PERMIT_KINDS = frozenset({"hk_permit", "macao_permit", "taiwan_permit"})
_FOREIGN_KINDS = frozenset({"foreign_permanent", "foreign_permanent_2017"})
#: documents a holder of each kind of ID may rely on
_ALLOWED_BY_ID_KIND: dict[str, frozenset[str]] = {
    "mainland": frozenset(
        {
            "household_registration",
            "residence_permit",
            "parent_residence_permit",
            "school_enrolment",
        }
    ),
    **dict.fromkeys(
        _PERMIT_KINDS,
        frozenset({"hk_macao_taiwan_permit", "parent_residence_permit", "school_enrolment"}),
    ),
    **dict.fromkeys(
        _FOREIGN_KINDS,
        frozenset({"foreign_permanent_id", "parent_residence_permit", "school_enrolment"}),
    ),
}
#: documents tied to a category (000 §1(2): a parent's permit is for newborns;
#: 学籍 is for students and children in care)
_ONLY_FOR: dict[str, frozenset[str]] = {
    "parent_residence_permit": frozenset({"newborn"}),
    "school_enrolment": frozenset({"student", "child", "newborn", "student_loan"}),
}


def suggested_document(id_kind: str) -> str | None:
    """The document an ID of this kind proves by itself, if any."""
    if id_kind in _PERMIT_KINDS:
        return "hk_macao_taiwan_permit"
    if id_kind in _FOREIGN_KINDS:
        return "foreign_permanent_id"
    return None


def check_eligibility_document(document: str, *, category: str, id_kind: str) -> str:
    """``document`` if it fits the category and the identity document; a Chinese
    refusal otherwise."""
    if document not in ELIGIBILITY_DOCUMENTS:
        choices = "、".join(ELIGIBILITY_DOCUMENTS.values())
        raise InputError(f"请选择参保资格依据（{choices}）", code="eligibility_document_required")
    label = ELIGIBILITY_DOCUMENTS[document]
    only = _ONLY_FOR.get(document)
    if only is not None and category not in only:
        raise InputError(
            f"“{label}”只适用于{'新生儿' if only == {'newborn'} else '在校学生、儿童'}"
            f"（000 §1(2)），请选择该居民本人的参保资格依据",
            code="eligibility_document_invalid",
        )
    allowed = _ALLOWED_BY_ID_KIND.get(id_kind, frozenset(ELIGIBILITY_DOCUMENTS))
    if document not in allowed:
        fits = "、".join(ELIGIBILITY_DOCUMENTS[d] for d in ELIGIBILITY_DOCUMENTS if d in allowed)
        raise InputError(
            f"所持身份证件与参保资格依据“{label}”不符（可选：{fits}）",
            code="eligibility_document_invalid",
        )
    return document
