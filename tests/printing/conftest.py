"""Helpers for the document tests: poppler's pdftotext / pdftoppm / pdffonts.

Poppler is part of the test setup (scripts/setup.sh test). When it is missing
the tests fail on CI (CI=true) and are skipped on a developer machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not found: apt-get install poppler-utils"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass(frozen=True)
class Raster:
    """One rendered page: ``channels`` bytes per pixel (1 grey, 3 RGB)."""

    width: int
    height: int
    channels: int
    pixels: bytes

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        i = (y * self.width + x) * self.channels
        return tuple(self.pixels[i : i + self.channels])

    def grey(self, x: int, y: int) -> int:
        return min(self.pixel(x, y))

    def dark_fraction(self, threshold: int = 128) -> float:
        step = self.channels
        values = (
            self.pixels[::step]
            if step == 1
            else bytes(min(self.pixels[i : i + 3]) for i in range(0, len(self.pixels), 3))
        )
        return sum(1 for v in values if v < threshold) / len(values)

    def darkest_in_border(self, band: int) -> int:
        """Darkest grey value within ``band`` pixels of any edge."""
        darkest = 255
        for y in range(self.height):
            if band <= y < self.height - band:
                xs = list(range(band)) + list(range(self.width - band, self.width))
            else:
                xs = range(self.width)
            for x in xs:
                darkest = min(darkest, self.grey(x, y))
        return darkest

    def count(self, predicate) -> int:
        n = 0
        for i in range(0, len(self.pixels), self.channels):
            if predicate(tuple(self.pixels[i : i + self.channels])):
                n += 1
        return n


def _read_pnm(path: Path) -> Raster:
    data = path.read_bytes()
    # header: magic, width, height, maxval, each separated by whitespace
    match = re.match(rb"(P[56])\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match, f"not a binary PGM/PPM: {path}"
    magic, width, height, maxval = match.groups()
    assert int(maxval) == 255
    channels = 1 if magic == b"P5" else 3
    pixels = data[match.end() :]
    assert len(pixels) == int(width) * int(height) * channels
    return Raster(int(width), int(height), channels, pixels)


class Poppler:
    def text(self, pdf: bytes, layout: bool = True) -> str:
        tool = _require("pdftotext")
        args = [tool] + (["-layout"] if layout else []) + ["-enc", "UTF-8", "-", "-"]
        result = subprocess.run(args, input=pdf, capture_output=True, check=True)
        return result.stdout.decode("utf-8")

    def compact_text(self, pdf: bytes) -> str:
        """The text without any whitespace (titles are letter-spaced)."""
        return re.sub(r"\s+", "", self.text(pdf))

    def page_texts(self, pdf: bytes) -> list[str]:
        return self.text(pdf).split("\f")[:-1] or [self.text(pdf)]

    def fonts(self, pdf: bytes) -> str:
        tool = _require("pdffonts")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "doc.pdf"
            path.write_bytes(pdf)
            result = subprocess.run([tool, str(path)], capture_output=True, check=True, text=True)
        return result.stdout

    def pages(self, pdf: bytes, dpi: int = 50, color: bool = False) -> list[Raster]:
        tool = _require("pdftoppm")
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "doc.pdf"
            src.write_bytes(pdf)
            mode = [] if color else ["-gray"]
            subprocess.run(
                [tool, "-r", str(dpi), *mode, str(src), str(Path(tmp) / "p")], check=True
            )
            return [_read_pnm(p) for p in sorted(Path(tmp).glob("p-*.p[gp]m"))]


@pytest.fixture(scope="session")
def poppler() -> Poppler:
    return Poppler()
