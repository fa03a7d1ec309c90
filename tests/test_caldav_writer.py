"""Focus blocks on CalDAV servers: guarded, idempotent, and never over someone else's edit.

Against real Radicale and Xandikos (tests/davservers.py). "Another client"
is the caldav library used directly, editing the same calendar the way a
phone or a desktop calendar app would.
"""

# ruff: noqa: F811  (the server fixtures are imported by name)
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guardian.adapters.sources.base import BlockOptions
from guardian.adapters.state import State
from guardian.core.model import Block, BlockOp, OpKind
from tests.davservers import dav, radicale, xandikos  # noqa: F401
from tests.test_caldav_source import MEETING, NOW, WEEK, open_work, seed, vcalendar, write_config

TZ = ZoneInfo("Europe/Berlin")


def objects(server, calendar_url: str) -> dict[str, tuple[str, str]]:
    """href -> (etag, data) of every object in a calendar, as another client sees it."""
    client = server.client()
    body = (
        '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        '<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
        "</C:calendar-query>"
    )
    response = client.report(calendar_url, body, depth=1)
    return {r.href: (r.etag, r.calendar_data) for r in response.parse_calendar_query() if r.calendar_data}


def focus(cli, config, verb="apply"):
    result = cli("focus", verb, "--config", str(config), "--from", "2026-12-07", "--days", "5", "--now", NOW)
    assert result.code == 0, result.err
    return result


def test_apply_twice_creates_a_focus_calendar_once_and_changes_nothing_the_second_time(cli, dav, tmp_path):
    url = seed(dav)
    dav.put(url, "meeting.ics", MEETING)
    before = objects(dav, url)
    config = write_config(tmp_path, url)
    plan = focus(cli, config, "plan")
    assert "would create" in plan.out
    assert "guardian-focus" not in str(dav.client().request(dav.home, "PROPFIND", "", {"Depth": "1"}).raw)
    first = focus(cli, config)
    assert first.out.count("create focus block") >= 3
    focus_url = dav.home + "guardian-focus/"
    blocks = objects(dav, focus_url)
    assert len(blocks) == first.out.count("create focus block")
    assert all("X-GUARDIAN-TAG:focus-block" in data for _, data in blocks.values())
    second = focus(cli, config)
    assert "0 created, 0 moved, 0 deleted" in second.out
    assert objects(dav, focus_url) == blocks  # the same objects, the same etags
    assert objects(dav, url) == before  # the person's own calendar was never written


def test_a_block_a_meeting_lands_on_is_moved_in_place(cli, radicale, tmp_path):
    url = seed(radicale)
    config = write_config(tmp_path, url)
    focus(cli, config)
    focus_url = radicale.home + "guardian-focus/"
    first = objects(radicale, focus_url)
    # a meeting on Tuesday morning, where a block went
    radicale.put(
        url,
        "clash.ics",
        vcalendar(
            "clash",
            "Incident review",
            ["DTSTART;TZID=Europe/Berlin:20261208T090000", "DTEND;TZID=Europe/Berlin:20261208T170000"],
        ),
    )
    second = focus(cli, config)
    assert "move focus block" in second.out or "delete focus block" in second.out
    after = objects(radicale, focus_url)
    assert len(after) <= len(first) + 1
    for href, (etag, data) in after.items():
        if href in first and etag != first[href][0]:
            assert "SEQUENCE:1" in data  # a moved block, same UID, next sequence


def test_events_guardian_did_not_create_are_never_touched(cli, radicale, tmp_path):
    url = seed(radicale)
    config = write_config(tmp_path, url, focus_calendar="Work", password_env="GUARDIAN_TEST_CALDAV_PASSWORD")
    # an event of the person's own, titled like a block, in the very calendar blocks go to
    radicale.put(
        url,
        "mine.ics",
        vcalendar(
            "mine",
            "Focus time",
            ["DTSTART;TZID=Europe/Berlin:20261209T090000", "DTEND;TZID=Europe/Berlin:20261209T170000"],
        ),
    )
    before = objects(radicale, url)
    focus(cli, config)
    focus(cli, config)
    after = objects(radicale, url)
    for href, value in before.items():
        assert after[href] == value  # every foreign object: same etag, same data
    created = set(after) - set(before)
    assert created and all("X-GUARDIAN-TAG" in after[h][1] for h in created)


def test_focus_calendar_by_display_name_and_by_url(cli, radicale, tmp_path):
    url = seed(radicale)
    deep = radicale.make_calendar("deep-work", "Deep work")
    by_name = write_config(
        tmp_path, url, focus_calendar="Deep work", password_env="GUARDIAN_TEST_CALDAV_PASSWORD"
    )
    focus(cli, by_name)
    assert objects(radicale, deep)
    other = tmp_path / "other"
    other.mkdir()
    second = radicale.make_calendar("second", "Second")
    by_url = write_config(other, url, focus_calendar=second, password_env="GUARDIAN_TEST_CALDAV_PASSWORD")
    focus(cli, by_url)
    assert objects(radicale, second)


