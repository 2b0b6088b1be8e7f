"""Changing the office's settings (a supervisor's act, journalled in the audit).

:func:`update_office_settings` changes any of the office's own settings,
:func:`set_printer_name` its default printer. Creating an office, its villages
and its operators is ``services.office``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from common.errors import NotFound
from db.models import Office
from services.audit import record_audit
from services.clock import Clock
from services.office import OfficeInfo, check_settings_clock, office_info, require_supervisor
from services.office_input import (
    check_deposit_days,
    check_deposit_limit,
    check_level,
    check_payment_link_template,
    check_policy_key,
    check_prefix,
    clean_text,
)


def update_office_settings(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    name: str | None = None,
    level: str | None = None,
    policy_key: str | None = None,
    receipt_prefix: str | None = None,
    deposit_days: int | None = None,
    deposit_limit: str | int | Decimal | None = None,
    address: str | None = None,
    phone: str | None = None,
    payment_link_template: str | None = None,
    payment_instructions: str | None = None,
    known_policies: frozenset[str] | None = None,
) -> OfficeInfo:
    """A supervisor changes settings; arguments left as None stay as they are.

    The payment-link template (printed as a QR code on notices) is checked by
    filling it with sample values, so a typo is refused here, not at the
    printer in front of a resident.

    A new receipt prefix starts a new receipt series (numbers are per prefix
    and year), so numbers already issued are never reused.
    """
    row = _office_to_change(session, clock, office_id, operator_id)
    changes = _checked_changes(
        name=name,
        level=level,
        policy_key=policy_key,
        receipt_prefix=receipt_prefix,
        deposit_days=deposit_days,
        deposit_limit=deposit_limit,
        address=address,
        phone=phone,
        payment_link_template=payment_link_template,
        payment_instructions=payment_instructions,
        known_policies=known_policies,
    )
    _apply_changes(session, clock, row, changes, operator_id=operator_id)
    session.flush()
    return office_info(session, office_id)


def _office_to_change(session: Session, clock: Clock, office_id: int, operator_id: int) -> Office:
    """The office, once its supervisor and the clock are checked."""
    require_supervisor(session, operator_id, office_id=office_id)
    check_settings_clock(session, clock, office_id)
    row = session.get(Office, office_id)
    if row is None:  # pragma: no cover - require_supervisor found its operator
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    return row


def _checked_changes(
    *,
    name: str | None,
    level: str | None,
    policy_key: str | None,
    receipt_prefix: str | None,
    deposit_days: int | None,
    deposit_limit: str | int | Decimal | None,
    address: str | None,
    phone: str | None,
    payment_link_template: str | None,
    payment_instructions: str | None,
    known_policies: frozenset[str] | None,
) -> dict[str, object]:
    """The office's columns to set, each given value checked; None ones left out."""
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = clean_text(name, "单位名称", 100)
    if level is not None:
        changes["level"] = check_level(level)
    if policy_key is not None:
        changes["policy_key"] = check_policy_key(policy_key, known_policies)
    if receipt_prefix is not None:
        changes["receipt_prefix"] = check_prefix(receipt_prefix)
    if deposit_days is not None:
        changes["deposit_days"] = check_deposit_days(deposit_days)
    if deposit_limit is not None:
        changes["deposit_limit_fen"] = check_deposit_limit(deposit_limit)
    if address is not None:
        changes["address"] = clean_text(address, "地址", 200, required=False)
    if phone is not None:
        changes["phone"] = clean_text(phone, "电话", 40, required=False)
    if payment_link_template is not None:
        changes["payment_link_template"] = check_payment_link_template(payment_link_template)
    if payment_instructions is not None:
        changes["payment_instructions"] = clean_text(
            payment_instructions, "缴费方式说明", 2000, required=False
        )
    return changes


def _apply_changes(
    session: Session, clock: Clock, row: Office, changes: dict[str, object], *, operator_id: int
) -> None:
    """Set the columns; what really changed goes to the audit journal, old and new."""
    office_id = row.id
    changed = {k: [getattr(row, k), v] for k, v in changes.items() if getattr(row, k) != v}
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = clock.now()
    row.updated_by = operator_id
    if changed:
        record_audit(
            session,
            at=row.updated_at,
            operator_id=operator_id,
            office_id=office_id,
            action="settings_changed",
            subject=f"office:{office_id}",
            details=changed,
        )


def set_printer_name(
    session: Session, clock: Clock, *, office_id: int, printer_name: str, operator_id: int
) -> None:
    """The office's default printer, as the system names it ("" = ask each time)."""
    row = _office_to_change(session, clock, office_id, operator_id)
    row.printer_name = clean_text(printer_name, "打印机名称", 200, required=False)
    row.updated_at = clock.now()
    row.updated_by = operator_id
    session.flush()
