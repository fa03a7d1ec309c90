"""A progress line on stderr when reading takes more than about a second.

A one-year export or a slow provider can take many seconds before the first
line of output; without a sign of life a person presses Ctrl-C. So a command
wraps its use case in `running()`: the use case reports what it is doing
(`Session.report_progress`, e.g. "reading work"), and after `DELAY` seconds
a single line on stderr says so, with the time taken, updated in place. It is
cleared before any output appears. Nothing is shown when stderr is not a
terminal (a pipe, a log file, cron), with `-q`, or when the work is quick.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY = 1.0  # seconds of silence before the line appears
TICK = 0.25

_enabled = True
_active: Progress | None = None


def configure(enabled: bool) -> None:
    """`-q` turns progress off for the run."""
    global _enabled
    _enabled = enabled


class Progress:
    """One run's progress line; thread-safe, drawn by a daemon thread."""

    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.what = ""
        self.started = time.monotonic()
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="guardian-progress", daemon=True)
        self._thread.start()

    def __call__(self, what: str) -> None:
        with self._lock:
            self.what = what

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                if self._stop.is_set():
                    break
                elapsed = time.monotonic() - self.started
                text = f"guardian: {self.what or 'working'}... {elapsed:.0f} s"
                self.stream.write("\r\x1b[K" + text)
                self.stream.flush()
                self.shown = True
            self._stop.wait(TICK)

    def clear(self) -> None:
        """Take the line off the screen (before a warning or the output is written)."""
        with self._lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False

    def close(self) -> None:
        with self._lock:
            self._stop.set()
        self._thread.join(timeout=1)
        self.clear()


def report(what: str) -> None:
    """Tell the progress line of the command running now (if any) what it is doing."""
    if _active is not None:
        _active(what)


def clear() -> None:
    """Clear the active line, if any (the log handler calls this before a warning)."""
    if _active is not None:
        _active.clear()


@contextmanager
def running(stream: TextIO | None = None, delay: float = DELAY) -> Iterator[None]:
    """Show progress for the work inside the block, when stderr is a terminal."""
    global _active
    out = stream or sys.stderr
    if not _enabled or _active is not None or not _isatty(out):
        yield
        return
    _active = Progress(out, delay)
    try:
        yield
    finally:
        line, _active = _active, None
        line.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
