"""Accounts: lockout after wrong passwords, own password changes, approvals
proven in the service, no self-approval except at a one-person point, and the
audit journal that records it all."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import PASSWORD, Desk, make_desk, make_enrollment, policies
from sqlalchemy import select

from common.errors import ConflictError, InputError, PermissionDenied
from db.engine import Database
from services.accounts import (
    LOCK_MINUTES,
    MAX_FAILURES,
    AccountLocked,
    check_approval,
    login,
    self_approvals,
)
from services.audit import list_audit, record_audit, verify_audit_chain
from services.clock import FixedClock
from services.corrections import void_receipt
from services.office import AuthenticationFailed, change_password, reset_password
from services.payments import take_payment
from services.security_settings import security_settings, update_security_settings
from services.verification import verify_everything


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def _actions(db: Database, **kw: object) -> list[str]:
    with db.read() as s:
        return [line.action for line in reversed(list_audit(s, **kw))]  # type: ignore[arg-type]


def test_a_login_and_a_failed_login_are_journalled(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    assert login(db, clock, "clerk-lt", PASSWORD).id == desk.clerk_id
    with pytest.raises(AuthenticationFailed, match="用户名或密码错误"):
        login(db, clock, "clerk-lt", "wrong-password")
    with pytest.raises(AuthenticationFailed):
        login(db, clock, "nobody", "wrong-password")
    with db.read() as s:
        lines = list_audit(s, actions=("login", "login_failed"))
    assert [(x.action, x.details["username"]) for x in reversed(lines)] == [
        ("login", "clerk-lt"),
        ("login_failed", "clerk-lt"),
        ("login_failed", "nobody"),
    ]
    assert all("wrong" not in str(x.details) for x in lines)  # no password in the journal


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthenticationFailed):
            login(db, clock, "clerk-lt", "wrong-password")
        clock.advance(seconds=10)
    with pytest.raises(AccountLocked, match="已锁定 15 分钟"):
        login(db, clock, "clerk-lt", "wrong-password")
    clock.advance(minutes=LOCK_MINUTES - 1)
    with pytest.raises(AccountLocked):  # even the right password, while locked
        login(db, clock, "clerk-lt", PASSWORD)
    clock.advance(minutes=1, seconds=1)
    assert login(db, clock, "clerk-lt", PASSWORD).id == desk.clerk_id
    assert _actions(db, actions=("account_locked",)) == ["account_locked"]


def test_a_success_resets_the_count(db: Database, clock: FixedClock, desk: Desk) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            login(db, clock, "clerk-lt", "wrong-password")
    login(db, clock, "clerk-lt", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthenticationFailed):
            login(db, clock, "clerk-lt", "wrong-password")
    assert "account_locked" not in _actions(db)


def test_a_clerk_changes_their_own_password_and_it_is_journalled(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        change_password(
            s, clock, operator_id=desk.clerk_id, old_password=PASSWORD, new_password="new-secret-9"
        )
    with db.write() as s, pytest.raises(InputError):
        change_password(
            s,
            clock,
            operator_id=desk.clerk_id,
            old_password="new-secret-9",
            new_password="new-secret-9",
        )
    assert login(db, clock, "clerk-lt", "new-secret-9").id == desk.clerk_id
    with db.write() as s:
        reset_password(
            s,
            clock,
            operator_id=desk.clerk_id,
            new_password="reset-pass-1",
            supervisor_id=desk.supervisor_id,
        )
    acts = _actions(db)
    assert "password_changed" in acts and "password_reset" in acts
    with db.read() as s:
        assert verify_everything(s).ok


def _cash_receipt(db: Database, clock: FixedClock, desk: Desk) -> int:
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk)
    with db.write() as s:
        paid = take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="380",
            channel="cash",
            reference="",
            operator_id=desk.clerk_id,
        )
    assert paid.receipt_id is not None
    return paid.receipt_id


def _void(  # type: ignore[no-untyped-def]
    s, clock: FixedClock, desk: Desk, receipt_id: int, *, by: int, password: str | None = PASSWORD
):
    """Void a receipt "收错", approved by the desk's supervisor; ``by`` is who asks."""
    return void_receipt(
        s,
        clock,
        receipt_id=receipt_id,
        supervisor_id=desk.supervisor_id,
        supervisor_password=password,
        reason="收错",
        operator_id=by,
    )


