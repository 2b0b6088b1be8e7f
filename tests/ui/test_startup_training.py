"""Fast start (login before the database layer) and training mode (issue 14)."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from counter_fixtures import CLERK, PASSWORD
from pypdf import PdfReader

from common.errors import InputError
from printing.receipt import render_receipt
from tools.samples import sample_receipt
from ui.app import AppController, open_context
from ui.login_dialog import OPENING_TEXT, LoginDialog
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.printing_bridge import RecordingOutput
from ui.training import (
    TrainingBand,
    TrainingOutput,
    is_training_url,
    training_database_url,
)

ROOT = Path(__file__).resolve().parents[2]


def test_login_window_is_shown_before_the_database_layer_is_imported(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import main
        from ui import login_dialog

        shown = login_dialog.LoginDialog.open

        def spy(self):
            print("db-layer-at-login", "sqlalchemy" in sys.modules, "db.models" in sys.modules)
            shown(self)

        login_dialog.LoginDialog.open = spy
        code = main.main(["--db", sys.argv[1]])
        print("db-layer-at-exit", "sqlalchemy" in sys.modules)
        print("exit", code)
        """
    )
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    # an empty database made on purpose (a missing file would ask 新建/退出 first)
    subprocess.run(
        [sys.executable, "main.py", "init-db", "--db", url],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
        timeout=120,
    )
    done = subprocess.run(
        [sys.executable, "-c", script, url],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "QT_QPA_PLATFORM": "offscreen",
            "YIBAO_SMOKE_QUIT_MS": "1500",
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "db-layer-at-login False False" in done.stdout, done.stdout + done.stderr
    assert "db-layer-at-exit True" in done.stdout  # opened behind the login
    assert "exit 0" in done.stdout


def test_enter_before_the_database_is_open_logs_in_when_it_is(
    qtbot, ctx, office, documents
) -> None:
    login = LoginDialog(None, None)
    qtbot.addWidget(login)
    assert login.subtitle.text() == OPENING_TEXT
    login.username.setText(CLERK)
    login.password.setText(PASSWORD)
    login.try_login()  # the clerk pressed Enter early: nothing happens yet
    assert login.session is None
    ops = Operations(ctx)
    ops.show_dialogs = False
    controller = AppController(ctx, ops, documents=documents)
    shown: list[MainWindow] = []
    controller.windowShown.connect(shown.append)
    controller.start(login=login)
    assert "营业日期" in login.subtitle.text()
    assert login.session is not None and shown
    qtbot.addWidget(shown[0])


def test_training_database_is_a_separate_marked_file(tmp_path: Path) -> None:
    real = f"sqlite:///{tmp_path / 'yibao.sqlite3'}"
    twin = training_database_url(real)
    assert twin == f"sqlite:///{tmp_path / 'yibao-training.sqlite3'}"
    assert is_training_url(twin) and not is_training_url(real)
    assert training_database_url(twin) == twin
    with pytest.raises(InputError, match="培训模式只能使用本机的数据库文件"):
        training_database_url("postgresql://counter@db.example/yibao")


def test_training_mode_opens_the_twin_and_marks_window_and_documents(
    qtbot, tmp_path: Path, clock, office, ctx
) -> None:
    real = tmp_path / "office.sqlite3"
    training_ctx = open_context(f"sqlite:///{real}", [], clock, training=True)
    try:
        assert training_ctx.training
        assert (tmp_path / "office-training.sqlite3").exists()
        assert not real.exists()  # the real database is not touched
    finally:
        training_ctx.db.dispose()

    ctx.training = True  # the test office, shown as a training one
    ops = Operations(ctx)
    ops.show_dialogs = False
    kept = RecordingOutput()
    window = MainWindow(ctx, ops, documents=kept)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle().startswith("【培训模式】")
    assert isinstance(window.training_band, TrainingBand)
    assert "培训模式" in window.training_band.text()
    for key in ("register", "collect", "ledger", "deposit", "day_close", "settings"):
        window.show_page(key)
        assert window.training_band.isVisible(), key
    assert isinstance(window.documents, TrainingOutput)
    window.documents.present("receipt", "收据", render_receipt(sample_receipt()), window)
    (document,) = kept.documents
    assert document.title == "【培训】收据"
    pages = PdfReader(io.BytesIO(document.pdf)).pages
    assert len(pages) == 1 and "培训" in pages[0].extract_text()
    window.close()
