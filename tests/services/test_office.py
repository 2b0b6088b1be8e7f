"""Offices, villages, operators, passwords and roles (issue item 1)."""

from __future__ import annotations

import pytest
from factories import PASSWORD, make_desk, make_operator
from sqlalchemy import func, select

from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.engine import Database
from db.models import Office, Operator, Village
from services.clock import FixedClock
from services.office import (
    AuthenticationFailed,
    add_village,
    authenticate,
    change_password,
    create_office,
    create_operator,
    office_info,
    require_operator,
    require_supervisor,
    set_operator_active,
    set_village_target,
)
from services.office_settings import update_office_settings


def _office(db: Database, clock: FixedClock, **overrides: object) -> int:
    args: dict[str, object] = {
        "code": "WY",
        "name": "乌杨街道办事处",
        "level": "street_office",
        "policy_key": "chongqing-zhongxian-2024",
        "receipt_prefix": "wy",
        "villages": ["乌杨村", "将军村"],
    }
    args.update(overrides)
    with db.write() as s:
        return create_office(s, clock, **args).id  # type: ignore[arg-type]


def test_create_office_with_defaults_and_villages(db: Database, clock: FixedClock) -> None:
    office_id = _office(db, clock)
    with db.read() as s:
        info = office_info(s, office_id)
    assert info.name == "乌杨街道办事处"
    assert info.receipt_prefix == "WY"
    assert info.deposit_days == 5
    assert info.deposit_limit_fen == 1_000_000
    assert {v.name for v in info.villages} == {"乌杨村", "将军村"}
    assert info.level_label == "街道（镇）"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "  ", "required"),
        ("level", "county", "bad_level"),
        ("receipt_prefix", "乌杨", "bad_receipt_prefix"),
        ("receipt_prefix", "TOOLONGPREFIX", "bad_receipt_prefix"),
        ("deposit_days", -1, "bad_deposit_days"),
        ("deposit_limit", "-100", "invalid_input"),
        ("deposit_limit", "0", "bad_deposit_limit"),
        ("deposit_limit", "10000.001", "invalid_input"),
        ("deposit_limit", "一万", "invalid_input"),
        ("code", "W Y", "bad_office_code"),
        ("villages", ["乌杨村", "乌杨村"], "duplicate_village"),
    ],
)
def test_create_office_refuses_bad_settings(
    db: Database, clock: FixedClock, field: str, value: object, code: str
) -> None:
    with pytest.raises(InputError) as err:
        _office(db, clock, **{field: value})
    assert err.value.code == code
    assert err.value.message  # a sentence for the clerk
    with db.read() as s:
        assert s.scalar(select(func.count(Office.id))) == 0


def test_unknown_policy_is_refused_when_the_book_is_given(db: Database, clock: FixedClock) -> None:
    with pytest.raises(InputError, match="没有名为"):
        _office(db, clock, known_policies=frozenset({"tianjin-2024"}))


def test_office_code_is_unique(db: Database, clock: FixedClock) -> None:
    _office(db, clock)
    with pytest.raises(ConflictError):
        _office(db, clock)


def test_first_operator_then_clerks(db: Database, clock: FixedClock) -> None:
    office_id = _office(db, clock)
    with db.write() as s:
        boss = create_operator(
            s,
            clock,
            office_id=office_id,
            username="Boss",
            display_name="张强",
            role="supervisor",
            password=PASSWORD,
            created_by=None,
        )
    assert boss.username == "boss" and boss.is_supervisor
    with db.write() as s:
        clerk = create_operator(
            s,
            clock,
            office_id=office_id,
            username="clerk1",
            display_name="王丽",
            role="clerk",
            password=PASSWORD,
            created_by=boss.id,
        )
    with db.read() as s:
        row = s.get(Operator, clerk.id)
        assert row is not None
        assert PASSWORD not in row.password_hash
        assert row.password_hash.startswith("$argon2id$")
        assert row.created_by == boss.id and row.created_at == clock.now()
    # Nobody may add an operator without a supervisor once the office has one.
    with db.write() as s, pytest.raises(PermissionDenied):
        create_operator(
            s,
            clock,
            office_id=office_id,
            username="sneaky",
            display_name="某人",
            role="supervisor",
            password=PASSWORD,
            created_by=None,
        )
    with db.write() as s, pytest.raises(PermissionDenied, match="需要主管（supervisor）授权"):
        create_operator(
            s,
            clock,
            office_id=office_id,
            username="clerk2",
            display_name="李四",
            role="clerk",
            password=PASSWORD,
            created_by=clerk.id,
        )


