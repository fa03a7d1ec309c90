"""Reading a calendar file from disk: a regular file, bounded in size.

A path given to `-c` is untrusted: it may name `/dev/zero` (endless bytes),
a FIFO (a read that waits for a writer for ever) or a file of many
gigabytes. Only regular files are read, checked before they are opened and
again on the open descriptor (opened non-blocking, so a FIFO swapped in
between the two never blocks), and at most `MAX_FILE_BYTES` are read, so the
limit holds even for a file that grows while it is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from guardian.errors import InputError

#: the largest calendar file guardian reads (an .ics of many years is a few tens of MiB)
MAX_FILE_BYTES = 64 * 1024 * 1024
CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "is a folder"),
    (stat.S_ISCHR, "is a device"),
    (stat.S_ISBLK, "is a device"),
    (stat.S_ISFIFO, "is a named pipe (FIFO)"),
    (stat.S_ISSOCK, "is a socket"),
)


def _check_kind(mode: int, where: str) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((text for test, text in _KINDS if test(mode)), "is not a regular file")
    raise InputError(f"{where}: {what}, not a calendar file", hint="give the path of an .ics file")


def _too_large(where: str, limit: int) -> InputError:
    return InputError(
        f"{where}: larger than {limit / (1 << 20):g} MiB, the most guardian reads from one calendar file",
        hint="export a shorter span of the calendar",
    )


def read_calendar_file(
    path: Path,
    where: str,
    *,
    limit: int = MAX_FILE_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The bytes of the calendar file at `path`; InputError (one line) for anything else.

    `progress`, when given, is called with (bytes read, file size) after each chunk.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(
            f"{where}: no such calendar file", hint="check the path given to -c/--calendar"
        ) from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror})") from None
    _check_kind(info.st_mode, where)
    if info.st_size > limit:
        raise _too_large(where, limit)
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        _check_kind(os.fstat(handle.fileno()).st_mode, where)
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(where, limit)
                chunks.append(chunk)
                if progress is not None:
                    progress(size, max(size, info.st_size))
        except OSError as exc:
            raise InputError(f"{where}: cannot read ({exc.strerror})") from None
    return b"".join(chunks)
