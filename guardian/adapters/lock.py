"""One guardian run at a time: an advisory lock file beside the state.

A nightly job and a manual `focus apply` must not reconcile the same
calendar at once, or both would create the same block; two `replies send`
must not ask the same organizer twice. The lock is taken before the
calendars are read, so the second run plans from what the first one wrote.

The lock file's name is the state file's name plus ".lock", so it can
never be the state file itself (a state named "x.lock" gets "x.lock.lock").
`nightly` holds it for a whole calendar and tells the focus and reply steps
inside that it does (their `locked` argument); nothing else nests it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from guardian.errors import GuardianError


class LockedError(GuardianError):
    exit_code = 2


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    import fcntl

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise LockedError(
            f"{path}: cannot create the run lock ({exc.strerror or exc})",
            hint="set `state` in the config to a path in a folder you can write to",
        ) from None
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
