"""A Microsoft Graph event (a dict, as calendarView returns it) -> guardian's `Event`.

Pure functions: no I/O, no HTTP library. What the mapping cannot know from
the item alone comes in as arguments: who I am (`me`, learned from events I
organize when not configured: Graph marks no attendee as "self") and when
the item's series ends (looked up from its master by the caller; `master_end` reads a master).

Items are asked for with times in UTC and text bodies (the `Prefer` headers
of `transport`); Graph's reference for the fields is
https://learn.microsoft.com/en-us/graph/api/resources/event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Any

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
from guardian.core.text import html_to_text

#: guardian's property set (a fixed GUID, so every install finds the same blocks)
PROPERTY_SET = "{8c3f6f0e-5a8e-4f7b-9a61-2f0c5d6e7b41}"
#: the single-value extended property that marks guardian's own events
TAG_PROPERTY_ID = f"String {PROPERTY_SET} Name {GUARDIAN_TAG}"

RESPONSE = {
    "none": Status.NEEDS_ACTION,
    "notresponded": Status.NEEDS_ACTION,
    "accepted": Status.ACCEPTED,
    "tentativelyaccepted": Status.TENTATIVE,
    "declined": Status.DECLINED,
    "organizer": Status.ORGANIZER,
}
_UTC_NAMES = ("UTC", "Z", "COORDINATED UNIVERSAL TIME", "TZONE://MICROSOFT/UTC")

#: showAs values that make me busy. Graph's freeBusyStatus is one of free,
#: tentative, busy, oof, workingElsewhere, unknown
#: (https://learn.microsoft.com/en-us/graph/api/resources/event): workingElsewhere
#: says where I work (an all-day "working from the office" marker must not make a
#: day off) and unknown says nothing, so neither blocks time.
BUSY_SHOW_AS = frozenset({"busy", "tentative", "oof"})
#: Event.extra key: "false" when the organizer turned responses off (Graph's responseRequested)
RESPONSE_REQUESTED = "outlook.responseRequested"


def zone_of(name: str | None) -> tzinfo:
    """A tzinfo for an IANA or a Windows time-zone name (UTC when unknown)."""
    if not name or name.strip().upper() in _UTC_NAMES:
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    iana = WINDOWS_TO_OLSON.get(name)
    if iana:
        try:
            return ZoneInfo(iana)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def parse_graph_datetime(value: str | None, tz_name: str | None = "UTC") -> datetime | None:
    """Graph's dateTime ('2026-11-25T09:00:00.0000000') or a DateTimeOffset, made aware."""
    if not value:
        return None
    raw = value.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    head, dot, rest = raw.partition(".")
    if dot:  # Graph sends 7 fractional digits; Python takes at most 6
        digits = "".join(c for c in rest if c.isdigit())
        suffix = rest[len(digits) :]
        raw = f"{head}.{digits[:6]}{suffix}"
    dt = datetime.fromisoformat(raw)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone_of(tz_name))
    return dt


def _point(value: Mapping[str, Any], tz_name: str | None) -> datetime:
    """A start or end (dateTimeTimeZone) that every event has."""
    dt = parse_graph_datetime(value.get("dateTime"), tz_name)
    if dt is None:
        raise ValueError("a Graph event without its start or end dateTime")
    return dt


def tagged(item: Mapping[str, Any]) -> bool:
    """guardian's own block: its single-value extended property, never its title."""
    for prop in item.get("singleValueExtendedProperties") or []:
        if (
            prop.get("id", "").lower() == TAG_PROPERTY_ID.lower()
            and str(prop.get("value", "")).lower() == GUARDIAN_TAG_VALUE
        ):
            return True
    return False


def learn_me(items: Iterable[Mapping[str, Any]], me: str | None) -> str | None:
    """My address: `me` if known, else the organizer of the first event I organize."""
    if me:
        return me
    for it in items:
        address = ((it.get("organizer") or {}).get("emailAddress") or {}).get("address")
        if it.get("isOrganizer") and address:
            return str(address)
    return me


def series_master(item: Mapping[str, Any]) -> str | None:
    """The series master id of an occurrence or exception, or None."""
    if item.get("type") in ("occurrence", "exception") and item.get("seriesMasterId"):
        return str(item["seriesMasterId"])
    return None


