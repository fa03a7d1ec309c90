"""The Outlook source: the real msal and requests against the loopback Graph fake."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.mapping import TAG_PROPERTY_ID
from guardian.adapters.sources.outlook.source import OutlookSource
from guardian.core.model import (
    FOCUS_TITLE,
    GUARDIAN_TAG_VALUE,
    Block,
    BlockOp,
    EventKind,
    LinkKind,
    OpKind,
    Status,
    Window,
)
from guardian.errors import EXIT_PROVIDER, ProviderError
from tests.conftest import outlook_settings
from tests.source_contract import (
    assert_block_writer_contract,
    assert_respond_contract,
    assert_source_contract,
)

UTC = UTC
BERLIN = ZoneInfo("Europe/Berlin")
MON = datetime(2026, 11, 23, tzinfo=UTC)
WEEK = Window(MON, MON + timedelta(days=7))
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"


@pytest.fixture
def fake(graph_fake):
    return graph_fake


@pytest.fixture
def settings(fake, tmp_path):
    s = outlook_settings(fake.settings(token_cache=str(tmp_path / "outlook-token-cache.json"), attempts=3))
    outlook_auth.login(s, prompt=lambda _m: None)
    fake.clear_log()
    return s


@pytest.fixture
def sleeps():
    return []


IDENTITY = Identity(tz=BERLIN, me="me@contoso.com", domains=("contoso.com",))


@pytest.fixture
def source(settings, sleeps, state):
    """Plain calendarView reads (delta off); see test_outlook_delta.py for the synced path."""
    return OutlookSource("me", IDENTITY, state, replace(settings, delta=False), sleep=sleeps.append)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hour, minutes=minute)


def by_title(events):
    return {e.title: e for e in events}


# --- reading -------------------------------------------------------------------


def test_pages_through_next_links(fake, source):
    fake.max_page_size = 3
    for i in range(8):
        fake.seed_event(subject=f"m{i}", start=at(i % 5, 9 + i), end=at(i % 5, 9 + i, 30))
    events = source.read(WEEK)
    assert sorted(e.title for e in events) == sorted(f"m{i}" for i in range(8))
    views = fake.requests("GET", "/calendarView")
    assert len(views) == 3  # 3 + 3 + 2
    first = views[0]
    assert first.query["startDateTime"] == "2026-11-23T00:00:00Z"
    assert first.query["endDateTime"] == "2026-11-30T00:00:00Z"
    # no $select: Graph returns createdDateTime (D002's creation time) only without one
    assert "$select" not in first.query
    assert 'outlook.timezone="UTC"' in first.headers["prefer"]
    assert 'outlook.body-content-type="text"' in first.headers["prefer"]
    assert all("$skip" in r.query for r in views[1:])


def test_maps_every_field(fake, source):
    fake.seed_event(
        subject="Design review",
        start=at(1, 10),
        end=at(1, 11),
        isOrganizer=False,
        responseStatus="tentativelyAccepted",
        organizer="ana@contoso.com",
        attendees=[
            {"address": "me@contoso.com", "response": "tentativelyAccepted"},
            {"address": "bob@contoso.com", "response": "accepted"},
            {"address": "cy@partner.example", "type": "optional", "response": "declined"},
            {"address": "room-4@contoso.com", "type": "resource", "response": "accepted", "name": "Room 4"},
        ],
        onlineMeeting=TEAMS,
        body="<html><body><p>Agenda: decide on the API.</p>"
        "<p>Pre-read: https://contoso.sharepoint.com/sites/x/doc.docx</p></body></html>",
        hasAttachments=True,
        location="Room 4",
        createdDateTime=datetime(2026, 11, 1, 8, tzinfo=UTC),
    )
    fake.seed_event(
        subject="Company holiday",
        isAllDay=True,
        start=date(2026, 11, 26),
        end=date(2026, 11, 27),
        showAs="free",
    )
    fake.seed_event(subject="Vacation", start=at(4, 0), end=at(5, 0), showAs="oof")
    fake.seed_event(
        subject="Dropped",
        start=at(2, 14),
        end=at(2, 15),
        isCancelled=True,
        isOrganizer=False,
        responseStatus="notResponded",
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
    )
    fake.seed_event(subject="Deep work", start=at(2, 8), end=at(2, 10), categories=["Focus time"])
    fake.seed_event(
        subject="Hold",
        start=at(3, 8),
        end=at(3, 9),
        showAs="tentative",
        isOrganizer=False,
        responseStatus="declined",
        organizer="bob@contoso.com",
    )
    fake.seed_event(subject="Mine", start=at(3, 12), end=at(3, 13), showAs="workingElsewhere")

    ev = by_title(source.read(WEEK))

    dr = ev["Design review"]
    assert dr.start == at(1, 10) and dr.start.tzinfo is not None
    assert dr.start.utcoffset() == timedelta(hours=1)  # shown in my zone (Berlin, winter)
    assert dr.my_status is Status.TENTATIVE
    assert dr.organizer.email == "ana@contoso.com"
    st = {a.email: a for a in dr.attendees}
    assert st["bob@contoso.com"].status is Status.ACCEPTED
    assert st["cy@partner.example"].optional and st["cy@partner.example"].status is Status.DECLINED
    assert st["room-4@contoso.com"].resource and not st["room-4@contoso.com"].optional
    assert "room-4@contoso.com" not in {a.email for a in dr.people}
    assert dr.external  # cy is outside contoso.com
    kinds = {link.url: link.kind for link in dr.links}
    assert kinds[TEAMS] is LinkKind.CONFERENCE
    assert kinds["https://contoso.sharepoint.com/sites/x/doc.docx"] is LinkKind.DOC
    attachment = [link for link in dr.links if link.label == "attachment"]
    assert attachment and attachment[0].kind is LinkKind.DOC
    assert attachment[0].url == f"outlook-attachment:{dr.provider_id}"
    assert "Agenda: decide on the API." in dr.description and "<p>" not in dr.description
    assert dr.created == datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert dr.location == "Room 4"
    assert not dr.recurring and dr.uid.startswith("040000008200E000")
    assert dr.busy and not dr.cancelled and not dr.own_block and dr.kind is EventKind.DEFAULT

    hol = ev["Company holiday"]
    assert hol.all_day and not hol.busy
    assert hol.start == datetime(2026, 11, 26, tzinfo=BERLIN)
    assert hol.end == datetime(2026, 11, 27, tzinfo=BERLIN)

    assert ev["Vacation"].kind is EventKind.OUT_OF_OFFICE and ev["Vacation"].busy
    assert ev["Dropped"].cancelled and ev["Dropped"].my_status is Status.NEEDS_ACTION
    assert not ev["Dropped"].makes_me_busy
    assert ev["Deep work"].kind is EventKind.FOCUS and not ev["Deep work"].own_block
    assert ev["Deep work"].my_status is Status.ORGANIZER
    assert ev["Hold"].busy and ev["Hold"].my_status is Status.DECLINED
    assert not ev["Mine"].busy  # workingElsewhere says where I work, not that I am busy


def test_working_elsewhere_and_unknown_are_not_busy(fake, source):
    from guardian.core.availability import days_off, is_busy

    fake.seed_event(
        subject="Working from the Berlin office",
        isAllDay=True,
        start=date(2026, 11, 24),
        end=date(2026, 11, 25),
        showAs="workingElsewhere",
    )
    fake.seed_event(subject="No status", start=at(2, 10), end=at(2, 11), showAs="unknown")
    fake.seed_event(subject="Maybe", start=at(3, 10), end=at(3, 11), showAs="tentative")
    events = by_title(source.read(WEEK))
    marker, unknown, maybe = events["Working from the Berlin office"], events["No status"], events["Maybe"]
    assert not marker.busy and not unknown.busy and maybe.busy
    assert days_off(events.values(), BERLIN) == set()  # the office day is a workday
    assert not is_busy(unknown) and is_busy(maybe)


def test_series_instances_share_the_master_id(fake, source):
    master, insts = fake.seed_series(
        subject="Weekly sync",
        start=at(0, 9) - timedelta(days=14),
        end=at(0, 9, 30) - timedelta(days=14),
        count=6,
        range_type="endDate",
        exceptions={3: {"start": at(1, 15), "end": at(1, 15, 30)}},
        isOrganizer=False,
        responseStatus="accepted",
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
    )
    endless, _ = fake.seed_series(
        subject="Standup",
        start=at(0, 8),
        end=at(0, 8, 15),
        every=timedelta(days=1),
        count=5,
        range_type="noEnd",
    )
    events = source.read(WEEK)
    sync = sorted((e for e in events if e.title == "Weekly sync"), key=lambda e: e.start)
    # instances on Nov 9, 16, 23, 30, Dec 7, 14; the Nov 30 one moved to Tue Nov 24 15:00
    assert [e.start for e in sync] == [at(0, 9), at(1, 15)]
    assert all(e.uid == master["id"] and e.recurring for e in sync)
    assert [e.recurrence_id for e in sync] == [at(0, 9), at(7, 9)]
    assert all(e.series_end == datetime(2026, 12, 15, tzinfo=UTC) for e in sync)
    assert all(e.my_status is Status.ACCEPTED for e in sync)
    standups = [e for e in events if e.title == "Standup"]
    assert len(standups) == 5 and all(e.uid == endless["id"] and e.series_end is None for e in standups)
    assert len({e.instance_id for e in standups}) == 5
    # masters are fetched once, together, in one $batch
    assert len(fake.requests("POST", "/$batch")) == 1
    assert len(fake.requests("GET", "/events/", batch=True)) == 2
    # a second read of the same source does not fetch them again
    fake.clear_log()
    source.read(WEEK)
    assert fake.requests("POST", "/$batch") == [] and len(fake.http_requests()) == 1


def test_a_count_limited_series_ends_at_its_exact_last_occurrence(fake, source):
    # numberOfOccurrences = 4, weekly on Mondays 09:00 UTC: the 4th is on 14 December
    fake.seed_series(subject="Four reviews", start=at(0, 9), end=at(0, 10), count=4, range_type="numbered")
    (first,) = [e for e in source.read(WEEK) if e.title == "Four reviews"]
    assert first.series_end == at(21, 9)
    (get,) = fake.requests("GET", "/events/")
    assert set(get.query["$select"].split(",")) >= {"recurrence", "start"}


def test_429_retry_after_is_honoured(fake, source, sleeps):
    fake.seed_event(subject="x", start=at(0, 9), end=at(0, 10))
    fake.fail_next(2, status=429, retry_after="1")
    assert [e.title for e in source.read(WEEK)] == ["x"]
    assert sleeps == [1.0, 1.0]
    assert [r.status for r in fake.requests("GET", "/calendarView")] == [429, 429, 200]


def test_503_exhausted_is_a_provider_error_naming_the_calendar(fake, source, sleeps):
    fake.fail_next(10, status=503, retry_after=None)
    with pytest.raises(ProviderError) as err:
        source.read(WEEK)
    assert err.value.exit_code == EXIT_PROVIDER
    assert "outlook:me" in str(err.value) and "503" in str(err.value)
    assert len(fake.requests("GET", "/calendarView")) == 3  # attempts = 3
    assert len(sleeps) == 2
    assert "fake-at-" not in str(err.value)
    assert (err.value.status, err.value.reason) == (503, "ServiceUnavailable")


def test_graph_errors_are_reported_without_tokens(fake, source):
    fake.max_page_size = 1
    fake.seed_event(subject="a", start=at(0, 9), end=at(0, 10))
    fake.seed_event(subject="b", start=at(0, 11), end=at(0, 12))
    fake.revoke_all_tokens()
    with pytest.raises(ProviderError) as err:
        source.read(WEEK)
    assert "guardian auth outlook" in str(err.value)
    assert "Bearer" not in str(err.value) and "fake-" not in str(err.value)


def test_a_mailbox_i_may_not_read_is_a_403_with_its_reason(fake, settings, state, sleeps):
    # a delegated token reads only the signed-in user's mailbox: Graph answers 403 ErrorAccessDenied
    fake.add_user("ana@contoso.com", "Ana")
    other = OutlookSource(
        "ana@contoso.com", IDENTITY, state, replace(settings, delta=False), sleep=sleeps.append
    )
    with pytest.raises(ProviderError) as err:
        other.read(WEEK)
    assert (err.value.status, err.value.reason) == (403, "ErrorAccessDenied")
    assert "permissions" in err.value.hint


# --- writing -------------------------------------------------------------------


def _creates(*blocks):
    return [BlockOp(OpKind.CREATE, block=Block(s, e)) for s, e in blocks]


def test_creates_tagged_private_busy_blocks_in_one_batch(fake, source):
    result = source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 13), at(1, 15)), (at(2, 9), at(2, 12))))
    assert result.created == 3
    assert len(fake.requests("POST", "/$batch", batch=False)) == 1
    posts = fake.requests("POST", "/me/events", batch=True)
    assert len(posts) == 3
    assert all(f"{fake.base_url}/Calendars.ReadWrite" in r.scopes for r in posts)
    stored = [e for e in fake.events() if e["subject"] == FOCUS_TITLE]
    assert len(stored) == 3
    for e in stored:
        assert e["showAs"] == "busy" and e["sensitivity"] == "private"
        assert e["isReminderOn"] is False and e["categories"] == ["Focus time"]
        assert e["singleValueExtendedProperties"] == [{"id": TAG_PROPERTY_ID, "value": GUARDIAN_TAG_VALUE}]
    assert len(source.state.blocks("outlook:me")) == 3


def test_one_write_goes_out_alone(fake, source):
    source.apply(_creates((at(0, 9), at(0, 11))))
    assert fake.requests("POST", "/$batch") == []
    assert len(fake.requests("POST", "/me/events", batch=False)) == 1


def test_own_blocks_filters_by_the_tag_never_by_title(fake, source):
    source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 9), at(1, 11))))
    impostor = fake.seed_event(subject=FOCUS_TITLE, start=at(2, 9), end=at(2, 11), categories=["Focus time"])
    fake.clear_log()
    own = source.own_blocks(WEEK)
    assert sorted(e.start for e in own) == [at(0, 9), at(1, 9)]
    assert all(e.own_block and e.kind is EventKind.FOCUS for e in own)
    assert impostor["id"] not in {e.provider_id for e in own}
    assert fake.requests("GET", "/calendarView") == []  # never filtered on the tag
    (req,) = fake.requests("GET", "/me/events")
    assert req.query["$filter"] == (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}' and ep/value eq '{GUARDIAN_TAG_VALUE}')"
    )
    # read() tells them apart the same way
    everything = source.read(WEEK)
    titled = [e for e in everything if e.title == FOCUS_TITLE]
    assert len(titled) == 3 and sum(e.own_block for e in titled) == 2

    # and a reconcile that deletes every own block never touches the impostor
    fake.clear_log()
    result = source.apply([BlockOp(OpKind.DELETE, existing=e) for e in own])
    assert result.deleted == 2
    assert impostor["id"] in {e["id"] for e in fake.events()}
    assert {r.path.rsplit("/", 1)[-1] for r in fake.writes()} == {e.provider_id for e in own}


@pytest.mark.parametrize("delta", [False, True])
def test_own_blocks_are_found_without_filtering_the_calendar_view(fake, settings, state, delta):
    fake.strict_calendar_view = True
    writer = OutlookSource("me", IDENTITY, state, replace(settings, delta=delta), sleep=lambda _s: None)
    writer.apply(_creates((at(0, 9), at(0, 11))))
    fake.seed_event(subject=FOCUS_TITLE, start=at(1, 9), end=at(1, 11), categories=["Focus time"])
    fake.clear_log()
    fresh = OutlookSource("me", IDENTITY, state, replace(settings, delta=delta), sleep=lambda _s: None)
    events = fresh.read(WEEK)
    assert [(e.title, e.own_block) for e in events] == [(FOCUS_TITLE, True), (FOCUS_TITLE, False)]
    assert [e.start for e in fresh.own_blocks(WEEK)] == [at(0, 9)]
    views = fake.requests("GET", "/calendarView")
    assert not any("$filter" in r.query or "$expand" in r.query for r in views)


def test_apply_refuses_foreign_events_and_writes_nothing(fake, source):
    fake.seed_event(subject=FOCUS_TITLE, start=at(2, 9), end=at(2, 11))
    own = source.apply(_creates((at(0, 9), at(0, 11))))
    assert own.created == 1
    foreign = by_title(source.read(WEEK))
    mine = list(source.own_blocks(WEEK))
    impostor = [e for e in foreign.values() if not e.own_block][0]
    fake.clear_log()
    ops = [
        BlockOp(OpKind.MOVE, block=Block(at(3, 9), at(3, 11)), existing=mine[0]),
        BlockOp(OpKind.DELETE, existing=impostor),
    ]
    with pytest.raises(RuntimeError, match="did not create"):
        source.apply(ops)
    assert fake.writes() == [] and fake.log == []


def test_batches_split_at_twenty(fake, source):
    blocks = [
        (at(d % 7, 0) + timedelta(minutes=30 * i), at(d % 7, 0) + timedelta(minutes=30 * i + 20))
        for d in range(1)
        for i in range(45)
    ]
    result = source.apply(_creates(*blocks))
    assert result.created == 45
    batches = fake.requests("POST", "/$batch", batch=False)
    assert [len(r.body["requests"]) for r in batches] == [20, 20, 5]
    assert len(fake.requests("POST", "/me/events", batch=True)) == 45


def test_move_and_delete_in_a_batch_with_a_throttled_item(fake, source, sleeps):
    source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 9), at(1, 11))))
    a, b = sorted(source.own_blocks(WEEK), key=lambda e: e.start)
    fake.clear_log()
    fake.fail_next(1, status=429, retry_after="1", in_batch=True)
    result = source.apply(
        [
            BlockOp(OpKind.MOVE, block=Block(at(0, 13), at(0, 15)), existing=a),
            BlockOp(OpKind.DELETE, existing=b),
            BlockOp(OpKind.KEEP, block=Block(at(5, 9), at(5, 11)), existing=a),
        ]
    )
    assert (result.moved, result.deleted, result.kept) == (1, 1, 1)
    assert sleeps == [1.0]
    batches = fake.requests("POST", "/$batch", batch=False)
    assert [len(r.body["requests"]) for r in batches] == [2, 1]  # only the throttled one again
    (left,) = source.own_blocks(WEEK)
    assert (left.start, left.end) == (at(0, 13), at(0, 15))


def test_a_batch_item_asked_to_wait_past_the_limit_ends_the_retries(fake, source, sleeps):
    fake.fail_next(1, status=429, retry_after="3600", in_batch=True)
    with pytest.raises(ProviderError) as err:
        source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 9), at(1, 11))))
    assert sleeps == [] and len(fake.requests("POST", "/$batch", batch=False)) == 1
    assert err.value.status == 429 and "429" in str(err.value)


def test_an_invite_with_responses_turned_off_is_not_answered(fake, source):
    from guardian.adapters.sources.base import ResponsesOff

    inv = fake.seed_event(
        subject="All hands",
        start=at(1, 14),
        end=at(1, 15),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
        responseRequested=False,
    )
    (event,) = source.read(WEEK)
    assert dict(event.extra)["outlook.responseRequested"] == "false"  # a plan can tell before sending
    fake.clear_log()
    with pytest.raises(ResponsesOff) as err:
        source.respond(event, Status.TENTATIVE, "Could you share a pre-read doc before we meet?")
    assert err.value.code == "responses-off"
    assert "turned responses off" in err.value.message and "All hands" in err.value.message
    assert fake.writes() == [] and fake.responses(inv["id"]) == []  # nothing changed, nothing sent


def test_respond_posts_tentatively_accept_with_comment(fake, source):
    inv = fake.seed_event(
        subject="Roadmap",
        start=at(1, 14),
        end=at(1, 15),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
    )
    (event,) = source.read(WEEK)
    source.respond(event, Status.TENTATIVE, "Could you share a pre-read doc before we meet?")
    assert fake.responses(inv["id"]) == [
        {
            "action": "tentativelyAccept",
            "comment": "Could you share a pre-read doc before we meet?",
            "sendResponse": True,
        }
    ]
    (post,) = fake.requests("POST", "/tentativelyAccept")
    assert post.body == {"comment": "Could you share a pre-read doc before we meet?", "sendResponse": True}
    assert source.read(WEEK)[0].my_status is Status.TENTATIVE


def _nightly(source, wanted):
    """What `guardian nightly --apply` does with a source: read, find own blocks, reconcile, apply."""
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


def test_second_nightly_run_on_an_unchanged_calendar_writes_nothing(fake, source, settings, sleeps, tmp_path):
    fake.seed_event(subject="Planning", start=at(0, 10), end=at(0, 11))
    wanted = [(at(d, 13), at(d, 15)) for d in range(5)]
    first = _nightly(source, wanted)
    assert first.created == 5
    first_requests = len(fake.http_requests())
    first_writes = len(fake.writes())
    # calendarView, the tagged /events (own_blocks reuses them), one $batch
    assert (first_requests, first_writes) == (3, 5)

    fake.clear_log()
    again = OutlookSource("me", source.identity, source.state, settings, sleep=sleeps.append)
    second = _nightly(again, wanted)
    assert (second.created, second.kept) == (0, 5)
    assert fake.writes() == []
    assert len(fake.http_requests()) == 2  # calendarView and the tagged /events, nothing else


# --- the Source contract -------------------------------------------------------------


def seed_scenario(fake) -> None:
    """The contract's SCENARIO (tests/source_contract.py) as Outlook events (a UTC week)."""
    fake.seed_event(
        subject="spans the window start", start=MON - timedelta(hours=1), end=MON + timedelta(hours=1)
    )
    fake.seed_event(subject="inside", start=at(1, 10), end=at(1, 11))
    fake.seed_event(subject="all day", isAllDay=True, start=date(2026, 11, 27), end=date(2026, 11, 28))
    fake.seed_event(subject="ends at the window start", start=MON - timedelta(hours=1), end=MON)
    fake.seed_series(
        subject="series", start=at(2, 9), end=at(2, 10), every=timedelta(days=1), count=10, range_type="noEnd"
    )


