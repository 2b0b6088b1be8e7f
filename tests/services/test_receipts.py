"""What a printed receipt shows, and reprints (issue item 4)."""

from __future__ import annotations

import pytest
from factories import PASSWORD, Desk, make_desk, make_enrollment, policies
from sqlalchemy import func, select

from common.errors import NotFound, PermissionDenied
from db.engine import Database
from db.models import ReceiptPrint, Resident
from services.clock import FixedClock
from services.corrections import void_receipt
from services.payments import PaymentResult, take_payment
from services.receipts import find_receipt, print_receipt, receipt_view, record_print


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


@pytest.fixture
def paid(db: Database, clock: FixedClock, desk: Desk) -> PaymentResult:
    with db.write() as s:
        enrollment_id = make_enrollment(s, desk, name="李明", tier="high", due_fen=101_000)
        return take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="1010",
            channel="cash",
            payer_name="李明",
            agent_name="李红",
            operator_id=desk.clerk_id,
        )


def test_view_has_everything_the_receipt_prints(
    db: Database, clock: FixedClock, desk: Desk, paid: PaymentResult
) -> None:
    assert paid.receipt_id is not None
    with db.read() as s:
        view = receipt_view(s, paid.receipt_id)
        resident = s.scalars(select(Resident)).one()
        assert view.id_number == resident.id_number
    assert view.receipt_no == "LT2023-000001"
    assert view.office_name == "芦台街道办事处"
    assert view.issued_at == clock.now()
    assert (view.payer_name, view.agent_name, view.resident_name) == ("李明", "李红", "李明")
    assert view.village_name == "东村"
    assert (view.policy_year, view.tier, view.tier_label) == (2024, "high", "高档")
    assert (view.amount_fen, view.amount_text, view.amount_words) == (
        101_000,
        "1010.00",
        "壹仟零壹拾元整",
    )
    assert (view.channel, view.channel_label) == ("cash", "现金")
    assert view.collector_name == "王丽"
    assert not view.voided and view.void_reason == ""
    assert (view.print_count, view.reprint) == (0, False)


def test_first_print_then_reprints(
    db: Database, clock: FixedClock, desk: Desk, paid: PaymentResult
) -> None:
    assert paid.receipt_id is not None
    with db.write() as s:
        first = record_print(s, clock, receipt_id=paid.receipt_id, operator_id=desk.clerk_id)
    assert not first.is_reprint and first.print_count == 1
    with db.read() as s:
        assert receipt_view(s, paid.receipt_id).reprint is False
    clock.advance(minutes=10)
    with db.write() as s:
        view = print_receipt(s, clock, receipt_id=paid.receipt_id, operator_id=desk.supervisor_id)
    assert view.reprint and view.print_count == 2
    with db.read() as s:
        rows = s.scalars(select(ReceiptPrint).order_by(ReceiptPrint.id)).all()
        assert [(r.is_reprint, r.operator_id) for r in rows] == [
            (False, desk.clerk_id),
            (True, desk.supervisor_id),
        ]
        assert rows[1].printed_at == clock.now()


def test_voided_receipt_shows_its_mark(
    db: Database, clock: FixedClock, desk: Desk, paid: PaymentResult
) -> None:
    assert paid.receipt_id is not None
    with db.write() as s:
        void_receipt(
            s,
            clock,
            receipt_id=paid.receipt_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="档次选错",
            operator_id=desk.clerk_id,
        )
    with db.read() as s:
        view = receipt_view(s, paid.receipt_id)
    assert view.voided and view.void_reason == "档次选错" and view.voided_at == clock.now()
    assert view.receipt_no == "LT2023-000001"


def test_print_refusals(db: Database, clock: FixedClock, desk: Desk, paid: PaymentResult) -> None:
    assert paid.receipt_id is not None
    with db.write() as s:
        other = make_desk(s, code="XX", name="其他街道")
    with db.write() as s, pytest.raises(NotFound) as err:
        record_print(s, clock, receipt_id=paid.receipt_id, operator_id=4242)
    assert err.value.code == "unknown_operator"
    with db.write() as s, pytest.raises(PermissionDenied):
        record_print(s, clock, receipt_id=paid.receipt_id, operator_id=other.clerk_id)
    with db.write() as s, pytest.raises(NotFound):
        record_print(s, clock, receipt_id=999, operator_id=desk.clerk_id)
    with db.read() as s, pytest.raises(NotFound):
        receipt_view(s, 999)
    with db.read() as s:
        assert s.scalar(select(func.count(ReceiptPrint.id))) == 0


def test_find_receipt_by_number(db: Database, desk: Desk, paid: PaymentResult) -> None:
    with db.read() as s:
        assert find_receipt(s, desk.office_id, " LT2023-000001 ") == paid.receipt_id
        with pytest.raises(NotFound):
            find_receipt(s, desk.office_id, "LT2023-000002")


def test_next_print_is_shown_without_recording_then_recorded(
    db: Database, clock: FixedClock, desk: Desk, paid: PaymentResult
) -> None:
    from services.documents import (
        receipt_document_for_print,
        receipt_document_next_print,
        record_receipt_print,
    )

    assert paid.receipt_id is not None
    with db.read() as s:
        first = receipt_document_next_print(s, policies(), paid.receipt_id, printed_at=clock.now())
        again = receipt_document_next_print(s, policies(), paid.receipt_id)
    assert (first.reprint_count, first.reprinted_at) == (0, None)  # the original
    assert again == first  # looking twice changes nothing
    with db.read() as s:
        assert s.scalar(select(func.count(ReceiptPrint.id))) == 0
    with db.write() as s:
        record = record_receipt_print(
            s, clock, receipt_id=paid.receipt_id, operator_id=desk.clerk_id
        )
    assert (record.is_reprint, record.print_count) == (False, 1)
    clock.advance(minutes=5)
    with db.read() as s:
        second = receipt_document_next_print(s, policies(), paid.receipt_id, printed_at=clock.now())
    assert (second.reprint_count, second.reprinted_at) == (1, clock.now())  # 重打（第1次）
    with db.write() as s:  # the command line's print records and renders in one go
        printed = receipt_document_for_print(
            s, clock, policies(), receipt_id=paid.receipt_id, operator_id=desk.supervisor_id
        )
    assert printed == second  # the preview showed exactly what was printed
    with db.read() as s:
        third = receipt_document_next_print(s, policies(), paid.receipt_id)
        assert third.reprint_count == 2
        assert s.scalars(select(ReceiptPrint.is_reprint).order_by(ReceiptPrint.id)).all() == [
            False,
            True,
        ]
