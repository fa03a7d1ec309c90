"""The CalDAV request bodies guardian sends, as the RFCs write them.

Pure functions: no I/O. The responses are parsed by the caldav library's
DAVResponse (parse_propfind, parse_calendar_query, parse_sync_collection).
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"

SYNC_TOKEN = "{DAV:}sync-token"
GETCTAG = "{http://calendarserver.org/ns/}getctag"
DISPLAYNAME = "{DAV:}displayname"
RESOURCETYPE = "{DAV:}resourcetype"
CALENDAR_HOME_SET = "{urn:ietf:params:xml:ns:caldav}calendar-home-set"
CURRENT_USER_PRINCIPAL = "{DAV:}current-user-principal"

_HEAD = '<?xml version="1.0" encoding="utf-8"?>'


def propfind(*props: str) -> str:
    """PROPFIND for Clark-notation property names (RFC 4918 9.1)."""
    names = {DAV: "D", CALDAV: "C", CS: "CS"}
    inner = "".join(f"<{names[ns]}:{local}/>" for ns, local in (_split(p) for p in props))
    return f'{_HEAD}<D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV}" xmlns:CS="{CS}"><D:prop>{inner}</D:prop></D:propfind>'


def calendar_query(start: datetime, end: datetime) -> str:
    """Every VEVENT object with an instance in [start, end) (RFC 4791 7.8, time-range 9.9).

    The server evaluates the time range on the expanded recurrence set, so a
    series begun years ago is returned when one of its instances falls in
    the range; the objects come back whole (not expanded), and guardian
    expands them itself with recurring-ical-events.
    """
    return (
        f'{_HEAD}<C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}">'
        "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f'<C:time-range start="{_utc(start)}" end="{_utc(end)}"/>'
        "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    )


def multiget(hrefs: list[str]) -> str:
    """The named objects with their data (RFC 4791 7.9)."""
    items = "".join(f"<D:href>{escape(h)}</D:href>" for h in hrefs)
    return (
        f'{_HEAD}<C:calendar-multiget xmlns:D="DAV:" xmlns:C="{CALDAV}">'
        f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{items}</C:calendar-multiget>"
    )


def sync_collection(token: str) -> str:
    """What changed since `token` (RFC 6578 3.2), members only (sync-level 1), etags only."""
    return (
        f'{_HEAD}<D:sync-collection xmlns:D="DAV:"><D:sync-token>{escape(token)}</D:sync-token>'
        "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
    )


def mkcalendar(display_name: str) -> str:
    """A new calendar collection for events (RFC 4791 5.3.1)."""
    return (
        f'{_HEAD}<C:mkcalendar xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:set><D:prop>'
        f"<D:displayname>{escape(display_name)}</D:displayname>"
        '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
        "</D:prop></D:set></C:mkcalendar>"
    )


def _split(clark: str) -> tuple[str, str]:
    ns, local = clark[1:].split("}", 1)
    return ns, local


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
