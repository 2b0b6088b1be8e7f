# ruff: noqa: F811 - pytest fixtures imported from seeded_desk
"""设置 → 账号与安全: idle lock, one-person point, own password, audit journal;
the login dialog's lockout and the window's idle lock."""

from __future__ import annotations

import datetime as dt

from seeded_desk import PASSWORD, clerk_ctx, ctx, ops, seed  # noqa: F401

from services.audit import list_audit
from services.office import authenticate
from services.security_settings import security_settings
from ui.idle_lock import IdleLock
from ui.login_dialog import LoginDialog
from ui.pages.security_panel import SecurityPanel
from ui.printing_bridge import RecordingOutput


def _panel(qtbot, ctx, ops, documents=None):  # type: ignore[no-untyped-def]
    panel = SecurityPanel(ctx, ops, documents)
    qtbot.addWidget(panel)
    return panel


def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return [x.action for x in list_audit(s)]


def test_a_supervisor_sets_the_idle_lock_and_the_one_person_point(
    qtbot, ctx, ops, db, seed
) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, ctx, ops)
    assert panel.idle.value() == 10 and not panel.single.isChecked()
    panel.idle.setValue(5)
    panel.single.setChecked(True)
    panel.save_settings()
    with db.read() as s:
        settings = security_settings(s, seed.office_id)
    assert (settings.idle_lock_minutes, settings.single_operator) == (5, True)
    assert "security_settings_changed" in _actions(db)


def test_a_clerk_changes_only_their_own_password(qtbot, clerk_ctx, ops, db, seed) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, clerk_ctx, ops)
    assert not panel.idle.isEnabled() and not panel.journal_button.isEnabled()
    dialog = panel.change_password()
    dialog.old.setText(PASSWORD)
    dialog.new.setText("brand-new-1")
    dialog.again.setText("brand-new-2")
    assert not dialog.submit() and "不一致" in dialog.error.text()
    dialog.again.setText("brand-new-1")
    assert dialog.submit()
    with db.write() as s:
        assert authenticate(s, "wangfang", "brand-new-1").id == seed.clerk_id
    assert "password_changed" in _actions(db)


def test_the_supervisor_reads_filters_and_prints_the_journal(qtbot, ctx, ops, db, seed) -> None:  # type: ignore[no-untyped-def]
    documents = RecordingOutput()
    panel = _panel(qtbot, ctx, ops, documents)
    dialog = panel.open_journal()
    dialog.since.setDate(dt.date(2000, 1, 1))
    dialog.refresh()
    assert dialog.table.rowCount() >= 2  # the two operators created
    assert dialog.table.item(0, 3).text() == "新增经办人"
    dialog.action.setCurrentIndex(dialog.action.findData("login_failed"))
    dialog.refresh()
    assert dialog.table.rowCount() == 0
    dialog.print_journal()
    assert [d.kind for d in documents.documents] == ["audit_journal"]
    assert documents.documents[0].pdf.startswith(b"%PDF")
    assert "document_printed" in _actions(db)


def test_five_wrong_passwords_lock_the_login(qtbot, ctx, ops, db, seed) -> None:  # type: ignore[no-untyped-def]
    login = LoginDialog(ctx, ops)
    qtbot.addWidget(login)
    for _ in range(5):
        login.username.setText("wangfang")
        login.password.setText("not-the-password")
        login.try_login()
    assert "已锁定" in login.error.text()
    login.username.setText("wangfang")
    login.password.setText(PASSWORD)
    login.try_login()
    assert login.session is None and "已锁定" in login.error.text()
    assert _actions(db).count("login_failed") == 6 and "account_locked" in _actions(db)


def test_the_idle_lock_logs_out_and_is_journalled(qtbot, ctx, ops, db, seed) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, ctx, ops)
    lock = IdleLock(ctx, ops, 1, panel)
    assert lock.timer.interval() == 60_000 and lock.timer.isActive()
    with qtbot.waitSignal(lock.locked, timeout=1000):
        lock.lock_now()
    assert "screen_locked" in _actions(db)


def test_self_approvals_are_marked_in_the_reports_text() -> None:
    from services.accounts import SelfApprovalLine
    from ui.pages.reports_page import self_approval_text

    assert self_approval_text([]) == ""
    line = SelfApprovalLine(
        dt.date(2023, 11, 6), dt.datetime(2023, 11, 6, 10, 0), "张丽", "作废", "receipt:3"
    )
    assert "单人收款点自行授权 1 次" in self_approval_text([line])
    assert "张丽自行授权作废（receipt:3）" in self_approval_text([line])
