"""Where a finished PDF goes, and the labels pages show for policy keys.

The data to print comes from ``services.documents`` (records turned into
``printing.data`` objects, shared with ``main.py print``); ``printing/`` turns
it into PDF bytes; this module hands the bytes on: :class:`PreviewOutput`
shows the print preview (the clerk prints from there), :class:`RecordingOutput`
keeps the PDFs (tests, screenshots, scripted runs). Pages receive the output
explicitly, so a test hands them a fake printer instead of patching Qt.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from services.policy_types import Policy

log = logging.getLogger(__name__)

# paper of each document (printing/notice.py: A5 landscape; receipt: A4)
PAPER = {"notice": "A5", "receipt": "A4"}


# --- labels -------------------------------------------------------------------------


def category_label(policy: Policy | None, key: str) -> str:
    if policy is not None and key in policy.categories:
        return policy.categories[key].label
    return key


def tier_label(policy: Policy | None, key: str) -> str:
    if policy is not None and key in policy.tiers:
        return policy.tiers[key].label
    return key


# --- where PDFs go ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Document:
    kind: str  # 'notice' | 'receipt' | ...
    title: str
    pdf: bytes


OnPrinted = Callable[[], None]


class DocumentOutput(Protocol):
    def present(
        self,
        kind: str,
        title: str,
        pdf: bytes,
        parent: QWidget | None,
        on_printed: OnPrinted | None = None,
    ) -> None:
        """Hand a finished PDF to the clerk (preview and print) or keep it;
        ``on_printed`` runs once it was really printed (a receipt's print is
        recorded then, not when the preview opens)."""
        ...


class RecordingOutput:
    """Keeps every document; tests and screenshots read ``documents``."""

    def __init__(self) -> None:
        self.documents: list[Document] = []

    def present(
        self,
        kind: str,
        title: str,
        pdf: bytes,
        parent: QWidget | None,
        on_printed: OnPrinted | None = None,
    ) -> None:
        self.documents.append(Document(kind, title, pdf))
        if on_printed is not None:  # kept counts as printed
            on_printed()

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


class PreviewOutput:
    """The print preview of ``ui/printing/print_preview.py``; without it (not yet
    built, or QtPdf missing) the PDF is saved and opened with the system viewer.

    ``printers``, ``default_printer`` and ``print_job`` go to every preview
    dialog (the system's when not given); tests hand in a fake printer.
    """

    def __init__(
        self,
        *,
        printers: Callable[[], list[str]] | None = None,
        default_printer: Callable[[], str] | None = None,
        print_job: Callable[[bytes, str, int, str], None] | None = None,
        paper_for: Callable[[str, str], str] | None = None,
    ) -> None:
        self._open: list[QWidget] = []
        # (kind, default paper) -> the paper this computer's printer holds
        self._paper_for = paper_for or (lambda _kind, default: default)
        options = {
            "printers": printers,
            "default_printer": default_printer,
            "print_job": print_job,
        }
        self._dialog_options = {k: v for k, v in options.items() if v is not None}

    @property
    def dialogs(self) -> list[QWidget]:
        """The previews open now, oldest first."""
        return list(self._open)

    def present(
        self,
        kind: str,
        title: str,
        pdf: bytes,
        parent: QWidget | None,
        on_printed: OnPrinted | None = None,
    ) -> None:
        try:
            from ui.printing import print_preview
        except ImportError:
            log.warning("print preview not available; opening the PDF outside")
            self._open_outside(kind, title, pdf)
            return
        dialog_cls = getattr(print_preview, "PrintPreviewDialog", None)
        if dialog_cls is None:
            self._open_outside(kind, title, pdf)
            return
        dialog = dialog_cls(
            pdf,
            title=title,
            parent=parent,
            paper=self._paper_for(kind, PAPER.get(kind, "A4")),
            **self._dialog_options,
        )
        if on_printed is not None:
            dialog.printed.connect(lambda _printer, _copies: on_printed())
        self._open.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._open.remove(d))
        dialog.open()

    @staticmethod
    def _open_outside(kind: str, title: str, pdf: bytes) -> None:
        folder = Path(tempfile.gettempdir()) / "yibao-counter"
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in title)
        path = folder / f"{kind}-{safe}.pdf"
        path.write_bytes(pdf)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
