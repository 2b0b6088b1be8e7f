"""The print preview dialog, the Qt print job and the batch progress dialog,
offscreen, with a fake printer list and a fake print job."""

from __future__ import annotations

import dataclasses

import pytest

from printing.receipt import render_receipt
from tools.samples import sample_ledger, sample_notice, sample_receipt
from ui.printing.print_job import PrintError

pytestmark = pytest.mark.gui


class FakePrinter:
    def __init__(self, error: Exception | None = None) -> None:
        self.jobs: list[tuple[bytes, str, int, str]] = []
        self.error = error

    def __call__(self, pdf: bytes, printer: str, copies: int, paper: str) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.append((pdf, printer, copies, paper))


@pytest.fixture
def receipt_pdf() -> bytes:
    return render_receipt(sample_receipt())


def _dialog(qtbot, pdf, fake, printers=("办公室激光打印机", "PDF")):
    from ui.printing.print_preview import PrintPreviewDialog

    dialog = PrintPreviewDialog(
        pdf,
        title="收据",
        printers=lambda: list(printers),
        default_printer=lambda: "PDF",
        print_job=fake,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_preview_shows_the_pages_and_prints(qtbot, receipt_pdf):
    fake = FakePrinter()
    dialog = _dialog(qtbot, receipt_pdf, fake)
    assert dialog.windowTitle() == "打印预览 — 收据"
    assert dialog.page_count == 1
    assert dialog.pages_label.text() == "共 1 页"
    assert dialog.printer_combo.currentText() == "PDF"  # the system default
    assert [dialog.printer_combo.itemText(i) for i in range(2)] == ["办公室激光打印机", "PDF"]

    # the page is actually drawn in the view (QPdfView renders in the background)
    def dark_pixels() -> int:
        image = dialog.view.grab().toImage()
        return sum(
            1
            for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)
            if image.pixelColor(x, y).lightness() < 100
        )

    qtbot.waitUntil(lambda: dark_pixels() > 50, timeout=10_000)

    dialog.printer_combo.setCurrentText("办公室激光打印机")
    dialog.copies_spin.setValue(2)
    dialog.paper_combo.setCurrentText("A4")
    printed = []
    dialog.printed.connect(lambda name, copies: printed.append((name, copies)))
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.print_button, qtbot_button())
    assert printed == [("办公室激光打印机", 2)]
    assert fake.jobs == [(receipt_pdf, "办公室激光打印机", 2, "A4")]
    assert not dialog.isVisible()


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_print_error_keeps_the_dialog_open(qtbot, receipt_pdf):
    fake = FakePrinter(PrintError("找不到打印机“PDF”"))
    dialog = _dialog(qtbot, receipt_pdf, fake)
    with qtbot.waitSignal(dialog.print_failed) as blocker:
        qtbot.mouseClick(dialog.print_button, qtbot_button())
    assert blocker.args == ["找不到打印机“PDF”"]
    assert dialog.isVisible()
    assert "找不到打印机" in dialog.status_label.text()
    assert dialog.print_button.isEnabled()


def test_no_printer(qtbot, receipt_pdf):
    dialog = _dialog(qtbot, receipt_pdf, FakePrinter(), printers=())
    assert not dialog.print_button.isEnabled()
    assert "未找到打印机" in dialog.status_label.text()


def test_multi_page_document_and_zoom(qtbot):
    from printing.ledger import render_ledger
    from ui.printing.print_preview import PrintPreviewDialog

    pdf = render_ledger(sample_ledger(45))
    dialog = PrintPreviewDialog(pdf, printers=lambda: [], default_printer=lambda: "")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_count == 3 and dialog.pages_label.text() == "共 3 页"
    before = dialog.view.zoomFactor()
    qtbot.mouseClick(dialog.zoom_in_button, qtbot_button())
    assert dialog.view.zoomFactor() > before
    dialog.show_page(2)
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.close_button, qtbot_button())


def test_save_as_pdf(qtbot, receipt_pdf, tmp_path):
    dialog = _dialog(qtbot, receipt_pdf, FakePrinter())
    target = tmp_path / "收据.pdf"
    dialog.save_to(str(target))
    assert target.read_bytes() == receipt_pdf
    assert "已保存" in dialog.status_label.text()


