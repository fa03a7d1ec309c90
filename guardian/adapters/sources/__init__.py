"""Calendar sources, and the one place that turns a spec into one.

A spec is what the user writes after `-c` or in `[calendars.NAME] source`:
`path.ics`, `ics:PATH`, `https://...` or `webcal://...` (a published
calendar), `caldav:URL`, `google:CALENDAR_ID`, `outlook:me|USER`, or the name
of a configured calendar. A spec may hold a secret (a calendar URL is one):
messages show it only through `guardian.adapters.redact`. `KINDS` maps each scheme to its Source class;
adding a backend means adding its package here and one line to `KINDS`.
Nothing outside this package parses a spec or names a backend.

Backend modules (and their SDKs) are imported only when a spec names them,
which keeps `guardian --help` and .ics-only runs fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guardian.adapters.redact import redact
from guardian.adapters.sources.base import Identity, Source
from guardian.errors import InputError, did_you_mean, join_hints

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.state import State

#: scheme -> "module:Class" of its source
KINDS: dict[str, str] = {
    "ics": "guardian.adapters.sources.ics.source:IcsSource",
    "google": "guardian.adapters.sources.google.source:GoogleSource",
    "outlook": "guardian.adapters.sources.outlook.source:OutlookSource",
    "https": "guardian.adapters.sources.url.source:UrlSource",
    "http": "guardian.adapters.sources.url.source:UrlSource",
    "webcal": "guardian.adapters.sources.url.source:UrlSource",
    "webcals": "guardian.adapters.sources.url.source:UrlSource",
    "caldav": "guardian.adapters.sources.caldav.source:CalDavSource",
}
ICS_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar", ".ics.gz", ".zip")
MAX_NAME_DEPTH = 3


@dataclass(frozen=True)
class Spec:
    """A spec resolved to its kind: what `Source.open` receives."""

    kind: type[Source]
    target: str  # what follows `scheme:` (for files: the path)
    me: str | None = None  # `me` of a configured calendar, overriding the global one
    base_dir: Path | None = None  # relative paths are relative to this (the config's folder)


def source_class(scheme: str) -> type[Source]:
    module, _, name = KINDS[scheme].partition(":")
    cls: type[Source] = getattr(importlib.import_module(module), name)
    return cls


def resolve(spec: str, settings: Settings, *, _depth: int = 0) -> Spec:
    """What kind of calendar `spec` names, and its target."""
    spec = spec.strip()
    if "\x00" in spec:  # no file, URL or name holds one; open() would raise on it
        raise InputError(
            f"calendar {redact(spec)!r}: contains a NUL character",
            hint="check the -c value or the config's source",
        )
    scheme, sep, rest = spec.partition(":")
    scheme = scheme.lower()
    # a one-letter "scheme" of an existing path is a Windows drive (C:\...)
    if sep and scheme in KINDS and not (len(scheme) == 1 and Path(spec).exists()):
        kind = source_class(scheme)
        return Spec(kind, spec if kind.whole_spec else rest)
    named = settings.calendars.get(spec)
    if named is not None:
        if _depth >= MAX_NAME_DEPTH:
            raise InputError(f"calendar {spec!r}: its source refers back to itself")
        inner = resolve(named.source, settings, _depth=_depth + 1)
        base = settings.path.parent if settings.path is not None else None
        return Spec(inner.kind, inner.target, named.me or inner.me, inner.base_dir or base)
    if "://" in spec:  # an address of a kind no source reads: never taken for a path
        raise InputError(
            f"calendar {redact(spec)!r}: guardian reads https://, webcal:// and caldav: addresses",
            hint="use the calendar's https or webcal address, or caldav:https://...",
        )
    if spec.lower().endswith(ICS_SUFFIXES) or Path(spec).expanduser().exists():
        return Spec(source_class("ics"), spec)
    known = ", ".join(sorted(settings.calendars)) or "none configured"
    # a mistyped scheme ("gogle:primary") or calendar name: say which one was meant
    guess = did_you_mean(scheme, KINDS, fmt="{}:" + rest) if sep else did_you_mean(spec, settings.calendars)
    raise InputError(
        f"calendar {redact(spec)!r}: not a file, a known scheme or a configured name",
        hint=join_hints(
            guess,
            "use a path to an .ics file, ics:PATH, https://..., caldav:URL, google:primary, "
            f"outlook:me, or a name ({known})",
        ),
    )


def needs_state(spec: str, settings: Settings) -> bool:
    """Whether reading `spec` uses the state store (sync marks, caches)."""
    return resolve(spec, settings).kind.capabilities.needs_state


def open_source(spec: str, settings: Settings, identity: Identity, state: State | None = None) -> Source:
    resolved = resolve(spec, settings)
    if resolved.me:
        identity = Identity(identity.tz, resolved.me, identity.domains)
    return resolved.kind.open(resolved.target, settings, identity, state, base_dir=resolved.base_dir)
