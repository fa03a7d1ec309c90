"""The last good copy of each calendar URL, in the user's cache dir.

One pair of files per URL, named by a hash of the URL (the address is a
secret and does not belong in a file name): `<hash>.ics`, the body as the
server sent it, and `<hash>.json`, its validators (ETag, Last-Modified) and
when it was fetched. Both are written atomically with mode 0600 in a 0700
folder, since a published calendar is as private as its address. A copy is
stored only once it was read as a calendar, so a sign-in page served
instead never replaces a good copy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from guardian.adapters.cachefiles import own_files, remove_files, size_of
from guardian.adapters.redact import redact
from guardian.adapters.secretfile import write_private, write_private_bytes

APP = "guardian"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP) / "calendars"


@dataclass(frozen=True)
class Cached:
    body: bytes
    etag: str = ""
    last_modified: str = ""
    fetched: datetime | None = None


class CalendarCache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{key}.ics", self.folder / f"{key}.json"

    def load(self, url: str) -> Cached | None:
        body_path, meta_path = self._paths(url)
        try:
            body = body_path.read_bytes()
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        try:
            fetched = datetime.fromisoformat(meta["fetched"]) if meta.get("fetched") else None
        except (TypeError, ValueError):
            fetched = None
        return Cached(body, str(meta.get("etag") or ""), str(meta.get("last_modified") or ""), fetched)

    def entries(self) -> list[Path]:
        """The copies in the folder (`<hash>.ics` and `<hash>.json`), nothing else."""
        return own_files(self.folder, (".ics", ".json"))

    def held(self) -> tuple[int, int]:
        """How many addresses have a copy kept, and the bytes of their files."""
        entries = self.entries()
        return _addresses(entries), size_of(entries)

    def clear(self) -> tuple[int, int]:
        """Remove every copy; how many addresses' copies went, and their bytes."""
        entries = self.entries()
        count, size = remove_files(entries)
        return _addresses(entries) if count else 0, size

    def store(self, url: str, body: bytes, etag: str = "", last_modified: str = "") -> None:
        body_path, meta_path = self._paths(url)
        meta = {
            "url": redact(url),  # for a person looking into the folder; never the secret
            "etag": etag,
            "last_modified": last_modified,
            "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_private_bytes(body_path, body)
        write_private(meta_path, json.dumps(meta, indent=1))


def _addresses(entries: list[Path]) -> int:
    """Addresses whose copy the files are (each has a `<hash>.ics` and a `<hash>.json`)."""
    return len({path.stem for path in entries})
