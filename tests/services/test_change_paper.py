"""Issue 12: the change slip and the household receipt job render."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from resident_year_helpers import _change, _family, _resident_of

from db.engine import Database
from services.clock import FixedClock
from services.households import household_members, pay_for_household
from tests.services.factories import (
    Desk,
    policies,
)

# --- paper ------------------------------------------------------------------------------------


def test_change_slip_and_household_receipt_job_render(
    db: Database, clock: FixedClock, desk: Desk, tmp_path: Path
) -> None:
    from printing.change_slip import render_change_slip
    from printing.receipt_job import render_receipt_job
    from services.households import household_receipt_documents, record_household_prints
    from services.info_change_views import change_slip_document

    eids = _family(db, desk, 2)
    rid = _resident_of(db, eids[0])
    [change] = _change(db, clock, desk, rid, phone="13900001111", address="芦台镇东村3号")
    with db.read() as s:
        slip = change_slip_document(s, change.id)
    assert slip.slip_no == change.slip_no and slip.status_label == "已生效"
    assert [i.label for i in slip.items] == ["联系电话", "住址"]
    pdf = render_change_slip(slip)
    (tmp_path / "slip.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "slip.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "综合业务处理单" in text and "13900001111" in text and change.slip_no in text
    with db.read() as s:
        members = household_members(s, "H001", 2024)
    with db.write() as s:
        paid = pay_for_household(
            s, clock, policies(), members=members, channel="cash", agent_name="王大",
            operator_id=desk.clerk_id,
        )  # fmt: skip
        receipt_ids = [p.receipt_id for p in paid.paid if p.receipt_id]
        docs = household_receipt_documents(s, policies(), receipt_ids)
        assert (
            record_household_prints(s, clock, receipt_ids=receipt_ids, operator_id=desk.clerk_id)
            == 2
        )
    job = render_receipt_job(docs)
    (tmp_path / "job.pdf").write_bytes(job)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "job.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)
    assert [d.agent_name for d in docs] == ["王大", "王大"]
