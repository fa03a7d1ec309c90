"""For people who import the block file: blocks that move or go are cancelled, not just left out.

An import adds what the file holds and forgets nothing, so leaving a stale
block out of the file would leave it in the person's calendar for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics.blockfile import BlockFile
from guardian.core.model import Block, BlockOp, OpKind, Window
from tests.conftest import ME, NOW, vevent, write_ics

TZ = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 11, 30, tzinfo=TZ), datetime(2026, 12, 7, tzinfo=TZ))


def blocks_in(path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_a_moved_block_is_cancelled_under_its_uid_and_booked_anew(cli, tmp_path):
    work = write_ics(tmp_path, vevent("Planning", "2026-11-30 09:00", minutes=30), name="work.ics")
    out = tmp_path / "focus-blocks.ics"
    args = [
        "focus",
        "apply",
        "-c",
        work,
        "--output",
        out,
        "--from",
        "2026-11-30",
        "--days",
        "1",
        "--now",
        NOW,
    ]
    args += ["--me", ME, "--tz", "Europe/Berlin"]
    assert cli(*args).code == 0
    [(old_uid, old)] = blocks_in(out).items()
    # a meeting lands on the block: the next apply moves it
    write_ics(
        tmp_path,
        vevent("Planning", "2026-11-30 09:00", minutes=30),
        vevent(
            "Offsite prep", old.decoded("DTSTART").astimezone(TZ).replace(tzinfo=None).isoformat(), minutes=60
        ),
        name="work.ics",
    )
    moved = cli(*args)
    assert moved.code == 0 and "move focus block" in moved.out
    events = blocks_in(out)
    cancelled = events[old_uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert cancelled.decoded("DTSTART") == old.decoded("DTSTART")  # the old time, so importers find it
    [new_uid] = set(events) - {old_uid}
    assert "STATUS" not in events[new_uid] and new_uid.startswith("guardian-")
    # the cancelled copy is no block of guardian's plan: a re-run changes nothing
    again = cli(*args)
    assert again.code == 0 and "0 created, 0 moved, 0 deleted" in again.out
    assert set(blocks_in(out)) == {old_uid, new_uid}


def test_a_deleted_block_stays_cancelled_until_its_time_has_passed(tmp_path):
    path = tmp_path / "blocks.ics"
    blocks = BlockFile(path, Identity(TZ, ME))
    now = datetime.now(TZ).replace(second=0, microsecond=0)
    ahead = Block(now + timedelta(days=2), now + timedelta(days=2, hours=2))
    over = Block(now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=2))
    everything = Window(now - timedelta(days=7), now + timedelta(days=7))
    blocks.apply([BlockOp(OpKind.CREATE, ahead), BlockOp(OpKind.CREATE, over)])
    mine = {b.start: b for b in blocks.own_blocks(everything)}
    blocks.apply([BlockOp(OpKind.DELETE, None, b) for b in mine.values()])
    assert blocks.own_blocks(everything) == []
    events = blocks_in(path)
    assert all(str(e["STATUS"]) == "CANCELLED" and str(e["TRANSP"]) == "TRANSPARENT" for e in events.values())
    # the next write drops the cancelled copy whose time is over and keeps the one still ahead
    blocks.apply(
        [BlockOp(OpKind.CREATE, Block(ahead.start + timedelta(days=1), ahead.end + timedelta(days=1)))]
    )
    statuses = {u: str(e.get("STATUS", "")) for u, e in blocks_in(path).items()}
    assert mine[over.start].uid not in statuses
    assert statuses[mine[ahead.start].uid] == "CANCELLED"
