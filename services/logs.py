"""The program's log file: rotating, in the data folder, with private data masked.

``setup_logging(folder)`` sends every log record to ``<folder>/logs/counter.log``
(rotated at 1 MB, 5 old files kept; created 0600 in a 0700 folder) and to
stderr. Before anything is written, :func:`mask_private` replaces ID numbers
(18- and 15-digit resident IDs, the 15-character foreign permanent residence
card), mobile phone numbers, password hashes and ``password=…`` values with
masked forms, so the log can be handed to a technician.

:func:`install_fault_handlers` makes crashes leave a trace there: Python's
``faulthandler`` writes a hard crash's stack to ``faults.log`` beside it, and
an uncaught exception goes through ``sys.excepthook`` into the log (the window
adds its own dialog on top, ``ui.app``).
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

LOG_NAME = "counter.log"
FAULT_NAME = "faults.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{7}(\d{4})(?![0-9A-Za-z])")
_FOREIGN = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_HASH = re.compile(r"\$(argon2(?:id|i|d)|2[aby]?|pbkdf2[-_\w]*|scrypt)\$[^\s'\"]+")
_SECRET = re.compile(
    r"((?:password|passwd|pwd|secret|token|密码)\w*['\"]?\s*[:=：]\s*['\"]?)([^\s'\",)]+)",
    re.IGNORECASE,
)


def mask_private(text: str) -> str:
    """``text`` with ID numbers, phones, passwords and password hashes masked."""
    text = _HASH.sub(lambda m: f"${m.group(1)}$***", text)
    text = _SECRET.sub(lambda m: f"{m.group(1)}***", text)
    text = _ID18.sub(lambda m: f"{m.group(1)}**********{m.group(2)}", text)
    text = _FOREIGN.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _ID15.sub(lambda m: f"{m.group(1)}*******{m.group(2)}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return text


class MaskingFormatter(logging.Formatter):
    """Formats as usual (message, traceback, stack), then masks the whole text."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_private(super().format(record))


def log_folder(data_folder: Path) -> Path:
    return data_folder / "logs"


def log_file(data_folder: Path) -> Path:
    """The path shown to the clerk in 设置 and in error messages."""
    return log_folder(data_folder) / LOG_NAME


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    def _open(self):  # type: ignore[no-untyped-def]
        # Created 0600: the umask would leave it readable by everyone.
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


_OURS = "_yibao_handler"
_current: Path | None = None


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` writes to (None before, or if it could not)."""
    return _current


def log_hint() -> str:
    """The words every message that mentions the log ends with: where it is."""
    return f"详情已记录在日志文件：{_current}" if _current is not None else "详情已记录在日志中"


def setup_logging(data_folder: Path, level: int = logging.WARNING) -> Path | None:
    """Log to the rotating file (everything from INFO up) and to stderr (from
    ``level``). Calling it again replaces the handlers it added before. Returns
    the log file, or None when the folder cannot be written (then stderr only)."""
    global _current
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    formatter = MaskingFormatter(FORMAT)
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(formatter)
    setattr(console, _OURS, True)
    root.addHandler(console)
    root.setLevel(min(level, logging.INFO))
    # Alembic announces every plugin at INFO on each start: not worth a line.
    logging.getLogger("alembic").setLevel(level if level <= logging.DEBUG else logging.WARNING)
    path = log_file(data_folder)
    try:
        for folder in (data_folder, path.parent):  # both private: 0700
            if not folder.is_dir():
                folder.mkdir(parents=True, mode=0o700)
                if os.name == "posix":
                    os.chmod(folder, 0o700)
        handler = _PrivateRotatingHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        _current = None
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(formatter)
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    _current = path
    return path


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]

_fault_file: IO[str] | None = None


def log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("yibao.crash").error(
        "uncaught exception:\n%s", "".join(traceback.format_exception(kind, exc, tb))
    )


def install_fault_handlers(data_folder: Path, then: ExceptHook | None = None) -> Path | None:
    """``faulthandler`` into ``faults.log`` and ``sys.excepthook`` into the log
    (then ``then``, e.g. the window's error dialog). Returns the faults file."""
    global _fault_file

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log_uncaught(kind, exc, tb)
        if then is not None:
            then(kind, exc, tb)

    sys.excepthook = hook
    path = log_folder(data_folder) / FAULT_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return None
    if _fault_file is not None:
        faulthandler.disable()
        _fault_file.close()
    _fault_file = open(fd, "a", encoding="utf-8")  # noqa: SIM115 - kept open for faulthandler
    faulthandler.enable(file=_fault_file, all_threads=True)
    return path
