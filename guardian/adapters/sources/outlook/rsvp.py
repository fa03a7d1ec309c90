"""Answering an Outlook invitation: accept, tentativelyAccept or decline, with a comment.

`sendResponse: true` sends the answer (and the comment) to the organizer
(https://learn.microsoft.com/en-us/graph/api/event-accept).
"""

from __future__ import annotations

from urllib.parse import quote

from guardian.adapters.sources.outlook.transport import GraphTransport
from guardian.core.model import Event, Status
from guardian.errors import InputError

ACTIONS = {
    Status.ACCEPTED: "accept",
    Status.TENTATIVE: "tentativelyAccept",
    Status.DECLINED: "decline",
}


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
    transport.call(
        "POST",
        f"{transport.base}/events/{quote(event.provider_id, safe='')}/{action}",
        body={"comment": comment, "sendResponse": True},
        write=True,
        what=f"answering {event.title!r}",
    )
