"""Debian packages that the shared libraries of a built program load from the system.

    python3 packaging/system_packages.py packaging/build/deb/root/opt/yibao-counter

PyInstaller bundles most libraries but leaves the system's own (C library, GL,
X11/xcb, fontconfig...) to the machine. For every ELF file in the folder this
asks ``ldd`` which libraries come from outside it, and ``dpkg -S`` which
installed package owns each; it prints the package names, one a line, for the
Depends line of the .deb. A file with a library missing on this machine (Qt's
GTK theme and Wayland plugins) is an optional plugin Qt skips: left out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def system_libraries(folder: Path) -> set[str]:
    bundled = {p.name for p in folder.rglob("*.so*")}
    libraries: set[str] = set()
    for path in elf_files(folder):
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        lines = [line.strip() for line in result.stdout.splitlines()]
        if any("not found" in line for line in lines):
            continue  # an optional plugin whose libraries this machine lacks
        for line in lines:
            soname, _, rest = line.partition(" => ")
            target = rest.split(" (")[0].strip()
            if not target.startswith("/") or soname in bundled:
                continue
            if str(folder) in target:
                continue
            libraries.add(os.path.realpath(target))
    return libraries


def owning_packages(libraries: set[str]) -> set[str]:
    packages: set[str] = set()
    for library in sorted(libraries):
        # The file may be known to dpkg under /usr/lib or /lib (merged /usr).
        for candidate in (library, library.replace("/usr/lib/", "/lib/", 1)):
            result = subprocess.run(
                ["dpkg", "-S", candidate], capture_output=True, text=True, check=False
            )
            if result.returncode == 0:
                packages.update(
                    line.split(":")[0] for line in result.stdout.splitlines() if ":" in line
                )
                break
        else:
            raise SystemExit(f"no installed package owns {library}")
    return packages


def main() -> int:
    folder = Path(sys.argv[1]).resolve()
    for package in sorted(owning_packages(system_libraries(folder))):
        print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
