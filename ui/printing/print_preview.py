"""Print preview: the PDF's pages, a printer, the paper, the number of copies,
and a print button.

The dialog is opened with ``show()``/``open()`` and reports through signals
(``printed``, ``print_failed`` and QDialog's ``finished``); it never blocks in
``exec()``. The printer list and the print job are injected, so tests hand it
fakes instead of a real printer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from common.errors import ServiceError
from ui.file_dialogs import file_dialog
from ui.printing.cups import lp_command
from ui.printing.print_job import (
    MAX_COPIES,
    PAPER_SIZES,
    PrintError,
    default_printer_name,
    load_pdf,
    print_pdf,
    printer_names,
)
from ui.printing.print_thread import BackgroundPrint

log = logging.getLogger(__name__)

PrintJob = Callable[[bytes, str, int, str], None]

__all__ = ["PrintError", "PrintPreviewDialog", "print_pdf"]


class PrintPreviewDialog(QDialog):
    """Shows ``pdf`` and prints it on the chosen printer."""

    #: (printer name, copies) after a successful print; the dialog then closes
    printed = Signal(str, int)
    #: the Chinese message shown to the clerk when printing failed
    print_failed = Signal(str)

    def __init__(
        self,
        pdf: bytes,
        title: str = "",
        parent: QWidget | None = None,
        *,
        printers: Callable[[], list[str]] = printer_names,
        default_printer: Callable[[], str] = default_printer_name,
        print_job: PrintJob = print_pdf,
        paper: str = "A4",
        background: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"打印预览 — {title}" if title else "打印预览")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._pdf = pdf
        self._print_job = print_job
        # The Qt path (no CUPS: Windows) renders every page: it runs on a worker
        # thread with progress. Through CUPS, or with an injected job, it is direct.
        if background is None:
            background = print_job is print_pdf and lp_command() is None
        self._background = background
        self.background_job: BackgroundPrint | None = None
        self.progress: QProgressDialog | None = None
        self._document, self._buffer = load_pdf(pdf)
        self._document.setParent(self)

        self._build_view()
        zoom, controls, buttons = self._build_controls(paper)
        layout = QVBoxLayout(self)
        layout.addLayout(zoom)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        self.resize(900, 760)

        self.zoom_in_button.clicked.connect(lambda: self._zoom(1.25))
        self.zoom_out_button.clicked.connect(lambda: self._zoom(0.8))
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.whole_page_button.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        )
        self.save_button.clicked.connect(self._ask_save)
        self.print_button.clicked.connect(self.print_now)
        self.close_button.clicked.connect(self.reject)
        self._fill_printers(printers, default_printer)

    # --- state ----------------------------------------------------------------------

    def _build_controls(self, paper: str) -> tuple[QHBoxLayout, QHBoxLayout, QHBoxLayout]:
        """Printer, paper, copies; the zoom and save row; status, print and close."""
        self.printer_combo = QComboBox()
        self.printer_combo.setMinimumContentsLength(18)
        self.paper_combo = QComboBox()
        self.paper_combo.addItems(list(PAPER_SIZES))
        self.paper_combo.setCurrentText(paper if paper in PAPER_SIZES else "A4")
        self.copies_spin = QSpinBox()
        self.copies_spin.setRange(1, MAX_COPIES)
        self.copies_spin.setSuffix(" 份")
        self.pages_label = QLabel(f"共 {self._document.pageCount()} 页")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        self.zoom_out_button = QPushButton("缩小")
        self.zoom_in_button = QPushButton("放大")
        self.fit_button = QPushButton("适合宽度")
        self.whole_page_button = QPushButton("整页")
        self.save_button = QPushButton("另存为 PDF…")
        self.print_button = QPushButton("打印")
        self.print_button.setDefault(True)
        self.close_button = QPushButton("关闭")

        controls = QHBoxLayout()
        controls.addWidget(QLabel("打印机："))
        controls.addWidget(self.printer_combo, 1)
        controls.addWidget(QLabel("纸张："))
        controls.addWidget(self.paper_combo)
        controls.addWidget(QLabel("份数："))
        controls.addWidget(self.copies_spin)
        controls.addWidget(self.pages_label)
        zoom = QHBoxLayout()
        for button in (
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.whole_page_button,
        ):
            zoom.addWidget(button)
        zoom.addStretch(1)
        zoom.addWidget(self.save_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        return zoom, controls, buttons

    def _build_view(self) -> None:
        """The pages: a one-page document (receipt, notice) seen whole, longer ones by width."""
        self.view = QPdfView(self)
        self.view.setDocument(self._document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        # a one-page document (receipt, notice) is seen whole; longer ones by width
        single = self._document.pageCount() == 1
        self.view.setZoomMode(
            QPdfView.ZoomMode.FitInView if single else QPdfView.ZoomMode.FitToWidth
        )
        self.view.setPageSpacing(12)

    @property
    def page_count(self) -> int:
        return self._document.pageCount()

    def _fill_printers(
        self, printers: Callable[[], list[str]], default_printer: Callable[[], str]
    ) -> None:
        try:
            names = printers()
            default = default_printer()
        except Exception:  # a broken print system must not stop the preview
            log.exception("listing printers failed")
            names, default = [], ""
        self.printer_combo.addItems(names)
        if default in names:
            self.printer_combo.setCurrentText(default)
        has_printer = bool(names)
        self.printer_combo.setEnabled(has_printer)
        self.print_button.setEnabled(has_printer)
        if not has_printer:
            self._show("未找到打印机，请先在系统中添加打印机；也可另存为 PDF。", error=True)

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(5.0, self.view.zoomFactor() * factor)))

    def show_page(self, index: int) -> None:
        self.view.pageNavigator().jump(index, QPointF(), self.view.zoomFactor())

    # --- actions --------------------------------------------------------------------

    def print_now(self) -> bool:
        """Print with the chosen settings; True when the job was handed over."""
        printer = self.printer_combo.currentText()
        if not printer:
            self._fail("请选择打印机")
            return False
        copies = self.copies_spin.value()
        paper = self.paper_combo.currentText()
        if self._background:
            self._print_in_background(printer, copies, paper)
            return True
        self._show("正在打印…")
        self.print_button.setEnabled(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._print_job(self._pdf, printer, copies, paper)
        except ServiceError as exc:
            self._fail(exc.message)
            return False
        except Exception as exc:  # keep the dialog usable; the log has the details
            log.exception("printing failed")
            self._fail(f"打印失败：{exc}")
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.print_button.setEnabled(self.printer_combo.count() > 0)
        self._show("")
        self.printed.emit(printer, copies)
        self.accept()
        return True

    def _print_in_background(self, printer: str, copies: int, paper: str) -> None:
        pages = self._document.pageCount()
        self.print_button.setEnabled(False)
        self._show("正在打印…")
        progress = QProgressDialog(f"正在送往打印机 0/{pages} 页…", "取消", 0, pages, self)
        progress.setWindowTitle("打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        job = BackgroundPrint(self._pdf, printer, copies, paper, self)
        progress.canceled.connect(job.cancel)

        def step(done: int, total: int) -> None:
            progress.setValue(done)
            progress.setLabelText(f"正在送往打印机 {done}/{total} 页…")

        def finished() -> None:
            progress.close()
            self.background_job = None
            self._show("")
            self.printed.emit(printer, copies)
            self.accept()

        def failed(message: str) -> None:
            progress.close()
            self.background_job = None
            self.print_button.setEnabled(self.printer_combo.count() > 0)
            self._fail(message)

        job.progressed.connect(step)
        job.finished.connect(finished)
        job.failed.connect(failed)
        self.background_job, self.progress = job, progress
        job.start()

    def _show(self, message: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00000;" if error else "")
        self.status_label.setText(message)

    def _fail(self, message: str) -> None:
        self._show(message, error=True)
        self.print_failed.emit(message)

    def _ask_save(self) -> None:
        dialog = file_dialog(
            self, "另存为 PDF", save=True, name_filter="PDF 文件 (*.pdf)", default_suffix="pdf"
        )
        dialog.setObjectName("savePdfDialog")
        dialog.fileSelected.connect(self.save_to)
        self.save_dialog = dialog
        dialog.open()

    def save_to(self, path: str) -> None:
        try:
            with open(path, "wb") as handle:
                handle.write(self._pdf)
        except OSError as exc:
            self._fail(f"保存失败：{exc.strerror or exc}")
            return
        self._show(f"已保存：{path}")

    def done(self, result: int) -> None:
        if self.background_job is not None:  # closed while printing: stop and wait
            self.background_job.cancel()
            self.background_job.wait()
        super().done(result)
        # closing the document empties the view; setDocument(None) would make
        # QPdfView warn about connecting a null link model
        self._document.close()
        self._buffer.close()
