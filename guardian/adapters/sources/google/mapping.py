"""A Google Calendar event resource (a dict, as events.list returns it) -> guardian's `Event`.

Pure functions: no I/O, no Google library. What the mapping cannot know
from the item alone comes in as arguments: who I am (`me`, learned from the
items marked `self` when not configured) and when the item's series ends
(looked up from its master by the caller; `master_end` reads a master).

The fields read are the ones `transport.ITEM_FIELDS` asks for; Google's
reference for them is https://developers.google.com/calendar/api/v3/reference/events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from guardian.adapters.sources.base import Identity
from guardian.core import recurrence
from guardian.core.links import classify, extract_links
from guardian.core.model import (
    GUARDIAN_TAG,
    GUARDIAN_TAG_VALUE,
    Attendee,
    Event,
    EventKind,
    Link,
    LinkKind,
    Person,
    Status,
)
from guardian.core.text import plain_description

#: event types that are not events of my time: where I work, whose birthday it is
IGNORED_TYPES = {"workingLocation", "birthday"}

FROM_GOOGLE = {
    "needsAction": Status.NEEDS_ACTION,
    "declined": Status.DECLINED,
    "tentative": Status.TENTATIVE,
    "accepted": Status.ACCEPTED,
}
TO_GOOGLE = {status: name for name, status in FROM_GOOGLE.items()}


def personal(email: str | None) -> str | None:
    """`email` if it can be a person's address; None for Google's own calendar ids.

    Group, resource, holiday and imported calendars have ids like
    `...@group.calendar.google.com`: "self" there is the calendar, not me, and
    its domain would make every attendee look external.
    """
    if not email or "@" not in email:
        return None
    return None if email.lower().endswith("calendar.google.com") else email


def parse_when(point: Mapping[str, Any], tz: tzinfo) -> tuple[datetime, bool]:
    """An event's start or end in my zone, and whether it is an all-day date."""
    if point.get("dateTime"):
        dt = datetime.fromisoformat(point["dateTime"].replace("Z", "+00:00"))
        if dt.tzinfo is None:  # Google always sends an offset; be safe anyway
            dt = dt.replace(tzinfo=ZoneInfo(point.get("timeZone") or "UTC"))
        return dt.astimezone(tz), False
    day = date.fromisoformat(point["date"])
    return datetime.combine(day, dtime(0), tz), True


def is_own_block(item: Mapping[str, Any]) -> bool:
    """guardian's own block: its private extended property, never its title."""
    private = (item.get("extendedProperties") or {}).get("private") or {}
    return bool(private.get(GUARDIAN_TAG) == GUARDIAN_TAG_VALUE)


def wanted(item: Mapping[str, Any]) -> bool:
    """Whether the item is an event of my time at all (not cancelled, not a working location)."""
    if item.get("status") == "cancelled":
        return False
    if (item.get("eventType") or "default") in IGNORED_TYPES:
        return False
    return bool(item.get("start") and item.get("end"))


def series_id(item: Mapping[str, Any]) -> str | None:
    """The id of the recurring series an instance belongs to (singleEvents=true), or None."""
    value = item.get("recurringEventId")
    return str(value) if value else None


def learn_me(item: Mapping[str, Any], me: str | None) -> str | None:
    """My address: `me` if known, else the personal address Google marks `self` in the item."""
    if me:
        return me
    for who in (item.get("organizer"), item.get("creator"), *(item.get("attendees") or [])):
        if who and who.get("self") and personal(who.get("email")):
            return str(who["email"])
    return me


def is_me(who: Mapping[str, Any] | None, identity: Identity, me: str | None) -> bool:
    if not who:
        return False
    if who.get("self"):
        return True
    email = (who.get("email") or "").lower()
    return bool(email) and (identity.is_me(email) or email == (me or "").lower())


def external(emails: Sequence[str], identity: Identity, me: str | None) -> bool:
    """Whether anyone of `emails` is outside my domains (learned from `me` if none are set)."""
    ident = identity
    if not ident.me and not ident.domains and me:
        ident = Identity(tz=ident.tz, me=me, domains=ident.domains)
    return any(ident.is_external(e) for e in emails if e)


