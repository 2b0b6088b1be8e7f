"""One step shared by the office's two hash chains, the cash ledger
(services/ledger.py) and the audit journal (services/audit.py): the next row
takes the head's hash as its ``prev_hash``, is hashed, stored, and becomes the
head. The callers lock the head row first and build the row's fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session


class ChainHead(Protocol):
    last_seq: int
    last_hash: str


Row = TypeVar("Row")


def append_link(
    session: Session,
    head: ChainHead,
    row_type: Callable[..., Row],
    fields: Mapping[str, Any],
    digest_of: Callable[[Mapping[str, Any]], str],
) -> Row:
    """Store ``row_type(**fields, hash=…)`` as the chain's next row and move the head."""
    digest = digest_of(fields)
    row = row_type(**fields, hash=digest)
    session.add(row)
    head.last_seq = fields["seq"]
    head.last_hash = digest
    session.flush()
    return row