def test_an_unknown_focus_calendar_name_is_one_clear_line(cli, radicale, tmp_path):
    url = seed(radicale)
    config = write_config(tmp_path, url, focus_calendar="Nope", password_env="GUARDIAN_TEST_CALDAV_PASSWORD")
    result = cli("focus", "plan", "--config", str(config), "--from", "2026-12-07", "--now", NOW)
    assert result.code == 2 and "no calendar named 'Nope'" in result.err and len(result.err_lines) == 1


def _apply_once(dav, tmp_path):
    """guardian books one block through its writer and reads it back."""
    url = seed(dav)
    state = State(tmp_path / "state.sqlite3")
    source = open_work(write_config(tmp_path, url), state)
    writer = source.block_writer(BlockOptions())
    writer.own_blocks(WEEK)
    block = Block(datetime(2026, 12, 10, 13, tzinfo=TZ), datetime(2026, 12, 10, 15, tzinfo=TZ))
    with state.transaction():
        assert writer.apply([BlockOp(OpKind.CREATE, block)]).created == 1
    return url, state, source


def test_a_block_edited_by_another_client_between_read_and_write_is_not_overwritten(dav, tmp_path):
    url, state, _ = _apply_once(dav, tmp_path)
    # guardian reads its blocks (the plan is made from this)...
    source = open_work(write_config(tmp_path, url), state)
    writer = source.block_writer(BlockOptions())
    [mine] = writer.own_blocks(WEEK)
    focus_url = dav.home + "guardian-focus/"
    [(href, (etag, data))] = objects(dav, focus_url).items()
    # ...then the person moves it on their phone and adds a note
    edited = data.replace(
        "DTSTART;TZID=Europe/Berlin:20261210T130000", "DTSTART;TZID=Europe/Berlin:20261210T140000"
    )
    edited = edited.replace("DTSTART:20261210T120000Z", "DTSTART:20261210T130000Z")
    edited = edited.replace("SUMMARY:Focus time", "SUMMARY:Focus time (writing the RFC)")
    client = dav.client()
    assert client.put(
        dav.base + href, edited, {"Content-Type": "text/calendar", "If-Match": etag}
    ).status in (
        200,
        204,
    )
    theirs = objects(dav, focus_url)
    # ...and guardian, with its older version, wants to move it and then delete it
    later = Block(mine.start + timedelta(hours=1), mine.end + timedelta(hours=1))
    with state.transaction():
        moved = writer.apply([BlockOp(OpKind.MOVE, later, mine)])
    assert moved.moved == 0 and moved.conflicts == 1
    assert objects(dav, focus_url) == theirs  # nothing lost: their edit stands
    with state.transaction():
        deleted = writer.apply([BlockOp(OpKind.DELETE, None, mine)])
    # the writer re-read the block after the 412, so this delete is of their version
    assert deleted.deleted == 1 and objects(dav, focus_url) == {}


def test_a_delete_of_a_stale_version_is_refused_and_nothing_is_lost(dav, tmp_path):
    url, state, _ = _apply_once(dav, tmp_path)
    source = open_work(write_config(tmp_path, url), state)
    writer = source.block_writer(BlockOptions())
    [mine] = writer.own_blocks(WEEK)
    focus_url = dav.home + "guardian-focus/"
    [(href, (etag, data))] = objects(dav, focus_url).items()
    edited = data.replace("SUMMARY:Focus time", "SUMMARY:Focus time (keep!)")
    dav.client().put(dav.base + href, edited, {"Content-Type": "text/calendar", "If-Match": etag})
    with state.transaction():
        result = writer.apply([BlockOp(OpKind.DELETE, None, mine)])
    assert result.deleted == 0 and result.conflicts == 1
    [(_, (_, now))] = objects(dav, focus_url).items()
    assert "keep!" in now


def test_writes_refuse_events_guardian_did_not_create(radicale, tmp_path):
    import pytest

    url = seed(radicale)
    source = open_work(write_config(tmp_path, url), State(tmp_path / "state.sqlite3"))
    foreign = next(e for e in source.read(WEEK) if e.title == "inside")
    with pytest.raises(RuntimeError, match="guardian did not create it"):
        source.block_writer(BlockOptions()).apply([BlockOp(OpKind.DELETE, None, foreign)])
    assert "inside" in {e.title for e in open_work(write_config(tmp_path, url), None).read(WEEK)}
