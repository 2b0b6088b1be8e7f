"""Send a PDF to a printer.

Where CUPS prints (Linux, macOS) the PDF itself is handed to the queue
(:mod:`ui.printing.cups`): nothing is rendered in the window. Elsewhere
(Windows) each page is rendered by QtPdf once, at the printer's own
resolution, and painted onto a ``QPrinter``.

``print_pdf`` is the whole job, with no dialog, so tests and scripts can call
it. It needs a ``QGuiApplication`` (the window has one; pytest-qt's ``qapp``
gives one to tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from common.errors import ServiceError
from ui.printing.cups import CupsError, lp_command, submit_pdf

log = logging.getLogger(__name__)

#: paper names offered to the clerk → Qt page sizes
PAPER_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "A5": QPageSize.PageSizeId.A5,
    "B5": QPageSize.PageSizeId.B5,
}
#: None: the printer's own resolution (each page is rendered once, at that size)
DEFAULT_DPI: int | None = None
#: above this a page image costs more than the paper shows (cups-pdf says 1,200
#: dpi: a notice took 5 s to render there against 0.1 s at 300)
MAX_RENDER_DPI = 600
MAX_COPIES = 99


class PrintError(ServiceError):
    """The printer could not be used; the message says why, in Chinese."""

    code = "print_failed"


class PrintCancelled(PrintError):
    """The clerk cancelled while pages were being sent; the job was aborted."""

    code = "print_cancelled"


#: called after each page sent the Qt way with (pages done, pages in all);
#: returning False cancels the job
PageProgress = Callable[[int, int], bool]


def printer_names() -> list[str]:
    """Printers known to the system (CUPS on Linux, the spooler on Windows)."""
    return [name for name in QPrinterInfo.availablePrinterNames() if name]


def default_printer_name() -> str:
    return QPrinterInfo.defaultPrinterName()


def load_pdf(pdf_bytes: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A ``QPdfDocument`` read from memory. The buffer is returned too: it must
    live as long as the document."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        error = document.error()
        document.close()
        raise PrintError(f"无法读取要打印的 PDF 文件（{error.name}）", code="bad_pdf")
    return document, buffer


def _placement(page_pt: QSizeF, paper_mm: QSizeF) -> tuple[QPageLayout.Orientation, float]:
    """Paper orientation and scale (≤ 1, never enlarged) for one PDF page.

    The orientation that shows the page larger wins; on a tie portrait, with the
    page at the top — a half-A4 notice then prints on the upper half of an A4
    sheet, ready to cut.
    """
    pw, ph = page_pt.width(), page_pt.height()
    w_pt, h_pt = paper_mm.width() * 72 / 25.4, paper_mm.height() * 72 / 25.4
    portrait = min(1.0, w_pt / pw, h_pt / ph)
    landscape = min(1.0, h_pt / pw, w_pt / ph)
    if landscape > portrait * 1.005:  # half a percent: A5 is 0.01 pt wider than A4 is
        return QPageLayout.Orientation.Landscape, landscape
    return QPageLayout.Orientation.Portrait, portrait


def print_pdf(
    pdf_bytes: bytes,
    printer_name: str,
    copies: int = 1,
    paper: str = "A4",
    *,
    dpi: int | None = DEFAULT_DPI,
    document_name: str = "城乡居民医保单据",
    via_cups: bool | None = None,
    progress: PageProgress | None = None,
) -> None:
    """Print every page of ``pdf_bytes`` on ``printer_name``.

    Pages keep their size (shrunk only when larger than the paper) and are
    centred across the sheet, top-aligned. Raises ``PrintError`` when the
    printer does not exist, cannot start the job or reports an error.
    ``via_cups`` None: through CUPS wherever ``lp`` exists.
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("print_pdf needs a QGuiApplication")
    if not 1 <= copies <= MAX_COPIES:
        raise PrintError(f"打印份数应为 1 至 {MAX_COPIES} 份", code="invalid_input")
    if paper not in PAPER_SIZES:
        raise PrintError(
            f"不支持的纸张：{paper}（可选 {'、'.join(PAPER_SIZES)}）", code="invalid_input"
        )
    info = QPrinterInfo.printerInfo(printer_name)
    if info.isNull():
        raise PrintError(
            f"找不到打印机“{printer_name}”，请检查打印机是否已添加并开机", code="printer_not_found"
        )
    if via_cups is None:
        via_cups = lp_command() is not None
    if via_cups:
        try:
            submit_pdf(pdf_bytes, info.printerName(), copies, paper, title=document_name)
        except CupsError as exc:
            raise PrintError(exc.message, code=exc.code) from exc
        return
    document, buffer = load_pdf(pdf_bytes)
    try:
        _print_document(document, info, copies, paper, dpi, document_name, progress)
    finally:
        document.close()
        buffer.close()


def _print_document(
    document: QPdfDocument,
    info: QPrinterInfo,
    copies: int,
    paper: str,
    dpi: int | None,
    document_name: str,
    progress: PageProgress | None = None,
) -> None:
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setResolution(dpi if dpi is not None else min(printer.resolution(), MAX_RENDER_DPI))
    printer.setDocName(document_name)
    printer.setCopyCount(copies)
    printer.setFullPage(True)
    page_size = QPageSize(PAPER_SIZES[paper])
    printer.setPageSize(page_size)
    paper_mm = page_size.size(QPageSize.Unit.Millimeter)

    orientation, _ = _placement(document.pagePointSize(0), paper_mm)
    printer.setPageOrientation(orientation)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(
            f"打印机“{info.printerName()}”无法开始打印，请检查打印机状态",
            code="printer_unavailable",
        )
    try:
        for index in range(document.pageCount()):
            page_pt = document.pagePointSize(index)
            wanted, scale = _placement(page_pt, paper_mm)
            if index:
                if wanted != orientation:
                    printer.setPageOrientation(wanted)
                    orientation = wanted
                if not printer.newPage():
                    raise PrintError("打印机无法换页，打印已中止", code="printer_unavailable")
            res = printer.resolution()
            full = printer.pageLayout().fullRectPixels(res)
            width = page_pt.width() * scale * res / 72
            height = page_pt.height() * scale * res / 72
            image = document.render(index, QSize(round(width), round(height)))
            if image.isNull():
                raise PrintError(f"第 {index + 1} 页无法渲染，打印已中止", code="render_failed")
            left = full.x() + (full.width() - width) / 2
            target = QRectF(QPointF(left, full.y()), QSizeF(width, height))
            painter.drawImage(target, image)
            if progress is not None and progress(index + 1, document.pageCount()) is False:
                printer.abort()
                raise PrintCancelled("打印已取消，已送出的页可能仍会打印", code="print_cancelled")
    finally:
        painter.end()
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrintError(
            f"打印机“{info.printerName()}”报告错误，请检查打印队列", code="printer_error"
        )
    log.info("printed %d page(s) x%d on %s", document.pageCount(), copies, info.printerName())
