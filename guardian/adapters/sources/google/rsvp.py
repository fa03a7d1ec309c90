"""Answering a Google Calendar invitation: my attendee entry gets a status and a comment.

The organizer is notified (sendUpdates=all). Only my entry is sent, with
attendeesOmitted, which Google documents for updating just the
participant's response: a guest list I cannot see (or one the organizer
changed meanwhile) is left alone.
"""

from __future__ import annotations

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google.mapping import TO_GOOGLE, is_me
from guardian.adapters.sources.google.transport import GoogleTransport
from guardian.core.model import Event, Status
from guardian.errors import InputError


def respond(
    transport: GoogleTransport,
    event: Event,
    status: Status,
    comment: str,
    *,
    identity: Identity,
    me: str | None,
    spec: str,
) -> None:
    """Patch my attendee entry of `event` with `status` and `comment` (none: removed)."""
    if status not in TO_GOOGLE:
        raise InputError(f"{spec}: cannot answer an invitation with {status!r}")
    event_id = event.provider_id or event.uid
    calendar = transport.calendar_id
    svc = transport.service(write=True)
    current = transport.call(
        "reading the invitation",
        lambda: svc.events().get(calendarId=calendar, eventId=event_id, fields="id,attendees,organizer"),
    )
    attendees = [dict(a) for a in current.get("attendees") or []]
    mine = next((a for a in attendees if a.get("self")), None)
    if mine is None:
        mine = next((a for a in attendees if is_me(a, identity, me)), None)
    if mine is None:
        raise InputError(f"{spec}: cannot answer {event.title!r}: I am not among its attendees")
    mine["responseStatus"] = TO_GOOGLE[status]
    if comment:
        mine["comment"] = comment
    else:
        mine.pop("comment", None)
    transport.call(
        "answering the invitation",
        lambda: svc.events().patch(
            calendarId=calendar,
            eventId=event_id,
            body={"attendees": [mine], "attendeesOmitted": True},
            sendUpdates="all",
            fields="id",
        ),
    )
