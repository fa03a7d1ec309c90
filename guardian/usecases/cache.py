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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guardian.adapters.sources.ics.cache import ParseCache
    from guardian.adapters.sources.url.cache import CalendarCache


@dataclass(frozen=True)
class CacheFolder:
    name: str  # "parsed" | "calendars"
    what: str  # for a person
    path: Path
    entries: int  # parsed: entries; calendars: addresses whose copy is kept (or, cleared: went)
    size: int  # bytes


def cache_folders() -> list[CacheFolder]:
    """Both caches as they are now."""
    return [_folder(name, cache, *cache.held()) for name, cache in _caches()]


def clear_caches(*, copies_too: bool = False) -> list[CacheFolder]:
    """Remove the parsed calendars (and, with `copies_too`, the copies of calendar URLs): what went."""
    return [
        _folder(name, cache, *cache.clear()) for name, cache in _caches() if name == "parsed" or copies_too
    ]


_WHAT = {"parsed": "parsed calendars", "calendars": "copies of calendar URLs"}


def _folder(name: str, cache: ParseCache | CalendarCache, entries: int, size: int) -> CacheFolder:
    return CacheFolder(name, _WHAT[name], cache.folder, entries, size)


def _caches() -> list[tuple[str, ParseCache | CalendarCache]]:
    from guardian.adapters.sources.ics.cache import ParseCache
    from guardian.adapters.sources.url.cache import CalendarCache

    return [("parsed", ParseCache()), ("calendars", CalendarCache())]
