"""导入名单 — the roster import dialog: choose the list and the file, check
which column is which (the mapping step), import with progress and cancel,
then see every rejected row with its reason.

The file is read and imported off the window's thread (``BackgroundJob``);
cancelling rolls the whole import back. Headers the program knows are mapped
already; a header it does not know is pointed out, and the clerk picks the
field it holds (or leaves it out).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from services.roster_file import (
    FIELD_LABELS,
    REQUIRED_FIELDS,
    RosterTable,
    guess_mapping,
    missing_fields,
    read_roster,
    unknown_headers,
)
from services.roster_import import KIND_LABELS, ImportResult, import_roster
from ui.context import AppContext
from ui.data_exchange.background import BackgroundJob
from ui.data_exchange.file_chooser import FileChooser
from ui.operations import ENROLLMENTS, Operations

NOT_USED = "（不导入）"
PREVIEW_ROWS = 3


class RosterImportDialog(QDialog):
    imported = Signal(object)  # ImportResult

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        chooser: FileChooser,
        policy_year: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.chooser = chooser
        self.policy_year = policy_year
        self.table: RosterTable | None = None
        self.job: BackgroundJob | None = None
        self.import_result: ImportResult | None = None
        self.setWindowTitle("导入名单")
        self.resize(760, 620)

        self.kind = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("名单类型")
        self.file_label = QLabel("尚未选择文件")
        self.file_button = QPushButton("选择文件(&F)…")
        self.file_button.clicked.connect(self.choose_file)
        top = QGridLayout()
        top.addWidget(QLabel("名单类型"), 0, 0)
        top.addWidget(self.kind, 0, 1)
        top.addWidget(QLabel(f"参保年度 {policy_year}（上年名单记入 {policy_year - 1} 年）"), 0, 2)
        top.addWidget(QLabel("文件"), 1, 0)
        top.addWidget(self.file_label, 1, 1, 1, 2)
        top.addWidget(self.file_button, 1, 3)

        self._build_mapping()
        buttons = self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.mapping_note)
        layout.addWidget(self.mapping, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.report, 1)
        self._set_running(False)

    # --- steps ----------------------------------------------------------------------

    def _build_buttons(self) -> QHBoxLayout:
        """Progress, check only, import, cancel and close."""
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setPlaceholderText("导入结果与有误的行显示在这里")

        self.dry_run_button = QPushButton("只校验(&D)")
        self.dry_run_button.setToolTip("逐行校验并报告结果，不写入数据库")
        self.dry_run_button.clicked.connect(lambda: self.start(dry_run=True))
        self.import_button = QPushButton("开始导入(&I)")
        self.import_button.clicked.connect(lambda: self.start(dry_run=False))
        self.cancel_button = QPushButton("取消导入")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("关闭")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.dry_run_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _build_mapping(self) -> None:
        """Which column of the file holds which field (required ones starred), with samples."""
        self.mapping_note = QLabel()
        self.mapping_note.setWordWrap(True)
        self.mapping = QTableWidget(len(FIELD_LABELS), 3)
        self.mapping.setHorizontalHeaderLabels(["内容", "文件中的列", "前几行示例"])
        self.mapping.verticalHeader().setVisible(False)
        self.mapping.horizontalHeader().setStretchLastSection(True)
        self.combos: dict[str, QComboBox] = {}
        for row, (field, label) in enumerate(FIELD_LABELS.items()):
            star = "＊" if field in REQUIRED_FIELDS else ""
            item = QTableWidgetItem(f"{label}{star}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.mapping.setItem(row, 0, item)
            combo = QComboBox()
            combo.setAccessibleName(f"{label}对应的列")
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.combos[field] = combo
            self.mapping.setCellWidget(row, 1, combo)
            self.mapping.setItem(row, 2, QTableWidgetItem(""))
        self.mapping.setColumnWidth(0, 130)
        self.mapping.setColumnWidth(1, 170)

    def choose_file(self) -> None:
        self.chooser.open(self, "选择名单文件", self.load_file)

    def load_file(self, path: Path) -> None:
        """Read ``path`` off the window's thread, then show the mapping step."""
        self.file_label.setText(f"正在读取 {path.name}…")
        self.report.clear()
        self._run(lambda _s, _p: read_roster(path), write=False, done=self._file_read)

    def _file_read(self, table: RosterTable) -> None:
        self.table = table
        self.file_label.setText(
            f"{table.file_name}：表头在第 {table.header_row} 行，数据 {len(table.rows)} 行"
        )
        guessed = guess_mapping(table.headers)
        for row, field in enumerate(FIELD_LABELS):
            combo = self.combos[field]
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_USED, -1)
            for index, header in enumerate(table.headers):
                if header:
                    combo.addItem(f"{header}（第 {index + 1} 列）", index)
            combo.setCurrentIndex(max(combo.findData(guessed.get(field, -1)), 0))
            combo.blockSignals(False)
            self._show_sample(row, field)
        self._mapping_changed()

    def current_mapping(self) -> dict[str, int]:
        mapping = {}
        for field, combo in self.combos.items():
            index = combo.currentData()
            if index is not None and index >= 0:
                mapping[field] = int(index)
        return mapping

    def set_column(self, field: str, header_index: int) -> None:
        """Point ``field`` at column ``header_index`` (what the clerk does by hand)."""
        combo = self.combos[field]
        combo.setCurrentIndex(max(combo.findData(header_index), 0))

    def _show_sample(self, row: int, field: str) -> None:
        text = ""
        index = self.combos[field].currentData()
        if self.table is not None and index is not None and index >= 0:
            samples = [cells[index] for _n, cells in self.table.rows[:PREVIEW_ROWS]]
            text = "；".join(s for s in samples if s)
        item = self.mapping.item(row, 2)
        if item is not None:
            item.setText(text)

    def _mapping_changed(self) -> None:
        for row, field in enumerate(FIELD_LABELS):
            self._show_sample(row, field)
        if self.table is None:
            self.mapping_note.setText(
                "选择文件后，程序按表头识别各列；识别不了的表头请在下面指定。"
            )
            self._set_running(False)
            return
        mapping = self.current_mapping()
        unknown = unknown_headers(self.table.headers, mapping)
        missing = missing_fields(mapping)
        parts = []
        if missing:
            parts.append("还须指定：" + "、".join(FIELD_LABELS[f] for f in missing))
        if unknown:
            parts.append("以下表头未识别，将不导入（如有用请在下面指定）：" + "、".join(unknown))
        self.mapping_note.setText("；".join(parts) or "各列已识别，可以导入。")
        self.mapping_note.setStyleSheet("color: #b00000;" if missing else "")
        for row, field in enumerate(FIELD_LABELS):
            item = self.mapping.item(row, 0)
            if item is not None:
                red = field in missing
                item.setForeground(QColor("#b00000") if red else QColor("#000000"))
        self._set_running(False)

    def start(self, *, dry_run: bool) -> None:
        table = self.table
        if table is None or self.job is not None or missing_fields(self.current_mapping()):
            return
        mapping = self.current_mapping()
        kind = str(self.kind.currentData())
        office_id, operator_id = self.ctx.office_id, self.ctx.operator_id

        def work(session: Session, progress: Callable[[int, int], bool]) -> ImportResult:
            result = import_roster(
                session,
                self.ctx.clock,
                office_id=office_id,
                table=table,
                mapping=mapping,
                kind=kind,
                policy_year=self.policy_year,
                operator_id=operator_id,
                dry_run=dry_run,
                progress=progress,
            )
            if dry_run:
                session.rollback()
            return result

        self.progress.setValue(0)
        self.report.setPlainText("试运行（只校验）…" if dry_run else "正在导入…")
        self._run(work, write=not dry_run, done=self._imported)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.report.setPlainText("正在取消…")

    def _imported(self, result: ImportResult) -> None:
        self.import_result = result
        head = "只校验，未写入：" if result.dry_run else "导入完成："
        lines = [
            f"{head}新建 {result.created} 人，更新 {result.updated} 人，"
            f"未变 {result.unchanged} 人，有误 {len(result.rejected)} 行。"
        ]
        lines += [f"第 {r.row} 行：{r.reason}" for r in result.rejected]
        self.report.setPlainText("\n".join(lines))
        self.progress.setValue(100)
        if not result.dry_run:
            self.ops.changed.emit(ENROLLMENTS)
            self.imported.emit(result)

    # --- running off the window's thread --------------------------------------------------

    def _run(self, work, *, write: bool, done) -> None:  # type: ignore[no-untyped-def]
        job = BackgroundJob(self.ctx.db, work, write=write, parent=self)
        self.job = job
        job.progressed.connect(self._on_progress)
        job.succeeded.connect(lambda value: self._finish(lambda: done(value)))
        job.failed.connect(lambda _code, message: self._finish(lambda: self._failed(message)))
        self._set_running(True)
        job.start()

    def _on_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setValue(min(100, done * 100 // total))

    def _finish(self, then) -> None:  # type: ignore[no-untyped-def]
        if self.job is not None:
            self.job.wait()
            self.job.deleteLater()
            self.job = None
        self._set_running(False)
        then()

    def _failed(self, message: str) -> None:
        self.progress.setValue(0)
        if self.table is None:
            self.file_label.setText("尚未选择文件")
        self.report.setPlainText(message)

    def _set_running(self, running: bool) -> None:
        ready = (
            not running and self.table is not None and not missing_fields(self.current_mapping())
        )
        self.import_button.setEnabled(ready)
        self.dry_run_button.setEnabled(ready)
        self.cancel_button.setEnabled(running)
        self.file_button.setEnabled(not running)
        self.kind.setEnabled(not running)
        self.mapping.setEnabled(not running)
        self.close_button.setEnabled(not running)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if self.job is not None:  # never leave a running import behind
            event.ignore()
            return
        super().closeEvent(event)
