"""The demo's routine counter work written in batches (register, enrol, pay).

A resident who registers, enrols and pays at one visit is, through the
services, two calls (``register_and_enroll`` then ``take_payment``) and some
thirty SQL statements. For the 300,000-resident demo office that is hours on a
small machine, so :func:`serve_in_bulk` writes *the same rows* — same fields,
same ids, the same gapless receipt numbers and the same hash-chained ledger
lines — with one multi-row INSERT per table and day. It uses the services' own
pure pieces (``parse_id``, ``clean_name``, ``name_initials``, ``quote``,
``entry_hash``, the receipt-number format) and their gates (``ensure_day_open``,
``current_deposit_status``), and is used only by the demo. The equivalence test in
``tests/services/test_demo.py`` builds one office both ways and compares every
row, so the two cannot drift apart unnoticed.

Because payment follows registration on the same day, the payment's re-quote
equals the registration quote, and is not repeated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from common.errors import ServiceError
from common.idcard import parse_id
from db.models import (
    Enrollment,
    LedgerEntry,
    LedgerHead,
    NumberSeries,
    Payment,
    Receipt,
    Resident,
)
from services.business_day import ensure_day_open
from services.clock import Clock
from services.deposit_state import current_deposit_status
from services.ledger import GENESIS_HASH, entry_hash
from services.payments import format_receipt_no, receipt_series
from services.policy_types import Policy
from services.quote import PersonFacts, quote
from services.registry import ResidentInput, clean_name, clean_phone, name_initials


@dataclasses.dataclass(frozen=True)
class Arrival:
    """One resident at the counter: who, what they enrol in, how they pay."""

    at: dt.datetime
    data: ResidentInput
    category: str
    tier: str | None
    facts: PersonFacts
    pays: bool  # False: enrols but does not pay within the demo
    channel: str
    reference: str


@dataclasses.dataclass(frozen=True)
class Served:
    category: str
    resident_id: int
    enrollment_id: int
    due_fen: int
    payment_id: int | None = None
    receipt_id: int | None = None
    channel: str | None = None


def _next_id(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


_TABLES = (Resident, Enrollment, Payment, Receipt, LedgerEntry)


@dataclasses.dataclass
class _Batch:
    """One day's rows being built: the next ids, receipt number and ledger link."""

    office_id: int
    operator_id: int
    today: dt.date
    ids: dict[Any, int]
    head: Any
    seq: int
    prev_hash: str
    series: str
    first_number: int | None
    number: int
    rows: dict[Any, list[dict[str, Any]]] = dataclasses.field(
        default_factory=lambda: {m: [] for m in _TABLES}
    )

    def take_id(self, model: Any) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value


def serve_in_bulk(
    session: Session,
    clock: Clock,
    *,
    policy: Policy,
    office_id: int,
    receipt_prefix: str,
    operator_id: int,
    arrivals: Sequence[Arrival],
) -> tuple[list[Served], dict[str, int]]:
    """Write the visits of one day; return what was served and the refusals by code."""
    if not arrivals:
        return [], {}
    today = arrivals[0].at.date()
    _check_gates(session, clock, office_id, today, arrivals)
    batch = _start_batch(session, office_id, operator_id, receipt_prefix, today)
    served: list[Served] = []
    refused: dict[str, int] = {}
    for a in arrivals:
        try:
            parsed = parse_id(a.data.id_number, today=today)
            name = clean_name(a.data.name)
            phone = clean_phone(a.data.phone)
            facts = dataclasses.replace(a.facts, birth_date=a.facts.birth_date or parsed.birth_date)
            q = quote(policy, a.category, a.tier, today, facts)
        except ServiceError as refusal:
            refused[refusal.code] = refused.get(refusal.code, 0) + 1
            continue
        resident_id = _add_resident(batch, a, parsed, name, phone)
        enrollment_id = _add_enrollment(batch, a, policy, q, facts, resident_id)
        if not (a.pays and q.personal_due_fen > 0):
            served.append(Served(a.category, resident_id, enrollment_id, q.personal_due_fen))
            continue
        payment_id, receipt_id = _add_payment(batch, a, q, name, resident_id, enrollment_id)
        served.append(
            Served(
                a.category,
                resident_id,
                enrollment_id,
                q.personal_due_fen,
                payment_id,
                receipt_id,
                a.channel,
            )
        )
    _finish_batch(session, batch)
    return served, refused


