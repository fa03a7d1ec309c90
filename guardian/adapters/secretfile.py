"""Writing files that hold secrets (OAuth tokens, msal's token cache, cached calendars).

Shared by the Google and the Microsoft sign-in code, so both keep their
secrets the same way: readable by the owner only (0600) from the first byte,
in a directory only the owner can enter (0700) when guardian creates it, and
replaced atomically so a crash never leaves half a token behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` so that only its owner can ever read it (0600)."""
    write_private_bytes(path, text.encode("utf-8"))


def write_private_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` so that only its owner can ever read it (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp: a new, unpredictable name opened O_EXCL with mode 0600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