@pytest.mark.parametrize("delta", [False, True])
def test_block_writer_contract(fake, settings, state, delta):
    """Writes: a second apply of the same plan changes nothing; foreign events are refused."""
    seed_scenario(fake)
    source = OutlookSource("me", IDENTITY, state, replace(settings, delta=delta), sleep=lambda _s: None)

    def snapshot():
        return json.dumps(fake.events(), sort_keys=True)

    assert_block_writer_contract(source, WEEK, snapshot=snapshot)


def test_respond_contract(fake, source):
    """RSVP: the organizer (a mailbox of the same tenant) sees my answer and my comment."""
    uid = "040000008200E00074C5B7101A82E00800000000C0FFEE0000000000000000000000000000000000000000"
    fake.add_user("ana@contoso.com", "Ana Lima")
    fake.seed_event(
        "ana@contoso.com",
        subject="Roadmap sync",
        start=at(1, 14),
        end=at(1, 15),
        iCalUId=uid,
        attendees=["ana@contoso.com", "me@contoso.com"],
    )
    fake.seed_event(
        subject="Roadmap sync",
        start=at(1, 14),
        end=at(1, 15),
        iCalUId=uid,
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["ana@contoso.com", "me@contoso.com"],
    )
    (invite,) = source.read(WEEK)
    statuses = {
        "accepted": Status.ACCEPTED,
        "tentativelyAccepted": Status.TENTATIVE,
        "declined": Status.DECLINED,
    }

    def organizer_sees():
        (theirs,) = fake.events("ana@contoso.com")
        mine = next(a for a in theirs["attendees"] if a["emailAddress"]["address"] == "me@contoso.com")
        sent = fake.meeting_responses("ana@contoso.com")[-1]
        assert sent["response"] == mine["status"]["response"]
        return statuses.get(mine["status"]["response"]), sent["comment"]

    assert_respond_contract(source, invite, organizer_sees)