#: patternedRecurrence day names -> RRULE BYDAY
_DAYS = {
    "sunday": "SU",
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
}
#: weekIndex -> RRULE BYSETPOS
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def pattern_rule(pattern: Mapping[str, Any]) -> str | None:
    """A Graph recurrencePattern as an RRULE (without its end), or None if unknown.

    https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern:
    daily (every `interval` days), weekly (`daysOfWeek`, `firstDayOfWeek`),
    absoluteMonthly (`dayOfMonth`), relativeMonthly (`index` of `daysOfWeek`),
    absoluteYearly (`month`, `dayOfMonth`), relativeYearly (`month`, `index`).
    """
    ptype = str(pattern.get("type") or "").lower()
    interval = max(1, int(pattern.get("interval") or 1))
    days = ",".join(_DAYS[d.lower()] for d in pattern.get("daysOfWeek") or [] if str(d).lower() in _DAYS)
    setpos = _INDEX.get(str(pattern.get("index") or "first").lower(), 1)
    month, day = int(pattern.get("month") or 0), int(pattern.get("dayOfMonth") or 0)
    if ptype == "daily":
        return f"FREQ=DAILY;INTERVAL={interval}"
    if ptype == "weekly":
        wkst = _DAYS.get(str(pattern.get("firstDayOfWeek") or "sunday").lower(), "SU")
        return f"FREQ=WEEKLY;INTERVAL={interval}" + (f";BYDAY={days}" if days else "") + f";WKST={wkst}"
    if ptype == "absolutemonthly" and day:
        return f"FREQ=MONTHLY;INTERVAL={interval};BYMONTHDAY={day}"
    if ptype == "relativemonthly" and days:
        return f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={days};BYSETPOS={setpos}"
    if ptype == "absoluteyearly" and month and day:
        return f"FREQ=YEARLY;INTERVAL={interval};BYMONTH={month};BYMONTHDAY={day}"
    if ptype == "relativeyearly" and month and days:
        return f"FREQ=YEARLY;INTERVAL={interval};BYMONTH={month};BYDAY={days};BYSETPOS={setpos}"
    return None


