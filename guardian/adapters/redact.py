"""The one place that takes the secrets out of calendar addresses.

A calendar URL is often a password in disguise: Google's "secret address in
iCal format" (`/calendar/ical/<id>/private-<token>/basic.ics`), Outlook's
published calendars (`/owa/calendar/<guid>@<domain>/<token>/calendar.ics`),
iCloud's public links (`/published/2/<token>`), Nextcloud share links, a
`?token=` in the query, or `user:password@` in front of the host. Whoever
reads the address can read the calendar. Every message, warning, log line
and `Event.source` that names a calendar URL goes through `redact`.

What is kept: the scheme, the host and port, and the readable words of the
path (so that a person can still tell their calendars apart). What goes:
credentials, the query, the fragment, and every path piece that looks like a
token: a run of 16 or more letters and digits, a run of 10 or more that mixes
letters and digits, or a GUID.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MASK = "***"
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_RUN = re.compile(r"[A-Za-z0-9]{10,}")


def redact(text: str) -> str:
    """`text` with the secret parts of every URL in it replaced by ***."""
    return _URL.sub(lambda m: _redact_url(m.group(0)), str(text))


def _redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unparsable port or host: keep only the scheme
        return url.split("://", 1)[0] + "://" + MASK
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = (f"{MASK}@" if "@" in parts.netloc else "") + host + (f":{port}" if port else "")
    path = "/".join(_segment(piece) for piece in parts.path.split("/"))
    query = f"?{MASK}" if parts.query else ""
    fragment = f"#{MASK}" if parts.fragment else ""
    return f"{parts.scheme}://{netloc}{path}{query}{fragment}"


def _segment(piece: str) -> str:
    piece = _GUID.sub(MASK, piece)
    return _RUN.sub(lambda m: MASK if _looks_secret(m.group(0)) else m.group(0), piece)


def _looks_secret(run: str) -> bool:
    if len(run) >= 16:
        return True
    return any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
