"""Answering an Outlook invitation: accept, tentativelyAccept or decline, with a comment.

`sendResponse: true` sends the answer (and the comment) to the organizer
(https://learn.microsoft.com/en-us/graph/api/event-accept). An organizer
can turn responses off (`responseRequested: false`, "Default is true, which
represents the organizer would like an invitee to send a response",
https://learn.microsoft.com/en-us/graph/api/resources/event): then a sent
response is refused and a comment cannot travel without one ("'SendResponse'
must be true when 'Comment' is not null"), so guardian answers nothing and
raises `ResponsesOff` (the plan's reason: responses-off).
"""

from __future__ import annotations

from urllib.parse import quote

from guardian.adapters.sources.base import ResponsesOff
from guardian.adapters.sources.outlook.mapping import RESPONSE_REQUESTED
from guardian.adapters.sources.outlook.transport import GraphTransport
from guardian.core.model import Event, Status
from guardian.core.text import one_line
from guardian.errors import InputError

ACTIONS = {
    Status.ACCEPTED: "accept",
    Status.TENTATIVE: "tentativelyAccept",
    Status.DECLINED: "decline",
}


def responses_wanted(event: Event) -> bool:
    """Whether the organizer asked for answers (the mapping keeps Graph's responseRequested)."""
    return dict(event.extra).get(RESPONSE_REQUESTED) != "false"


def respond(transport: GraphTransport, event: Event, status: Status, comment: str) -> None:
    """Post my answer to `event` with `comment`; the organizer is told."""
    action = ACTIONS.get(status)
    if action is None:
        raise InputError(
            f"{transport.spec}: cannot answer an invitation with {status!s}",
            hint="use accepted, tentative or declined",
        )
    if not event.provider_id:
        raise InputError(f"{transport.spec}: event {event.title!r} has no Outlook id")
    if not responses_wanted(event):
        raise ResponsesOff(
            f"{transport.spec}: {one_line(event.title)!r}: the organizer turned responses off for this "
            "meeting; nothing was sent",
            hint="ask them another way (mail, chat) if the pre-read matters",
        )
    transport.call(
        "POST",
        f"{transport.base}/events/{quote(event.provider_id, safe='')}/{action}",
        body={"comment": comment, "sendResponse": True},
        write=True,
        what=f"answering {event.title!r}",
    )