@pytest.mark.parametrize("delta", [False, True])
def test_source_contract(fake, settings, state, delta):
    """What every Source promises, whatever the provider (same as the ics and Google sources)."""
    seed_scenario(fake)
    source = OutlookSource("me", IDENTITY, state, replace(settings, delta=delta), sleep=lambda _s: None)
    assert source.spec == "outlook:me"
    assert_source_contract(source, WEEK, series_in_window=5)
    assert fake.writes() == []


def test_windows_time_zone_names_map_to_iana(fake, source):
    from guardian.adapters.sources.outlook.mapping import parse_graph_datetime, zone_of

    assert str(zone_of("W. Europe Standard Time")) == "Europe/Berlin"
    assert str(zone_of("Pacific Standard Time")) == "America/Los_Angeles"
    assert zone_of("Europe/Paris") == ZoneInfo("Europe/Paris")
    assert parse_graph_datetime("2026-11-24T09:00:00.0000000", "Tokyo Standard Time") == datetime(
        2026, 11, 24, 0, tzinfo=UTC
    )
    # a series whose range is kept in a Windows zone ends at midnight there
    fake.seed_series(
        subject="Berlin weekly",
        start=at(0, 9),
        end=at(0, 10),
        count=3,
        recurrenceTimeZone="W. Europe Standard Time",
    )
    (event,) = [e for e in source.read(WEEK) if e.title == "Berlin weekly"]
    assert event.series_end == datetime(2026, 12, 8, tzinfo=BERLIN)


