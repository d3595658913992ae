"""Progress bars for long runs: one line per step on a terminal, nothing anywhere else."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def wanted(stream: TextIO | None = None) -> bool:
    """True on an interactive terminal outside CI (`CI` set) and without `TERM=dumb`."""
    stream = stream or sys.stderr
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM", "") != "dumb"


class Progress:
    """A bar for one step (`load`, `check`, `map`, `write`), redrawn at most 10 times a second."""

    def __init__(self, step: str, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.step, self.total, self.enabled = step, max(total, 1), enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = self.drawn = time.monotonic()
        if enabled:
            self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self.drawn >= 0.1 or self.done >= self.total):
            self.drawn = now
            self._draw()

    def close(self) -> None:
        if self.enabled:
            self.done = self.total
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        width = 30
        filled = int(width * self.done / self.total)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.step:<6} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done}/{self.total} {elapsed:5.1f} s"
        )
        self.stream.flush()
