#!/usr/bin/env bash
# Builds the Debian package of the program: packaging/dist/yibao-counter_<version>_<arch>.deb
#
#   bash packaging/build-deb.sh                 # the PyInstaller one-folder build (the default)
#   bash packaging/build-deb.sh --kind venv     # a bundled virtual environment instead
#   DEB_VERSION=0.1.0-2 bash packaging/build-deb.sh   # a package version other than pyproject's
#
# Run after `bash scripts/setup.sh` (it uses .venv; PYTHON=... names another
# interpreter). The package installs
#   /opt/yibao-counter/                 the program (yibao-counter and its files)
#   /usr/bin/yibao-counter              the command (window, or quote / verify-ledger / ...)
#   /usr/share/applications/yibao-counter.desktop   menu entry 城乡居民医保柜台, with its icon
# and depends on the Chinese font and Qt's xcb libraries (the runtime list in
# scripts/setup.sh), so `apt-get install ./yibao-counter_*.deb` pulls them in.
# Each user's data stays in ~/.local/share/yibao-counter/; removing the package
# leaves it there and says so.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
kind=pyinstaller
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind="$2"; shift 2 ;;
    *) echo "usage: bash packaging/build-deb.sh [--kind pyinstaller|venv]" >&2; exit 2 ;;
  esac
done
py="${PYTHON:-.venv/bin/python}"
[ -x "$py" ] || { echo "build-deb: $py not found; run bash scripts/setup.sh first" >&2; exit 1; }

name=yibao-counter
version="$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
arch="$(dpkg --print-architecture)"
work=packaging/build/deb
stage="$work/root"
app="$stage/opt/$name"
out=packaging/dist
rm -rf "$work"
mkdir -p "$work" "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/applications" "$out"

# Debian packages the program needs at run time: the runtime list of
# scripts/setup.sh (one list for both), less Python itself for a frozen build.
runtime_pkgs=()
eval "$(sed -n '/^runtime_pkgs=(/,/)/p' scripts/setup.sh)"
depends=()
for p in "${runtime_pkgs[@]}"; do
  case "$p" in python3*) ;; *) depends+=("$p") ;; esac
done

case "$kind" in
  pyinstaller)
    # The packaging and PostgreSQL extras of pyproject.toml (PyInstaller; psycopg,
    # so that an office can point the packaged program at its server), without
    # reinstalling the project.
    "$py" -c 'import tomllib; o = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]; print("\n".join(o["package"] + o["postgres"]))' >"$work/extras"
    mapfile -t extra <"$work/extras"
    "$py" -c 'import PyInstaller, psycopg' 2>/dev/null || "$py" -m pip install -q -c requirements.lock "${extra[@]}"
    "$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$work/pyinstaller-dist" \
      --workpath "$work/pyinstaller-build" packaging/yibao-counter.spec
    mkdir -p "$stage/opt"
    cp -a "$work/pyinstaller-dist/$name" "$app"
    # ...and the system libraries the bundle still loads (C library, GL, xcb).
    "$py" packaging/system_packages.py "$app" >"$work/system-packages"
    mapfile -t found <"$work/system-packages"
    depends+=("${found[@]}")
    ;;
  venv)
    # Debian's own Python 3.11 (the venv's lib/python3.11 works with no other).
    mkdir -p "$app/app"
    /usr/bin/python3.11 -m venv "$app/venv"
    "$app/venv/bin/python" -m pip install -q --no-compile --no-cache-dir -c requirements.lock ".[postgres]"
    rm -rf "$app"/venv/lib/python3.11/site-packages/pip* "$app/venv/bin/pip"*
    cp main.py "$app/app/main.py"
    # Compiled once here: the program's folder is not writable by the clerk.
    # (Templates shipped as .py by PySide6's deploy tools do not compile: ignored.)
    "$app/venv/bin/python" -m compileall -q -j0 -s "$stage" -p / "$app" >/dev/null || true
    cat >"$app/$name" <<EOF
#!/bin/sh
exec /opt/$name/venv/bin/python /opt/$name/app/main.py "\$@"
EOF
    chmod 755 "$app/$name"
    depends=(python3.11 "${depends[@]}")
    ;;
  *)
    echo "build-deb: unknown kind $kind (pyinstaller or venv)" >&2
    exit 2
    ;;
esac

cat >"$stage/usr/bin/$name" <<EOF
#!/bin/sh
exec /opt/$name/$name "\$@"
EOF
chmod 755 "$stage/usr/bin/$name"

install -D -m 644 packaging/icons/$name.svg "$stage/usr/share/icons/hicolor/scalable/apps/$name.svg"
for size in 48 128 256; do
  install -D -m 644 "packaging/icons/$name-$size.png" \
    "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$name.png"
done
install -m 644 packaging/debian/$name.desktop "$stage/usr/share/applications/$name.desktop"
install -m 755 packaging/debian/postinst packaging/debian/postrm "$stage/DEBIAN/"

installed_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
dep_line="$(printf '%s\n' "${depends[@]}" | awk 'NF && !seen[$0]++' | paste -sd, | sed 's/,/, /g')"
cat >"$stage/DEBIAN/control" <<EOF
Package: $name
Version: ${DEB_VERSION:-$version}
Architecture: $arch
Maintainer: yibao-counter maintainers <yibao-counter@localhost>
Installed-Size: $installed_kb
Depends: $dep_line
Section: misc
Priority: optional
Homepage: https://localhost/yibao-counter
Description: 城乡居民医保柜台 — resident medical-insurance counter
 A desktop program for the service windows where residents enrol in the
 urban-rural resident medical insurance: registration, payment notices, cash
 receipts, the cash ledger with its deposit rule, and the day close.
 .
 Each user's database is ~/.local/share/yibao-counter/counter.sqlite3;
 removing the package leaves it in place.
EOF

deb="$out/${name}_${DEB_VERSION:-$version}_${arch}.deb"
# xz for the release (smallest); DEB_COMPRESSION=gzip builds about 3 times faster
# and 25 % larger (CI uses it: the contents are the same).
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), installed $((installed_kb / 1024)) MB, $kind)"