# --- a create whose answer was lost is not booked twice --------------------------------


def test_create_whose_answer_was_lost_is_not_booked_twice(fake, source, sleeps):
    # the mailbox created the event, but the answer became a gateway's 504
    fake.fail_next(1, status=504, after=True)
    result = source.apply(_creates((at(0, 9), at(0, 11))))
    assert result.created == 1
    assert len([e for e in fake.events() if e["subject"] == FOCUS_TITLE]) == 1
    assert len(source.own_blocks(WEEK)) == 1


def test_batched_create_whose_answer_was_lost_is_not_booked_twice(fake, source, sleeps):
    fake.fail_next(1, status=504, after=True, in_batch=True)
    result = source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 9), at(1, 11))))
    assert result.created == 2
    assert len([e for e in fake.events() if e["subject"] == FOCUS_TITLE]) == 2


def test_batch_whose_answer_was_lost_is_not_booked_twice(fake, source, sleeps):
    fake.fail_next(1, status=504, after=True)
    result = source.apply(_creates((at(0, 9), at(0, 11)), (at(1, 9), at(1, 11))))
    assert result.created == 2
    assert len([e for e in fake.events() if e["subject"] == FOCUS_TITLE]) == 2


def test_external_attendees_are_seen_without_me_configured(fake, settings, state, sleeps):
    # no --me and no domains: who I am comes from the mailbox itself (events I organize)
    source = OutlookSource(
        "me", Identity(tz=BERLIN), state, replace(settings, delta=False), sleep=sleeps.append
    )
    fake.seed_event(subject="Mine", start=at(0, 8), end=at(0, 9))
    fake.seed_event(
        subject="Negotiation",
        start=at(1, 10),
        end=at(1, 11),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com", "buyer@fabrikam.example"],
    )
    fake.seed_event(
        subject="Team",
        start=at(1, 12),
        end=at(1, 13),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
    )
    ev = by_title(source.read(WEEK))
    assert ev["Negotiation"].external
    assert not ev["Team"].external and not ev["Mine"].external