@pytest.mark.parametrize(
    ("username", "role", "password", "code"),
    [
        ("a b", "clerk", PASSWORD, "bad_username"),
        ("clerk9", "admin", PASSWORD, "bad_role"),
        ("clerk9", "clerk", "short", "password_too_short"),
        ("clerk9", "clerk", " padded-password ", "password_spaces"),
    ],
)
def test_create_operator_refuses_bad_input(
    db: Database, clock: FixedClock, username: str, role: str, password: str, code: str
) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s, pytest.raises(InputError) as err:
        create_operator(
            s,
            clock,
            office_id=desk.office_id,
            username=username,
            display_name="某人",
            role=role,
            password=password,
            created_by=desk.supervisor_id,
        )
    assert err.value.code == code


def test_username_taken(db: Database, clock: FixedClock) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s, pytest.raises(ConflictError):
        create_operator(
            s,
            clock,
            office_id=desk.office_id,
            username="clerk-lt",
            display_name="王丽",
            role="clerk",
            password=PASSWORD,
            created_by=desk.supervisor_id,
        )


def test_authenticate(db: Database) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s:
        info = authenticate(s, " Clerk-LT ", PASSWORD)
    assert info.id == desk.clerk_id and info.role == "clerk" and info.role_label == "经办人"


@pytest.mark.parametrize(
    ("username", "password"), [("clerk-lt", "wrong-pass"), ("nobody", PASSWORD)]
)
def test_authenticate_failure_gives_no_hint(db: Database, username: str, password: str) -> None:
    with db.write() as s:
        make_desk(s)
    with db.write() as s, pytest.raises(AuthenticationFailed) as err:
        authenticate(s, username, password)
    assert err.value.message == "用户名或密码错误"
    assert err.value.code == "authentication_failed"


def test_disabled_operator_cannot_log_in_or_act(db: Database, clock: FixedClock) -> None:
    with db.write() as s:
        desk = make_desk(s)
        set_operator_active(
            s, clock, operator_id=desk.clerk_id, active=False, supervisor_id=desk.supervisor_id
        )
    with db.write() as s, pytest.raises(PermissionDenied, match="停用"):
        authenticate(s, "clerk-lt", PASSWORD)
    with db.read() as s, pytest.raises(PermissionDenied, match="停用"):
        require_operator(s, desk.clerk_id)
    with db.write() as s, pytest.raises(ConflictError):
        set_operator_active(
            s, clock, operator_id=desk.supervisor_id, active=False, supervisor_id=desk.supervisor_id
        )


def test_change_password(db: Database, clock: FixedClock) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s, pytest.raises(AuthenticationFailed):
        change_password(
            s, clock, operator_id=desk.clerk_id, old_password="nope-nope", new_password="x" * 9
        )
    with db.write() as s:
        change_password(
            s, clock, operator_id=desk.clerk_id, old_password=PASSWORD, new_password="new-secret-1"
        )
    with db.write() as s:
        assert authenticate(s, "clerk-lt", "new-secret-1").id == desk.clerk_id


def test_roles(db: Database) -> None:
    with db.write() as s:
        desk = make_desk(s)
        other = make_desk(s, code="XX", name="其他街道")
    with db.read() as s:
        assert require_supervisor(s, desk.supervisor_id).id == desk.supervisor_id
        with pytest.raises(PermissionDenied) as err:
            require_supervisor(s, desk.clerk_id)
        assert err.value.message == "需要主管（supervisor）授权"
        with pytest.raises(NotFound) as missing:
            require_operator(s, 999)
        assert missing.value.code == "unknown_operator"
        with pytest.raises(PermissionDenied, match="不属于本单位"):
            require_supervisor(s, other.supervisor_id, office_id=desk.office_id)


def test_update_settings_needs_a_supervisor_and_is_recorded(
    db: Database, clock: FixedClock
) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s, pytest.raises(PermissionDenied):
        update_office_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, deposit_days=3
        )
    clock.advance(hours=1)
    with db.write() as s:
        info = update_office_settings(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            deposit_days=3,
            deposit_limit="8,000.00",
            receipt_prefix="lt2",
        )
    assert (info.deposit_days, info.deposit_limit_fen, info.receipt_prefix) == (3, 800_000, "LT2")
    with db.read() as s:
        row = s.get(Office, desk.office_id)
        assert row is not None
        assert row.updated_by == desk.supervisor_id and row.updated_at == clock.now()
    with db.write() as s, pytest.raises(InputError):
        update_office_settings(
            s, clock, office_id=desk.office_id, operator_id=desk.supervisor_id, deposit_limit="abc"
        )


