"""The nightly log file (`[nightly] log`): one appended line per action.

For people who run `guardian nightly` from cron or launchd without a
journal: the same lines the command prints, kept in a file of their own.
The file is created with mode 0600 (its lines name meetings and organizers).
"""

from __future__ import annotations

import os
from pathlib import Path

from guardian.errors import InputError


def append_line(path: Path, line: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line.rstrip("\n") + "\n")
    except OSError as exc:
        raise InputError(
            f"[nightly] log: cannot write {path} ({exc.strerror or exc})",
            hint="point [nightly] log at a file in a folder you can write to",
        ) from None