def test_external_attendees_of_another_mailbox_are_judged_by_its_domain(fake, settings, state, sleeps):
    source = OutlookSource(
        fake.me, Identity(tz=BERLIN), state, replace(settings, delta=False), sleep=sleeps.append
    )
    fake.seed_event(
        subject="Negotiation",
        start=at(1, 10),
        end=at(1, 11),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=[fake.me, "buyer@fabrikam.example"],
    )
    (ev,) = source.read(WEEK)
    assert ev.external


def test_a_doc_linked_behind_its_title_is_a_pre_read(fake, source):
    # text bodies keep a hyperlink's target after its text ("Design doc<URL>")
    doc = "https://contoso.sharepoint.com/sites/x/design.docx"
    fake.seed_event(
        subject="Review",
        start=at(1, 10),
        end=at(1, 11),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com"],
        body=f'<html><body><p>Agenda: decide.</p><p>Pre-read: <a href="{doc}">Design doc</a>'
        f"</p></body></html>",
    )
    (ev,) = source.read(WEEK)
    assert doc in {link.url for link in ev.doc_links}
    assert "Design doc" in ev.description


# --- links and endpoints: the bearer token goes to the configured Graph host only -------------


def test_a_next_link_to_another_host_is_not_followed(fake, source):
    from tests.fakes.sink import Sink

    fake.max_page_size = 1
    for day in range(3):
        fake.seed_event(subject=f"m{day}", start=at(day, 9), end=at(day, 10))
    with Sink() as sink:
        fake.links_to = sink.url + "/v1.0"
        with pytest.raises(ProviderError) as err:
            source.read(WEEK)
    assert sink.visits == []  # no request, no token
    assert "127.0.0.1" in str(err.value) and "not followed" in str(err.value)


