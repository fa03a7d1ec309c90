"""Other people's free/busy from Microsoft 365: `calendar: getSchedule`, for the team's focus price.

`POST {mailbox}/calendar/getSchedule` with the people's SMTP addresses, a
start and an end (dateTimeTimeZone, here in UTC) answers one
`scheduleInformation` per address: its `scheduleItems` (start, end and a
free/busy `status`: free, tentative, busy, oof, workingElsewhere, unknown)
or an `error` when the mailbox cannot be read. Items may carry `subject`
and `location` when the caller may see them: guardian reads only `status`,
`start` and `end`, and nothing else of an item leaves this module.

Busy, as for my own calendar: busy, oof and tentative; free and
workingElsewhere are not (working elsewhere is where, not whether).

Permissions (Graph reference, calendar: getSchedule): least privileged
Calendars.ReadBasic; Calendars.Read and Calendars.ReadWrite, which guardian
already asks for, work too. At most 20 addresses a request, the usual
limit, so more people take more requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from guardian.adapters.sources.base import FreeBusyAnswer
from guardian.adapters.sources.outlook.transport import GraphTransport
from guardian.core import intervals
from guardian.core.model import Window

MAX_SCHEDULES = 20
BUSY = frozenset({"busy", "oof", "tentative"})


def _utc(when: datetime) -> dict:
    return {"dateTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _parse(point: object) -> datetime | None:
    """A dateTimeTimeZone answered in UTC (we ask for UTC, and `Prefer: outlook.timezone="UTC"`)."""
    if not isinstance(point, dict):
        return None
    text = str(point.get("dateTime") or "")
    zone = str(point.get("timeZone") or "UTC")
    if zone.upper() not in ("UTC", "ETC/UTC", "COORDINATED UNIVERSAL TIME"):
        return None  # not what was asked for: never guessed
    try:
        value = datetime.fromisoformat(text[:19])
    except ValueError:
        return None
    return value.replace(tzinfo=UTC)


class GraphSchedule:
    """`getSchedule` over the mailbox's Graph session and its one retry policy."""

    def __init__(self, transport: GraphTransport) -> None:
        self.transport = transport

    def busy(self, people: Sequence[str], window: Window) -> FreeBusyAnswer:
        answer = FreeBusyAnswer()
        wanted = sorted({p.strip().lower() for p in people if p and "@" in p})
        for first in range(0, len(wanted), MAX_SCHEDULES):
            chunk = wanted[first : first + MAX_SCHEDULES]
            body = {
                "schedules": chunk,
                "startTime": _utc(window.start),
                "endTime": _utc(window.end),
                "availabilityViewInterval": 15,
            }
            _, payload = self.transport.call(
                "POST", f"{self.transport.base}/calendar/getSchedule", body=body, what="asking free/busy"
            )
            answer.requests += 1
            found = {str(i.get("scheduleId") or "").lower(): i for i in (payload or {}).get("value") or []}
            for address in chunk:
                info = found.get(address)
                if info is None:
                    answer.unknown[address] = "not in the answer"
                    continue
                if info.get("error"):
                    error = info["error"]
                    answer.unknown[address] = str(
                        error.get("responseCode") or error.get("message") or "error"
                    )
                    continue
                spans = []
                for item in info.get("scheduleItems") or []:
                    if str(item.get("status") or "").lower() not in BUSY:
                        continue
                    start, end = _parse(item.get("start")), _parse(item.get("end"))
                    if start is not None and end is not None:
                        spans.append((start, end))
                answer.busy[address] = intervals.merge(spans)
        return answer
