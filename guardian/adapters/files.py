"""Writing files a person asked for (a report page, drafts): whole or not at all.

The text goes to a temporary file in the same folder, which then replaces
the target, so an interrupted run never leaves half a page behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from guardian.core.safe_text import printable
from guardian.errors import InputError


def write_text_file(path: Path, text: str, *, what: str) -> None:
    """Write `text` to `path` atomically; a failure is one line naming `what` (e.g. "--html")."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(printable(text))  # a page or a file: no raw control characters either
            os.chmod(tmp, 0o644)  # a page to open and share, unlike a token
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"{what}: cannot write {path} ({exc.strerror or exc})") from None


def append_text(path: Path, expected: str, addition: str, *, what: str) -> None:
    """Append `addition` to a file a person owns, leaving every byte before it as it was.

    `expected` is the content the addition was made for; when the file changed
    in the meantime (an editor saved it), nothing is written. A missing file
    is created (with its folder).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+", encoding="utf-8", newline="") as handle:
            handle.seek(0)
            if handle.read() != expected:
                raise InputError(
                    f"{what}: {path} changed while guardian was reading it; nothing written",
                    hint="run it again",
                )
            handle.write(addition)
    except OSError as exc:
        raise InputError(f"{what}: cannot write {path} ({exc.strerror or exc})") from None
