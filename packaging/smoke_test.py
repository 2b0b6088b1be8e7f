"""Smoke-test a built program (after qutebrowser's packaging check).

Runs the frozen executable with a temporary database and checks that it
starts, migrates, answers a quote, verifies an empty ledger, and that the
window opens and closes by itself offscreen — with no traceback anywhere.

    .venv/bin/python packaging/smoke_test.py packaging/dist/yibao-counter
    python3 packaging/smoke_test.py /usr/bin/yibao-counter   # the installed package
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def run(exe: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)
    if "Traceback" in result.stderr:
        raise SystemExit(f"{' '.join(args)}: traceback\n{result.stderr}")
    return result


def main() -> int:
    given = Path(sys.argv[1] if len(sys.argv) > 1 else "packaging/dist/yibao-counter")
    exe = given / ("yibao-counter.exe" if os.name == "nt" else "yibao-counter")
    if given.is_file():  # the program itself rather than its folder
        exe = given
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "YIBAO_DB_URL": f"sqlite:///{tmp}/smoke.sqlite3",
            "QT_QPA_PLATFORM": "offscreen",
            "YIBAO_DATA_DIR": f"{tmp}/data",
        }
        assert run(exe, "--help", env=env).returncode == 0
        quote = run(
            exe,
            "quote",
            "--policy",
            "tianjin-2024",
            "--category",
            "adult",
            "--tier",
            "high",
            "--paid-on",
            "2023-11-06",
            "--json",
            env=env,
        )
        assert quote.returncode == 0, quote.stdout + quote.stderr
        assert json.loads(quote.stdout)["personal_due"] == "1010.00"
        missing = run(exe, "verify-ledger", env=env)  # never creates a database by itself
        assert missing.returncode == 2 and "数据库文件不存在" in missing.stderr
        created = run(exe, "init-db", env=env)
        assert created.returncode == 0, created.stdout + created.stderr
        verify = run(exe, "verify-ledger", env=env)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        status = run(exe, "day-status", "--json", env=env)
        assert status.returncode == 2 and "error" in json.loads(status.stdout)  # no office yet
        window = run(exe, "gui", env={**env, "YIBAO_SMOKE_QUIT_MS": "1500"})
        assert window.returncode == 0, window.stdout + window.stderr
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
