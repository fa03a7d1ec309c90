"""The files a cache of guardian's owns in its folder, and removing them.

Both caches (parsed calendars, copies of calendar URLs) name each entry by
a hash: 40 hex digits and a suffix. Clearing a cache removes exactly those
regular files, never a link, a folder or anything a person put there, so
pointing the cache dir at a shared folder by mistake costs nothing else.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_HEX = frozenset("0123456789abcdef")


def own_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Regular files (not links) in `folder` named `<40 hex digits><suffix>`, sorted."""
    try:
        found = list(os.scandir(folder))
    except OSError:
        return []
    own = []
    for entry in found:
        stem, dot, suffix = entry.name.partition(".")
        if (
            dot
            and f".{suffix}" in suffixes
            and len(stem) == 40
            and _HEX.issuperset(stem)
            and entry.is_file(follow_symlinks=False)
        ):
            own.append(Path(entry.path))
    return sorted(own)


def size_of(paths: list[Path]) -> int:
    """Their bytes together (a file gone meanwhile counts nothing)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.lstat().st_size
    return total


def remove_files(paths: list[Path]) -> tuple[int, int]:
    """Remove the files; how many went and their bytes (one that cannot be removed is left)."""
    count = size = 0
    for path in paths:
        with contextlib.suppress(OSError):
            length = path.lstat().st_size
            path.unlink()
            count, size = count + 1, size + length
    return count, size
