"""The policy editor (issue 17): drafts, round trips, checks, preview, saving, revisions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from factories import PASSWORD, make_desk, make_operator
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from common.errors import ConflictError, InputError, PermissionDenied
from db.engine import Database
from db.models import AuditEntry, Office, PolicyFileRecord, PolicySwitch
from services.clock import FixedClock
from services.policy import PolicyBook, load_policies
from services.policy_editor import (
    PolicyCheckFailed,
    check_draft,
    check_file,
    field_label,
    load_data,
    previous_policy,
    read_policy_data,
    serialize,
)
from services.policy_form import build_draft, form_from_policy
from services.policy_listing import list_policies
from services.policy_preview import (
    collection_warning,
    period_state,
    preview,
)
from services.policy_store import (
    export_policy,
    load_office_book,
    office_policy_dir,
    read_import,
    restore_missing_files,
    save_policy_file,
    switch_policy_in_use,
)
from services.policy_types import Unset

BOOK = load_policies()
RATES = {"low": ("390.00", "700.00"), "high": ("1030.00", "700.00")}
NOTICE = "津医保发〔2026〕1号"


def tianjin_2026_form(**changes: object):  # type: ignore[no-untyped-def]
    form = form_from_policy(BOOK.get("tianjin-2025"))
    for tier in form.tiers:
        tier.standard, tier.fiscal_subsidy = RATES[tier.key]
    form.document_no = NOTICE
    form.document_title = "关于做好2026年度城乡居民基本医疗保险参保缴费工作的通知"
    form.document_issued = dt.date(2025, 8, 20)
    for name, value in changes.items():
        setattr(form, name, value)
    return form


def tianjin_2026_data(**changes: object) -> dict:  # type: ignore[type-arg]
    return build_draft(BOOK.get("tianjin-2025"), tianjin_2026_form(**changes), BOOK)


# --- serializer ------------------------------------------------------------------------


@pytest.mark.parametrize("key", BOOK.keys())
def test_every_builtin_file_round_trips_through_the_serializer(key: str):
    policy = BOOK.get(key)
    again = load_data(read_policy_data(policy))
    assert dataclasses.replace(again, path=policy.path) == policy


def test_the_serializer_keeps_fields_it_does_not_know():
    data = read_policy_data(BOOK.get("chongqing-zhongxian-2024"))
    data["categories"]["adult"]["future_field"] = {"unset": "issue 8 may add fields"}
    data["freshman"] = {"from_month": 9, "source": "004 §5(4)"}
    text = serialize(data)
    import tomllib

    assert tomllib.loads(text) == data


# --- drafts ----------------------------------------------------------------------------


def test_a_new_year_from_the_previous_one():
    data = tianjin_2026_data()
    policy = check_draft(data, BOOK)
    assert (policy.key, policy.year, policy.rules) == ("tianjin-2026", 2026, "tianjin-2025")
    assert policy.name == "天津市2026年度城乡居民基本医疗保险"
    assert (policy.collection.start, policy.collection.end) == (
        dt.date(2025, 9, 1),
        dt.date(2025, 12, 31),
    )
    assert policy.tiers["low"].standard == 39000
    assert policy.tiers["high"].fiscal_subsidy == 70000
    assert policy.sources[0].document_no == NOTICE
    # categories and waiting rules carried over, with the older sources; each
    # subsidy (a figure the form asks for) now cites the year's notice
    base = BOOK.get("tianjin-2025").categories
    assert {c.subsidy_source for c in policy.categories.values()} == {NOTICE}
    assert {k: dataclasses.replace(c, subsidy_source="") for k, c in policy.categories.items()} == {
        k: dataclasses.replace(c, subsidy_source="") for k, c in base.items()
    }
    assert policy.waiting == BOOK.get("tianjin-2025").waiting
    assert len(policy.sources) == 2


def test_a_blank_figure_stays_unset_and_quotes_needing_it_are_refused():
    form = tianjin_2026_form()
    form.tiers[0].fiscal_subsidy = ""
    form.tiers[1].standard = ""
    policy = check_draft(build_draft(BOOK.get("tianjin-2025"), form, BOOK), BOOK)
    result = preview(policy, previous_policy(policy, BOOK))
    high = [r for r in result.rows if r.category == "adult" and r.tier == "high"]
    assert all(r.new.quote is None for r in high)
    assert "高档个人缴费标准未在" in high[0].new.message
    low = next(r for r in result.rows if r.category == "adult" and r.tier == "low")
    assert low.new.quote is not None and low.new.quote.personal_due_fen == 39000
    assert low.new.quote.fiscal_subsidy_fen is None  # unset, not guessed


def test_benefit_notes_are_kept_or_replaced():
    assert (
        check_draft(tianjin_2026_data(), BOOK).benefit_notes
        == BOOK.get("tianjin-2025").benefit_notes
    )
    notes = "大病保险：起付线按通知\n\n门诊封顶线按通知 "
    policy = check_draft(tianjin_2026_data(benefit_notes=notes), BOOK)
    assert policy.benefit_notes == ("大病保险：起付线按通知", "门诊封顶线按通知")


def test_waiting_rules_are_chosen_from_the_known_rule_sets():
    data = tianjin_2026_data(rules="tianjin-2024")
    policy = check_draft(data, BOOK)
    assert policy.rules == "tianjin-2024"
    # the 2024 parameters, their dates moved to the new year
    assert policy.waiting.new_pupil_start == dt.date(2025, 9, 1)  # type: ignore[union-attr]
    with pytest.raises(PolicyCheckFailed, match="待遇等待期规则"):
        tianjin_2026_data(rules="hand-written-code")


def test_subsidy_classes_and_quota_percent():
    policy = check_draft(
        tianjin_2026_data(
            subsidies={"minimum_living": "unset", "orphan": "quota"}, quota_percent="20"
        ),
        BOOK,
    )
    assert policy.categories["orphan"].subsidy == "quota"
    assert policy.quota_personal_percent == 20
    assert "低保对象的资助标准" in policy.categories["minimum_living"].subsidy.reason  # type: ignore[union-attr]


# --- bad input: each refused with the field named, nothing saved ---------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("390.005", "tiers.low.standard"),
        ("-390", "tiers.low.standard"),
        ("三百", "tiers.low.standard"),
    ],
)
def test_a_standard_with_three_decimals_or_negative_is_refused(text: str, field: str):
    form = tianjin_2026_form()
    form.tiers[0].standard = text
    with pytest.raises(PolicyCheckFailed) as info:
        build_draft(BOOK.get("tianjin-2025"), form, BOOK)
    assert info.value.field == field
    assert "档次“低档”个人缴费标准" in info.value.message


def test_a_collection_period_ending_before_it_starts_is_refused():
    data = tianjin_2026_data(collection_end=dt.date(2025, 8, 1))
    with pytest.raises(PolicyCheckFailed) as info:
        check_draft(data, BOOK)
    assert info.value.field == "periods.collection"
    assert info.value.message.startswith("集中缴费期（periods.collection）：开始日期晚于结束日期")


def test_a_collection_period_overlapping_the_previous_years_is_refused():
    data = tianjin_2026_data(collection_start=dt.date(2024, 12, 1))
    with pytest.raises(PolicyCheckFailed, match="与上一年度（tianjin-2025，至 2024-12-31）重叠"):
        check_draft(data, BOOK)


def test_a_subsidy_larger_than_the_standard_is_refused():
    # the personal share of a quota subsidy is a percent of the standard: over
    # 100 would make the subsidy larger than the standard (negative)
    with pytest.raises(PolicyCheckFailed, match="资助不能超过缴费标准") as info:
        tianjin_2026_data(quota_percent="120")
    assert info.value.field == "quota_subsidy.personal_percent"


def test_a_category_without_any_tier_is_refused():
    data = tianjin_2026_data()
    data["categories"]["orphan"]["tiers"] = []
    with pytest.raises(PolicyCheckFailed, match="类别“孤儿”可选档次（categories.orphan.tiers）"):
        check_draft(data, BOOK)


def test_a_key_colliding_with_a_builtin_policy_is_refused():
    data = tianjin_2026_data(key="tianjin-2024")
    with pytest.raises(PolicyCheckFailed, match="与内置政策重复") as info:
        check_draft(data, BOOK)
    assert info.value.field == "key"


def test_a_hand_edited_file_with_a_typo_is_refused(tmp_path: Path):
    text = serialize(tianjin_2026_data()).replace("standard = ", "standrad = ", 1)
    path = tmp_path / "tianjin-2026.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyCheckFailed) as info:
        check_file(path, BOOK)
    # the misspelt name leaves the real field missing: it is named in Chinese
    assert info.value.message == "档次“低档”个人缴费标准（tiers.low.standard）：缺少必填字段"
    path.write_text(
        serialize(tianjin_2026_data()).replace("benefit_tier = ", "benefit_teir = ", 1),
        encoding="utf-8",
    )
    with pytest.raises(PolicyCheckFailed) as info:
        check_file(path, BOOK)
    assert (
        info.value.message
        == "类别“各级各类学校在校学生”benefit_teir（categories.student.benefit_teir）：未知字段"
    )


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path):
    path = tmp_path / "tianjin-2026.toml"
    path.write_text('key = "tianjin-2026"\nyear = = 2026\n', encoding="utf-8")
    with pytest.raises(PolicyCheckFailed, match="不是正确的 TOML 格式"):
        check_file(path, BOOK)


def test_field_labels_are_chinese():
    data = read_policy_data(BOOK.get("tianjin-2024"))
    assert field_label("tiers.high.fiscal_subsidy", data) == "档次“高档”财政补助"
    assert field_label("categories.orphan.subsidy", data) == "类别“孤儿”资助方式"
    assert field_label("sources[1].issued") == "第2个依据文件发文日期"
    assert field_label("periods.late.end") == "补缴期结束日期"


# --- preview ---------------------------------------------------------------------------


def test_preview_quotes_three_days_beside_the_previous_year():
    policy = check_draft(read_policy_data(BOOK.get("tianjin-2024")) | {"key": "tj-copy"}, BOOK)
    result = preview(policy, BOOK.get("tianjin-2023"))
    assert result.days == {"first": "2023-10-10", "last": "2023-12-31", "late": "2024-01-01"}
    adult_high = [r for r in result.rows if (r.category, r.tier) == ("adult", "high")]
    assert [r.day for r in adult_high] == ["first", "last", "late"]
    assert [r.new.due_text for r in adult_high] == ["1010.00", "1010.00", "1010.00"]
    assert [r.old.due_text for r in adult_high if r.old] == ["980.00", "980.00", "—"]
    assert adult_high[2].new.quote is not None and adult_high[2].new.quote.late
    quota = next(r for r in result.rows if r.category == "minimum_living")
    assert quota.new.due_text == "38.00"
    assert result.to_json_dict()["rows"][0]["new"]["personal_due"] is not None


def test_period_state_and_login_warning():
    policy = BOOK.get("tianjin-2024")
    assert period_state(policy, dt.date(2023, 9, 1)) == "upcoming"
    assert period_state(policy, dt.date(2023, 11, 6)) == "collection"
    assert period_state(policy, dt.date(2024, 3, 1)) == "late"
    assert period_state(policy, dt.date(2026, 11, 30)) == "closed"
    assert collection_warning(policy, dt.date(2023, 11, 6)) is None
    warning = collection_warning(policy, dt.date(2026, 11, 30))
    assert warning is not None and "都已结束" in warning and "设置 → 政策" in warning


# --- saving, revisions, import, export, switching -----------------------------------------


@pytest.fixture
def desk(db: Database):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return make_desk(s)


def _save(db: Database, clock: FixedClock, desk, folder: Path, data: dict, **kw: object):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return save_policy_file(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=kw.pop("operator_id", desk.supervisor_id),
            data=data,
            book=kw.pop("book", BOOK),
            folder=folder,
            based_on="tianjin-2025",
            **kw,  # type: ignore[arg-type]
        )


def test_saving_writes_an_ordinary_policy_file_and_a_record(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "policies"
    saved = _save(db, clock, desk, folder, tianjin_2026_data())
    assert saved.key == "tianjin-2026" and saved.revision == 1
    assert saved.path == folder / "tianjin-2026.toml"
    book = load_office_book([], folder)
    assert book.get("tianjin-2026").tiers["high"].standard == 103000
    assert "tianjin-2024" in book  # built-ins alongside
    with db.read() as s:
        row = s.scalars(select(PolicyFileRecord)).one()
        assert (row.saved_by, row.confirmed_by, row.origin) == (desk.supervisor_id, None, "editor")
        assert row.content == saved.path.read_text(encoding="utf-8")
        listing = {p.key: p for p in list_policies(s, book, dt.date(2025, 9, 1), office_dir=folder)}
    assert listing["tianjin-2026"].origin == "office"
    assert listing["tianjin-2026"].state == "collection"
    assert listing["tianjin-2026"].saved_by
    assert listing["tianjin-2024"].in_use and listing["tianjin-2024"].origin == "builtin"


def test_a_clerk_cannot_save(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        _save(db, clock, desk, tmp_path / "p", tianjin_2026_data(), operator_id=desk.clerk_id)
    assert not (tmp_path / "p").exists()


def test_bad_data_saves_nothing(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    data = tianjin_2026_data(collection_start=dt.date(2024, 12, 1))
    with pytest.raises(PolicyCheckFailed):
        _save(db, clock, desk, tmp_path / "p", data)
    assert not (tmp_path / "p").exists()
    with db.read() as s:
        assert s.scalars(select(PolicyFileRecord)).all() == []


def test_a_second_supervisor_must_confirm_where_there_is_one(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    with db.write() as s:
        second = make_operator(s, desk.office_id, "fuzhuguan", "赵副主管", "supervisor")
    with pytest.raises(PermissionDenied, match="另一名主管"):
        _save(db, clock, desk, tmp_path, tianjin_2026_data())
    with db.read() as s:
        own = s.get(Office, desk.office_id)
        assert own is not None
    from db.models import Operator

    with db.read() as s:
        me = s.get(Operator, desk.supervisor_id).username  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied, match="不能由保存人自己确认"):
        _save(
            db,
            clock,
            desk,
            tmp_path,
            tianjin_2026_data(),
            confirm_username=me,
            confirm_password=PASSWORD,
        )
    saved = _save(
        db,
        clock,
        desk,
        tmp_path,
        tianjin_2026_data(),
        confirm_username="fuzhuguan",
        confirm_password=PASSWORD,
    )
    assert saved.confirmed_by == second
    with db.read() as s:
        assert s.scalars(select(PolicyFileRecord.confirmed_by)).one() == second


def test_a_corrected_file_gets_a_revision_and_never_replaces_the_first(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    first = _save(db, clock, desk, tmp_path, tianjin_2026_data())
    text = first.path.read_text(encoding="utf-8")
    book = load_office_book([], tmp_path)
    with pytest.raises(ConflictError, match="已保存为 tianjin-2026"):
        _save(db, clock, desk, tmp_path, tianjin_2026_data(), book=book)
    form = tianjin_2026_form()
    form.tiers[1].standard = "1040.00"
    corrected = _save(
        db, clock, desk, tmp_path, build_draft(BOOK.get("tianjin-2025"), form, BOOK), book=book
    )
    assert (corrected.key, corrected.revision, corrected.replaced_key) == (
        "tianjin-2026-r2",
        2,
        "tianjin-2026",
    )
    assert first.path.read_text(encoding="utf-8") == text
    book = load_office_book([], tmp_path)
    assert book.get("tianjin-2026").tiers["high"].standard == 103000
    assert book.get("tianjin-2026-r2").tiers["high"].standard == 104000


def test_the_policy_tables_are_append_only(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    _save(db, clock, desk, tmp_path, tianjin_2026_data())
    with pytest.raises(DBAPIError, match="append-only"):
        with db.write() as s:
            s.execute(PolicyFileRecord.__table__.update().values(content="x"))


def test_export_and_import_between_offices(db, clock, desk, tmp_path, migrated_template):  # type: ignore[no-untyped-def]
    saved = _save(db, clock, desk, tmp_path / "street", tianjin_2026_data())
    book = load_office_book([], tmp_path / "street")
    exported = export_policy(book.get(saved.key), tmp_path / "usb")
    assert exported.read_text(encoding="utf-8") == saved.path.read_text(encoding="utf-8")
    with pytest.raises(ConflictError):
        export_policy(book.get(saved.key), tmp_path / "usb")

    # a village office, with a database of its own, imports it
    shutil.copyfile(migrated_template, tmp_path / "village.sqlite3")
    village_db = Database(f"sqlite:///{tmp_path / 'village.sqlite3'}")
    try:
        with village_db.write() as s:
            village = make_desk(s, code="DC", name="东村村委会")
        folder = tmp_path / "village"

        def import_file(path: Path):  # type: ignore[no-untyped-def]
            with village_db.write() as s:
                return save_policy_file(
                    s,
                    clock,
                    office_id=village.office_id,
                    operator_id=village.supervisor_id,
                    data=read_import(path),
                    book=load_office_book([], folder),
                    folder=folder,
                    origin="import",
                )

        imported = import_file(exported)
        assert (imported.key, imported.revision) == ("tianjin-2026", 1)
        assert load_office_book([], folder).get("tianjin-2026").tiers["low"].standard == 39000
        with pytest.raises(ConflictError, match="已保存为 tianjin-2026"):
            import_file(exported)
        # the street office sends a corrected file with the same key
        corrected = tmp_path / "usb2" / "tianjin-2026.toml"
        corrected.parent.mkdir()
        corrected.write_text(
            exported.read_text(encoding="utf-8").replace('"390.00"', '"395.00"'),
            encoding="utf-8",
        )
        again = import_file(corrected)
        assert (again.key, again.replaced_key) == ("tianjin-2026-r2", "tianjin-2026")
        with village_db.read() as s:
            origins = s.scalars(select(PolicyFileRecord.origin)).all()
        assert origins == ["import", "import"]
    finally:
        village_db.dispose()


def test_import_refuses_a_key_that_differs_from_the_file_name(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "tianjin-2026.toml"
    path.write_text(serialize(tianjin_2026_data(key="tianjin-2027")), encoding="utf-8")
    with pytest.raises(PolicyCheckFailed, match="须与文件名一致"):
        read_import(path)


def test_switching_the_policy_in_use_is_recorded(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    _save(db, clock, desk, tmp_path, tianjin_2026_data())
    book = load_office_book([], tmp_path)
    with db.write() as s:
        with pytest.raises(PermissionDenied):
            switch_policy_in_use(
                s,
                clock,
                office_id=desk.office_id,
                operator_id=desk.clerk_id,
                policy_key="tianjin-2026",
                book=book,
            )
    with db.write() as s:
        with pytest.raises(InputError, match="没有政策"):
            switch_policy_in_use(
                s,
                clock,
                office_id=desk.office_id,
                operator_id=desk.supervisor_id,
                policy_key="tianjin-2099",
                book=book,
            )
    with db.write() as s:
        switch_policy_in_use(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            policy_key="tianjin-2026",
            book=book,
        )
    with db.read() as s:
        assert s.get(Office, desk.office_id).policy_key == "tianjin-2026"  # type: ignore[union-attr]
        switch = s.scalars(select(PolicySwitch)).one()
        assert (switch.from_key, switch.to_key, switch.switched_by) == (
            "tianjin-2024",
            "tianjin-2026",
            desk.supervisor_id,
        )
        # both are in the audit journal (issue 10)
        journal = {e.action: e for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))}
        assert journal["policy_file_saved"].subject == "policy:tianjin-2026"
        assert f'"saved_by":{desk.supervisor_id}' in journal["policy_file_saved"].details
        assert journal["policy_switched"].operator_id == desk.supervisor_id
        assert '"to":"tianjin-2026"' in journal["policy_switched"].details


def test_files_recorded_in_the_database_reach_another_windows_folder(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    saved = _save(db, clock, desk, tmp_path / "a", tianjin_2026_data())
    other = tmp_path / "b"
    with db.read() as s:
        assert restore_missing_files(s, other) == [other / "tianjin-2026.toml"]
        assert restore_missing_files(s, other) == []
    assert (other / "tianjin-2026.toml").read_text(encoding="utf-8") == saved.path.read_text(
        encoding="utf-8"
    )


def test_the_office_folder_is_beside_the_sqlite_file(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    assert office_policy_dir(url, environ={}) == tmp_path / "policies"
    assert office_policy_dir(url, environ={"YIBAO_OFFICE_POLICY_DIR": "/x"}) == Path("/x")


def test_a_builtin_file_checks_clean(tmp_path):  # type: ignore[no-untyped-def]
    policy = BOOK.get("tianjin-2024")
    assert check_file(policy.path, BOOK).key == "tianjin-2024"
    copy = tmp_path / "tianjin-2024.toml"
    shutil.copyfile(policy.path, copy)
    with pytest.raises(PolicyCheckFailed, match="与内置政策重复"):
        check_file(copy, BOOK)


def test_books_without_office_files_are_unchanged():
    assert isinstance(load_office_book([], None), PolicyBook)
    assert load_office_book([], Path("/nonexistent")).keys() == BOOK.keys()


def test_a_builtin_policy_is_corrected_by_a_revision_of_its_own(db, clock, desk, tmp_path):  # type: ignore[no-untyped-def]
    base = BOOK.get("tianjin-2025")
    form = form_from_policy(base, 2025)
    assert form.key == "tianjin-2025-r2"
    for tier in form.tiers:
        tier.standard = RATES[tier.key][0]
    data = build_draft(base, form, BOOK)
    with pytest.raises(PolicyCheckFailed, match="tianjin-2025-r2"):
        check_draft({**data, "key": "tianjin-2025"}, BOOK)
    saved = _save(db, clock, desk, tmp_path, data)
    assert (saved.key, saved.revision, saved.base_key) == ("tianjin-2025-r2", 2, "tianjin-2025")
    book = load_office_book([], tmp_path)
    assert book.get("tianjin-2025-r2").tiers["low"].standard == 39000
    assert isinstance(book.get("tianjin-2025").tiers["low"].standard, Unset)  # built-in kept
    # next year is compared with the newest revision of this year
    assert previous_policy(check_draft(tianjin_2026_data(), book), book).key == "tianjin-2025-r2"  # type: ignore[union-attr]


def test_saving_the_office_settings_with_another_policy_records_the_switch(db, clock, desk):  # type: ignore[no-untyped-def]
    from services.policy_store import update_office_and_policy

    with db.write() as s:
        update_office_and_policy(
            s,
            clock,
            book=BOOK,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            policy_key="tianjin-2024",  # unchanged: no switch
            phone="022-1234",
        )
    with db.write() as s:
        info = update_office_and_policy(
            s,
            clock,
            book=BOOK,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            policy_key="tianjin-2025",
            phone="022-5678",
        )
    assert (info.policy_key, info.phone) == ("tianjin-2025", "022-5678")
    with db.read() as s:
        assert [(w.from_key, w.to_key) for w in s.scalars(select(PolicySwitch))] == [
            ("tianjin-2024", "tianjin-2025")
        ]
