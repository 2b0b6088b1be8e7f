"""The findings model every ledger check shares: requests, results, findings.

A check is a function ``(session, request) -> CheckResult``; this module holds
what it takes and what it returns, and the small query filters all checks use."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

MAX_FINDINGS = 20  # per check: enough to act on, not a flood


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    message: str  # Chinese
    office_id: int | None = None
    seq: int | None = None
    code: str = ""


@dataclasses.dataclass(frozen=True)
class CheckResult:
    name: str
    label: str  # Chinese
    checked: int
    findings: tuple[Finding, ...]
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclasses.dataclass(frozen=True)
class Trusted:
    """Where the incremental check at a day close starts: an anchor of an
    earlier close that was checked then and printed on its 日结单.

    The chains are trusted up to the anchored lines (their hashes are compared
    with the stored ones, then the chains are checked from there on); the acts
    and ledger lines of ``since`` and later are matched one by one; the closes
    of ``since`` and later are re-added. ``verify-ledger`` on the command line
    still checks everything from the first line.
    """

    office_id: int
    business_date: dt.date  # of the trusted anchor
    ledger_seq: int
    ledger_hash: str
    audit_seq: int
    audit_hash: str
    since: dt.date
    anchor_id: int


@dataclasses.dataclass(frozen=True)
class VerifyRequest:
    office_id: int | None = None
    anchors: tuple[str, ...] = ()
    receipt_codes: tuple[tuple[str, str], ...] = ()  # (receipt_no, typed code)
    deposit_codes: tuple[tuple[str, str], ...] = ()  # (slip_no, typed code)
    voucher_codes: tuple[tuple[str, str], ...] = ()  # (voucher no PZ-…, typed code)
    refund_codes: tuple[tuple[str, str], ...] = ()  # (refund no TF-…, typed code)
    #: None: check everything; else the incremental check of a day close
    trusted: Trusted | None = None


@dataclasses.dataclass(frozen=True)
class Verification:
    checks: tuple[CheckResult, ...]
    #: the incremental check's starting point (None: everything was checked)
    trusted: Trusted | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    def summary(self) -> str:
        """One Chinese line: passed, or the first few problems."""
        if self.ok:
            scope = (
                ""
                if self.trusted is None
                else f"（自 {self.trusted.business_date} 日结锚点起增量校验）"
            )
            return f"台账校验通过{scope}：" + "、".join(
                c.label for c in self.checks if not c.skipped
            )
        found = self.findings
        text_ = "；".join(f.message for f in found[:3])
        more = f"（另有 {len(found) - 3} 处）" if len(found) > 3 else ""
        return f"台账校验失败：{text_}{more}"


CheckFn = Callable[[Session, VerifyRequest], CheckResult]


def check_result(name: str, label: str, checked: int, findings: list[Finding]) -> CheckResult:
    return CheckResult(name, label, checked, tuple(findings[:MAX_FINDINGS]))


def where_office(stmt: Any, model: Any, office_id: int | None) -> Any:
    return stmt if office_id is None else stmt.where(model.office_id == office_id)


def where_since(stmt, column, req: VerifyRequest):  # type: ignore[no-untyped-def]
    """Only rows of the incremental check's days (all rows without one)."""
    return stmt if req.trusted is None else stmt.where(column >= req.trusted.since)
