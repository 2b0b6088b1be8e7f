"""Issue 12 item 6: the registration page forgets the last person, shows a
refusal once, filters villages by pinyin initials, and knows babies."""

from __future__ import annotations

import datetime as dt

from counter_fixtures import make_id
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import InfoChange, Resident
from services.clock import FixedClock
from services.info_change_views import history_of
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll
from tests.ui.test_register_page import choose_document, make_page, scan
from tests.ui.test_residents_page import shot
from ui.operations import Operations


def test_save_then_the_next_person_starts_blank(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(1970, 1, 2), 11))
    page.name.setText("赵一")
    page.phone.setText("13700000001")
    page.choose_tier("high")
    choose_document(page, "household_registration")
    page.save()
    assert page.result_frame.isVisible(), page.error_label.text()
    for field in (page.name, page.phone, page.address, page.household_no):
        assert field.text() == ""
    assert page.id_input.text() == "" and page.eligibility.currentIndex() == -1
    assert page.tier.currentData() != "high"  # the last person's tier is forgotten
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not page.result_frame.isVisible() and page.last_enrollment_id is None
    assert page.result_label.text() == "" and not page.error_label.isVisible()


def test_a_refusal_is_shown_once(qtbot, ctx, office):  # type: ignore[no-untyped-def]
    ops = Operations(ctx)
    ops.show_dialogs = False
    seen: list[str] = []
    ops.failed.connect(lambda _c, m: seen.append(m))
    page = make_page(qtbot, ctx, ops)
    number = make_id(dt.date(1975, 2, 3), 222)
    for _ in range(2):
        scan(qtbot, page, number)
        page.name.setText("李四")
        page.choose_tier("low")
        choose_document(page, "residence_permit")
        page.save()
    assert ops.last_error is not None and ops.last_error[0] == "duplicate_enrollment"
    assert seen == []  # no message box, no status-bar copy
    assert page.error_label.isVisible() and "不能重复参保" in page.error_label.text()
    assert not page.known_label.isVisible()  # the warning gave way to the refusal
    shown = [w for w in (page.error_label, page.known_label) if w.isVisible()]
    assert len(shown) == 1


def test_villages_filter_by_pinyin_initials(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    page.village_filter.setText("xc")
    assert [page.village.itemText(i) for i in range(page.village.count())] == ["西村"]
    assert page.village.currentData() == office.villages["西村"]
    page.village_filter.setText("")
    assert page.village.count() == 3  # （未指定）, 东村, 西村


def test_a_baby_is_aged_in_months_and_offered_newborn(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(2023, 8, 20), 12))  # 2023-11-06: 2 months old
    assert "2 个月" in page.identity_label.text()
    assert page.category.currentData() == "newborn"
    page.village_filter.setText("xc")
    shot(page, "22-register-baby-months-village-filter.png")
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    scan(qtbot, page, make_id(dt.date(2021, 1, 5), 14))  # 2 years 10 months: outside the window
    assert "个月" in page.identity_label.text() and page.category.currentData() == "child"


def test_a_returning_residents_new_phone_is_kept_with_history(qtbot, ctx, ops, db, office):  # type: ignore[no-untyped-def]
    number = make_id(dt.date(1966, 6, 6), 31)
    last_year = FixedClock(dt.datetime(2022, 11, 7, 9, 0))
    with db.write() as s:  # enrolled last year, no phone then
        register_and_enroll(
            s, last_year, policies=ctx.policies, policy_key="tianjin-2023",
            data=ResidentInput(id_number=number, name="钱六", village_id=office.villages["东村"]),
            category="adult", tier="low", facts=PersonFacts(), office_id=office.id,
            operator_id=office.clerk_id,
        )  # fmt: skip
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, number)
    page.phone.setText("13911112222")
    page.village.setCurrentIndex(page.village.findData(office.villages["西村"]))
    page.choose_tier("low")
    choose_document(page, "household_registration")
    page.save()
    assert page.result_frame.isVisible(), page.error_label.text()
    with db.read() as s:
        row = s.scalars(select(Resident).where(Resident.id_number == number)).one()
        rid = row.id
        assert (row.phone, row.village_id) == ("13911112222", office.villages["西村"])
        [change] = history_of(s, rid)
        assert change.level == "basic" and {i.field for i in change.items} == {"phone", "village"}
    # a second save the same year is refused, and writes no change either
    scan(qtbot, page, number)
    page.phone.setText("13000000000")
    page.choose_tier("low")
    choose_document(page, "household_registration")
    page.save()
    assert ops.last_error is not None and ops.last_error[0] == "duplicate_enrollment"
    with db.read() as s:
        assert s.get(Resident, rid).phone == "13911112222"
        assert len(s.scalars(select(InfoChange.id)).all()) == 1
