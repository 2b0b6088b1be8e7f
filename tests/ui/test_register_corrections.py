"""Issue 8 on the registration page: the right benefit tier, a category that does
not fit the age refused in Chinese, the eligibility document and the 2017 foreign
permanent residence card (POLICY.md §2, revised 2026-11). Clock: 2023-11-06."""

from __future__ import annotations

import datetime as dt

from counter_fixtures import make_id
from sqlalchemy import select
from test_register_page import choose_document, make_page, scan

from db.models import Enrollment, Resident


def _choose(page, key: str) -> None:  # type: ignore[no-untyped-def]
    page.category.setCurrentIndex(page.category.findData(key))


def test_a_12_year_old_in_a_dibao_family_is_shown_high_benefits(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(2011, 6, 1), 44))
    _choose(page, "minimum_living")
    low = page.tier_table.column_text("low")
    assert low[2].startswith("38.00") and low[3] == "高档"  # 000 §2(2)
    assert low[6].startswith("住院报销：一级医院85%")  # the high tier's benefit lines
    high = page.tier_table.column_text("high")
    assert "未满18周岁" in high[0]  # a minor does not give the subsidy up for the high tier


def test_a_category_that_does_not_fit_the_age_is_refused_in_chinese(  # type: ignore[no-untyped-def]
    qtbot, ctx, ops, db, office
):
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(2010, 6, 1), 45))
    assert page.category.currentData() == "child"  # the fitting one is suggested
    page.name.setText("小明")
    _choose(page, "adult")
    page.choose_tier("low")
    shown = page.tier_table.item(0, 0).text()
    assert "须年满18周岁" in shown and "13周岁" in shown and "未成年居民" in shown
    choose_document(page, "household_registration")
    page.save()
    assert page.error_label.isVisible() and "应选择" in page.error_label.text()
    with db.read() as s:
        assert s.scalars(select(Enrollment)).first() is None


def test_a_newborn_inside_the_window_is_suggested_as_newborn(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(2023, 9, 20), 46))
    assert page.category.currentData() == "newborn"
    scan(qtbot, page, make_id(dt.date(2020, 9, 20), 47))
    page.new_registration()
    scan(qtbot, page, make_id(dt.date(2020, 9, 20), 47))
    assert page.category.currentData() == "child"


def test_the_eligibility_document_must_be_chosen(qtbot, ctx, ops, db, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(1980, 5, 17), 123))
    page.name.setText("张三")
    page.choose_tier("low")
    page.save()
    assert "请选择参保资格依据" in page.error_label.text()
    choose_document(page, "parent_residence_permit")
    page.save()
    assert "只适用于新生儿" in page.error_label.text()
    choose_document(page, "residence_permit")
    page.save()
    assert page.result_frame.isVisible(), page.error_label.text()
    with db.read() as s:
        assert s.scalars(select(Enrollment.eligibility_document)).one() == "residence_permit"


def test_a_permit_suggests_its_own_document(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, make_id(dt.date(1988, 8, 8), 22, area="810000"))
    assert page.eligibility.currentData() == "hk_macao_taiwan_permit"


def test_a_2017_foreign_permanent_card_with_birth_date_and_sex_by_hand(  # type: ignore[no-untyped-def]
    qtbot, ctx, ops, db, office
):
    page = make_page(qtbot, ctx, ops)
    scan(qtbot, page, "CAN987654321098")
    assert page.manual_identity.isVisible()
    assert "出生日期和性别" in page.id_input.message_label.text()
    assert page.id_input.result is None
    page.manual_identity.birth.setDate(dt.date(1975, 4, 5))
    page.manual_identity.sex.setCurrentIndex(page.manual_identity.sex.findData("F"))
    assert page.id_input.result is not None
    assert "1975-04-05" in page.identity_label.text() and "2017年版" in page.identity_label.text()
    assert page.eligibility.currentData() == "foreign_permanent_id"
    page.name.setText("Anna Smith")
    page.choose_tier("low")
    page.save()
    assert page.result_frame.isVisible(), page.error_label.text()
    with db.read() as s:
        resident = s.scalars(select(Resident)).one()
        stored = (resident.id_number, resident.birth_date, resident.sex)
    assert stored == (
        "CAN987654321098",
        dt.date(1975, 4, 5),
        "F",
    )
    assert not page.manual_identity.isVisible()  # cleared for the next person


def test_only_the_facts_of_the_policy_are_offered(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops)
    page.facts_box.set_expanded(True)
    assert page.facts_box.via_school.isVisible()
    assert not page.facts_box.hardship.isVisible()  # tianjin-2024 has no such rule
    assert not page.facts_box.freshman.isVisible()  # a Chongqing rule
    page.facts_box.set_policy(ctx.policies.get("chongqing-zhongxian-2024"))
    assert page.facts_box.freshman.isVisible() and not page.facts_box.hardship.isVisible()
    page.facts_box.set_policy(ctx.policies.get("tianjin-2025"))
    assert page.facts_box.hardship.isVisible() and "本市新认定" in page.facts_box.hardship.text()
