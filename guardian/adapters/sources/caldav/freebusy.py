"""Other people's free/busy on a CalDAV server, where the server has it (RFC 6638 scheduling).

A VFREEBUSY request (METHOD:REQUEST, the attendees, DTSTART/DTEND) is POSTed
to my schedule outbox (CALDAV:schedule-outbox-URL of my principal, found by
the caldav library's `Principal.freebusy_request`); the server answers a
CALDAV:schedule-response with one VFREEBUSY reply per attendee, whose
FREEBUSY periods (FBTYPE BUSY, BUSY-TENTATIVE, BUSY-UNAVAILABLE) are busy
time. Free/busy carries no titles by design.

Servers without scheduling (Radicale, for one) have no outbox, and a server
may refuse an attendee it has no authority for (Xandikos answers
REQUEST-STATUS 3.8 for addresses outside its own users): those people are
"unknown", with the server's reason, never an error, so the team's price is
simply not known there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from guardian.adapters.sources.base import FreeBusyAnswer
from guardian.core import intervals
from guardian.core.model import Window

BUSY_TYPES = frozenset({"BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"})
NO_SCHEDULING = "the server offers no free/busy (RFC 6638 scheduling)"


class CalDavFreeBusy:
    def __init__(self, connection) -> None:
        self.connection = connection

    def busy(self, people: Sequence[str], window: Window) -> FreeBusyAnswer:
        from caldav.lib import error

        answer = FreeBusyAnswer()
        wanted = sorted({p.strip().lower() for p in people if p and "@" in p})
        if not wanted:
            return answer
        import requests

        answer.requests += 1
        try:
            principal = self.connection.client.principal()
            replies = principal.freebusy_request(
                window.start.astimezone(UTC), window.end.astimezone(UTC), [f"mailto:{p}" for p in wanted]
            )
        except (error.DAVError, requests.RequestException, KeyError, ValueError, AttributeError, TypeError):
            answer.unknown = dict.fromkeys(wanted, NO_SCHEDULING)
            return answer
        # caldav's answer: address -> FreeBusy, and "errors": address -> REQUEST-STATUS
        replies = replies if isinstance(replies, dict) else {}
        failed = {_address(k): str(v) for k, v in (replies.get("errors") or {}).items()}
        found = {_address(k): v for k, v in replies.items() if k != "errors"}
        for address in wanted:
            if address in found:
                answer.busy[address] = intervals.merge(busy_periods(found[address]))
            else:
                answer.unknown[address] = failed.get(address) or "no free/busy for this address"
        return answer


def _address(key: object) -> str:
    return str(key).strip().lower().removeprefix("mailto:")


def busy_periods(reply) -> list[tuple[datetime, datetime]]:
    """The busy FREEBUSY periods of a VFREEBUSY reply (a caldav FreeBusy object or iCalendar text)."""
    import icalendar

    data = getattr(reply, "data", reply)
    try:
        cal = icalendar.Calendar.from_ical(data if isinstance(data, (str, bytes)) else str(data))
    except ValueError:
        return []
    out = []
    for component in cal.walk("VFREEBUSY"):
        for prop in _as_list(component.get("FREEBUSY")):
            kind = str(prop.params.get("FBTYPE", "BUSY")).upper()
            if kind not in BUSY_TYPES:
                continue
            for period in getattr(prop, "dts", [prop]):
                start, end = _period(getattr(period, "dt", period))
                if start is not None and end is not None:
                    out.append((start, end))
    return out


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _period(value) -> tuple[datetime | None, datetime | None]:
    if isinstance(value, tuple) and len(value) == 2:
        start, end = value
        if isinstance(end, timedelta):
            end = start + end
        if isinstance(start, datetime) and isinstance(end, datetime) and start.tzinfo and end.tzinfo:
            return start, end
    return None, None
