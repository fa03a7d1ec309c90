"""Where guardian may send a provider's credentials: https, or plain http on loopback.

A bearer token goes to the API host the user configured and nowhere else:
an endpoint must be https (plain http only on this machine, for tests and
local proxies), and a link a provider hands back (Graph's @odata.nextLink
and deltaLink, a stored delta link) is followed only when it points at the
same scheme, host and port as the configured endpoint.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from guardian.errors import InputError

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`, the default port filled in; lower-case."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        port = -1
    if port is None:
        port = {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def require_secure(url: str, key: str) -> str:
    """`url` if credentials may be sent to it; else InputError naming the config key."""
    scheme, host, _ = origin(url)
    if scheme == "https" and host:
        return url
    if scheme == "http" and host in LOOPBACK_HOSTS:
        return url
    raise InputError(
        f"{key}: {scheme or 'no scheme'}://{host or '?'} would carry your sign-in in clear or to no host",
        hint="use an https:// address (plain http only for localhost)",
    )


def same_origin(url: str, base: str) -> bool:
    """Whether `url` points at the same scheme, host and port as `base`."""
    return origin(url) == origin(base)


def host_of(url: str) -> str:
    """host[:port] of `url`, for messages (never its path or query, which may hold tokens)."""
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or "?"
