#!/usr/bin/env bash
# Sets up everything this program needs on a Debian machine, then runs it.
#
#   bash scripts/setup.sh run [ARGS...]   # set up, then open the window (python main.py ARGS)
#   bash scripts/setup.sh test [PYTEST ARGS...]  # set up, then run the whole test suite
#   bash scripts/setup.sh                 # set up only
#
# As root it installs the Debian packages itself; otherwise it prints the exact
# apt-get line to run and stops if anything is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-setup}"
[ $# -gt 0 ] && shift

# Runtime: Python venv, a font with Chinese glyphs, Qt's xcb libraries.
runtime_pkgs=(python3 python3-venv python3-pip fonts-wqy-microhei fontconfig
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libxcb-xkb1
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libcups2 libnss3 libxkbfile1)
# Tests: a virtual screen (xvfb-run needs xauth; xwininfo is in x11-utils), a PDF
# renderer, a real CUPS queue with a PDF printer, makensis for the Windows
# installer script, zbarimg to read the printed QR codes back.
test_pkgs=(xvfb xauth x11-utils nsis poppler-utils cups cups-client cups-bsd printer-driver-cups-pdf postgresql zbar-tools)

pkgs=("${runtime_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: these Debian packages are missing. Run, as root:"
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

# Python packages, into .venv at the repository root, at the exact versions of
# requirements.lock (written by scripts/lock.py from pyproject.toml). Reinstalled
# only when pyproject.toml or the lock changed since the last successful install.
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)-$mode
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ "$mode" = test ]; then
    .venv/bin/python -m pip install -q -c requirements.lock -e ".[test]"
  else
    .venv/bin/python -m pip install -q -c requirements.lock -e .
  fi
  rm -f .venv/.installed-*-"$mode"
  touch "$stamp"
fi

case "$mode" in
  run)
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@"
    ;;
  setup)
    echo "setup: done. Start the program with: .venv/bin/python main.py"
    ;;
  *)
    echo "usage: bash scripts/setup.sh [run|test|setup] [ARGS...]" >&2
    exit 2
    ;;
esac
