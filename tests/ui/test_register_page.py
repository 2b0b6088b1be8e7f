"""The registration page, driven by keyboard as a clerk (or a scanner) would."""

from __future__ import annotations

import datetime as dt

from counter_fixtures import make_id, type_text
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from db.models import Enrollment, Resident
from services.registry import enrollments_of, find_by_id_number
from ui.pages.register_page import RegisterPage
from ui.pages.register_parts import ROW_LABELS


def make_page(qtbot, ctx, ops) -> RegisterPage:  # type: ignore[no-untyped-def]
    page = RegisterPage(ctx, ops)
    qtbot.addWidget(page)
    page.resize(1230, 700)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.activate()
    return page


def choose_document(page: RegisterPage, key: str) -> None:
    page.eligibility.setCurrentIndex(page.eligibility.findData(key))


def scan(qtbot, page: RegisterPage, number: str) -> None:  # type: ignore[no-untyped-def]
    """A scanner: 18 characters, then Enter."""
    page.id_input.setFocus()
    qtbot.keyClicks(page.id_input, number)
    qtbot.keyClick(page.id_input, Qt.Key.Key_Return)


def test_register_a_resident_through_the_page(qtbot, ctx, ops, db, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    number = make_id(dt.date(1980, 5, 17), 123)
    registered: list[int] = []
    page.registered.connect(registered.append)

    scan(qtbot, page, number)
    assert "1980-05-17" in page.identity_label.text()
    assert "男" in page.identity_label.text()
    assert "居民身份证" in page.identity_label.text()
    assert page.focusWidget() is page.name  # Enter moved on

    type_text(page.name, "张 三")
    qtbot.keyClick(page.name, Qt.Key.Key_Return)
    assert page.focusWidget() is page.phone
    qtbot.keyClicks(page.phone, "13800001111")
    page.village.setCurrentIndex(page.village.findText("东村"))
    qtbot.keyClicks(page.household_no, "120221-0042")
    page.category.setCurrentIndex(page.category.findData("adult"))
    # both tiers side by side, before choosing
    assert page.tier_table.tiers == ["low", "high"]
    low, high = page.tier_table.column_text("low"), page.tier_table.column_text("high")
    assert low[2].startswith("380.00") and high[2].startswith("1,010.00")
    assert "2024-01-01 至 2024-12-31" in high[4]
    assert any("住院报销" in line for line in high[6:])
    page.choose_tier("high")
    choose_document(page, "household_registration")

    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert ops.last_error is None
    assert len(registered) == 1
    assert page.result_frame.isVisible()
    assert "张三" in page.result_label.text() and "1010.00" in page.result_label.text()
    assert page.id_input.text() == "" and page.id_input.hasFocus()  # ready for the next
    with db.read() as s:
        resident = find_by_id_number(s, number)
        assert resident is not None
        assert resident.name == "张三"
        assert resident.village_name == "东村"
        assert resident.birth_date == dt.date(1980, 5, 17)
        assert resident.household_no == "120221-0042"
        (enrollment,) = enrollments_of(s, resident.id)
    assert enrollment.id == registered[0]
    assert (enrollment.policy_year, enrollment.category, enrollment.tier) == (2024, "adult", "high")
    assert enrollment.personal_due_fen == 101000


def test_every_benefit_line_of_the_policy_is_shown(qtbot, ctx, ops, policies, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    page.category.setCurrentIndex(page.category.findData("adult"))
    table = page.tier_table
    policy = policies.get("tianjin-2024")
    first = len(ROW_LABELS)
    for tier in ("low", "high"):
        expected = [*policy.tiers[tier].benefits, *policy.benefit_notes]
        assert len(expected) == 7
        assert table.column_text(tier)[first:] == expected
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert labels[first:] == [f"待遇 {i}" for i in range(1, 8)]
    # the notes are the same for both tiers: one cell across the columns
    last = table.rowCount() - 1
    assert table.columnSpan(last, 0) == 2
    assert table.columnSpan(first, 0) == 1  # 住院报销 differs by tier
    # the table scrolls to its last line
    table.scrollToBottom()
    last_rect = lambda: table.visualRect(table.model().index(last, 0))  # noqa: E731
    qtbot.waitUntil(lambda: 0 <= last_rect().top() < table.viewport().height())


def test_a_second_enrolment_is_refused_and_nothing_is_written(qtbot, ctx, ops, db, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    number = make_id(dt.date(1975, 2, 3), 222)
    for _ in range(2):
        scan(qtbot, page, number)
        page.name.setText("李四")
        page.choose_tier("low")
        choose_document(page, "residence_permit")
        page.save()
    assert ops.last_error is not None
    code, message = ops.last_error
    assert code == "duplicate_enrollment"
    assert "不能重复参保" in message
    assert page.error_label.isVisible() and "不能重复参保" in page.error_label.text()
    with db.read() as s:
        assert s.scalar(select(func.count(Resident.id))) == 1
        assert s.scalar(select(func.count(Enrollment.id))) == 1


def test_known_resident_warns_before_saving(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    number = make_id(dt.date(1990, 1, 1), 5)
    scan(qtbot, page, number)
    page.name.setText("赵六")
    page.choose_tier("low")
    choose_document(page, "household_registration")
    page.save()
    scan(qtbot, page, number)
    assert page.name.text() == "赵六"
    assert page.known_label.isVisible()
    assert "不能重复登记" in page.known_label.text()


def test_a_wrong_number_is_shown_in_red_under_the_field(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    good = make_id(dt.date(1980, 5, 17), 123)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    scan(qtbot, page, bad)
    assert page.id_input.result is None
    assert page.id_input.message_label.isVisible()
    assert "校验位" in page.id_input.message_label.text()
    assert page.focusWidget() is page.id_input  # Enter did not move on
    page.save()
    assert "身份证" in page.error_label.text()


def test_scanner_input_is_normalised(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    number = make_id(dt.date(2010, 12, 1), 88)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    page.id_input.setFocus()
    type_text(page.id_input, fullwidth)
    assert page.id_input.text() == number
    # the 18th character parsed it already; the child category is suggested for a minor
    assert page.id_input.result is not None
    assert page.category.currentData() == "child"
    assert page.tier_table.tiers == ["low"]


def test_newborn_without_tier_choice_and_facts_box(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    page.facts_box.set_expanded(True)
    assert page.facts_box.body.isVisible()
    page.facts_box.continuous_years.setValue(3)
    scan(qtbot, page, make_id(dt.date(1970, 3, 3), 77))
    page.category.setCurrentIndex(page.category.findData("minimum_living"))
    assert page.tier.currentData() == "low"  # the subsidised tier is the default
    assert page.tier_table.column_text("low")[2].startswith("38.00")
