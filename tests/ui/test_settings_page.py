"""设置 page: office settings, villages, operators (supervisor only); this computer's
printer and paper (anyone, kept in QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from seeded_desk import clerk_ctx, ctx, ops, seed  # noqa: F401

from services.day_close_record import office_extras
from services.ledger_views import operators_of
from services.office import authenticate, office_info
from ui.machine_settings import MachineSettings
from ui.pages.settings_page import SettingsPage
from ui.pages.settings_villages_tab import NO_TARGET


def make_page(qtbot, ctx, ops, printers=("HP LaserJet 1020", "PDF"), machine=None):  # noqa: F811
    page = SettingsPage(ctx, ops, printers=lambda: list(printers), machine=machine)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    return page


def read(db, fn, *args):
    with db.read() as s:
        return fn(s, *args)


def test_shows_the_office(qtbot, ctx, ops, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    assert page.office_tab.name.text() == "城关街道办事处"
    assert page.office_tab.level.currentData() == "street_office"
    assert page.office_tab.policy.currentData() == "tianjin-2024"
    assert page.office_tab.prefix.text() == "CG" and page.office_tab.deposit_days.value() == 5
    assert page.office_tab.deposit_limit.text() == "10000.00"
    assert (
        page.villages_tab.villages.rowCount() == 4 and page.operators_tab.operators.rowCount() == 2
    )
    assert not page.notice.isVisibleTo(page)


def test_save_office_settings_by_keyboard(qtbot, ctx, ops, db, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    page.office_tab.name.setText("城关街道便民服务中心")
    page.office_tab.deposit_days.setValue(3)
    page.office_tab.deposit_limit.setText("8000")
    page.office_tab.phone.setText("022-2736 0000")
    page.office_tab.name.setFocus()
    for _ in range(9):  # Enter through the form; on the last field it saves
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.message.text() == "单位设置已保存。", page.message.text()
    office = read(db, office_info, seed.office_id)
    assert office.name == "城关街道便民服务中心" and office.deposit_days == 3
    assert office.deposit_limit_fen == 800000 and office.phone == "022-2736 0000"
    assert "张丽" in page.office_tab.updated.text()


def test_bad_settings_are_refused_in_chinese(qtbot, ctx, ops, db, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    page.office_tab.prefix.setText("c-g!")
    page.office_tab.save_office()
    assert "收据号前缀" in page.message.text()
    page.office_tab.deposit_limit.setText("abc")
    page.office_tab.save_office()
    assert "金额格式不正确" in page.office_tab.deposit_limit.error_label.text()
    assert read(db, office_info, seed.office_id).receipt_prefix == "CG"


def test_villages_and_targets(qtbot, ctx, ops, db, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    page.tabs.setCurrentIndex(1)
    page.villages_tab.new_village.setText("清河村")
    page.villages_tab.new_target.setValue(150)
    page.villages_tab.add_village()
    names = {v.name: v.target for v in read(db, office_info, seed.office_id).villages}
    assert names["清河村"] == 150 and page.villages_tab.villages.rowCount() == 5
    page.villages_tab.add_village()  # empty name
    assert "请填写" in page.message.text()
    row = [page.villages_tab.villages.row_object(r).name for r in range(5)].index("柳河村")
    page.villages_tab.village_view.setCurrentIndex(page.villages_tab.villages.index(row, 0))
    assert page.villages_tab.target.value() == NO_TARGET
    page.villages_tab.target.setValue(200)
    page.villages_tab.set_target()
    names = {v.name: v.target for v in read(db, office_info, seed.office_id).villages}
    assert names["柳河村"] == 200


def test_operators_add_and_deactivate(qtbot, ctx, ops, db, seed):  # noqa: F811
    page = make_page(qtbot, ctx, ops)
    page.tabs.setCurrentIndex(2)
    page.operators_tab.username.setText("liuyang")
    page.operators_tab.display_name.setText("刘洋")
    page.operators_tab.role.setCurrentIndex(page.operators_tab.role.findData("clerk"))
    page.operators_tab.password.setText("start-1234")
    page.operators_tab.password2.setText("start-1235")
    page.operators_tab.add_operator()
    assert "两次输入的密码不一致" in page.message.text()
    page.operators_tab.password2.setText("start-1234")
    page.operators_tab.add_operator()
    assert "已添加经办人“刘洋”" in page.message.text()
    assert read(db, authenticate, "liuyang", "start-1234").display_name == "刘洋"
    row = [page.operators_tab.operators.row_object(r).username for r in range(3)].index("liuyang")
    page.operators_tab.operator_view.setCurrentIndex(page.operators_tab.operators.index(row, 0))
    page.operators_tab.toggle_operator()
    assert "已停用" in page.message.text()
    assert not {o.username: o.active for o in read(db, operators_of, seed.office_id)}["liuyang"]


def test_printer_and_paper_are_this_computers(qtbot, ctx, ops, db, seed, tmp_path):  # noqa: F811
    store = QSettings(str(tmp_path / "machine.ini"), QSettings.Format.IniFormat)
    machine = MachineSettings(store, system_printer=lambda: "HP LaserJet 1020")
    page = make_page(qtbot, ctx, ops, machine=machine)
    assert [
        page.machine_tab.printer.itemData(i) for i in range(page.machine_tab.printer.count())
    ] == [
        "",
        "HP LaserJet 1020",
        "PDF",
    ]
    assert page.machine_tab.papers["notice"].currentText() == "A5"
    before = read(db, office_extras, seed.office_id)
    page.machine_tab.printer.setCurrentIndex(2)
    page.machine_tab.papers["receipt"].setCurrentText("A5")
    page.machine_tab.save_machine()
    assert "只影响这台电脑" in page.message.text()
    # stored in this computer's settings, and nothing in the shared database changed
    again = MachineSettings(QSettings(str(tmp_path / "machine.ini"), QSettings.Format.IniFormat))
    assert (again.printer, again.paper("receipt", "A4")) == ("PDF", "A5")
    assert again.paper("notice", "A5") == "A5"
    assert read(db, office_extras, seed.office_id) == before
    # a second window on another computer keeps its own choice
    other = MachineSettings(QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat))
    assert (
        other.printer == ""
        and make_page(qtbot, ctx, ops, machine=other).machine_tab.printer.currentData() == ""
    )


def test_a_clerk_may_set_this_computer_but_not_the_office(qtbot, clerk_ctx, ops, seed, tmp_path):  # noqa: F811
    machine = MachineSettings(QSettings(str(tmp_path / "m.ini"), QSettings.Format.IniFormat))
    page = make_page(qtbot, clerk_ctx, ops, machine=machine)
    assert page.machine_tab.save_machine_button.isEnabled() and page.machine_tab.printer.isEnabled()
    assert not page.office_tab.save_office_button.isEnabled()


def test_a_clerk_can_only_look(qtbot, clerk_ctx, ops, seed):  # noqa: F811
    page = make_page(qtbot, clerk_ctx, ops)
    assert page.notice.isVisibleTo(page) and "仅主管" in page.notice.text()
    assert (
        not page.office_tab.name.isEnabled() and not page.office_tab.save_office_button.isEnabled()
    )
    assert (
        not page.operators_tab.add_operator_button.isEnabled()
        and not page.villages_tab.add_village_button.isEnabled()
    )
    page.office_tab.save_office()  # even if called, the service refuses
    assert "主管" in page.message.text()


def test_a_supervisor_resets_a_password_and_sets_the_payment_link(qtbot, ctx, ops, db, seed):  # noqa: F811, E501
    page = make_page(qtbot, ctx, ops)
    row = [
        page.operators_tab.operators.row_object(r).role
        for r in range(page.operators_tab.operators.rowCount())
    ].index("clerk")
    clerk = page.operators_tab.operators.row_object(row)
    page.operators_tab.operator_view.setCurrentIndex(page.operators_tab.operators.index(row, 0))
    page.operators_tab.new_password.setText("new-pass-99")
    page.operators_tab.reset_password()
    assert "密码已重置" in page.message.text()
    assert page.operators_tab.new_password.text() == ""
    assert read(db, authenticate, clerk.username, "new-pass-99").id == clerk.id

    page.office_tab.link.setText("https://pay.example/?n={notice}")
    page.office_tab.save_office()
    assert "notice" in page.message.text()  # the unknown placeholder is named
    assert read(db, office_extras, seed.office_id).payment_link_template == ""
    page.office_tab.link.setText("https://pay.example/?n={notice_no}&a={amount}")
    page.office_tab.instructions.setPlainText("现金\nPOS 刷卡")
    page.office_tab.save_office()
    extras = read(db, office_extras, seed.office_id)
    assert extras.payment_link_template == "https://pay.example/?n={notice_no}&a={amount}"
    assert extras.payment_instructions == "现金\nPOS 刷卡"


def test_a_role_change_is_approved_by_another_supervisor(qtbot, ctx, ops, db, seed):  # noqa: F811
    from seeded_desk import PASSWORD
    from sqlalchemy import select

    from db.models import AuditEntry

    page = make_page(qtbot, ctx, ops)
    page.tabs.setCurrentIndex(2)
    page.operators_tab.username.setText("lina")
    page.operators_tab.display_name.setText("李娜")
    page.operators_tab.role.setCurrentIndex(page.operators_tab.role.findData("supervisor"))
    page.operators_tab.password.setText(PASSWORD)
    page.operators_tab.password2.setText(PASSWORD)
    page.operators_tab.add_operator()
    names = [
        page.operators_tab.operators.row_object(r).username
        for r in range(page.operators_tab.operators.rowCount())
    ]
    page.operators_tab.operator_view.setCurrentIndex(
        page.operators_tab.operators.index(names.index("wangfang"), 0)
    )
    page.operators_tab.new_role.setCurrentIndex(page.operators_tab.new_role.findData("supervisor"))
    dialog = page.operators_tab.change_role()
    assert dialog is not None and "另一位主管" in dialog.explanation.text()
    dialog.fill("zhangli", PASSWORD, "任命为副站长")  # the acting supervisor alone: refused
    dialog.try_approve()
    assert "不能自己批准自己的变更角色" in page.message.text()
    dialog = page.operators_tab.change_role()
    assert dialog is not None
    dialog.fill("lina", PASSWORD, "任命为副站长")
    dialog.try_approve()
    assert "角色已改为主管" in page.message.text(), page.message.text()
    roles = {o.username: o.role for o in read(db, operators_of, seed.office_id)}
    assert roles["wangfang"] == "supervisor"
    with db.read() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-1] == "operator_role_changed" and "approval_refused" in actions