def test_an_approval_needs_the_approvers_password_in_the_service(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    receipt_id = _cash_receipt(db, clock, desk)
    for password in (None, "wrong-password"):
        with db.write() as s, pytest.raises(AuthenticationFailed, match="主管密码错误"):
            _void(s, clock, desk, receipt_id, by=desk.clerk_id, password=password)
    with db.write() as s:
        _void(s, clock, desk, receipt_id, by=desk.clerk_id)
    assert "approval" in _actions(db)


def test_nobody_approves_their_own_void(db: Database, clock: FixedClock, desk: Desk) -> None:
    receipt_id = _cash_receipt(db, clock, desk)
    with db.write() as s, pytest.raises(PermissionDenied, match="不能自己批准自己的作废"):
        _void(s, clock, desk, receipt_id, by=desk.supervisor_id)


def test_a_one_person_point_may_self_approve_and_it_is_marked(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        update_security_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.supervisor_id, single_operator=True
        )
        assert security_settings(s, desk.office_id).single_operator
    receipt_id = _cash_receipt(db, clock, desk)
    with db.write() as s:
        _void(s, clock, desk, receipt_id, by=desk.supervisor_id)
    with db.read() as s:
        marks = self_approvals(s, desk.office_id, clock.now().date(), clock.now().date())
    assert [(m.act_label, m.subject, m.operator_name) for m in marks] == [
        ("作废", f"receipt:{receipt_id}", "张强")
    ]
    assert "self_approval" in _actions(db) and "security_settings_changed" in _actions(db)


def test_a_locked_supervisor_cannot_approve(db: Database, clock: FixedClock, desk: Desk) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            login(db, clock, "boss-lt", "wrong-password")
    with db.write() as s, pytest.raises(AccountLocked):
        check_approval(
            s,
            clock,
            office_id=desk.office_id,
            act="void",
            subject="receipt:1",
            approver_id=desk.supervisor_id,
            approver_password=PASSWORD,
            requester_id=desk.clerk_id,
        )


def test_idle_lock_minutes_are_checked(db: Database, clock: FixedClock, desk: Desk) -> None:
    with db.write() as s:
        assert security_settings(s, desk.office_id).idle_lock_minutes == 10
        update_security_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.supervisor_id, idle_lock_minutes=3
        )
    with db.write() as s, pytest.raises(InputError, match="1–240"):
        update_security_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.supervisor_id, idle_lock_minutes=0
        )
    with db.write() as s, pytest.raises(PermissionDenied):
        update_security_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, idle_lock_minutes=5
        )
    with db.read() as s:
        assert security_settings(s, desk.office_id).idle_lock_minutes == 3


