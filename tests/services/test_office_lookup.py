"""The office a command names: by code, or the only one there is."""

from __future__ import annotations

import pytest
from factories import make_desk

from common.errors import InputError, NotFound
from services.office_lookup import office_for_command


def test_no_office_yet(db):  # type: ignore[no-untyped-def]
    with db.read() as session, pytest.raises(NotFound, match="还没有单位"):
        office_for_command(session, None)


def test_the_only_office_needs_no_code(db):  # type: ignore[no-untyped-def]
    with db.write() as session:
        desk = make_desk(session)
    with db.read() as session:
        assert office_for_command(session, None).id == desk.office_id
        assert office_for_command(session, "LT").id == desk.office_id
        with pytest.raises(NotFound, match="没有代码为“XX”的单位"):
            office_for_command(session, "XX")


def test_two_offices_need_a_code(db):  # type: ignore[no-untyped-def]
    with db.write() as session:
        make_desk(session)
        other = make_desk(session, code="HX", name="汉沽街道办事处")
    with db.read() as session:
        with pytest.raises(InputError, match="--office") as refused:
            office_for_command(session, None)
        assert refused.value.code == "office_required"
        assert office_for_command(session, "HX").id == other.office_id
