"""Hand a PDF straight to CUPS (Linux, macOS): no rendering in the window.

CUPS accepts PDF as it is and rasterises it in its own filters, so the
window only writes the bytes to ``lp``: a batch of 1,000 notices is queued in
a fraction of a second instead of being painted page by page through QtPdf.
The chosen printer, the number of copies and the paper go on the command
line (``-d``, ``-n``, ``-o media=``).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys

from common.errors import ServiceError

log = logging.getLogger(__name__)

#: seconds ``lp`` may take to accept a job before the window gives up
LP_TIMEOUT_S = 120
_JOB_ID = re.compile(r"request id is (\S+)")


class CupsError(ServiceError):
    """``lp`` refused the job; the message says why, in Chinese."""

    code = "print_failed"


def lp_command() -> str | None:
    """The ``lp`` program when this system prints through CUPS, else None."""
    if sys.platform.startswith("win"):
        return None
    return shutil.which("lp")


def submit_pdf(
    pdf_bytes: bytes,
    printer_name: str,
    copies: int = 1,
    paper: str = "A4",
    *,
    title: str = "城乡居民医保单据",
    lp: str | None = None,
) -> str:
    """Queue ``pdf_bytes`` on ``printer_name``; returns the CUPS job id.

    Returns as soon as the scheduler has the job; printing goes on in CUPS.
    """
    program = lp or lp_command()
    if program is None:
        raise CupsError("本机没有 CUPS 打印命令 lp，无法打印", code="printer_unavailable")
    command = [
        program,
        "-d",
        printer_name,
        "-n",
        str(copies),
        "-o",
        f"media={paper}",
        "-t",
        title,
        "-",  # the PDF comes on standard input: no temporary file to clean up
    ]
    try:
        done = subprocess.run(
            command, input=pdf_bytes, capture_output=True, timeout=LP_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise CupsError(
            "打印服务长时间没有响应，请检查 CUPS 是否在运行", code="printer_unavailable"
        ) from exc
    except OSError as exc:
        raise CupsError(f"无法启动打印命令：{exc}", code="printer_unavailable") from exc
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        log.warning("lp refused the job for %s: %s", printer_name, err)
        if "does not exist" in err or "不存在" in err:
            raise CupsError(
                f"找不到打印机“{printer_name}”，请检查打印机是否已添加并开机",
                code="printer_not_found",
            )
        if "not accepting" in err:
            raise CupsError(
                f"打印机“{printer_name}”暂停接收任务，请在打印机管理中启用",
                code="printer_unavailable",
            )
        raise CupsError(f"打印机“{printer_name}”拒绝了打印任务：{err}", code="printer_error")
    match = _JOB_ID.search(out)
    job = match.group(1) if match else ""
    log.info(
        "queued %d bytes on %s as %s (x%d, %s)", len(pdf_bytes), printer_name, job, copies, paper
    )
    return job
