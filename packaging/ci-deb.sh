#!/usr/bin/env bash
# CI, after the test suite (as root, on a Debian machine set up by scripts/setup.sh test):
#
#   1. build the package (packaging/build-deb.sh; gzip here, for speed);
#   2. install an older package (the same build re-labelled <version>~old) with
#      apt-get, and give a temporary user the database the 0.1.0 release made
#      (packaging/fixtures/counter-0.1.0.sqlite3) in the default data folder;
#   3. install the new package over it (an upgrade): the program then migrates
#      that database, copying it aside first, and keeps every row;
#   4. run the installed program: --help, quote, verify-ledger, day-status, the
#      window offscreen (packaging/smoke_test.py), then a real window under Xvfb
#      with a temporary database: the first-run window must appear, and the
#      program quits by itself (packaging/first_window.py);
#   5. check that the Windows installer script compiles (Debian's makensis, with
#      a stand-in program folder: only the script is checked, not the installer);
#   6. remove the package: the program is gone, the user's data is kept and the
#      removal says where it is; then purge.
#
# Any failing step, or a traceback anywhere, fails the run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py=.venv/bin/python
name=yibao-counter
[ "$(id -u)" = 0 ] || { echo "ci-deb: run as root (apt-get install)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -q -o DPkg::Lock::Timeout=600 "$@"; }

tmp="$(mktemp -d)"
home="$tmp/home"   # a user with the previous release's data
data="$home/.local/share/$name"
mkdir -p "$data"
cleanup() {
  if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "ok installed"; then
    apt_get purge "$name" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

SECONDS=0
stage() { echo "== ci-deb [${SECONDS}s]: $*"; }
no_traceback() {  # no_traceback FILE: fail if FILE shows a Python traceback
  if grep -q "Traceback" "$1"; then
    echo "ci-deb: traceback in $1:" >&2
    cat "$1" >&2
    exit 1
  fi
}
as_user() {  # run the installed program as the temporary user, output to $tmp/out
  env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@" \
    >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
  no_traceback "$tmp/out"
}

stage "build"
version="$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
deb="packaging/dist/${name}_${version}_$(dpkg --print-architecture).deb"
rm -f "$deb"
DEB_COMPRESSION=gzip bash packaging/build-deb.sh
[ -f "$deb" ]
if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "ok installed"; then
  apt_get purge "$name" >/dev/null
fi

stage "install an older package and give a user the 0.1.0 release's database"
dpkg-deb -R "$deb" "$tmp/old"
sed -i "s/^Version: .*/Version: ${version}~old/" "$tmp/old/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$tmp/old" "$tmp/${name}_old.deb" >/dev/null
rm -rf "$tmp/old"
apt_get install "$tmp/${name}_old.deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; exit 1; }
fixture=packaging/fixtures/counter-0.1.0.sqlite3
cp "$fixture" "$data/counter.sqlite3"
chmod -R u+w "$data"

stage "upgrade to $deb"
apt_get install "./$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; exit 1; }
grep -q "已从 ${version}~old 升级" "$tmp/apt.log" || { cat "$tmp/apt.log"; exit 1; }
[ "$(dpkg-query -W -f='${Version}' "$name")" = "$version" ]
as_user /usr/bin/$name verify-ledger
grep -q "台账校验通过" "$tmp/out" || { cat "$tmp/out"; exit 1; }
head="$("$py" -c 'from db.migrate import head_revision; print(head_revision())')"
"$py" packaging/check_upgrade.py "$fixture" "$data" "$head"
as_user /usr/bin/$name day-status --json
"$py" -c 'import json, sys; s = json.load(open(sys.argv[1])); assert s["office"]["code"], s' "$tmp/out"

stage "run the installed commands and the window offscreen"
env -i PATH=/usr/bin:/bin HOME="$tmp" LANG=C.UTF-8 python3 packaging/smoke_test.py "/usr/bin/$name"

stage "a real window under Xvfb"
xvfb-run -a -s "-screen 0 1280x800x24" python3 packaging/first_window.py "/usr/bin/$name"

stage "the Windows installer script compiles (makensis; a stand-in program folder)"
mkdir -p "$tmp/win/$name"
echo "stand-in" >"$tmp/win/$name/$name.exe"
makensis -V2 -DVERSION="$version" -DDIST="$tmp/win/$name" -DOUTDIR="$tmp/win" \
  packaging/windows/yibao-counter.nsi
[ -s "$tmp/win/$name-setup-$version.exe" ]

stage "remove"
apt_get remove "$name" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; exit 1; }
grep -q "各用户的数据未删除" "$tmp/apt.log" || { cat "$tmp/apt.log"; exit 1; }
[ ! -e "/opt/$name" ] && [ ! -e "/usr/bin/$name" ] && [ ! -e "/usr/share/applications/$name.desktop" ]
[ -f "$data/counter.sqlite3" ]
apt_get purge "$name" >/dev/null
[ -f "$data/counter.sqlite3" ]
stage "passed: built $(du -h "$deb" | cut -f1) package, installed, upgraded with data kept, ran, removed"
