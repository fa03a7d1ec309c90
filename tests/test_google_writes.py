"""GoogleSource writes: focus blocks (focusTime or tagged busy events), batch, RSVP."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google.source import GoogleSource
from guardian.core.model import (
    FOCUS_TITLE,
    GUARDIAN_TAG,
    GUARDIAN_TAG_VALUE,
    Block,
    BlockOp,
    EventKind,
    OpKind,
    Status,
    Window,
)
from guardian.domain.focus import reconcile
from guardian.errors import AuthError, ProviderError
from tests.conftest import google_settings

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file
except ImportError:  # tests/ itself on sys.path (no package __init__)
    from fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
ME = "me@example.com"
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))
READ = "https://www.googleapis.com/auth/calendar.readonly"
WRITE = "https://www.googleapis.com/auth/calendar.events"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def block(day: int, hour: int, hours: int = 2) -> Block:
    return Block(at(day, hour), at(day, hour) + timedelta(hours=hours))


def creates(*blocks: Block) -> list[BlockOp]:
    return [BlockOp(OpKind.CREATE, block=b) for b in blocks]


def writes(fake) -> list:
    return [r for r in fake.log if r.method in ("POST", "PATCH", "DELETE") and r.path != "/token"]


@pytest.fixture
def fake():
    with FakeGoogleCalendar(owner=ME, tz="Europe/Berlin") as server:
        yield server


@pytest.fixture
def token_file(tmp_path, fake):
    return write_token_file(tmp_path / "google-token.json", fake)


@pytest.fixture
def sleeps():
    class Sleeps(list):
        def __call__(self, seconds: float) -> None:
            self.append(seconds)

    return Sleeps()


@pytest.fixture
def make(fake, token_file, sleeps):
    def build(state=None, calendar="primary", **settings) -> GoogleSource:
        conf = {"api_endpoint": fake.api_endpoint, "token_file": str(token_file), **settings}
        return GoogleSource(calendar, Identity(tz=TZ, me=ME), state, google_settings(conf), sleep=sleeps)

    return build


# --- creating focus blocks --------------------------------------------------------


def test_create_books_native_focus_time_tagged(fake, make):
    result = make().apply(creates(block(8, 9)))
    assert result.created == 1
    [ev] = fake.items()
    assert ev["eventType"] == "focusTime"
    assert ev["focusTimeProperties"] == {
        "autoDeclineMode": "declineOnlyNewConflictingInvitations",
        "chatStatus": "doNotDisturb",
    }
    assert ev["summary"] == FOCUS_TITLE
    assert ev["extendedProperties"]["private"] == {GUARDIAN_TAG: GUARDIAN_TAG_VALUE}
    assert ev["visibility"] == "private" and ev["transparency"] == "opaque"
    assert ev["reminders"] == {"useDefault": False, "overrides": []}
    assert datetime.fromisoformat(ev["start"]["dateTime"]) == at(8, 9)
    assert ev["start"]["timeZone"] == "Europe/Berlin"
    assert "focus time" in result.details[0]


def test_focus_settings_are_honoured(fake, make):
    make(focus_auto_decline=False, focus_chat_status="available").apply(creates(block(8, 9)))
    assert fake.items()[0]["focusTimeProperties"] == {
        "autoDeclineMode": "declineNone",
        "chatStatus": "available",
    }
    make(focus_decline_message="Heads down, ask async").apply(creates(block(9, 9)))
    props = [e for e in fake.items() if e["start"]["dateTime"].startswith("2026-12-09")][0]
    assert props["focusTimeProperties"]["declineMessage"] == "Heads down, ask async"


@pytest.mark.parametrize("how", ["secondary calendar", "not workspace"])
def test_focus_time_rejected_falls_back_to_a_tagged_busy_event(fake, make, how):
    calendar = "team@group.calendar.google.com" if how == "secondary calendar" else "primary"
    fake.owned_calendars.add(calendar)  # a secondary calendar I created: calendar.events.owned covers it
    fake.workspace = how != "not workspace"
    source = make(calendar=calendar)
    result = source.apply(creates(block(8, 9), block(9, 9)))
    assert result.created == 2
    items = fake.items(calendar)
    assert len(items) == 2
    for ev in items:
        assert ev["eventType"] == "default" and "focusTimeProperties" not in ev
        assert ev["extendedProperties"]["private"][GUARDIAN_TAG] == GUARDIAN_TAG_VALUE
        assert ev.get("transparency") == "opaque" and ev["summary"] == FOCUS_TITLE
    assert source.focus_time_rejected
    assert all("busy event" in d for d in result.details)
    blocks = source.own_blocks(WEEK)
    assert len(blocks) == 2 and all(b.own_block and b.kind is EventKind.FOCUS for b in blocks)


def test_many_writes_go_out_as_one_batch(fake, make):
    ops = creates(*(block(d, 9) for d in range(7, 12)), *(block(d, 14) for d in range(7, 12)))
    result = make().apply(ops)
    assert result.created == 10
    outer = fake.requests("POST", "/batch/calendar/v3")
    assert len(outer) == 1
    assert len(fake.requests("POST", "/events", batch_part=True)) == 10
    assert fake.requests("POST", "/events", batch_part=False) == []
    assert len(fake.items()) == 10


def test_batch_part_rate_limited_is_retried_alone(fake, make, sleeps):
    fake.inject(429, retry_after=1, scope="part")
    result = make().apply(creates(block(7, 9), block(8, 9), block(9, 9)))
    assert result.created == 3 and len(fake.items()) == 3
    assert sleeps == [1.0]
    # three parts in the batch, then the refused one again on its own; no duplicates
    assert len(fake.requests("POST", "/events", batch_part=True)) == 3
    assert len(fake.requests("POST", "/events", batch_part=False)) == 1


def test_batch_part_asked_to_wait_past_the_limit_is_not_retried(fake, make, sleeps):
    # the one retry policy: a Retry-After above the limit ends the retries (exit 3), also for a part
    fake.inject(429, retry_after=3600, scope="part")
    with pytest.raises(ProviderError) as err:
        make().apply(creates(block(7, 9), block(8, 9), block(9, 9)))
    assert sleeps == []
    assert len(fake.items()) == 2  # the other parts went through
    assert "2 other change(s) were made" in str(err.value) and err.value.status == 429


def test_single_write_429_then_success_honours_retry_after(fake, make, sleeps):
    fake.inject(429, retry_after=1)
    assert make().apply(creates(block(7, 9))).created == 1
    assert sleeps == [1.0] and len(fake.items()) == 1


def test_write_failing_for_good_names_the_calendar(fake, make):
    fake.inject(500, count=20)
    with pytest.raises(ProviderError) as err:
        make(attempts=2).apply(creates(block(7, 9)))
    assert "'primary'" in str(err.value) and err.value.exit_code == 3
    assert fake.items() == []


# --- own blocks, moves, deletes, the guard ------------------------------------------


def test_own_blocks_are_found_by_tag_never_by_title(fake, make, state):
    mine = fake.seed(
        {
            "summary": FOCUS_TITLE,
            "start": {"dateTime": at(7, 9).isoformat()},
            "end": {"dateTime": at(7, 11).isoformat()},
        }
    )  # the user's own "Focus time"
    for source in (make(None), make(state)):
        source.apply(creates(block(8, 9))) if source.state is None else None
        blocks = source.own_blocks(WEEK)
        assert [b.start for b in blocks] == [at(8, 9)]
        assert all(b.provider_id != mine["id"] for b in blocks)
    # without state Google filters by the tag; with state the synced cache answers
    lists = fake.requests("GET", "/events")
    assert any(r.param("privateExtendedProperty") == f"{GUARDIAN_TAG}={GUARDIAN_TAG_VALUE}" for r in lists)
    user_event = {e.title: e for e in make(state).read(WEEK) if not e.own_block}[FOCUS_TITLE]
    assert not user_event.own_block
    with pytest.raises(RuntimeError):
        make().apply([BlockOp(OpKind.DELETE, existing=user_event)])
    assert fake.get(mine["id"])["status"] == "confirmed"


def test_apply_with_a_foreign_event_raises_and_writes_nothing(fake, make):
    foreign = fake.seed(
        {
            "summary": "Team meeting",
            "start": {"dateTime": at(7, 9).isoformat()},
            "end": {"dateTime": at(7, 10).isoformat()},
        }
    )
    source = make()
    [event] = source.read(WEEK)
    fake.clear_log()
    ops = creates(block(8, 9)) + [BlockOp(OpKind.MOVE, block=block(9, 9), existing=event)]
    with pytest.raises(RuntimeError, match="guardian did not create it"):
        source.apply(ops)
    assert writes(fake) == []
    assert len(fake.items()) == 1 and fake.get(foreign["id"])["summary"] == "Team meeting"


def test_move_and_delete_own_blocks(fake, make, state):
    source = make(state)
    source.apply(creates(block(7, 9), block(8, 9), block(9, 9)))
    a, b, c = source.own_blocks(WEEK)
    fake.clear_log()
    result = source.apply(
        [
            BlockOp(OpKind.MOVE, block=block(7, 13), existing=a),
            BlockOp(OpKind.DELETE, existing=b),
            BlockOp(OpKind.KEEP, block=block(9, 9), existing=c),
        ]
    )
    assert (result.moved, result.deleted, result.kept, result.created) == (1, 1, 1, 0)
    assert len(fake.requests("POST", "/batch/calendar/v3")) == 1
    assert [p.method for p in fake.log if p.batch_part] == ["PATCH", "DELETE"]
    starts = sorted(bl.start for bl in source.own_blocks(WEEK))
    assert starts == [at(7, 13), at(9, 9)]
    # deleting a block someone already removed counts as done
    [moved, kept] = source.own_blocks(WEEK)
    fake.remove(kept.provider_id)
    assert source.apply([BlockOp(OpKind.DELETE, existing=kept)]).deleted == 1


def test_second_nightly_run_on_an_unchanged_calendar_only_syncs(fake, make, state):
    for day in range(7, 12):
        fake.seed(
            {
                "summary": "Standup",
                "start": {"dateTime": at(day, 9).isoformat()},
                "end": {"dateTime": at(day, 9, 30).isoformat()},
            }
        )
    plan = [block(d, 10) for d in range(7, 12)]

    def nightly():
        source = make(state)
        source.read(WEEK)
        ops = reconcile(plan, source.own_blocks(WEEK), WEEK.start - timedelta(days=1))
        return source.apply(ops)

    first = nightly()
    assert first.created == 5
    first_log = [f"{r.method} {r.path}" for r in fake.log if not r.batch_part]
    assert first_log == [
        "POST /token",
        "GET /calendar/v3/calendars/primary/events",
        "POST /batch/calendar/v3",
    ]
    for run in ("second", "third"):
        fake.clear_log()
        again = nightly()
        assert (again.created, again.kept, again.moved, again.deleted) == (0, 5, 0, 0)
        assert writes(fake) == []
        # one sync-token request: the second run's brings back the first run's own writes
        assert len(fake.log) == 1 and fake.log[0].param("syncToken"), run
    assert len(fake.items()) == 10  # 5 standups + 5 blocks, no duplicates
    print(f"nightly requests: first run {len(first_log)} {first_log}, later runs 1")


# --- RSVP -------------------------------------------------------------------------


def invite(fake, **extra) -> dict:
    return fake.seed(
        {
            "summary": "Roadmap sync",
            "start": {"dateTime": at(8, 15).isoformat()},
            "end": {"dateTime": at(8, 16).isoformat()},
            "organizer": {"email": "ana@example.com", "displayName": "Ana"},
            "creator": {"email": "ana@example.com"},
            "attendees": [
                {"email": "ana@example.com", "organizer": True, "responseStatus": "accepted"},
                {"email": ME, "self": True, "responseStatus": "needsAction"},
                {"email": "bob@example.com", "responseStatus": "tentative", "comment": "maybe"},
            ],
            **extra,
        }
    )


def test_respond_patches_my_attendee_entry_and_notifies(fake, make):
    seeded = invite(fake)
    source = make()
    [event] = source.read(WEEK)
    assert event.my_status is Status.NEEDS_ACTION
    source.respond(event, Status.DECLINED, "Could you share a pre-read first?")
    after = fake.get(seeded["id"])
    me = next(a for a in after["attendees"] if a["email"] == ME)
    assert me["responseStatus"] == "declined"
    assert me["comment"] == "Could you share a pre-read first?"
    others = [a for a in after["attendees"] if a["email"] != ME]
    assert others == [a for a in seeded["attendees"] if a["email"] != ME]
    [patch] = fake.requests("PATCH")
    assert patch.param("sendUpdates") == "all"
    [re_read] = make().read(WEEK)
    assert re_read.my_status is Status.DECLINED


def test_respond_when_not_invited_is_an_input_error(fake, make):
    from guardian.errors import InputError

    fake.seed(
        {
            "summary": "Other's meeting",
            "organizer": {"email": "ana@example.com"},
            "start": {"dateTime": at(8, 15).isoformat()},
            "end": {"dateTime": at(8, 16).isoformat()},
            "attendees": [{"email": "ana@example.com", "organizer": True}, {"email": "bob@example.com"}],
        }
    )
    source = make()
    [event] = source.read(WEEK)
    with pytest.raises(InputError):
        source.respond(event, Status.ACCEPTED, "")
    assert fake.requests("PATCH") == []


# --- scopes ------------------------------------------------------------------------


def test_read_only_token_cannot_write_and_says_what_to_run(fake, tmp_path):
    token = write_token_file(tmp_path / "ro.json", fake, scopes=(READ,))
    source = GoogleSource(
        "primary",
        Identity(tz=TZ, me=ME),
        None,
        google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)}),
    )
    assert source.read(WEEK) == []  # reading is fine
    with pytest.raises(AuthError) as err:
        source.apply(creates(block(8, 9)))
    assert "guardian auth google --write" in str(err.value)
    assert writes(fake) == []


def test_unreachable_server_during_writes_is_a_provider_error(fake, make, sleeps):
    source = make(attempts=2)
    source.api_endpoint = "http://127.0.0.1:9/calendar/v3/"  # discard port: refused
    with pytest.raises(ProviderError) as err:
        source.apply(creates(block(8, 9)))
    assert "cannot reach" in str(err.value) and "'primary'" in str(err.value)
    assert len(sleeps) == 1


# --- a write whose answer is lost is not done twice ---------------------------------


def test_create_whose_answer_was_lost_is_not_booked_twice(fake, make, sleeps):
    # Google carried the insert out, but the answer became a 503 (a front end, a timeout)
    fake.inject(503, after=True)
    result = make().apply(creates(block(7, 9)))
    assert result.created == 1
    assert len(fake.items()) == 1


def test_batch_whose_answer_was_lost_is_not_booked_twice(fake, make, sleeps):
    fake.inject(503, after=True)
    result = make().apply(creates(block(7, 9), block(8, 9), block(9, 9)))
    assert result.created == 3
    assert sorted(e["start"]["dateTime"] for e in fake.items()) == sorted(
        b.start.isoformat() for b in (block(7, 9), block(8, 9), block(9, 9))
    )


def test_batch_part_whose_answer_was_lost_is_not_booked_twice(fake, make, sleeps, state):
    fake.inject(503, after=True, scope="part")
    source = make(state)
    result = source.apply(creates(block(7, 9), block(8, 9)))
    assert result.created == 2 and len(fake.items()) == 2
    assert {b.provider_id for b in source.own_blocks(WEEK)} == {e["id"] for e in fake.items()}


def test_respond_to_an_invite_with_a_hidden_guest_list(fake, make):
    # guests cannot see each other: Google shows me only my own entry (attendeesOmitted)
    seeded = invite(fake, guestsCanSeeOtherGuests=False)
    source = make()
    [event] = source.read(WEEK)
    source.respond(event, Status.TENTATIVE, "Is there a pre-read?")
    after = fake.get(seeded["id"])
    me = next(a for a in after["attendees"] if a["email"] == ME)
    assert me["responseStatus"] == "tentative" and me["comment"] == "Is there a pre-read?"
    others = [a for a in after["attendees"] if a["email"] != ME]
    assert others == [a for a in seeded["attendees"] if a["email"] != ME]


# --- least privilege that works: calendar.events.readonly + calendar.events.owned ------------

AUTH = "https://www.googleapis.com/auth/"


def test_the_narrow_scopes_read_book_and_answer_on_my_own_calendar(fake, tmp_path, sleeps):
    token = write_token_file(
        tmp_path / "narrow.json",
        fake,
        scopes=(AUTH + "calendar.events.readonly", AUTH + "calendar.events.owned"),
    )
    invite = fake.seed(
        {
            "summary": "Roadmap",
            "start": {"dateTime": at(9, 10).isoformat()},
            "end": {"dateTime": at(9, 11).isoformat()},
            "organizer": {"email": "ana@example.com"},
            "attendees": [
                {"email": ME, "self": True, "responseStatus": "needsAction"},
                {"email": "ana@example.com"},
            ],
        }
    )
    conf = google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)})
    source = GoogleSource("primary", Identity(tz=TZ, me=ME), None, conf, sleep=sleeps)
    [event] = source.read(WEEK)
    assert source.apply(creates(block(8, 9))).created == 1  # events.insert accepts events.owned
    source.respond(event, Status.TENTATIVE, "Could you link the pre-read?")  # patching my entry too
    mine = [a for a in fake.get(invite["id"])["attendees"] if a.get("self")]
    assert mine[0]["responseStatus"] == "tentative"


def test_the_narrow_scopes_cannot_write_a_calendar_i_do_not_own_and_say_so(fake, tmp_path, sleeps):
    token = write_token_file(
        tmp_path / "narrow.json",
        fake,
        scopes=(AUTH + "calendar.events.readonly", AUTH + "calendar.events.owned"),
    )
    conf = google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)})
    team = "team@group.calendar.google.com"  # shared with me as a writer, not mine
    source = GoogleSource(team, Identity(tz=TZ, me=ME), None, conf, sleep=sleeps)
    assert source.read(WEEK) == []  # calendar.events.readonly reads every calendar
    with pytest.raises(AuthError) as err:
        source.apply(creates(block(8, 9)))
    assert "calendars you own" in err.value.message
    assert fake.items(team) == []  # Google refused it: nothing was booked


# --- native focus time only where the calendar has it, remembered per calendar ----------------


@pytest.mark.parametrize("refusal", [(400, "invalid"), (400, "badRequest"), (403, "forbidden")])
def test_an_account_without_focus_time_gets_busy_blocks_and_it_is_remembered(fake, make, state, refusal):
    fake.workspace = False  # a personal account: no focus time
    fake.focus_refusal = refusal
    first = make(state).apply(creates(block(8, 9), block(9, 9)))
    assert first.created == 2 and all("busy event" in d for d in first.details)
    assert {ev["eventType"] for ev in fake.items()} == {"default"}
    fake.clear_log()
    later = make(state)  # a later run: the state store remembers this calendar has none
    assert later.apply(creates(block(10, 9))).created == 1
    inserts = fake.requests("POST", "/events")
    assert len(inserts) == 1  # straight to a busy event, no refused focusTime first
    assert {ev["eventType"] for ev in fake.items()} == {"default"}


def test_a_group_calendar_never_tries_focus_time(fake, make):
    calendar = "team@group.calendar.google.com"
    fake.owned_calendars.add(calendar)
    result = make(calendar=calendar).apply(creates(block(8, 9)))
    assert result.created == 1
    assert len(fake.requests("POST", "/events")) == 1  # documented: focus time is for primary calendars


def test_a_passing_refusal_books_focus_time_and_nothing_is_downgraded(fake, make, state):
    fake.inject(400, count=1, reason="invalid")  # one unrelated 400, then the server is fine
    result = make(state).apply(creates(block(8, 9)))
    assert result.created == 1 and fake.items()[0]["eventType"] == "focusTime"
    assert "focus time" in result.details[0]


def test_an_unrelated_refusal_is_reported_and_not_remembered(fake, make, state):
    fake.inject(400, count=3, reason="invalid")  # focusTime twice, the busy event too: not about focus time
    with pytest.raises(ProviderError) as err:
        make(state).apply(creates(block(8, 9)))
    assert err.value.status == 400
    assert fake.items() == []
    result = make(state).apply(creates(block(8, 9)))  # the next run still books focus time
    assert result.created == 1 and fake.items()[0]["eventType"] == "focusTime"