def test_a_stored_delta_link_to_another_host_is_dropped_for_a_full_sync(fake, settings, state):
    from tests.fakes.sink import Sink

    fake.seed_event(subject="a", start=at(0, 9), end=at(0, 10))
    src = OutlookSource("me", IDENTITY, state, settings, sleep=lambda _s: None)
    src.read(WEEK)
    saved = json.loads(state.sync_token("outlook:me"))
    with Sink() as sink:
        # a state file someone edited (or an older answer) points the delta link elsewhere
        saved["link"] = sink.url + "/v1.0/me/calendarView/delta?$deltatoken=x"
        state.set_sync_token("outlook:me", json.dumps(saved))
        fake.clear_log()
        events = OutlookSource("me", IDENTITY, state, settings, sleep=lambda _s: None).read(WEEK)
    assert [e.title for e in events] == ["a"]
    assert sink.visits == []
    (delta,) = fake.requests("GET", "/calendarView/delta")
    assert "$deltatoken" not in delta.query  # started over on the configured host


@pytest.mark.parametrize("url", ["http://graph.microsoft.com/v1.0", "ftp://graph.example/v1.0"])
def test_graph_url_must_be_https_except_on_loopback(fake, settings, url):
    from guardian.errors import InputError

    with pytest.raises(InputError) as err:
        OutlookSource("me", IDENTITY, None, replace(settings, graph_url=url)).read(WEEK)
    assert err.value.exit_code == 2 and "https" in str(err.value)
    assert fake.requests() == []
