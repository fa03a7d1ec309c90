"""The parsed-calendar cache: a repeat read of an unchanged file costs a hash and a small JSON load.

Two kinds of entry, each one JSON file in the user's cache dir
(`~/.cache/guardian/parsed/` on Linux; platformdirs' user cache dir
elsewhere), in a folder only the owner can enter (0700), written atomically
with mode 0600 (a calendar is private):

- a *read*: the Events one window of one file gave (and the warnings the
  read printed, which a hit prints again), keyed by the SHA-256 of the
  file's bytes and everything else the Events depend on: the window, who
  "I" am and my zone, the source's name, the code that made them (the
  version and the files of guardian, icalendar, recurring-ical-events,
  dateutil, the time zone database);
- a *scan*: the window scan of one file (`scan.Index`), keyed by the SHA-256
  of its bytes alone, so another window of an unchanged file skips the scan.

The content is in the key, not the file's mtime: a file changed within the
same second, or restored with its old mtime, is read afresh. An entry is
used only if it is a regular file owned by this user and readable by no one
else, parses as JSON of the expected shape and names the same key inside
(so a damaged, foreign or colliding entry is ignored, and rebuilt). JSON was
chosen because reading it cannot run code (pickle can). Entries whose
Events carry a time zone that JSON cannot name exactly (a VTIMEZONE of the
file's own, not an IANA zone) are not stored. The folder keeps the 200 most
recent entries.

To clear the cache, remove the folder; `--no-cache` reads without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
from dataclasses import fields, replace
from datetime import UTC, datetime, timezone, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from guardian.adapters.cachefiles import own_files, remove_files, size_of
from guardian.adapters.secretfile import write_private_bytes
from guardian.core.model import Attendee, Event, EventKind, Link, LinkKind, Person, Status

FORMAT = "guardian-parsed-calendar"
VERSION = 1
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 256 * 1024 * 1024
APP = "guardian"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP) / "parsed"


class Uncacheable(Exception):
    """Something in the result JSON cannot carry exactly."""


class ParseCache:
    """Reads and writes entries in one folder; every failure is a miss, never an error."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0

    # --- keys --------------------------------------------------------------------------------

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + ".json")

    # --- entries -----------------------------------------------------------------------------

    def load(self, kind: str, key: str) -> Any | None:
        """The body stored under (kind, key), or None (missing, damaged, foreign, or not ours)."""
        found = self._read(self._path(key))
        if (
            not isinstance(found, dict)
            or found.get("format") != FORMAT
            or found.get("version") != VERSION
            or found.get("kind") != kind
            or found.get("key") != key
        ):
            self.misses += 1
            return None
        self.hits += 1
        return found.get("body")

    def store(self, kind: str, key: str, body: Any) -> None:
        """Store an entry (atomically, 0600); a cache that cannot be written is only slower."""
        entry = {"format": FORMAT, "version": VERSION, "kind": kind, "key": key, "body": body}
        try:
            if not self._folder_is_private():
                return
            data = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            write_private_bytes(self._path(key), data)
            self._trim()
        except (OSError, TypeError, ValueError):
            return

    def _folder_is_private(self) -> bool:
        """Create the folder 0700; refuse one that others can enter or that is not ours."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.stat(self.folder)
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        return stat.S_ISDIR(info.st_mode) and owned and not (info.st_mode & 0o077 and os.name != "nt")

    def _read(self, path: Path) -> Any | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                return None
            if os.name != "nt" and (info.st_mode & 0o077 or info.st_uid != os.getuid()):
                return None  # readable by others, or someone else's: not trusted (and rewritten)
            with os.fdopen(fd, "rb") as handle:
                fd = -1
                raw = handle.read(MAX_ENTRY_BYTES + 1)
            return json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return None
        finally:
            if fd >= 0:
                os.close(fd)

    def entries(self) -> list[Path]:
        """The entries in the folder: regular files named as this cache names them, nothing else."""
        return own_files(self.folder, (".json",))

    def held(self) -> tuple[int, int]:
        """How many entries the folder holds, and their bytes."""
        entries = self.entries()
        return len(entries), size_of(entries)

    def clear(self) -> tuple[int, int]:
        """Remove every entry (never anything else in the folder); how many went, and their bytes."""
        return remove_files(self.entries())

    def _trim(self) -> None:
        """Keep the newest MAX_ENTRIES entries (of this cache's own: see `entries`)."""
        try:
            entries = sorted(self.entries(), key=lambda p: p.lstat().st_mtime, reverse=True)
        except OSError:
            return
        remove_files(entries[MAX_ENTRIES:])


# --- what the code is: part of every read key ------------------------------------------------------


#: the distributions a read depends on (their installed versions are part of its key)
DEPENDENCIES = (
    "guardian_focus",
    "icalendar",
    "recurring_ical_events",
    "python_dateutil",
    "x_wr_timezone",
    "tzdata",
)


@functools.cache
def code_stamp() -> str:
    """Names the code a cached read depends on; any change (an upgrade, an edit) misses the cache."""
    import zoneinfo

    installed = _installed()
    parts = [f"{name}={installed.get(name, '-')}" for name in DEPENDENCIES]
    package = Path(__file__).resolve().parents[3]  # guardian/
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            info = path.stat()
            parts.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    for folder in zoneinfo.TZPATH:
        with contextlib.suppress(OSError):
            info = os.stat(os.path.join(folder, "tzdata.zi"))
            parts.append(f"tz:{folder}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _installed() -> dict[str, str]:
    """Installed distributions -> version, from the names of their `.dist-info` folders.

    What `importlib.metadata.version` answers, without parsing each METADATA
    file (which costs a warm run more than the rest of its read).
    """
    import sys

    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith(".dist-info"):
                    name, _, version = entry.name[: -len(".dist-info")].partition("-")
                    found.setdefault(name.lower().replace("-", "_").replace(".", "_"), version)
    return found


def zone_name(tz: tzinfo) -> str:
    """A zone as the key names it (IANA key, or its repr for anything else)."""
    key = getattr(tz, "key", None)
    return f"zone:{key}" if isinstance(key, str) and key else f"repr:{tz!r}"


# --- events as JSON -----------------------------------------------------------------------------------

#: the fields an instance changes; everything else is its template's
_TIME_FIELDS = ("start", "end", "all_day", "recurrence_id")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _moment(value: datetime | None) -> list | None:
    if value is None:
        return None
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key:
        return [value.replace(tzinfo=None).isoformat(), tz.key, value.fold]
    if isinstance(tz, timezone):
        return [value.isoformat(), None, 0]
    raise Uncacheable(f"time zone {tz!r}")


def _unmoment(value: Any) -> datetime | None:
    if value is None:
        return None
    text, key, fold = value
    if key is None:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("a naive time")
        return moment
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(key), fold=int(fold))


def _required(value: Any) -> datetime:
    moment = _unmoment(value)
    if moment is None:
        raise ValueError("a time is missing")
    return moment


def _template_json(e: Event) -> dict:
    # (the enums are StrEnums: JSON writes them as their values; tuples are written as lists)
    return {
        "uid": e.uid,
        "title": e.title,
        "description": e.description,
        "links": [(link.url, link.kind, link.label) for link in e.links],
        "organizer": [e.organizer.email, e.organizer.name] if e.organizer is not None else None,
        "attendees": [(a.email, a.name, a.status, a.optional, a.resource) for a in e.attendees],
        "my_status": e.my_status,
        "recurring": e.recurring,
        "series_end": _moment(e.series_end),
        "busy": e.busy,
        "cancelled": e.cancelled,
        "created": _moment(e.created),
        "external": e.external,
        "source": e.source,
        "own_block": e.own_block,
        "kind": e.kind,
        "location": e.location,
        "categories": e.categories,
        "provider_id": e.provider_id,
        "sequence": e.sequence,
        "extra": e.extra,
    }


#: every field of Event is carried: a test checks this list against the model
CARRIED = frozenset(_TIME_FIELDS) | frozenset(_template_json(Event("x", _EPOCH, _EPOCH)))


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _template(d: dict) -> Event:
    organizer = d["organizer"]
    return Event(
        uid=_str(d["uid"]),
        start=_EPOCH,
        end=_EPOCH,
        title=_str(d["title"]),
        description=_str(d["description"]),
        links=tuple(Link(_str(u), LinkKind(k), _str(label)) for u, k, label in d["links"]),
        organizer=Person(_str(organizer[0]), _str(organizer[1])) if organizer is not None else None,
        attendees=tuple(
            Attendee(_str(email), _str(name), Status(status), _bool(optional), _bool(resource))
            for email, name, status, optional, resource in d["attendees"]
        ),
        my_status=Status(d["my_status"]),
        recurring=_bool(d["recurring"]),
        series_end=_unmoment(d["series_end"]),
        busy=_bool(d["busy"]),
        cancelled=_bool(d["cancelled"]),
        created=_unmoment(d["created"]),
        external=_bool(d["external"]),
        source=_str(d["source"]),
        own_block=_bool(d["own_block"]),
        kind=EventKind(d["kind"]),
        location=_str(d["location"]),
        categories=tuple(_str(c) for c in d["categories"]),
        provider_id=_str(d["provider_id"]),
        sequence=int(d["sequence"]),
        extra=tuple((_str(a), _str(b)) for a, b in d["extra"]),
    )


#: fields that instances of one template share as the very same objects (compared by identity)
_SHARED = ("links", "attendees", "organizer", "categories", "extra")
#: every other field of a template (compared by value); new fields of Event land here by themselves
_PLAIN = attrgetter(
    *(f.name for f in fields(Event) if f.init and f.name not in _TIME_FIELDS and f.name not in _SHARED)
)
_SHARED_OF = attrgetter(*_SHARED)


def _template_key(e: Event) -> tuple:
    """What tells templates apart, cheaply: the instances of one template share its tuples.

    Two templates equal in content but holding distinct tuples get two
    keys, which only stores one template twice; one key never stands for
    two different templates, since every field is in it (the shared ones
    by identity, which the events list keeps alive while the keys live).
    """
    return (*_PLAIN(e), *map(id, _SHARED_OF(e)))


def events_json(events: list[Event]) -> dict:
    """Events as JSON: each distinct template once, each instance as its times."""
    templates: dict[tuple, int] = {}
    out_templates: list[dict] = []
    instances = []
    for e in events:
        key = _template_key(e)
        number = templates.get(key)
        if number is None:
            number = templates[key] = len(out_templates)
            out_templates.append(_template_json(e))
        instances.append([number, _moment(e.start), _moment(e.end), e.all_day, _moment(e.recurrence_id)])
    return {"templates": out_templates, "instances": instances}


def events_from_json(body: Any) -> list[Event]:
    """The Events again; ValueError (or KeyError, TypeError) for anything not of this shape."""
    templates = [_template(d) for d in body["templates"]]
    out = []
    for number, start, end, all_day, recurrence_id in body["instances"]:
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < len(templates):
            raise ValueError("no such template")
        out.append(
            replace(
                templates[number],
                start=_required(start),
                end=_required(end),
                all_day=_bool(all_day),
                recurrence_id=_unmoment(recurrence_id),
            )
        )
    return out
