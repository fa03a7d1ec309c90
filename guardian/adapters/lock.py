"""One guardian run at a time: an advisory lock file beside the state.

A nightly job and a manual `focus apply` must not reconcile the same
calendar at once, or both would create the same block.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from guardian.errors import GuardianError


class LockedError(GuardianError):
    exit_code = 2


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise LockedError(
                f"another guardian run is in progress (pid {holder}, lock {path})",
                hint="wait for it to finish; the lock goes away with the process",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
