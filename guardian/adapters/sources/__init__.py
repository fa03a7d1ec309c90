"""Turn a calendar spec from the command line or the config into a Source.

Provider modules (and their SDKs) are imported only when a spec names them,
which keeps `guardian --help` and .ics-only runs fast.
"""

from __future__ import annotations

from pathlib import Path

from guardian.adapters.config import Config
from guardian.adapters.sources.base import Identity, Source
from guardian.adapters.state import State
from guardian.errors import InputError

SCHEMES = ("ics", "google", "outlook")


def open_source(
    spec: str,
    config: Config,
    identity: Identity,
    state: State | None = None,
    *,
    _depth: int = 0,
) -> Source:
    """`path.ics`, `ics:PATH`, `google:CALENDAR_ID`, `outlook:me|USER`, or a config name."""
    spec = spec.strip()
    scheme, sep, rest = spec.partition(":")
    if sep and scheme in SCHEMES and not (len(scheme) == 1 and Path(spec).exists()):
        if scheme == "ics":
            return _ics(rest, config, identity, relative=False)
        if scheme == "google":
            from guardian.adapters.sources.google import GoogleSource

            return GoogleSource(rest or "primary", identity, state, config.section("google"))
        from guardian.adapters.sources.outlook import OutlookSource

        return OutlookSource(rest or "me", identity, state, config.section("outlook"))
    named = config.calendars.get(spec)
    if named is not None:
        if _depth > 3:
            raise InputError(f"calendar {spec!r}: its source refers back to itself")
        source_spec = named["source"]
        ident = identity if not named.get("me") else Identity(identity.tz, named["me"], identity.domains)
        scheme, _, rest = source_spec.partition(":")
        if scheme == "ics":
            return _ics(rest, config, ident, relative=True)
        return open_source(source_spec, config, ident, state, _depth=_depth + 1)
    if spec.lower().endswith((".ics", ".ical", ".ifb", ".icalendar")) or Path(spec).exists():
        return _ics(spec, config, identity, relative=False)
    known = ", ".join(sorted(config.calendars)) or "none configured"
    raise InputError(
        f"calendar {spec!r}: not a file, a known scheme or a configured name",
        hint=f"use a path to an .ics file, ics:PATH, google:primary, outlook:me, or a name ({known})",
    )


def _ics(path: str, config: Config, identity: Identity, relative: bool) -> Source:
    from guardian.adapters.sources.ics import IcsSource

    resolved = config.resolve_path(path) if relative else Path(path).expanduser()
    return IcsSource(resolved, identity)