def test_bad_pdf_is_refused(qtbot):
    from ui.printing.print_preview import PrintPreviewDialog

    with pytest.raises(PrintError):
        PrintPreviewDialog(b"not a pdf", printers=lambda: [], default_printer=lambda: "")


def test_print_pdf_checks_its_arguments(qapp, receipt_pdf):
    from ui.printing.print_job import print_pdf

    with pytest.raises(PrintError, match="找不到打印机"):
        print_pdf(receipt_pdf, "没有这台打印机")
    with pytest.raises(PrintError, match="份数"):
        print_pdf(receipt_pdf, "任意", copies=0)
    with pytest.raises(PrintError, match="纸张"):
        print_pdf(receipt_pdf, "任意", paper="Letter")


def test_placement_of_pages_on_paper():
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPageLayout

    from ui.printing.print_job import _placement

    a4 = QSizeF(210, 297)
    portrait, landscape = QPageLayout.Orientation.Portrait, QPageLayout.Orientation.Landscape
    a4_pt, a5_landscape_pt = QSizeF(595.28, 841.89), QSizeF(595.28, 419.53)
    assert _placement(a4_pt, a4) == (portrait, pytest.approx(1.0, abs=1e-3))
    assert _placement(QSizeF(841.89, 595.28), a4) == (landscape, pytest.approx(1.0, abs=1e-3))
    # a half-A4 notice prints at full size on the upper half of a portrait sheet
    assert _placement(a5_landscape_pt, a4) == (portrait, pytest.approx(1.0, abs=1e-3))
    # an A4 page on A5 paper is shrunk
    orientation, scale = _placement(a4_pt, QSizeF(148, 210))
    assert orientation == portrait and scale == pytest.approx(0.705, abs=0.01)


def _notices(n):
    return [dataclasses.replace(sample_notice(i), notice_no=f"TZ{i:08d}") for i in range(n)]


def test_batch_dialog_builds_the_pdf(qtbot):
    from ui.printing.batch_print import BatchPrintDialog

    dialog = BatchPrintDialog(_notices(7), chunk=3, open_preview=False)
    qtbot.addWidget(dialog)
    steps = []
    dialog.runner.progressed.connect(lambda done, total: steps.append((done, total)))
    with qtbot.waitSignal(dialog.pdf_ready, timeout=20_000) as blocker:
        dialog.start()
    assert steps == [(3, 7), (6, 7), (7, 7)]
    assert blocker.args[0].startswith(b"%PDF")
    assert dialog.value() == 7
    assert not dialog.isVisible()


def test_batch_dialog_opens_the_preview(qtbot):
    from ui.printing.batch_print import BatchPrintDialog

    dialog = BatchPrintDialog(_notices(2), chunk=5)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.pdf_ready, timeout=20_000):
        dialog.start()
    assert dialog.preview is not None and dialog.preview.page_count == 2
    qtbot.addWidget(dialog.preview)
    dialog.preview.reject()


def test_batch_dialog_cancel(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from ui.printing.batch_print import BatchPrintDialog

    dialog = BatchPrintDialog(_notices(30), chunk=2, open_preview=False)
    qtbot.addWidget(dialog)
    ready = []
    dialog.pdf_ready.connect(ready.append)

    def cancel_after_first(done, total):
        if done >= 2:
            qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)

    dialog.runner.progressed.connect(cancel_after_first)
    with qtbot.waitSignal(dialog.cancelled_by_clerk, timeout=20_000) as blocker:
        dialog.start()
    done, total = blocker.args
    assert total == 30 and done < 30
    assert ready == []
    assert not dialog.runner.running


def test_batch_runner_reports_empty_batch(qtbot):
    from ui.printing.batch_print import BatchNoticeRunner

    runner = BatchNoticeRunner([])
    with qtbot.waitSignal(runner.failed) as blocker:
        runner.start()
    assert "没有" in blocker.args[0]


def test_batch_dialog_cancel_without_the_button(qtbot):
    from ui.printing.batch_print import BatchPrintDialog

    dialog = BatchPrintDialog(_notices(30), chunk=2, open_preview=False)
    qtbot.addWidget(dialog)
    dialog.runner.progressed.connect(lambda done, total: dialog.cancel())
    with qtbot.waitSignal(dialog.cancelled_by_clerk, timeout=20_000):
        dialog.start()
