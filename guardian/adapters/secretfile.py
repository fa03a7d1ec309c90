"""Files that hold secrets (OAuth tokens, msal's token cache, cached calendars, chat tokens).

Shared by the Google and the Microsoft sign-in code, so both keep their
secrets the same way: readable by the owner only (0600) from the first byte,
in a directory only the owner can enter (0700) when guardian creates it, and
replaced atomically so a crash never leaves half a token behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from guardian.errors import InputError


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


def read_secret(where: str, env: str = "", file: Path | None = None) -> str | None:
    """A secret from the environment variable named `env`, or the first line of `file`.

    `file` must be readable by its owner only (0600): a token others could
    read is refused, not used. `where` names the setting in every message;
    the secret itself never appears in one. None when neither is set.
    """
    if env and file:
        raise InputError(f"{where}: both a file and an environment variable are set", hint="keep one of them")
    if env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise InputError(f"{where}: the environment variable {env} is not set", hint=f"export {env}=...")
        return value
    if file is None:
        return None
    try:
        mode = file.stat().st_mode
    except OSError:
        raise InputError(f"{where}: {file} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(f"{where}: {file} can be read by others", hint=f"chmod 600 {file}")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{where}: cannot read {file}") from None
    if not lines or not lines[0].strip():
        raise InputError(f"{where}: {file} is empty")
    return lines[0].strip()