def _check_gates(
    session: Session, clock: Clock, office_id: int, today: dt.date, arrivals: Sequence[Arrival]
) -> None:
    """The services' gates, once for the day: the day is open, no cash overdue."""
    ensure_day_open(session, office_id, today)
    if any(a.pays and a.channel == "cash" for a in arrivals):
        # Collections cannot make the state overdue, so once for the day is enough.
        # A cash payment while overdue is marked (services/payments.py); the
        # batch path writes no marks, so it must never run then (the demo
        # deposits overdue cash first thing in the morning).
        if current_deposit_status(session, clock, office_id).state == "overdue":
            raise RuntimeError("bulk serving needs the overdue cash deposited first")


def _start_batch(
    session: Session, office_id: int, operator_id: int, receipt_prefix: str, today: dt.date
) -> _Batch:
    """Read where the ids, the ledger chain and the receipt series stand."""
    ids = {m: _next_id(session, m) for m in _TABLES}
    head = session.execute(
        select(LedgerHead.last_seq, LedgerHead.last_hash).where(LedgerHead.office_id == office_id)
    ).first()
    seq, prev_hash = (int(head[0]), head[1]) if head is not None else (0, GENESIS_HASH)
    series = receipt_series(receipt_prefix, today.year)
    first_number = session.scalar(
        select(NumberSeries.next_number).where(
            NumberSeries.office_id == office_id, NumberSeries.series == series
        )
    )
    number = int(first_number or 1)
    return _Batch(
        office_id, operator_id, today, ids, head, seq, prev_hash, series, first_number, number
    )


def _add_resident(batch: _Batch, a: Arrival, parsed: Any, name: str, phone: str) -> int:
    resident_id = batch.take_id(Resident)
    batch.rows[Resident].append(
        {
            "id": resident_id,
            "id_number": parsed.number,
            "id_tail": parsed.number[-4:],
            "name": name,
            "name_initials": name_initials(name),
            "sex": parsed.sex,
            "birth_date": parsed.birth_date,
            "document_type": parsed.kind_label,
            "phone": phone,
            "address": a.data.address.strip(),
            "household_no": a.data.household_no.strip(),
            "village_id": a.data.village_id,
            "office_id": batch.office_id,
            "created_at": a.at,
            "created_by": batch.operator_id,
        }
    )
    return resident_id


def _add_enrollment(
    batch: _Batch, a: Arrival, policy: Policy, q: Any, facts: PersonFacts, resident_id: int
) -> int:
    enrollment_id = batch.take_id(Enrollment)
    batch.rows[Enrollment].append(
        {
            "id": enrollment_id,
            "resident_id": resident_id,
            "office_id": batch.office_id,
            "policy_key": policy.key,
            "policy_year": policy.year,
            "category": q.category,
            "tier": q.tier,
            "benefit_tier": q.benefit_tier,
            "standard_fen": q.standard_fen,
            "subsidy_fen": q.subsidy_fen,
            "personal_due_fen": q.personal_due_fen,
            "benefit_start": q.benefit_start,
            "benefit_end": q.benefit_end,
            "waiting_months": q.waiting_months,
            # inserted as registered and then paid, as the services do, so that
            # the database logs the status move (enrollment_status_change)
            "status": "registered",
            "continuous_years": facts.continuous_years,
            "gap_months": facts.gap_months,
            "gap_years": facts.gap_years,
            "repaired_years": facts.repaired_years,
            "via_school": facts.via_school,
            "job_change": facts.job_change,
            "hardship_certified": facts.hardship_certified,
            "created_at": a.at,
            "created_by": batch.operator_id,
        }
    )
    return enrollment_id