def master_end(master: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """When a series ends, from its master's patternedRecurrence (and start).

    The range decides (https://learn.microsoft.com/en-us/graph/api/resources/recurrencerange):
    `endDate` ends after that day, `numbered` at the exact start of its last
    occurrence (the pattern expanded from the first start), `noEnd` never
    (None). The series recurs in `recurrenceTimeZone` (my zone `tz` when the
    range names none); the end comes from `core.recurrence`, as for every
    source. A numbered range whose pattern guardian cannot read still ends:
    its first start stands in for when.
    """
    rec = master.get("recurrence")
    if not rec:
        return None
    rng = rec.get("range") or {}
    kind = str(rng.get("type") or "").lower()
    zone = zone_of(rng.get("recurrenceTimeZone")) if rng.get("recurrenceTimeZone") else tz
    try:
        first_day = date.fromisoformat(str(rng.get("startDate")))
        rule = pattern_rule(rec.get("pattern") or {})
        if kind == "enddate" and rng.get("endDate"):
            last_day = date.fromisoformat(str(rng["endDate"]))
            return recurrence.series_end([f"FREQ=DAILY;UNTIL={last_day:%Y%m%d}"], first_day, zone)
        if kind != "numbered":
            return None
        first = _first_start(master, first_day, zone)
        if rule is None:
            return first if isinstance(first, datetime) else datetime.combine(first, dtime(), zone)
        count = max(1, int(rng.get("numberOfOccurrences") or 1))
        return recurrence.series_end([f"{rule};COUNT={count}"], first, zone)
    except ValueError:
        return None


def _first_start(master: Mapping[str, Any], first_day: date, zone: tzinfo) -> date | datetime:
    """The series' first start: its range's startDate at the master's time of day in `zone`."""
    start = master.get("start") or {}
    when = parse_graph_datetime(start.get("dateTime"), start.get("timeZone"))
    if master.get("isAllDay") or when is None:
        return first_day
    return datetime.combine(first_day, when.astimezone(zone).time(), zone)


def _links(it: Mapping[str, Any], description: str, ev_id: str) -> tuple[Link, ...]:
    """The join link (a conference, never a document), links in the body, attachments."""
    links: list[Link] = []
    seen: set[str] = set()
    for url in ((it.get("onlineMeeting") or {}).get("joinUrl"), it.get("onlineMeetingUrl")):
        if url and url not in seen:
            seen.add(url)
            found = classify(url)
            label = found.label if found.kind is LinkKind.CONFERENCE else "online meeting"
            links.append(Link(url, LinkKind.CONFERENCE, label))
    if description:
        for link in extract_links(description):
            if link.url not in seen:
                seen.add(link.url)
                links.append(link)
    if it.get("hasAttachments"):
        links.append(Link(f"outlook-attachment:{ev_id}", LinkKind.DOC, "attachment"))
    return tuple(links)


def to_event(
    it: Mapping[str, Any],
    *,
    identity: Identity,
    spec: str,
    focus_category: str,
    me: str | None = None,
    series_end: datetime | None = None,
) -> Event:
    """The `Event` for one calendarView (or delta) item."""
    tz = identity.tz
    ev_id = str(it.get("id") or "")
    all_day = bool(it.get("isAllDay"))
    start_raw, end_raw = it.get("start") or {}, it.get("end") or {}
    if all_day:
        # floating dates: local midnight to midnight in my zone
        s_date = _point(start_raw, "UTC").date()
        e_date = _point(end_raw, "UTC").date()
        if e_date <= s_date:
            e_date = s_date + timedelta(days=1)
        start = datetime.combine(s_date, dtime(), tzinfo=tz)
        end = datetime.combine(e_date, dtime(), tzinfo=tz)
    else:
        start = _point(start_raw, start_raw.get("timeZone")).astimezone(tz)
        end = _point(end_raw, end_raw.get("timeZone")).astimezone(tz)
        if end < start:
            end = start

    body = it.get("body") or {}
    description = str(body.get("content") or "")
    if str(body.get("contentType") or "").lower() == "html":
        description = html_to_text(description)
    description = description.replace("\r\n", "\n").strip()

    org = (it.get("organizer") or {}).get("emailAddress") or {}
    organizer = (
        Person(str(org.get("address") or ""), str(org.get("name") or "")) if org.get("address") else None
    )

    attendees = []
    for a in it.get("attendees") or []:
        addr = a.get("emailAddress") or {}
        email = str(addr.get("address") or "")
        if not email:
            continue
        kind = str(a.get("type") or "required").lower()
        response = str(((a.get("status") or {}).get("response")) or "none").lower()
        attendees.append(
            Attendee(
                email=email,
                name=str(addr.get("name") or ""),
                status=RESPONSE.get(response, Status.NEEDS_ACTION),
                optional=kind == "optional",
                resource=kind == "resource",
            )
        )

    if it.get("isOrganizer"):
        my_status = Status.ORGANIZER
    else:
        response = str(((it.get("responseStatus") or {}).get("response")) or "none").lower()
        my_status = RESPONSE.get(response, Status.NEEDS_ACTION)

    etype = str(it.get("type") or "singleInstance")
    recurring = etype in ("occurrence", "exception")
    master = it.get("seriesMasterId") if recurring else None
    uid = str(master or it.get("iCalUId") or ev_id)
    recurrence_id = None
    if recurring and it.get("originalStart"):
        recurrence_id = parse_graph_datetime(it["originalStart"], "UTC")

    show_as = str(it.get("showAs") or "busy").lower()
    categories = tuple(str(c) for c in it.get("categories") or ())
    own = tagged(it)
    event_kind = EventKind.DEFAULT
    if show_as == "oof":
        event_kind = EventKind.OUT_OF_OFFICE
    if own or any(c.lower() == focus_category.lower() for c in categories):
        event_kind = EventKind.FOCUS

    people = [a.email for a in attendees if not a.resource]
    if organizer:
        people.append(organizer.email)
    ident = identity
    if not ident.me and me:
        ident = Identity(tz=ident.tz, me=me, domains=ident.domains)
    external = any(ident.is_external(e) for e in people)

    return Event(
        uid=uid,
        start=start,
        end=end,
        title=str(it.get("subject") or ""),
        all_day=all_day,
        description=description,
        links=_links(it, description, ev_id),
        organizer=organizer,
        attendees=tuple(attendees),
        my_status=my_status,
        recurring=recurring,
        series_end=series_end if master else None,
        busy=show_as in {v.lower() for v in BUSY_SHOW_AS},
        cancelled=bool(it.get("isCancelled")),
        created=parse_graph_datetime(it.get("createdDateTime"), "UTC"),
        external=external,
        source=spec,
        own_block=own,
        kind=event_kind,
        recurrence_id=recurrence_id,
        location=str((it.get("location") or {}).get("displayName") or ""),
        categories=categories,
        provider_id=ev_id,
        extra=(
            ("outlook.type", etype),
            ("outlook.showAs", show_as),
            (RESPONSE_REQUESTED, "false" if it.get("responseRequested") is False else "true"),
        ),
    )
