"""Qt's own dialogs speak Chinese (issue 14, item 1)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QToolButton

from ui.translations import install_qt_translations

pytestmark = pytest.mark.gui


def test_translations_load_once(qapp) -> None:
    assert install_qt_translations(qapp) == ["qtbase"]
    assert install_qt_translations(qapp) == ["qtbase"]


def test_message_box_buttons_are_chinese(qtbot) -> None:
    buttons = QMessageBox.StandardButton
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "确认",
        "是否继续？",
        buttons.Ok | buttons.Cancel | buttons.Yes | buttons.No | buttons.Close,
    )
    qtbot.addWidget(box)
    texts = {box.button(b).text() for b in (buttons.Ok, buttons.Cancel, buttons.Close)}
    assert texts == {"确定", "取消", "关闭"}
    assert box.button(buttons.Yes).text().startswith("是")
    assert box.button(buttons.No).text().startswith("否")


def test_save_dialog_is_chinese(qtbot, tmp_path) -> None:
    dialog = QFileDialog(None, "保存收据", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter("PDF 文件 (*.pdf)")
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.text()]
    texts += [w.text() for w in dialog.findChildren(QPushButton) if w.text()]
    texts += [w.toolTip() for w in dialog.findChildren(QToolButton) if w.toolTip()]
    assert "保存(&S)" in texts and "取消" in texts
    assert "查找范围(&L)：" in texts and "文件类型(&T)：" in texts
    # no Latin letters left in any label, button or tool tip
    # (the mnemonic "(&S)" aside)
    english = [t for t in texts if re.search("[A-Za-z]", re.sub(r"\(&[A-Z]\)", "", t))]
    assert english == []
    dialog.close()