def _add_payment(
    batch: _Batch, a: Arrival, q: Any, name: str, resident_id: int, enrollment_id: int
) -> tuple[int, int | None]:
    """The payment, its receipt when in cash, and its ledger line."""
    payment_id = batch.take_id(Payment)
    reference = unicodedata.normalize("NFKC", a.reference).strip()
    amount = q.personal_due_fen
    batch.rows[Payment].append(
        {
            "id": payment_id,
            "office_id": batch.office_id,
            "enrollment_id": enrollment_id,
            "notice_id": None,
            "amount_fen": amount,
            "channel": a.channel,
            "reference": reference,
            "payer_name": name,
            "agent_name": "",
            "business_date": batch.today,
            "paid_at": a.at,
            "operator_id": batch.operator_id,
            "status": "completed",
        }
    )
    receipt_id = None
    if a.channel == "cash":
        receipt_id = _add_receipt(batch, a, payment_id, amount, name)
    _add_ledger_line(
        batch,
        {
            "office_id": batch.office_id,
            "kind": "payment",
            "business_date": batch.today,
            "recorded_at": a.at,
            "operator_id": batch.operator_id,
            "channel": a.channel,
            "amount_fen": amount,
            "cash_fen": amount if a.channel == "cash" else 0,
            "payment_id": payment_id,
            "receipt_id": receipt_id,
            "refund_id": None,
            "deposit_id": None,
            "resident_id": resident_id,
            "village_id": a.data.village_id,
            "tier": q.tier,
            "reference": reference,
            "memo": "",
        },
    )
    return payment_id, receipt_id


def _add_receipt(batch: _Batch, a: Arrival, payment_id: int, amount: int, name: str) -> int:
    receipt_id = batch.take_id(Receipt)
    batch.rows[Receipt].append(
        {
            "id": receipt_id,
            "office_id": batch.office_id,
            "series": batch.series,
            "number": batch.number,
            "receipt_no": format_receipt_no(batch.series, batch.number),
            "payment_id": payment_id,
            "amount_fen": amount,
            "payer_name": name,
            "agent_name": "",
            "issued_at": a.at,
            "operator_id": batch.operator_id,
        }
    )
    batch.number += 1
    return receipt_id


def _add_ledger_line(batch: _Batch, fields: dict[str, Any]) -> None:
    """The next link of the office's hash chain."""
    batch.seq += 1
    line: dict[str, Any] = {
        "office_id": fields["office_id"],
        "seq": batch.seq,
        **{k: v for k, v in fields.items() if k != "office_id"},
        "prev_hash": batch.prev_hash,
    }
    batch.prev_hash = entry_hash(line)
    batch.rows[LedgerEntry].append(
        {**line, "id": batch.take_id(LedgerEntry), "hash": batch.prev_hash}
    )


def _finish_batch(session: Session, batch: _Batch) -> None:
    """Insert the rows, move the paid enrolments to paid, advance the counters."""
    rows = batch.rows
    _write(session, rows)
    paid_ids = [p["enrollment_id"] for p in rows[Payment]]
    if paid_ids:
        session.connection().execute(
            update(Enrollment).where(Enrollment.id.in_(paid_ids)).values(status="paid")
        )
    if rows[LedgerEntry]:
        _advance_counters(
            session,
            batch.office_id,
            batch.seq,
            batch.prev_hash,
            batch.series,
            batch.number,
            batch.head,
            batch.first_number,
        )


def _write(session: Session, rows: dict[Any, list[dict[str, Any]]]) -> None:
    session.flush()
    connection = session.connection()
    for model, batch in rows.items():
        if batch:
            connection.execute(insert(model), batch)


def _advance_counters(
    session: Session,
    office_id: int,
    seq: int,
    last_hash: str,
    series: str,
    number: int,
    head: Any,
    first_number: int | None,
) -> None:
    connection = session.connection()
    if head is None:
        connection.execute(
            insert(LedgerHead).values(office_id=office_id, last_seq=seq, last_hash=last_hash)
        )
    else:
        connection.execute(
            update(LedgerHead)
            .where(LedgerHead.office_id == office_id)
            .values(last_seq=seq, last_hash=last_hash)
        )
    if first_number is None:
        if number > 1:
            connection.execute(
                insert(NumberSeries).values(office_id=office_id, series=series, next_number=number)
            )
    else:
        connection.execute(
            update(NumberSeries)
            .where(NumberSeries.office_id == office_id, NumberSeries.series == series)
            .values(next_number=number)
        )
    # The ORM may hold these rows from an earlier service call of the day.
    session.expire_all()
