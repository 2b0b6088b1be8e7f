"""The log file (issue 10, item 7): in the data folder, private, rotating, and
never holding a full ID number, phone number or password."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from services.logs import (
    BACKUP_COUNT,
    MAX_BYTES,
    current_log_file,
    log_hint,
    mask_private,
    setup_logging,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "hidden", "kept"),
    [
        ("resident 12022119800101123X paid", "19800101", "1202**********123X"),
        ("id=120221198001011234,", "198001011", "1202**********1234"),
        ("old id 120221800101123 found", "2180010", "1202*******1123"),
        ("card ABC120221234567 for", "12022123", "ABC********4567"),
        ("phone 13812345678 called", "1234", "138****5678"),
        ("电话：15900001111。", "0000", "159****1111"),
        ("password=hunter2 login", "hunter2", "password=***"),
        ("{'password': 'abc-12345'}", "abc-12345", "'password': '***"),
        ("密码：abc123", "abc123", "密码：***"),
        (
            "hash $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA replaced",
            "c2FsdA",
            "$argon2id$***",
        ),
    ],
)
def test_private_data_is_masked(raw: str, hidden: str, kept: str) -> None:
    masked = mask_private(raw)
    assert hidden not in masked
    assert kept in masked


def test_amounts_receipt_numbers_and_dates_are_left_alone() -> None:
    text = "receipt LT2023-000123 amount 38000 fen on 2023-11-06 09:30:00, payment 12345"
    assert mask_private(text) == text


def test_the_log_file_is_private_and_masked(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "data")
    try:
        assert path == tmp_path / "data" / "logs" / "counter.log"
        assert current_log_file() == path
        assert str(path) in log_hint()
        log = logging.getLogger("test.private")
        log.info("registered 12022119800101123X, phone 13812345678")
        try:
            raise ValueError("bad id 120221198001011234")
        except ValueError:
            log.exception("failed for password=secret-1")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert "1202**********123X" in text and "138****5678" in text
        assert "19800101" not in text and "13812345678" not in text
        assert "secret-1" not in text and "Traceback" in text
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        # Rotating, so it never fills the disk.
        handler = next(h for h in logging.getLogger().handlers if hasattr(h, "maxBytes"))
        assert handler.maxBytes == MAX_BYTES and handler.backupCount == BACKUP_COUNT
    finally:
        setup_logging(Path(os.environ["YIBAO_DATA_DIR"]))


def test_an_uncaught_exception_of_a_command_lands_in_the_log(tmp_path: Path) -> None:
    """``python main.py`` installs faulthandler and sys.excepthook before anything
    else; an exception escaping them is in the log, masked."""
    code = (
        "import runpy, sys\n"
        "sys.argv = ['main.py', '--help']\n"
        "import main\n"
        "from db.files import data_folder\n"
        "from services.logs import install_fault_handlers, setup_logging\n"
        "setup_logging(data_folder())\n"
        "install_fault_handlers(data_folder())\n"
        "raise RuntimeError('boom for 12022119800101123X')\n"
    )
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "YIBAO_DATA_DIR": str(data)},
    )
    assert result.returncode == 1
    text = (data / "logs" / "counter.log").read_text(encoding="utf-8")
    assert "uncaught exception" in text and "RuntimeError: boom for 1202**********123X" in text
    assert (data / "logs" / "faults.log").exists()
