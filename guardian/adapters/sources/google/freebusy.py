"""Other people's free/busy from Google: `freebusy.query`, for the team's focus price.

Google answers with busy periods only (`calendars.{id}.busy[].start/end`):
never a title, a location or a guest list, so nothing about what people
are busy with ever reaches guardian. One request asks about up to
`calendarExpansionMax` (50) calendars over one time range; a calendar
Google cannot tell about comes back with `errors` (`notFound`,
`groupTooBig`, ...) and is counted as unknown, not as free.

Scopes (Calendar API v3 discovery document, freebusy.query): any of
`calendar.events.freebusy`, `calendar.freebusy`, `calendar.readonly` or
`calendar`. The events scopes guardian signs in with do not give it, so
`guardian auth google` adds `calendar.events.freebusy` ("See the
availability on Google calendars you have access to") when `[focus]
team_price` is on; a token from an older guardian (`calendar.readonly`)
has it already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial

from guardian.adapters.sources.base import FreeBusyAnswer
from guardian.adapters.sources.google.transport import GoogleTransport
from guardian.core import intervals
from guardian.core.model import Window
from guardian.errors import AuthError

MAX_CALENDARS = 50  # calendarExpansionMax: "Maximum value is 50"


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GoogleFreeBusy:
    """`freebusy.query` over the source's API client and its one retry policy."""

    def __init__(self, transport: GoogleTransport) -> None:
        self.transport = transport

    def busy(self, people: Sequence[str], window: Window) -> FreeBusyAnswer:
        answer = FreeBusyAnswer()
        wanted = sorted({p.strip().lower() for p in people if p and "@" in p})
        if not wanted:
            return answer
        svc = self.transport.service()
        for first in range(0, len(wanted), MAX_CALENDARS):
            chunk = wanted[first : first + MAX_CALENDARS]
            body = {
                "timeMin": _rfc3339(window.start),
                "timeMax": _rfc3339(window.end),
                "timeZone": "UTC",
                "items": [{"id": address} for address in chunk],
            }
            try:
                page = self.transport.call("asking free/busy", partial(svc.freebusy().query, body=body))
            except AuthError as exc:
                raise AuthError(
                    f"{exc.message} (the team's price needs the calendar.events.freebusy scope)",
                    hint="with [focus] team_price = true set, run: guardian auth google (--write to book blocks)",
                ) from None
            answer.requests += 1
            calendars = {str(k).lower(): v for k, v in (page.get("calendars") or {}).items()}
            for address in chunk:
                entry = calendars.get(address)
                if entry is None:
                    answer.unknown[address] = "not in the answer"
                    continue
                errors = entry.get("errors") or []
                if errors:
                    answer.unknown[address] = str(errors[0].get("reason") or "error")
                    continue
                spans = []
                for period in entry.get("busy") or []:
                    try:
                        start = datetime.fromisoformat(str(period["start"]).replace("Z", "+00:00"))
                        end = datetime.fromisoformat(str(period["end"]).replace("Z", "+00:00"))
                    except (KeyError, ValueError):
                        continue
                    if start.tzinfo is not None and end.tzinfo is not None:
                        spans.append((start, end))
                answer.busy[address] = intervals.merge(spans)
        return answer