def links(item: Mapping[str, Any], description: str) -> tuple[Link, ...]:
    """Links in the description, attachments (documents) and the conference (never a document)."""
    found: list[Link] = list(extract_links(description))
    for att in item.get("attachments") or []:
        url = att.get("fileUrl")
        if url:
            found.append(Link(url, LinkKind.DOC, att.get("title") or "attachment"))
    conf = item.get("conferenceData") or {}
    solution = (conf.get("conferenceSolution") or {}).get("name") or ""
    for entry in conf.get("entryPoints") or []:
        uri = entry.get("uri")
        if not uri:
            continue
        if entry.get("entryPointType") == "video":
            found.append(Link(uri, LinkKind.CONFERENCE, solution or classify(uri).label))
    if item.get("hangoutLink"):
        found.append(Link(item["hangoutLink"], LinkKind.CONFERENCE, "Google Meet"))
    seen: dict[str, Link] = {}
    for link in found:
        prior = seen.get(link.url)
        # a URL Google names as the call is a conference link, even if quoted in the text
        if prior is None or (link.kind is LinkKind.CONFERENCE and prior.kind is not LinkKind.CONFERENCE):
            seen[link.url] = link
    return tuple(seen.values())


def my_status(
    item: Mapping[str, Any], attendees: Sequence[Mapping[str, Any]], identity: Identity, me: str | None
) -> Status:
    """My answer: organizer, my attendee entry's responseStatus, or organizer of my own event."""
    if is_me(item.get("organizer") or {}, identity, me):
        return Status.ORGANIZER
    mine = next((a for a in attendees if is_me(a, identity, me) and not a.get("resource")), None)
    if mine is not None:
        return FROM_GOOGLE.get(mine.get("responseStatus") or "", Status.NEEDS_ACTION)
    if is_me(item.get("creator"), identity, me) or not attendees:
        return Status.ORGANIZER
    return Status.NEEDS_ACTION


def master_end(master: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """The series end of a master event (its `recurrence` RRULEs from its `start`).

    The series recurs in its start's `timeZone` (my zone `tz` when it names
    none, as for an all-day series). A rule Google would not have accepted
    counts as endless.
    """
    rules = [r for r in master.get("recurrence") or [] if r.upper().startswith("RRULE:")]
    start = master.get("start")
    if not rules or not start:
        return None
    try:
        zone: tzinfo = ZoneInfo(start["timeZone"]) if start.get("timeZone") else tz
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        zone = tz
    first: date | datetime = (
        date.fromisoformat(start["date"]) if start.get("date") else parse_when(start, zone)[0]
    )
    try:
        return recurrence.series_end(rules, first, zone)
    except ValueError:
        return None


def to_event(
    item: Mapping[str, Any],
    *,
    identity: Identity,
    spec: str,
    me: str | None = None,
    series_end: datetime | None = None,
) -> Event | None:
    """The `Event` for one item, or None for what is not an event of my time (see `wanted`)."""
    if not wanted(item):
        return None
    tz = identity.tz
    start, all_day = parse_when(item["start"], tz)
    end, _ = parse_when(item["end"], tz)
    description = plain_description(item.get("description") or "")
    organizer = item.get("organizer") or {}
    raw_attendees = list(item.get("attendees") or [])
    attendees = [
        Attendee(
            email=a.get("email") or "",
            name=a.get("displayName") or "",
            status=FROM_GOOGLE.get(a.get("responseStatus") or "", Status.NEEDS_ACTION),
            optional=bool(a.get("optional")),
            resource=bool(a.get("resource")),
        )
        for a in raw_attendees
    ]
    kind_name = item.get("eventType") or "default"
    own = is_own_block(item)
    if kind_name == "focusTime" or own:
        kind = EventKind.FOCUS
    elif kind_name == "outOfOffice":
        kind = EventKind.OUT_OF_OFFICE
    else:
        kind = EventKind.DEFAULT

    series = series_id(item)
    recurrence_id = None
    if series and item.get("originalStartTime"):
        recurrence_id, _ = parse_when(item["originalStartTime"], tz)
    created = None
    if item.get("created"):
        created = datetime.fromisoformat(item["created"].replace("Z", "+00:00"))
    people = [a.email for a in attendees if not a.resource]
    if personal(organizer.get("email")):  # not a group calendar "organizing" it
        people.append(organizer["email"])
    return Event(
        uid=series or item["id"],
        start=start,
        end=end,
        title=item.get("summary") or "",
        all_day=all_day,
        description=description,
        links=links(item, description),
        organizer=Person(organizer["email"], organizer.get("displayName") or "")
        if organizer.get("email")
        else None,
        attendees=tuple(attendees),
        my_status=my_status(item, raw_attendees, identity, me),
        recurring=bool(series),
        series_end=series_end if series else None,
        busy=item.get("transparency") != "transparent",
        cancelled=False,
        created=created,
        external=external(people, identity, me),
        source=spec,
        own_block=own,
        kind=kind,
        recurrence_id=recurrence_id,
        location=item.get("location") or "",
        provider_id=item["id"],
        extra=(("eventType", kind_name),),
    )