def test_the_journal_is_chained_filtered_and_keeps_no_secrets(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        record_audit(
            s,
            at=clock.now(),
            operator_id=desk.clerk_id,
            office_id=desk.office_id,
            action="document_printed",
            subject="notice:1",
        )
        with pytest.raises(ValueError):
            record_audit(
                s,
                at=clock.now(),
                operator_id=None,
                action="login_failed",
                details={"password": "x"},
            )
        with pytest.raises(ValueError):
            record_audit(s, at=clock.now(), operator_id=None, action="made_up")
    with db.read() as s:
        checked, problem = verify_audit_chain(s)
        assert problem is None and checked >= 3
        assert [x.action for x in list_audit(s, operator_id=desk.clerk_id)] == ["document_printed"]
        later = list_audit(s, since=clock.now() + dt.timedelta(seconds=1))
        assert later == []


def test_a_refused_approval_leaves_its_line_in_the_journal(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    """The refusal rolls its transaction back, yet the journal keeps the line
    (written after the rollback, in a transaction of its own)."""
    receipt_id = _cash_receipt(db, clock, desk)
    with pytest.raises(AuthenticationFailed, match="主管密码错误"), db.write() as s:
        _void(s, clock, desk, receipt_id, by=desk.clerk_id, password="wrong-password")
    with pytest.raises(PermissionDenied, match="不能自己批准"), db.write() as s:
        _void(s, clock, desk, receipt_id, by=desk.supervisor_id)
    with db.read() as s:
        lines = list(reversed(list_audit(s, actions=("approval_refused",))))
        assert verify_audit_chain(s)[1] is None
    assert [(x.subject, x.details["act"], x.details["why"]) for x in lines] == [
        (f"receipt:{receipt_id}", "void", "approver_password_wrong"),
        (f"receipt:{receipt_id}", "void", "self_approval"),
    ]
    assert lines[0].details["requester_id"] == desk.clerk_id
    assert all("wrong-password" not in str(x.details) for x in lines)
    assert "receipt_voided" not in _actions(db)  # the void itself was not written


def test_the_counter_dialogs_check_of_a_supervisor_journals_a_refusal(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    from services.accounts import verify_approver

    with db.write() as s:
        assert (
            verify_approver(
                s,
                clock,
                username="boss-lt",
                password=PASSWORD,
                office_id=desk.office_id,
                requester_id=desk.clerk_id,
            )
            == desk.supervisor_id
        )
    for username, password, why in (
        ("boss-lt", "wrong-password", "authentication_failed"),
        ("clerk-lt", PASSWORD, "supervisor_required"),
    ):
        with pytest.raises((AuthenticationFailed, PermissionDenied)), db.write() as s:
            verify_approver(
                s,
                clock,
                username=username,
                password=password,
                office_id=desk.office_id,
                requester_id=desk.clerk_id,
            )
        with db.read() as s:
            last = list_audit(s, actions=("approval_refused",))[0]
        assert (last.subject, last.details["why"]) == (f"login:{username}", why)


def test_a_role_change_needs_a_second_supervisor_and_is_history_and_journal(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    from factories import make_operator

    from db.models import Operator, OperatorChange
    from services.accounts import set_operator_role

    with db.write() as s:
        second = make_operator(s, desk.office_id, "boss2-lt", "李娜", "supervisor")
    promote = {
        "operator_id": desk.clerk_id,
        "role": "supervisor",
        "supervisor_id": desk.supervisor_id,
        "reason": "任命为站长",
    }
    # the acting supervisor cannot approve it alone, nor with a wrong password
    for approver, password, error in (
        (desk.supervisor_id, PASSWORD, PermissionDenied),
        (second, "wrong-password", AuthenticationFailed),
        (None, None, PermissionDenied),
    ):
        with pytest.raises(error), db.write() as s:
            set_operator_role(s, clock, approver_id=approver, approver_password=password, **promote)
    with pytest.raises(InputError, match="原因"), db.write() as s:
        set_operator_role(
            s, clock, approver_id=second, approver_password=PASSWORD, **{**promote, "reason": " "}
        )
    with db.write() as s:
        set_operator_role(s, clock, approver_id=second, approver_password=PASSWORD, **promote)
    with db.read() as s:
        assert s.get(Operator, desk.clerk_id).role == "supervisor"  # type: ignore[union-attr]
        last = s.scalars(
            select(OperatorChange)
            .where(OperatorChange.operator_id == desk.clerk_id)
            .order_by(OperatorChange.id.desc())
        ).first()
        assert last is not None and (last.action, last.role, last.changed_by) == (
            "role_changed",
            "supervisor",
            desk.supervisor_id,
        )
        changed = list_audit(s, actions=("operator_role_changed",))
        assert [(x.subject, x.details["role"], x.details["reason"]) for x in changed] == [
            (f"operator:{desk.clerk_id}", "supervisor", "任命为站长")
        ]
        assert verify_everything(s).ok
    assert _actions(db, actions=("approval_refused",)) == ["approval_refused"] * 3
    # nobody changes their own role; an unchanged role is refused
    with pytest.raises(ConflictError), db.write() as s:
        set_operator_role(
            s,
            clock,
            operator_id=desk.supervisor_id,
            role="clerk",
            supervisor_id=desk.supervisor_id,
            approver_id=second,
            approver_password=PASSWORD,
            reason="x",
        )
    with pytest.raises(InputError, match="角色未变"), db.write() as s:
        set_operator_role(s, clock, approver_id=second, approver_password=PASSWORD, **promote)
    # and back to clerk, the same way
    with db.write() as s:
        set_operator_role(
            s,
            clock,
            approver_id=second,
            approver_password=PASSWORD,
            **{**promote, "role": "clerk", "reason": "调回经办"},
        )
        assert s.get(Operator, desk.clerk_id).role == "clerk"  # type: ignore[union-attr]
