"""The reference rule, both cases (services/references.py).

A non-cash payment needs its transaction reference; a refund never does,
cash or not.  Checked as a property over every channel and reference, and
through the payment and refund services themselves.
"""

from __future__ import annotations

import unicodedata

import pytest
from factories import make_desk, make_enrollment, policies
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from test_corrections import pay, refund

from common.errors import InputError
from common.glossary import PAYMENT_CHANNELS
from db.models import LedgerEntry
from services.payments import take_payment
from services.references import REFERENCE_MAX, clean_reference, reference_required

channels = st.sampled_from(sorted(PAYMENT_CHANNELS))
blank = st.sampled_from(["", "  ", "\u3000", None])


@given(channel=channels, refund_=st.booleans(), reference=blank)
def test_a_blank_reference_is_refused_only_for_a_non_cash_payment(
    channel: str, refund_: bool, reference: str | None
) -> None:
    must = reference_required(channel, refund=refund_)
    assert must == (channel != "cash" and not refund_)
    if must:
        with pytest.raises(InputError) as refused:
            clean_reference(channel, reference, refund=refund_)
        assert refused.value.code == "reference_required"
        assert PAYMENT_CHANNELS[channel] in refused.value.message
    else:
        assert clean_reference(channel, reference, refund=refund_) == ""


@given(
    channel=channels,
    refund_=st.booleans(),
    reference=st.text(min_size=1, max_size=REFERENCE_MAX + 20).filter(lambda t: t.strip()),
)
def test_a_given_reference_is_kept_within_the_length_limit(
    channel: str, refund_: bool, reference: str
) -> None:
    try:
        kept = clean_reference(channel, reference, refund=refund_)
    except InputError as refused:
        assert refused.code in ("reference_too_long", "reference_required")
        return
    assert kept == unicodedata.normalize("NFKC", reference).strip()
    assert len(kept) <= REFERENCE_MAX


def test_the_services_apply_both_cases(db, clock) -> None:  # type: ignore[no-untyped-def]
    """A POS payment without a reference is refused; its refund without one is taken."""
    with db.write() as s:
        desk = make_desk(s)
        enrollment_id = make_enrollment(s, desk)
    with db.write() as s, pytest.raises(InputError) as refused:
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount="380",
            channel="pos",
            reference=" ",
            operator_id=desk.clerk_id,
        )
    assert refused.value.code == "reference_required"
    paid = pay(db, clock, desk, enrollment_id, channel="pos")
    result = refund(db, clock, desk, paid.payment_id, reference="")
    assert result.method == "application"
    with db.read() as s:
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "refund")).one()
        assert (line.channel, line.reference) == ("pos", "")