def test_villages_and_targets(db: Database, clock: FixedClock) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s:
        village = add_village(
            s,
            clock,
            office_id=desk.office_id,
            name="北村",
            operator_id=desk.supervisor_id,
            target=850,
        )
    assert village.target == 850
    with db.write() as s, pytest.raises(ConflictError):
        add_village(s, clock, office_id=desk.office_id, name="北村", operator_id=desk.supervisor_id)
    with db.write() as s, pytest.raises(PermissionDenied):
        set_village_target(s, clock, village_id=village.id, target=900, operator_id=desk.clerk_id)
    with db.write() as s, pytest.raises(InputError):
        set_village_target(
            s, clock, village_id=village.id, target=-5, operator_id=desk.supervisor_id
        )
    with db.write() as s:
        set_village_target(
            s, clock, village_id=village.id, target=None, operator_id=desk.supervisor_id
        )
        set_village_target(
            s, clock, village_id=village.id, target=900, operator_id=desk.supervisor_id
        )
    with db.read() as s:
        row = s.get(Village, village.id)
        assert row is not None
        assert (row.target, row.updated_by) == (900, desk.supervisor_id)


def test_unknown_operator_cannot_add_village(db: Database, clock: FixedClock) -> None:
    with db.write() as s:
        desk = make_desk(s)
    with db.write() as s, pytest.raises(NotFound, match="经办人不存在"):
        add_village(s, clock, office_id=desk.office_id, name="北村", operator_id=4242)
    with db.read() as s:
        assert s.scalar(select(func.count(Village.id))) == 2


def test_make_operator_helper_roles(db: Database) -> None:
    with db.write() as s:
        desk = make_desk(s)
        extra = make_operator(s, desk.office_id, "extra", "赵六", "clerk")
    with db.read() as s:
        assert require_operator(s, extra, office_id=desk.office_id).role == "clerk"


def test_reset_password_by_a_supervisor_only(db: Database, clock: FixedClock) -> None:
    from services.office import reset_password

    with db.write() as s:
        desk = make_desk(s)
    with pytest.raises(PermissionDenied), db.write() as s:
        reset_password(
            s,
            clock,
            operator_id=desk.supervisor_id,
            new_password="new-pass-1",
            supervisor_id=desk.clerk_id,
        )
    with pytest.raises(InputError), db.write() as s:
        reset_password(
            s, clock, operator_id=desk.clerk_id, new_password="x", supervisor_id=desk.supervisor_id
        )
    with db.write() as s:
        reset_password(
            s,
            clock,
            operator_id=desk.clerk_id,
            new_password="new-pass-1",
            supervisor_id=desk.supervisor_id,
        )
    with db.read() as s:
        assert authenticate(s, "clerk-lt", "new-pass-1").id == desk.clerk_id
        with pytest.raises(ServiceError):
            authenticate(s, "clerk-lt", PASSWORD)


def test_printer_and_payment_link_settings(db: Database, clock: FixedClock) -> None:
    from services.office_settings import set_printer_name, update_office_settings

    with db.write() as s:
        desk = make_desk(s)
    with pytest.raises(PermissionDenied), db.write() as s:
        set_printer_name(
            s, clock, office_id=desk.office_id, printer_name="PDF", operator_id=desk.clerk_id
        )
    with pytest.raises(InputError) as refused, db.write() as s:
        update_office_settings(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            payment_link_template="https://pay.example/?n={notice}",
        )
    assert "notice" in refused.value.message
    with db.write() as s:
        set_printer_name(
            s, clock, office_id=desk.office_id, printer_name="PDF", operator_id=desk.supervisor_id
        )
        update_office_settings(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            payment_link_template=" https://pay.example/?n={notice_no} ",
            payment_instructions="现金\nPOS 刷卡",
        )
    with db.read() as s:
        office = s.get(Office, desk.office_id)
        assert office is not None
        assert (office.printer_name, office.payment_link_template, office.payment_instructions) == (
            "PDF",
            "https://pay.example/?n={notice_no}",
            "现金\nPOS 刷卡",
        )


def test_list_offices(db: Database, clock: FixedClock) -> None:
    from services.office import list_offices

    with db.read() as s:
        assert list_offices(s) == []
    with db.write() as s:
        make_desk(s, code="LT")
        make_desk(s, code="DJ", name="东棘坨镇人民政府")
    with db.read() as s:
        assert [o.code for o in list_offices(s)] == ["LT", "DJ"]
