"""Incremental reads of Outlook through calendarView/delta, kept in guardian's State."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.source import OutlookSource
from guardian.core.model import FOCUS_TITLE, Block, BlockOp, OpKind, Window
from guardian.errors import ProviderError
from tests.conftest import outlook_settings

UTC = UTC
MON = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = Window(MON, MON + timedelta(days=7))
IDENTITY = Identity(tz=ZoneInfo("Europe/Berlin"), me="me@contoso.com", domains=("contoso.com",))


@pytest.fixture
def fake(graph_fake):
    return graph_fake


@pytest.fixture
def settings(fake, tmp_path):
    s = outlook_settings(fake.settings(token_cache=str(tmp_path / "outlook-token-cache.json"), attempts=3))
    outlook_auth.login(s, prompt=lambda _m: None)
    fake.clear_log()
    return s


def new_source(settings, state):
    """A fresh source, as a new guardian process would build it."""
    return OutlookSource("me", IDENTITY, state, settings, sleep=lambda _s: None)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hour, minutes=minute)


def titles(events):
    return sorted(e.title for e in events)


def test_first_read_is_a_full_delta_round_then_only_changes(fake, settings, state):
    fake.max_page_size = 2
    seeded = [fake.seed_event(subject=f"m{i}", start=at(i, 9), end=at(i, 10)) for i in range(5)]
    fake.seed_event(subject="next month", start=at(20, 9), end=at(20, 10))

    assert titles(new_source(settings, state).read(WEEK)) == ["m0", "m1", "m2", "m3", "m4"]
    deltas = fake.requests("GET", "/calendarView/delta")
    assert len(deltas) == 3  # 2 + 2 + 2 (the horizon reaches past the window)
    # the horizon is the one for every provider: 7 days before the window's first day and
    # 35 after its last, at midnight in my zone (Europe/Berlin; the UTC week ends at 01:00
    # there on Monday 30 Nov, so that Monday is its last day)
    assert deltas[0].query["startDateTime"] == "2026-11-15T23:00:00Z"
    assert deltas[0].query["endDateTime"] == "2027-01-04T23:00:00Z"
    assert "$select" not in deltas[0].query  # delta takes none
    assert "$skiptoken" in deltas[1].query
    saved = json.loads(state.sync_token("outlook:me"))
    assert "$deltatoken=" in saved["link"]
    assert len(state.cached_items("outlook:me")) == 6

    # changes on the server: one edited, one deleted, one new
    fake.update_event(seeded[1]["id"], subject="m1 (moved)", start=at(1, 14), end=at(1, 15))
    fake.remove_event(seeded[2]["id"])
    fake.seed_event(subject="new", start=at(3, 16), end=at(3, 17))
    fake.clear_log()

    events = new_source(settings, state).read(WEEK)
    assert titles(events) == ["m0", "m1 (moved)", "m3", "m4", "new"]
    assert [e.start for e in events if e.title == "m1 (moved)"] == [at(1, 14)]
    deltas = fake.requests("GET", "/calendarView/delta")
    assert ["$deltatoken" in r.query for r in deltas] == [True, False]  # 3 changes, pages of 2
    assert "$skiptoken" in deltas[1].query
    assert not [r for r in fake.http_requests() if r.path == "/me/calendarView"]
    tagged = [r for r in fake.http_requests() if r.path == "/me/events"]
    assert len(tagged) == 1 and "$filter" in tagged[0].query  # only the small one for guardian's tag
    assert len(state.cached_items("outlook:me")) == 6

    # nothing changed: one delta call with nothing in it
    fake.clear_log()
    assert titles(new_source(settings, state).read(WEEK)) == titles(events)
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert delta.status == 200


def test_a_stale_delta_link_starts_over(fake, settings, state):
    fake.seed_event(subject="a", start=at(0, 9), end=at(0, 10))
    new_source(settings, state).read(WEEK)
    fake.expire_delta_tokens()
    fake.seed_event(subject="b", start=at(1, 9), end=at(1, 10))
    fake.clear_log()
    assert titles(new_source(settings, state).read(WEEK)) == ["a", "b"]
    statuses = [(("$deltatoken" in r.query), r.status) for r in fake.requests("GET", "/calendarView/delta")]
    assert statuses == [(True, 410), (False, 200)]


@pytest.mark.parametrize(
    ("status", "code", "inner"),
    [
        (410, "SyncStateNotFound", None),
        (410, "resyncRequired", None),
        (400, "syncStateNotFound", None),  # identity resources' answer
        (400, "resyncRequired", None),
        (404, "ErrorSyncFolderNotFound", "syncStateNotFound"),
        (400, "invalidRequest", "resyncRequired"),
    ],
)
def test_every_documented_sync_state_error_starts_over(fake, settings, state, status, code, inner):
    fake.seed_event(subject="a", start=at(0, 9), end=at(0, 10))
    new_source(settings, state).read(WEEK)
    fake.expire_delta_tokens(status, code, inner)
    fake.seed_event(subject="b", start=at(1, 9), end=at(1, 10))
    fake.clear_log()
    assert titles(new_source(settings, state).read(WEEK)) == ["a", "b"]
    statuses = [(("$deltatoken" in r.query), r.status) for r in fake.requests("GET", "/calendarView/delta")]
    assert statuses == [(True, status), (False, 200)]


def test_an_unrelated_delta_failure_is_reported_not_resynced(fake, settings, state):
    fake.seed_event(subject="a", start=at(0, 9), end=at(0, 10))
    new_source(settings, state).read(WEEK)
    fake.expire_delta_tokens(400, "invalidRequest", None)
    fake.clear_log()
    with pytest.raises(ProviderError) as err:
        new_source(settings, state).read(WEEK)
    assert "invalidRequest" in str(err.value)
    assert len(fake.requests("GET", "/calendarView/delta")) == 1  # no silent full resync


def test_a_window_past_the_horizon_starts_a_new_sync(fake, settings, state):
    fake.seed_event(subject="soon", start=at(0, 9), end=at(0, 10))
    fake.seed_event(subject="later", start=at(60, 9), end=at(60, 10))
    new_source(settings, state).read(WEEK)
    fake.clear_log()
    later = Window(MON + timedelta(days=58), MON + timedelta(days=65))
    assert titles(new_source(settings, state).read(later)) == ["later"]
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert delta.query["startDateTime"] == "2027-01-12T23:00:00Z"  # 7 days before, Berlin midnight
    assert [v["subject"] for v in state.cached_items("outlook:me").values()] == ["later"]


def test_own_blocks_are_told_apart_by_tag_in_synced_reads(fake, settings, state):
    src = new_source(settings, state)
    src.read(WEEK)
    src.apply(
        [
            BlockOp(OpKind.CREATE, block=Block(at(0, 13), at(0, 15))),
            BlockOp(OpKind.CREATE, block=Block(at(1, 13), at(1, 15))),
        ]
    )
    fake.seed_event(subject=FOCUS_TITLE, start=at(2, 13), end=at(2, 15))  # not ours
    events = new_source(settings, state).read(WEEK)
    assert [(e.title, e.own_block) for e in events] == [
        (FOCUS_TITLE, True),
        (FOCUS_TITLE, True),
        (FOCUS_TITLE, False),
    ]


def test_series_ranges_are_remembered_between_runs(fake, settings, state):
    fake.seed_series(subject="Weekly", start=at(0, 9), end=at(0, 10), count=4, range_type="noEnd")
    fake.seed_series(subject="Daily", start=at(0, 8), end=at(0, 8, 15), every=timedelta(days=1), count=3)
    new_source(settings, state).read(WEEK)
    assert len(fake.requests("GET", "/events/", batch=True)) == 2
    fake.clear_log()
    events = new_source(settings, state).read(WEEK)
    assert fake.requests("GET", "/events/") == []
    assert {e.title: e.series_end for e in events}["Weekly"] is None
    assert {e.title: e.series_end for e in events}["Daily"] == datetime(2026, 11, 26, tzinfo=UTC)


def _nightly(source, wanted):
    source.read(WEEK)
    own = {(e.start, e.end): e for e in source.own_blocks(WEEK)}
    ops = []
    for s, e in wanted:
        if (s, e) in own:
            ops.append(BlockOp(OpKind.KEEP, block=Block(s, e), existing=own.pop((s, e))))
        else:
            ops.append(BlockOp(OpKind.CREATE, block=Block(s, e)))
    ops += [BlockOp(OpKind.DELETE, existing=e) for e in own.values()]
    return source.apply(ops)


def test_nightly_twice_with_delta_second_run_writes_nothing(fake, settings, state):
    for d in range(5):
        fake.seed_event(subject="Standup", start=at(d, 9), end=at(d, 9, 15))
    wanted = [(at(d, 13), at(d, 15)) for d in range(5)]

    first = _nightly(new_source(settings, state), wanted)
    assert first.created == 5
    counts_first = (len(fake.http_requests()), len(fake.writes()))
    assert counts_first == (3, 5)  # delta, the tagged /events (reused by own_blocks), one $batch

    fake.clear_log()
    second = _nightly(new_source(settings, state), wanted)
    assert (second.created, second.kept, second.deleted) == (0, 5, 0)
    assert fake.writes() == []
    assert [(r.method, r.path) for r in fake.http_requests()] == [
        ("GET", "/me/calendarView/delta"),
        ("GET", "/me/events"),
    ]


def test_a_window_inside_the_horizon_reuses_the_delta_link(fake, settings, state):
    fake.seed_event(subject="this week", start=at(0, 9), end=at(0, 10))
    fake.seed_event(subject="in three weeks", start=at(21, 9), end=at(21, 10))
    new_source(settings, state).read(WEEK)
    fake.clear_log()
    for days in (-5, 7, 14, 21):  # last week's review, the coming weeks: all inside
        window = Window(WEEK.start + timedelta(days=days), WEEK.end + timedelta(days=days))
        new_source(settings, state).read(window)
    deltas = fake.requests("GET", "/calendarView/delta")
    assert len(deltas) == 4 and all("$deltatoken" in r.query for r in deltas)


def test_the_sync_horizon_keys_shape_the_delta_span(fake, graph_fake, tmp_path, state):
    from guardian.adapters.config import load_config

    raw = fake.settings(token_cache=str(tmp_path / "outlook-token-cache.json"))
    config = tmp_path / "guardian.toml"
    lines = [f'{k} = "{v}"' for k, v in raw.items()]
    config.write_text("[outlook]\n" + "\n".join(lines) + "\nsync_lookback_days = 0\nsync_ahead_days = 14\n")
    settings = load_config(str(config)).outlook
    assert (settings.horizon.lookback_days, settings.horizon.ahead_days) == (0, 14)
    outlook_auth.login(settings, prompt=lambda _m: None)
    fake.clear_log()
    new_source(settings, state).read(WEEK)
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert (delta.query["startDateTime"], delta.query["endDateTime"]) == (
        "2026-11-22T23:00:00Z",  # Mon 23 Nov, Berlin midnight
        "2026-12-14T23:00:00Z",  # the end of Mon 30 Nov (the window's last day) + 14 days
    )
    fake.clear_log()
    inside = Window(WEEK.start + timedelta(days=14), WEEK.end + timedelta(days=14))
    new_source(settings, state).read(inside)  # ends on the horizon's last day: the link holds
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert "$deltatoken" in delta.query
    fake.clear_log()
    later = Window(WEEK.start + timedelta(days=15), WEEK.end + timedelta(days=15))
    new_source(settings, state).read(later)  # past the shorter horizon: a new full round
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert "$deltatoken" not in delta.query
