"""Find and register one Chinese TrueType font for every printed document.

reportlab's built-in CID fonts are not embedded, so a PDF printed on a machine
without Chinese fonts would show empty boxes. We embed a subset of a TrueType
font instead. reportlab cannot embed OpenType/CFF fonts (Noto CJK), so only
TrueType outlines are tried.

Search order: ``YIBAO_PDF_FONT`` (a path, optionally ``path#index`` for a
``.ttc`` collection), then the usual Debian and Windows locations. The font is
registered once per process and file.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from common.errors import ServiceError

ENV_VAR = "YIBAO_PDF_FONT"

#: Linux (Debian packages) first, then Windows system fonts. Each entry is
#: (path, subfont index inside a .ttc collection).
_LINUX_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0),
)
_WINDOWS_NAMES: tuple[tuple[str, int], ...] = (
    ("simhei.ttf", 0),
    ("simsun.ttc", 0),
    ("msyh.ttc", 0),
    ("simkai.ttf", 0),
)

_INSTALL_HINT = (
    "未找到可嵌入 PDF 的中文字体，无法打印单据。"
    "Debian/Ubuntu 请以 root 运行：apt-get install fonts-wqy-microhei ；"
    "Windows 请确认系统字体目录中有 黑体(SimHei, simhei.ttf) 或 宋体(SimSun, simsun.ttc)；"
    f"也可设置环境变量 {ENV_VAR}=字体文件路径（TrueType .ttf/.ttc）。"
    " / No Chinese TrueType font found for PDFs. On Debian install fonts-wqy-microhei "
    "(apt-get install fonts-wqy-microhei); on Windows the system fonts SimHei or SimSun "
    f"must be present; or set {ENV_VAR}=/path/to/font.ttf."
)


class FontNotFound(ServiceError):
    """No usable Chinese TrueType font: documents cannot be printed."""

    code = "font_not_found"


@dataclass(frozen=True)
class RegisteredFont:
    """A font registered with reportlab under ``name``."""

    name: str
    path: str
    subfont_index: int


_lock = threading.Lock()
_registered: dict[tuple[str, int], RegisteredFont] = {}
# The font chosen for the current value of the override variable (documents
# ask for the font name thousands of times per batch).
_chosen: dict[str, RegisteredFont] = {}


def _windows_candidates() -> list[tuple[str, int]]:
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    return [(str(Path(windir) / "Fonts" / name), index) for name, index in _WINDOWS_NAMES]


def _parse_override(value: str) -> tuple[str, int]:
    path, sep, index = value.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return value, 0


def candidate_fonts() -> list[tuple[str, int]]:
    """Paths tried, in order (the override alone when it is set)."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return [_parse_override(override)]
    return list(_LINUX_CANDIDATES) + _windows_candidates()


def _load(path: str, index: int) -> RegisteredFont:
    key = (os.path.abspath(path), index)
    found = _registered.get(key)
    if found is not None:
        return found
    name = f"YibaoCJK-{Path(path).stem}-{index}"
    font = TTFont(name, path, subfontIndex=index)
    pdfmetrics.registerFont(font)
    # Map the family's bold/italic to the same face so <b> in a Paragraph
    # never fails (the Chinese fonts we use have no bold face).
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)
    found = RegisteredFont(name=name, path=path, subfont_index=index)
    _registered[key] = found
    return found


def cjk_font() -> RegisteredFont:
    """Register (once) and return the Chinese font used by all documents.

    Raises ``FontNotFound`` with a message saying what to install.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    found = _chosen.get(override)
    if found is not None:
        return found
    with _lock:
        errors: list[str] = []
        for path, index in candidate_fonts():
            if not os.path.isfile(path):
                if override:
                    errors.append(f"{path}: 文件不存在 / file not found")
                continue
            try:
                found = _load(path, index)
            except Exception as exc:  # reportlab raises plain TTFError/ValueError
                errors.append(f"{path}: {exc}")
                continue
            _chosen[override] = found
            return found
        detail = ("（" + "；".join(errors) + "）") if errors else ""
        raise FontNotFound(_INSTALL_HINT + detail)


def forget_font_choice() -> None:
    """Search again on the next call (tests that change the override use it)."""
    with _lock:
        _chosen.clear()


def cjk_font_name() -> str:
    """The reportlab font name to draw Chinese text with."""
    return cjk_font().name
