"""A new policy year without a programmer (issue 17), through the window.

An office on tianjin-2024 takes a 2024 payment. Two years later a supervisor
logs in, is told that no policy in use is open, opens 设置 → 政策, makes
tianjin-2026 from tianjin-2025 with rates the test types, previews it, saves
it, switches the office to it, registers and takes a payment under it, and
reprints the 2024 receipt, which still shows its own policy.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from counter_fixtures import PASSWORD, SUPERVISOR, close_at_teardown, make_id, type_text
from PySide6.QtCore import Qt
from sqlalchemy import select
from test_full_day import pdf_text, register

from db.models import AuditEntry, Enrollment, PolicyFileRecord, PolicySwitch, Receipt
from services.deposits import record_deposit
from services.office import create_operator
from services.receipts import receipt_view
from ui.app import AppController
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.pages.collect_dialogs import PaymentDialog
from ui.pages.policy_editor_dialog import PolicyEditorDialog
from ui.pages.policy_tab import PolicyTab

# Rates typed by the test (not the real 2026 figures, which are not in the documents).
TYPED = {"low": ("390.00", "700.00"), "high": ("1030.00", "700.00")}
SHOTS = os.environ.get("YIBAO_POLICY_SHOTS")  # a folder: save the screenshots there


def log_in_as(qtbot, ctx, ops, documents, username: str) -> MainWindow:  # type: ignore[no-untyped-def]
    ctx.session = None
    controller = AppController(ctx, ops, documents=documents)
    controller.start()
    login = controller.dialog
    assert isinstance(login, LoginDialog)
    login.username.setFocus()
    qtbot.keyClicks(login.username, username)
    qtbot.keyClick(login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    window = controller.window
    assert window is not None
    close_at_teardown(window)
    qtbot.waitExposed(window)
    window.activateWindow()
    # the login checks run once the window is up; a question they ask takes the focus
    qtbot.waitUntil(lambda: window.isActiveWindow() or window.checks.dialog is not None)
    window._controller = controller  # keep it alive with the window
    return window


def pay_cash(qtbot, window: MainWindow, number: str, ops) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F2)
    collect = window.page("collect")
    collect.search_box.setFocus()
    collect.search_box.clear()
    qtbot.keyClicks(collect.search_box, number[-6:])
    qtbot.keyClick(collect.search_box, Qt.Key.Key_Return)
    assert collect.results_model.rowCount() == 1
    qtbot.keyClick(collect, Qt.Key.Key_F10)
    dialog = collect.collect_actions.dialog
    assert isinstance(dialog, PaymentDialog)
    for field in (dialog.amount, dialog.received, dialog.payer, dialog.agent):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert ops.last_error is None, ops.last_error


def policy_tab(window: MainWindow) -> PolicyTab:
    settings = window.page("settings")
    tab = settings.policy_tab
    assert isinstance(tab, PolicyTab)
    return tab


def shoot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / name))


def fill_tianjin_2026(qtbot, dialog: PolicyEditorDialog) -> None:  # type: ignore[no-untyped-def]
    assert dialog.year.value() == 2026
    assert dialog.key.text() == "tianjin-2026"
    type_text(dialog.document_no, "津医保发〔2026〕1号")
    type_text(dialog.document_title, "关于做好2026年度城乡居民基本医疗保险参保缴费工作的通知")
    qtbot.keyClicks(dialog.document_issued, "2025-08-20")
    assert dialog.collection_start.text() == "2025-09-01"
    assert dialog.collection_end.text() == "2025-12-31"
    for key, (standard, fiscal) in TYPED.items():
        box = dialog.tier_boxes[key]
        qtbot.keyClicks(box.standard, standard)
        qtbot.keyClicks(box.fiscal_subsidy, fiscal)
    type_text(dialog.tier_boxes["high"].benefits, "住院报销：一级医院85%，二级医院80%，三级医院75%")


def test_a_supervisor_makes_switches_and_collects_a_new_year(  # type: ignore[no-untyped-def]
    qtbot, ctx, ops, documents, db, clock, office, tmp_path
):
    # --- 2023-11: a 2024 payment under tianjin-2024 -----------------------------------------
    window = log_in_as(qtbot, ctx, ops, documents, SUPERVISOR)
    assert "征缴年度：2024（tianjin-2024，集中缴费期）" in window.policy_label.text()
    assert window.policy_banner.isHidden()
    old_id = make_id(dt.date(1968, 4, 12), 135)
    register(qtbot, window, old_id, "张三", "high")
    pay_cash(qtbot, window, old_id, ops)
    with db.write() as s:  # the cash went to the bank the same day
        record_deposit(
            s,
            clock,
            office_id=office.id,
            amount="1010.00",
            channel="bank",
            slip_no="JK-1",
            operator_id=office.supervisor_id,
        )
        old_receipt = s.scalars(select(Receipt.id)).one()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # log out

    # --- 2025-09-02: nothing is open; the window says so at login --------------------------
    clock.set(dt.datetime(2025, 9, 2, 9, 0))
    window = log_in_as(qtbot, ctx, ops, documents, SUPERVISOR)
    # Nearly two years since the last business: the clock check (issue 9) asks a
    # supervisor to confirm the date before anything is written.
    clock_dialog = window.checks.dialog
    assert clock_dialog is not None and clock_dialog.isVisible()
    clock_dialog.fill(SUPERVISOR, PASSWORD, "新年度开始，已核对电脑日期")
    clock_dialog.try_approve()
    assert window.checks.clock is None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.policy_banner.isVisible()
    assert "都已结束" in window.policy_banner.text.text()
    assert "已结束" in window.policy_label.text()
    shoot(window, "25-policy-warning.png")
    window.policy_banner.button.click()  # 打开政策设置…
    assert window.current_key == "settings"
    tab = policy_tab(window)
    assert window.page("settings").tabs.currentWidget() is tab

    # --- 新建年度政策 from tianjin-2025 ------------------------------------------------------
    tab.select_key("tianjin-2025")
    dialog = tab.open_editor()
    assert isinstance(dialog, PolicyEditorDialog)
    qtbot.addWidget(dialog)
    assert not dialog.confirm_box.isVisibleTo(dialog)  # one supervisor: no second one asked
    fill_tianjin_2026(qtbot, dialog)
    # a typo is refused with the field named, and nothing can be saved
    qtbot.keyClicks(dialog.tier_boxes["low"].standard, "5")  # 390.005
    assert dialog.preview_draft() is None
    assert "档次“低档”个人缴费标准" in dialog.message.text()
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.tier_boxes["low"].standard, Qt.Key.Key_Backspace)
    # 低保对象: a 定额资助 of a fixed sum (POLICY.md §2/§3), with its own source;
    # a sum larger than the standard is refused naming the field, nothing saveable
    subsidy = dialog.subsidies["minimum_living"]
    assert not subsidy.amount.isEnabled()
    subsidy.kind.setCurrentIndex(subsidy.kind.findData("amount"))
    assert subsidy.amount.isEnabled()
    qtbot.keyClicks(subsidy.amount, "400.00")
    assert dialog.preview_draft() is None
    assert "类别“低保对象”定额资助金额" in dialog.message.text()
    assert "资助不能超过缴费标准" in dialog.message.text()
    assert not dialog.save_button.isEnabled()
    subsidy.amount.clear()
    qtbot.keyClicks(subsidy.amount, "300.00")
    type_text(subsidy.source, "津民发〔2026〕5号 附件1")
    type_text(dialog.tier_boxes["low"].fiscal_subsidy_source, "津财社〔2026〕3号")
    if SHOTS:  # tall enough to show the tiers and the subsidy classes together
        dialog.resize(1100, 1240)
        dialog.scroll_area.ensureWidgetVisible(dialog.tier_boxes["low"], 50, 50)
    shoot(dialog, "28-policy-editor.png")

    result = dialog.preview_draft()
    assert result is not None and dialog.save_button.isEnabled()
    assert dialog.figures_model.rowCount() == len(result.figures)
    figure = next(f for f in result.figures if (f.kind, f.key) == ("subsidy", "minimum_living"))
    assert (figure.source, figure.previous) == (
        "津民发〔2026〕5号 附件1",
        "定额资助（个人缴纳低档标准的10%）",
    )
    fiscal = next(f for f in result.figures if (f.kind, f.key) == ("fiscal_subsidy", "low"))
    assert (fiscal.value, fiscal.source) == ("700.00元", "津财社〔2026〕3号")
    poor = next(
        r for r in result.rows if (r.category, r.tier, r.day) == ("minimum_living", "low", "first")
    )
    assert poor.new.due_text == "90.00"
    row = next(r for r in result.rows if (r.category, r.tier, r.day) == ("adult", "high", "first"))
    assert row.new.due_text == "1030.00" and row.new.paid_on == dt.date(2025, 9, 1)
    assert row.old is not None and row.old.quote is None  # 2025 rates were never published
    late = next(r for r in result.rows if (r.category, r.tier, r.day) == ("adult", "low", "late"))
    assert late.new.quote is not None and late.new.quote.waiting_months == 3
    assert dialog.preview_model.rowCount() == len(result.rows)
    assert dialog.tabs.currentIndex() == 1
    shoot(dialog, "30-policy-preview.png")

    saved = dialog.save()
    assert saved is not None and saved.key == "tianjin-2026"
    assert saved.path.parent == tmp_path / "policies"  # the office's data folder
    written = saved.path.read_text(encoding="utf-8")
    assert 'subsidy_amount = "300.00"' in written
    assert 'subsidy_source = "津民发〔2026〕5号 附件1"' in written
    assert "tianjin-2026" in ctx.policies
    dialog.close()
    with db.read() as s:
        record = s.scalars(select(PolicyFileRecord)).one()
        assert record.saved_by == office.supervisor_id and record.confirmed_by is None

    # --- switch the office to it --------------------------------------------------------------
    tab.select_key("tianjin-2026")
    assert tab.use_selected()
    assert "tianjin-2026" in tab.in_use.text()
    assert "征缴年度：2026（tianjin-2026，集中缴费期）" in window.policy_label.text()
    assert window.policy_banner.isHidden()
    shoot(tab, "16-policy-tab.png")
    with db.read() as s:
        assert s.scalars(select(PolicySwitch.to_key)).one() == "tianjin-2026"

    # --- register and take a payment under tianjin-2026 ---------------------------------------
    new_id = make_id(dt.date(1975, 9, 30), 246)
    register(qtbot, window, new_id, "李四", "high")
    assert "2026" in window.page("register").policy_label.text()
    pay_cash(qtbot, window, new_id, ops)
    with db.read() as s:
        enrolments = {e.resident.name: e for e in s.scalars(select(Enrollment))}
        assert (enrolments["李四"].policy_key, enrolments["李四"].personal_due_fen) == (
            "tianjin-2026",
            103000,
        )
        assert enrolments["李四"].status == "paid"
        assert enrolments["张三"].policy_key == "tianjin-2024"
    new_receipt_pdf = documents.of_kind("receipt")[-1].pdf
    assert "2026年度" in pdf_text(new_receipt_pdf, tmp_path)

    # --- reprint the 2024 receipt: it still shows its own policy ------------------------------
    collect = window.page("collect")
    collect.collect_actions.print_receipt(old_receipt)
    reprint = documents.of_kind("receipt")[-1]
    assert "重打" in reprint.title
    text = pdf_text(reprint.pdf, tmp_path)
    assert "2024年度" in text and "2026" not in text
    assert "高档" in text and "壹仟零壹拾元整" in text
    with db.read() as s:
        view = receipt_view(s, old_receipt)
    assert (view.policy_year, view.tier_label, view.amount_fen) == (2024, "高档", 101000)


def test_a_second_supervisor_confirms_the_save(qtbot, ctx, ops, db, clock, office):  # type: ignore[no-untyped-def]
    with db.write() as s:
        create_operator(
            s,
            clock,
            office_id=office.id,
            username="fuzhuguan",
            display_name="赵副主管",
            role="supervisor",
            password=PASSWORD,
            created_by=office.supervisor_id,
        )
    clock.set(dt.datetime(2025, 9, 2, 9, 0))
    ctx.session = ctx.session.__class__(
        office_id=office.id,
        office_name=office.name,
        operator_id=office.supervisor_id,
        operator_name="王主管",
        role="supervisor",
    )
    tab = PolicyTab(ctx, ops)
    qtbot.addWidget(tab)
    tab.select_key("tianjin-2025")
    dialog = tab.open_editor()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.confirm_box.isVisibleTo(dialog)
    fill_tianjin_2026(qtbot, dialog)
    assert dialog.preview_draft() is not None
    assert dialog.save() is None
    assert "另一名主管" in dialog.message.text()
    qtbot.keyClicks(dialog.confirm_user, "fuzhuguan")
    qtbot.keyClicks(dialog.confirm_password, PASSWORD)
    saved = dialog.save()
    assert saved is not None
    with db.read() as s:
        record = s.scalars(select(PolicyFileRecord)).one()
        assert record.confirmed_by is not None and record.confirmed_by != office.supervisor_id
    assert tab.model.rows() and any(
        r.key == "tianjin-2026" and r.confirmed_by == "赵副主管" for r in tab.model.rows()
    )


def test_a_clerk_sees_the_list_but_cannot_change_it(qtbot, ctx, ops, office):  # type: ignore[no-untyped-def]
    from ui.pages.settings_page import SettingsPage

    page = SettingsPage(ctx, ops, printers=lambda: [])
    qtbot.addWidget(page)
    tab = page.policy_tab
    assert tab.model.rowCount() >= 4
    assert not tab.new_button.isEnabled() and not tab.use_button.isEnabled()


@pytest.mark.parametrize("bad", ["key = 'x'\n", 'key = "tianjin-2026"\nyear = 2026\n'])
def test_an_import_of_a_bad_file_is_refused_naming_it(qtbot, ctx, ops, office, tmp_path, bad):  # type: ignore[no-untyped-def]
    path = tmp_path / "tianjin-2026.toml"
    path.write_text(bad, encoding="utf-8")
    tab = PolicyTab(ctx, ops)
    qtbot.addWidget(tab)
    assert tab.import_file(path) is None
    assert "tianjin-2026" in tab.message.text() or "缺少必填字段" in tab.message.text()
    assert not (tmp_path / "policies").exists()


def test_export_then_import_a_corrected_file_through_the_tab(
    qtbot, ctx, ops, db, clock, office, tmp_path
):  # type: ignore[no-untyped-def]
    from ui.pages.policy_tab import ImportDialog

    clock.set(dt.datetime(2025, 9, 2, 9, 0))
    ctx.session = ctx.session.__class__(
        office_id=office.id,
        office_name=office.name,
        operator_id=office.supervisor_id,
        operator_name="王主管",
        role="supervisor",
    )
    tab = PolicyTab(ctx, ops)
    qtbot.addWidget(tab)
    tab.select_key("tianjin-2025")
    dialog = tab.open_editor()
    assert dialog is not None
    qtbot.addWidget(dialog)
    fill_tianjin_2026(qtbot, dialog)
    assert dialog.preview_draft() is not None and dialog.save() is not None
    dialog.close()

    tab.select_key("tianjin-2026")
    exported = tab.export_selected(tmp_path / "usb")
    assert exported == tmp_path / "usb" / "tianjin-2026.toml"
    with ctx.db.read() as session:  # the export is journalled (issue 10)
        line = session.execute(
            select(AuditEntry.subject, AuditEntry.operator_id, AuditEntry.details)
            .where(AuditEntry.action == "export")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert line is not None and line.subject == "policy:tianjin-2026"
    assert line.operator_id == office.supervisor_id and str(exported) in line.details
    corrected = tmp_path / "fixed" / "tianjin-2026.toml"
    corrected.parent.mkdir()
    corrected.write_text(
        exported.read_text(encoding="utf-8").replace('"390.00"', '"395.00"'), encoding="utf-8"
    )
    importer = tab.import_file(corrected)
    assert isinstance(importer, ImportDialog)
    qtbot.addWidget(importer)
    low = next(
        r for r in importer.model.rows() if (r.category, r.tier, r.day) == ("adult", "low", "first")
    )
    assert low.new.due_text == "395.00"
    standard = next(f for f in importer.figures.rows() if (f.kind, f.key) == ("standard", "low"))
    assert (standard.value, standard.source) == ("395.00元", "津医保发〔2026〕1号")
    importer.accept()
    assert ops.last_error is None, ops.last_error
    assert "tianjin-2026-r2" in tab.message.text() and "原文件保留" in tab.message.text()
    keys = [r.key for r in tab.model.rows()]
    assert "tianjin-2026" in keys and "tianjin-2026-r2" in keys
    assert ctx.policies.get("tianjin-2026").tiers["low"].standard == 39000
    assert ctx.policies.get("tianjin-2026-r2").tiers["low"].standard == 39500
