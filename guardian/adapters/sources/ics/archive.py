"""Calendars that arrive packed: a Google Takeout .zip, an .ics.gz.

Google Takeout exports every calendar of an account as one .ics each inside a
zip; some servers and backup tools gzip their exports. The format is told by
the first bytes (the zip and gzip signatures), never by the file name, so a
renamed file is still read. Unpacking is bounded: a member or a whole archive
larger than `MAX_UNPACKED` is refused, so a decompression bomb costs an error
line, not the machine's memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass

from guardian.errors import InputError

MAX_UNPACKED = 256 * 1024 * 1024  # all calendars of an archive together
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
CALENDAR_SUFFIXES = (".ics", ".ical", ".icalendar", ".ifb", ".ics.gz")


@dataclass(frozen=True)
class Member:
    """One calendar file: its name for messages and its bytes."""

    where: str
    data: bytes


def is_archive(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, GZIP_MAGIC))


def unpack(data: bytes, where: str, limit: int = MAX_UNPACKED) -> list[Member]:
    """The calendar files inside `data` (itself, when it is not packed), at most `limit` bytes."""
    if data.startswith(GZIP_MAGIC):
        return [Member(where, _gunzip(data, where, limit))]
    if data.startswith(ZIP_MAGIC):
        return _unzip(data, where, limit)
    return [Member(where, data)]


def _gunzip(data: bytes, where: str, limit: int = MAX_UNPACKED) -> bytes:
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(1 << 20):
                out.write(chunk)
                if out.tell() > limit:
                    raise InputError(f"{where}: unpacks to more than {_mib(limit)}; not read")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{where}: a damaged gzip file ({exc})", hint="download or export it again"
        ) from None
    return out.getvalue()


def _unzip(data: bytes, where: str, limit: int) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if not i.is_dir() and _is_calendar_name(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{where}: a damaged zip file ({exc})", hint="download the export again") from None
    if not entries:
        raise InputError(
            f"{where}: the zip holds no calendar (.ics) file",
            hint="Google Takeout puts calendars under Takeout/Calendar/; choose Calendar when exporting",
        )
    members: list[Member] = []
    total = 0
    for info in entries:
        name = f"{where}:{info.filename}"
        if total + info.file_size > limit:
            raise InputError(f"{where}: unpacks to more than {_mib(limit)}; not read")
        try:
            with archive.open(info) as handle:
                body = handle.read(limit - total + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError) as exc:
            raise InputError(
                f"{name}: cannot be unpacked ({exc})", hint="download the export again"
            ) from None
        total += len(body)
        if total > limit:
            raise InputError(f"{where}: unpacks to more than {_mib(limit)}; not read")
        if body.startswith(GZIP_MAGIC):
            body = _gunzip(body, name, limit - total)
        members.append(Member(name, body))
    return members


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"


def _is_calendar_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    if name.startswith("__MACOSX/") or base.startswith("._"):
        return False  # resource forks macOS adds to zips it makes
    return base.lower().endswith(CALENDAR_SUFFIXES)
