"""Start the program on an X display and time its first window.

    xvfb-run -a python3 packaging/first_window.py /usr/bin/yibao-counter [--runs 5]

Each run starts the program with an empty temporary database and home folder
(so it opens the first-run window, 首次使用), polls the X server with
``xwininfo`` until that window is mapped, and lets the program quit by itself
(``YIBAO_SMOKE_QUIT_MS``, see ui/app.py). It prints the time from start to the
window and the CPU time the program used, and fails when no window appears
within 60 s, the program exits with an error, or anything prints a traceback.
Needs ``DISPLAY`` (Xvfb) and ``xwininfo`` (package x11-utils).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_RUN_TITLE = "首次使用"
TIMEOUT_S = 60.0
QUIT_AFTER_MS = 3000  # after the event loop starts: long enough to see the window


def window_mapped(title: str) -> bool:
    """Whether a window of the program with ``title`` in its name is on screen."""
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=False
    ).stdout
    for line in tree.splitlines():
        if title in line and "城乡居民医保柜台" in line:
            window_id = line.split()[0]
            state = subprocess.run(
                ["xwininfo", "-id", window_id], capture_output=True, text=True, check=False
            ).stdout
            return "IsViewable" in state
    return False


def one_run(command: list[str]) -> tuple[float, float]:
    """(seconds to the first window, CPU seconds of the whole run)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTHON", "VIRTUAL_ENV", "YIBAO_", "QT_"))
        }
        env.update(
            HOME=tmp,
            XDG_DATA_HOME=f"{tmp}/data",
            XDG_CACHE_HOME=f"{tmp}/cache",
            YIBAO_DB_URL=f"sqlite:///{tmp}/first-window.sqlite3",
            YIBAO_SMOKE_QUIT_MS=str(QUIT_AFTER_MS),
            QT_QPA_PLATFORM="xcb",
        )
        # An empty database made on purpose first: a missing file would make the
        # window ask 新建/退出 (a mistyped path never becomes a new office).
        subprocess.run([*command, "init-db"], env=env, capture_output=True, text=True, check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        shown: float | None = None
        while time.perf_counter() - start < TIMEOUT_S:
            if window_mapped(FIRST_RUN_TITLE):
                shown = time.perf_counter() - start
                break
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise SystemExit(f"the program did not quit by itself\n{out}{err}") from None
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if "Traceback" in out + err:
            raise SystemExit(f"traceback:\n{out}{err}")
        if proc.returncode != 0:
            raise SystemExit(f"exit code {proc.returncode}\n{out}{err}")
        if shown is None:
            raise SystemExit(f"no first-run window appeared\n{out}{err}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return shown, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="+", help="the program, e.g. /usr/bin/yibao-counter")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("no DISPLAY: run under xvfb-run -a")
    if not Path(args.command[0]).exists():
        raise SystemExit(f"{args.command[0]} not found")
    shown, cpu = [], []
    for n in range(args.runs):
        seconds, cpu_seconds = one_run(args.command)
        shown.append(seconds)
        cpu.append(cpu_seconds)
        print(f"run {n + 1}: first window after {seconds:.2f} s (CPU {cpu_seconds:.2f} s)")
    load = os.getloadavg()[0]
    print(
        f"first window: median {statistics.median(shown):.2f} s, "
        f"min {min(shown):.2f} s over {args.runs} run(s); load average {load:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
