"""`guardian cache`: the folders where guardian keeps what it can make again, and clearing them.

Two caches live in the user's cache dir (platformdirs): the parsed
calendars (`parsed/`, see `adapters.sources.ics.cache`), which only make a
repeat run fast, and the last good copy of each calendar URL
(`calendars/`), which also lets a run work offline. Clearing removes the
first by default and the second only when asked, since losing it costs a
download (or, offline, the calendar).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CacheFolder:
    name: str  # "parsed" | "calendars"
    what: str  # for a person
    path: Path
    entries: int  # parsed: entries; calendars: addresses whose copy is kept
    size: int  # bytes


@dataclass(frozen=True)
class Cleared:
    folder: CacheFolder  # as it was
    removed: int
    size: int


def cache_folders() -> list[CacheFolder]:
    """Both caches as they are now."""
    parsed, copies = _caches()
    entries = parsed.entries()
    kept = copies.entries()
    return [
        CacheFolder("parsed", "parsed calendars", parsed.folder, len(entries), _size(entries)),
        CacheFolder(
            "calendars", "copies of calendar URLs", copies.folder, len({p.stem for p in kept}), _size(kept)
        ),
    ]


def clear_caches(*, copies_too: bool = False) -> list[Cleared]:
    """Remove the parsed calendars (and, with `copies_too`, the copies of calendar URLs)."""
    parsed, copies = _caches()
    before = {folder.name: folder for folder in cache_folders()}
    out = [Cleared(before["parsed"], *parsed.clear())]
    if copies_too:
        out.append(Cleared(before["calendars"], *copies.clear()))
    return out


def _caches():
    from guardian.adapters.sources.ics.cache import ParseCache
    from guardian.adapters.sources.url.cache import CalendarCache

    return ParseCache(), CalendarCache()


def _size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.lstat().st_size
        except OSError:
            continue
    return total
