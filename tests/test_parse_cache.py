"""The parsed-calendar cache (issue 15): keyed by content, private, never trusted blindly.

Through the real command line (the `cli` fixture keeps the cache in a
per-test home): a repeat audit of an unchanged file is served from the
cache with the same output and the same warnings; a changed byte (even
with the old mtime put back) is read afresh; a damaged, foreign or
world-readable entry is ignored and rebuilt; entries are 0600 in a 0700
folder; `--no-cache` writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics import cache as parse_cache
from guardian.adapters.sources.ics.cache import ParseCache
from guardian.adapters.sources.ics.source import IcsSource
from guardian.core.model import Event, Window
from tests.conftest import DATA, ME, audit_args

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))


def folder(home: Path) -> Path:
    return home / "cache" / "guardian" / "parsed"


def entries(home: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime_ns for p in folder(home).glob("*.json")}


def read_entries(home: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in folder(home).glob("*.json")]


def copy(tmp_path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def test_a_repeat_audit_of_an_unchanged_file_comes_from_the_cache(cli, isolated, tmp_path):
    path = copy(tmp_path, "malformed-properties.ics")  # it has warnings too
    first = cli(*audit_args(path, "--format", "json"))
    written = entries(isolated)
    assert first.code == 0 and written
    assert {e["kind"] for e in read_entries(isolated)} == {"read", "scan"}
    second = cli(*audit_args(path, "--format", "json"))
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert entries(isolated) == written  # a hit writes nothing
    assert "dropped 5 unreadable properties" in second.err


def test_a_changed_byte_is_read_afresh_even_with_the_old_mtime(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    before = cli(*audit_args(path, "--format", "json"))
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Me / Bob 1:1" in text
    path.write_text(text.replace("Me / Bob 1:1", "Me / Bob 1:2"), encoding="utf-8", newline="")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # as a restore or a copy -p would leave it
    after = cli(*audit_args(path, "--format", "json"))
    assert before.code == after.code == 0
    assert "Me / Bob 1:1" in before.out and "Me / Bob 1:2" in after.out and "Me / Bob 1:1" not in after.out


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut off
        lambda raw: b"\x00\xff garbage",
        lambda raw: raw.replace(
            b'"instances":[[', b'"instances":[["x",', 1
        ),  # the right key, the wrong shape
        lambda raw: raw.replace(b'"version":1', b'"version":99', 1),
    ],
    ids=["truncated", "garbage", "wrong-shape", "other-version"],
)
def test_a_damaged_entry_is_ignored_and_rebuilt(cli, isolated, tmp_path, damage):
    path = copy(tmp_path, "recurrence-id-moved.ics")
    first = cli(*audit_args(path, "--format", "json"))
    for entry in folder(isolated).glob("*.json"):
        entry.write_bytes(damage(entry.read_bytes()))
    second = cli(*audit_args(path, "--format", "json"))
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert all(
        e["format"] == parse_cache.FORMAT and e["version"] == parse_cache.VERSION
        for e in read_entries(isolated)
    )


def test_a_foreign_entry_under_the_name_of_another_is_ignored(cli, isolated, tmp_path):
    one, other = copy(tmp_path, "one-on-one.ics"), copy(tmp_path, "interview.ics")
    first = cli(*audit_args(one, "--format", "json"))
    mine = set(entries(isolated))
    cli(*audit_args(other, "--format", "json"))
    theirs = [p for p in entries(isolated) if p not in mine]
    # plant the other calendar's entries under this calendar's names
    for target, planted in zip(sorted(mine), sorted(theirs), strict=False):
        target.write_bytes(planted.read_bytes())
    again = cli(*audit_args(one, "--format", "json"))
    assert again.out == first.out


def test_entries_are_private_even_under_umask_000(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    old = os.umask(0)
    try:
        assert cli(*audit_args(path)).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder(isolated).stat().st_mode) == 0o700
    modes = {stat.S_IMODE(p.stat().st_mode) for p in folder(isolated).glob("*.json")}
    assert modes == {0o600}


def test_an_entry_others_can_read_is_not_trusted_and_is_rewritten_private(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    first = cli(*audit_args(path, "--format", "json"))
    for entry in folder(isolated).glob("*.json"):
        entry.chmod(0o644)
    second = cli(*audit_args(path, "--format", "json"))
    assert second.out == first.out
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder(isolated).glob("*.json")} == {0o600}


def test_an_entry_that_is_a_symlink_is_not_followed(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    first = cli(*audit_args(path, "--format", "json"))
    decoy = tmp_path / "decoy.json"
    for entry in folder(isolated).glob("*.json"):
        decoy.write_bytes(entry.read_bytes())
        decoy.chmod(0o600)
        entry.unlink()
        entry.symlink_to(decoy)
    second = cli(*audit_args(path, "--format", "json"))
    assert second.out == first.out
    assert not any(p.is_symlink() for p in folder(isolated).glob("*.json"))  # replaced by real entries


def test_a_cache_folder_others_can_enter_is_not_written(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    folder(isolated).mkdir(parents=True)
    folder(isolated).chmod(0o777)
    assert cli(*audit_args(path)).code == 0
    assert entries(isolated) == {}


def test_no_cache_reads_afresh_and_writes_nothing(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    plain = cli(*audit_args(path, "--format", "json", "--no-cache"))
    assert plain.code == 0 and not folder(isolated).exists()
    for command in (["focus", "plan"], ["replies", "plan"], ["report"]):
        result = cli(*command, "-c", path, "--from", "2026-11-30", "--me", ME, "--no-cache")
        assert result.code == 0, result.err
    nightly = cli("nightly", "-c", path, "--me", ME, "--now", "2026-11-29T22:00:00+01:00", "--no-cache")
    assert nightly.code == 0, nightly.err
    assert not folder(isolated).exists()
    cached = cli(*audit_args(path, "--format", "json"))
    assert cached.out == plain.out and entries(isolated)


def test_a_calendar_with_a_time_zone_of_its_own_is_read_afresh_each_time(tmp_path):
    # its Events carry a zone built from the file's VTIMEZONE, which JSON cannot name exactly
    cache = ParseCache(tmp_path / "cache")
    source = lambda: IcsSource(DATA / "customized-time-zone.ics", Identity(BERLIN, ME), cache=cache)  # noqa: E731
    first = source().read(WEEK)
    assert first and [
        e["kind"] for e in map(json.loads, map(Path.read_text, (tmp_path / "cache").glob("*.json")))
    ] == ["scan"]
    assert source().read(WEEK) == first


def test_another_window_of_an_unchanged_file_skips_the_scan(tmp_path):
    cache = ParseCache(tmp_path / "cache")
    IcsSource(DATA / "recurrence-id-moved.ics", Identity(BERLIN, ME), cache=cache).read(WEEK)
    later = Window(datetime(2026, 12, 7, tzinfo=BERLIN), datetime(2026, 12, 14, tzinfo=BERLIN))
    source = IcsSource(DATA / "recurrence-id-moved.ics", Identity(BERLIN, ME), cache=cache)
    hits = cache.hits
    events = source.read(later)
    assert cache.hits == hits + 1  # the scan, not the read
    assert events == IcsSource(DATA / "recurrence-id-moved.ics", Identity(BERLIN, ME), scan=False).read(later)


def test_the_cache_carries_every_field_of_an_event():
    assert {f.name for f in fields(Event) if f.init} == parse_cache.CARRIED


def test_cache_clear_removes_the_entries_and_nothing_else(cli, isolated, tmp_path):
    path = copy(tmp_path, "one-on-one.ics")
    first = cli(*audit_args(path, "--format", "json"))
    assert len(entries(isolated)) == 2  # the scan and the read
    shown = cli("cache", "path")
    assert f"parsed calendars: {folder(isolated)} (2 entries, " in shown.out
    # what a person keeps in the folder, and a link named like an entry, are not the cache's
    (folder(isolated) / "notes.txt").write_text("mine", encoding="utf-8")
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    (folder(isolated) / ("a" * 40 + ".json")).symlink_to(outside)
    cleared = cli("cache", "clear")
    assert cleared.code == 0, cleared.err
    assert cleared.out.startswith("removed 2 entries (") and str(folder(isolated)) in cleared.out
    assert sorted(p.name for p in folder(isolated).iterdir()) == ["a" * 40 + ".json", "notes.txt"]
    assert outside.read_text(encoding="utf-8") == "{}"
    again = cli(*audit_args(path, "--format", "json"))
    assert again.out == first.out and len(entries(isolated)) == 3  # read afresh (plus the link)


def test_cache_clear_keeps_the_copies_of_calendar_urls_unless_told(cli, isolated):
    from guardian.adapters.sources.url.cache import CalendarCache

    copies = CalendarCache()
    copies.store("https://calendar.example/private-secret/basic.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert copies.folder == isolated / "cache" / "guardian" / "calendars"
    kept = cli("cache", "clear")
    assert "kept 1 copy of calendar URLs (for offline runs); `guardian cache clear --all`" in kept.out
    assert copies.load("https://calendar.example/private-secret/basic.ics") is not None
    gone = cli("cache", "clear", "--all")
    assert "removed 1 copy (" in gone.out and "kept" not in gone.out
    assert copies.load("https://calendar.example/private-secret/basic.ics") is None
    assert "secret" not in gone.out + kept.out


def test_the_folder_keeps_the_newest_entries_and_what_is_not_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    cache = ParseCache(tmp_path / "parsed")
    keys = ["first", "key 1", "key 2", "key 3", "key 4"]
    for n, key in enumerate(keys):
        if n == 1:
            (cache.folder / "notes.json").write_text("{}", encoding="utf-8")  # a person's, not an entry
        cache.store("scan", key, {"n": n})
        for m, earlier in enumerate(keys[: n + 1]):  # each entry older than the next, whatever the clock
            if cache._path(earlier).exists():
                os.utime(cache._path(earlier), ns=(10**9 * (m + 1),) * 2)
    kept = [cache.load("scan", key) for key in keys]
    assert kept[:2] == [None, None] and [k["n"] for k in kept[2:]] == [2, 3, 4]
    assert (cache.folder / "notes.json").exists()
