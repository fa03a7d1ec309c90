"""Read what can be read from a damaged iCalendar file.

A calendar file is untrusted input, and the damage found in real exports is
local: one historic VTIMEZONE offset written the way Apple writes local mean
time, one negative duration, one property value that does not parse, events
stored without a VCALENDAR around them. None of that should cost the person
the rest of their calendar, so parsing here isolates damage by principle:

- icalendar's own error-tolerant mode (a property that does not parse is kept
  as `vBroken` and named in the component's `errors`) is used for *every*
  component, not only for the ones icalendar makes tolerant by default
  (VEVENT): a VTIMEZONE or VALARM with a bad property no longer stops the file;
- a broken property that says *when* something happens (DTSTART, DTEND,
  DURATION, the recurrence properties) costs its component, since guessing the
  time would put a meeting where it is not; any other broken property is
  dropped and the component kept;
- a VTIMEZONE with any damage is not used: icalendar then resolves the TZID
  by name (an IANA or Windows name, as Outlook writes them), and a name it
  does not know leaves the times floating, which the source reads in the
  user's zone with a warning;
- a line that does not parse, a property outside any component, an END
  without its BEGIN and components nested absurdly deep are skipped;
- components found without a VCALENDAR (one event per file, as vdir storage
  writes them) are gathered into one calendar.

A file that ends inside an event was cut off: what is missing cannot be
known, so it is refused as a whole (planning focus time over meetings that
were never read would do harm). A file whose only loss is the closing
END:VCALENDAR (missing or misspelt, with every event inside complete) is
read, with a warning.

Everything skipped is collected in a `Damage` and reported as one warning
line per file: the count, the UIDs and why.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from guardian.errors import InputError

log = logging.getLogger("guardian")

#: properties that say when a component happens: damage there costs the component
TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DURATION", "DUE", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)
#: components that may stand alone in a file and be gathered into a calendar
CALENDAR_CHILDREN = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"})
MAX_DEPTH = 8  # VCALENDAR > VEVENT > VALARM is 3; anything near 8 is not a calendar
MAX_NAMED = 8  # UIDs named per kind of damage in the warning line


# --- the damage report ------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    kind: str  # "event", "series", "cut", "property", "zone", "component", "line", "shared-uid"
    uid: str  # the UID (for lines and zones: where, or which zone)
    why: str
    count: int = 1


_LABELS = {
    "event": ("skipped {n} event", "skipped {n} events"),
    "series": ("skipped {n} series", "skipped {n} series"),
    "cut": ("cut {n} series", "cut {n} series"),
    "property": ("dropped {n} unreadable property", "dropped {n} unreadable properties"),
    "component": ("skipped {n} component", "skipped {n} components"),
    "line": ("skipped {n} unreadable line", "skipped {n} unreadable lines"),
    "shared-uid": ("{n} UID shared by several events", "{n} UIDs shared by several events"),
}


@dataclass
class Damage:
    """What was skipped or guessed while reading one file.

    Notes are collected while the file is parsed and its events expanded;
    `report` logs those not reported yet as one warning line, so reading the
    same file for a second window does not repeat the first warning.
    """

    where: str
    notes: list[Note] = field(default_factory=list)
    _reported: set[Note] = field(default_factory=set)
    #: when a list, every note made is also added to it (duplicates too): what one read found
    heard: list[Note] | None = None

    def note(self, kind: str, uid: object, why: str, count: int = 1) -> None:
        item = Note(kind, str(uid or "(no UID)"), why, count)
        if item not in self.notes:
            self.notes.append(item)
        if self.heard is not None:
            self.heard.append(item)

    def pending(self) -> list[Note]:
        return [n for n in self.notes if n not in self._reported]

    def line(self, notes: Iterable[Note] | None = None) -> str:
        """`where: skipped 2 events: a (no DTSTART), b (...); dropped 1 ...`."""
        notes = list(self.pending() if notes is None else notes)
        parts = []
        for kind, (one, many) in _LABELS.items():
            items = [n for n in notes if n.kind == kind]
            if not items:
                continue
            total = sum(n.count for n in items)
            label = (one if total == 1 else many).format(n=total)
            named = ", ".join(_named(n) for n in items[:MAX_NAMED])
            more = f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else ""
            parts.append(f"{label}: {named}{more}")
        parts += [f"{n.uid}: {n.why}" for n in notes if n.kind == "zone"]
        return f"{self.where}: " + "; ".join(parts)

    def report(self) -> None:
        notes = self.pending()
        if notes:
            log.warning("%s", self.line(notes))
            self._reported.update(notes)


def _named(note: Note) -> str:
    if note.kind == "line":
        return f"{note.count} {note.uid} ({note.why})" if note.count > 1 else f"{note.uid} ({note.why})"
    return f"{note.uid} ({note.why})"


# --- tolerant parsing ---------------------------------------------------------------------


def _parser_class():
    """icalendar's calendar parser, made tolerant for every component.

    icalendar's parser is a template-method class meant to be refined; the
    hooks below only widen what it already does for VEVENT to the rest.
    """
    from icalendar.parser.ical import CalendarIcalParser
    from icalendar.prop import vBroken
    from icalendar.timezone import tzp

    class TolerantParser(CalendarIcalParser):
        stray = 0  # lines skipped outside any component
        depth_skipped = 0

        def initialize_parsing(self):
            super().initialize_parsing()
            self._too_deep = 0  # BEGINs inside a component nested deeper than MAX_DEPTH
            self._factories: dict[tuple[str, str | None], object] = {}

        def parse_content_lines(self) -> None:
            """icalendar's loop, with each line split by `split_line` (the same parts, sooner)."""
            split = line_splitter()
            for line in self._content_lines_iterator:
                if not line:
                    continue
                try:
                    name, params, vals = split(line)
                except ValueError as e:
                    self.handle_line_parse_error(e)
                    continue
                uname = name.upper()
                if uname == "BEGIN":
                    self.handle_begin_component(vals)
                elif uname == "END":
                    self.handle_end_component(vals)
                else:
                    self.handle_property(uname, params, vals, line)

        def get_factory_for_property(self, name, params):
            """The same type as icalendar's, looked up once per name and VALUE."""
            key = (name, dict.get(params, "VALUE"))  # what `params.value` reads, without case folding
            factory = self._factories.get(key)
            if factory is None:
                factory = self._factories[key] = super().get_factory_for_property(name, params)
            return factory

        def handle_line_parse_error(self, exception: Exception):
            if self.component is not None:
                self.component.errors.append((None, str(exception)))
            else:
                self.stray += 1

        def handle_begin_component(self, vals: str) -> None:
            if self._too_deep or len(self._stack) >= MAX_DEPTH:
                self._too_deep += 1
                return
            super().handle_begin_component(vals)

        def handle_end_component(self, vals: str) -> None:
            if self._too_deep:
                self._too_deep -= 1
                if not self._too_deep:
                    self.depth_skipped += 1
                return
            name = vals.upper()
            names = [str(c.name).upper() for c in self._stack]
            if name not in names:
                self.stray += 1  # an END without its BEGIN
                return
            while self._stack:  # END of an outer component closes inner ones left open
                component = self._stack.pop()
                if self._stack:
                    self._stack[-1].add_component(component)
                else:
                    self._components.append(component)
                if str(component.name).upper() == name:
                    break
            if name == "VTIMEZONE" and "TZID" in component and not _damaged(component):
                try:
                    tzp.cache_timezone_component(component)
                except Exception as exc:  # a zone icalendar cannot build: not used
                    component.errors.append(("VTIMEZONE", _short(exc)))

        def handle_property(self, name, params, vals, line) -> None:
            if self._too_deep:
                return
            if self.component is None:
                self.stray += 1
                return
            try:
                super().handle_property(name, params, vals, line)
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                self.component.errors.append((name, _short(exc)))

        def handle_property_parse_error(self, exception, name, params, val, line):
            factory = self.get_factory_for_property(name, params)
            broken = vBroken.from_parse_error(
                raw_value=val,
                params=params,
                property_name=name,
                expected_type=getattr(factory, "__name__", "unknown"),
                error=exception,
            )
            component = self.component
            assert component is not None  # a property is always parsed inside a component
            component.errors.append((name, str(exception)))
            component.add(name, broken, encode=False)

    return TolerantParser


def line_splitter():
    """A function that splits a content line into (name, parameters, value) as `Contentline.parts` does.

    `parts` walks every character of the line in Python, value included, and
    builds the parameters four times over; it dominates parsing a large
    file. When the text before the first colon holds no quote and no
    backslash, that colon is where `parts` splits, and what comes before it
    (name and parameters) decides the name and the parameters alone: so they
    are computed by `parts` itself once per distinct beginning of a line
    (`DTSTART;TZID=Europe/Berlin`, `ATTENDEE;PARTSTAT=ACCEPTED`, ...) and
    copied; the value is unescaped as `parts` does. Any other line, and any
    beginning `parts` rejects, goes to `parts` itself (so errors read the same).
    """
    from icalendar.parser.content_line import Contentline
    from icalendar.parser.parameter import Parameters
    from icalendar.parser.property import unescape_backslash

    known: dict[str, tuple[str, tuple] | None] = {}

    def split(line):
        colon = line.find(":")
        if colon <= 0:
            return line.parts()
        head = line[:colon]
        if '"' in head or "\\" in head or getattr(line, "strict", False):
            return line.parts()
        if head not in known:
            try:
                name, params, _ = Contentline(head + ":").raw_parts()
                known[head] = (name, tuple(params.items()))
            except ValueError:
                known[head] = None
        found = known[head]
        if found is None:
            return line.parts()
        name, items = found
        # a fresh Parameters each time, lists copied: never shared between properties
        params = (
            Parameters((k, list(v) if isinstance(v, list) else v) for k, v in items)
            if items
            else Parameters()
        )
        return name, params, unescape_backslash(line[colon + 1 :])

    return split


def _damaged(component) -> bool:
    return bool(component.errors) or any(_damaged(c) for c in component.subcomponents)


def as_text(data: bytes) -> bytes:
    """UTF-16 exports (with a BOM) as UTF-8 bytes; lines ended by CR alone as CRLF.

    Classic Mac OS and some exporters end lines with a bare CR; icalendar
    only splits lines at LF, so such a file would read as one long line
    ("no VCALENDAR"). A file with no LF at all has its CRs read as line ends.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return data
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\r\n")
    return data


def parse(data: bytes, where: str, damage: Damage) -> list:
    """Every VCALENDAR that can be read from `data`, with damage noted in `damage`.

    Raises InputError when nothing in the file is a calendar, or when the
    file ends inside a component (cut off).
    """
    import icalendar

    data = as_text(data)
    parser = _parser_class()(
        data, icalendar.Calendar._get_component_factory(), icalendar.Calendar.types_factory
    )
    try:
        components = parser.parse()
    except RecursionError:
        raise InputError(f"{where}: the file nests components too deeply to be a calendar") from None
    except Exception as exc:  # whatever the parser still cannot tolerate stops this file only
        raise InputError(
            f"{where}: not a valid iCalendar file ({_short(exc)})", hint="export the calendar again as .ics"
        ) from None
    if len(parser._stack) == 1 and parser._stack[0].name == "VCALENDAR":
        # Only the closing END:VCALENDAR is missing (or misspelt): every component
        # inside was complete, so nothing but that line was lost.
        components.append(parser._stack.pop())
        damage.note("line", "END:VCALENDAR", "missing at the end of the file; read as if it were there")
    if parser._stack:  # the file ended inside a component: its end (and what followed) is lost
        raise InputError(
            f"{where}: the calendar is cut off (no END:{parser._stack[0].name})",
            hint="the download or export was interrupted; export it again",
        )
    calendars = [c for c in components if c.name == "VCALENDAR"]
    bare = [c for c in components if c.name in CALENDAR_CHILDREN]
    if bare:
        calendar = icalendar.Calendar()
        calendar.add("VERSION", "2.0")
        calendar.add("PRODID", "-//guardian//gathered components//EN")
        for component in bare:
            calendar.add_component(component)
        calendars.append(calendar)
    if not calendars:
        if data.lstrip()[:1] == b"<":
            raise InputError(
                f"{where}: this is a web page, not a calendar",
                hint="a sign-in page or an error page was saved instead of the .ics export",
            )
        raise InputError(f"{where}: no VCALENDAR found", hint="is this an .ics export?")
    if parser.stray:
        damage.note("line", "outside any component", "not part of the calendar", parser.stray)
    if parser.depth_skipped:
        damage.note("component", "(nested)", f"deeper than {MAX_DEPTH} levels", parser.depth_skipped)
    for calendar in calendars:
        tidy(calendar, damage)
    return calendars


# --- after parsing: the cost of each piece of damage -----------------------------------------


def tidy(calendar, damage: Damage) -> None:
    """Drop what is broken from a parsed calendar, at the smallest unit that holds it."""
    _drop_broken_properties(calendar, calendar, damage)
    keep = []
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            if _damaged(component):
                tzid = str(component.get("TZID", "?"))
                damage.note("zone", f"time zone {tzid!r}", _zone_fallback(component))
                continue
        else:
            _tidy_component(component, damage)
        keep.append(component)
    calendar.subcomponents[:] = keep


def _tidy_component(component, damage: Damage) -> None:
    """Broken non-time properties and broken sub-components (VALARM) are dropped.

    Errors in time properties stay in `errors`: the source then skips the
    component and names it.
    """
    _drop_broken_properties(component, component, damage)
    keep = []
    for sub in component.subcomponents:
        if _damaged(sub):
            damage.note("component", component.get("UID"), f"a broken {sub.name} inside was dropped")
            continue
        keep.append(sub)
    component.subcomponents[:] = keep


def _drop_broken_properties(component, owner, damage: Damage) -> None:
    from icalendar.prop import vBroken

    remaining = []
    for name, message in component.errors:
        if name is None:
            damage.note("line", f"in {owner.get('UID', component.name)}", _short_text(message))
            continue
        if name.upper() in TIME_PROPERTIES:
            remaining.append((name, message))
            continue
        value = component.get(name)
        values = value if isinstance(value, list) else [value]
        good = [v for v in values if v is not None and not isinstance(v, vBroken)]
        component.pop(name, None)
        for v in good:
            component.add(name, v, encode=False)
        what = owner.get("UID") if owner.get("UID") is not None else component.name
        damage.note("property", what, f"{name}: {_short_text(message)}")
    component.errors[:] = remaining


def _zone_fallback(vtimezone) -> str:
    """Why a VTIMEZONE was not used, and what its TZID means instead."""
    from icalendar.timezone import tzp

    tzid = str(vtimezone.get("TZID", ""))
    why = next((f"{n or 'line'}: {_short_text(m)}" for n, m in _errors(vtimezone)), "unusable")
    try:
        known = tzp.timezone(tzid) if tzid else None
    except Exception:
        known = None
    if known is not None:
        return f"its VTIMEZONE is broken ({why}); read as the IANA zone of that name"
    return f"its VTIMEZONE is broken ({why}) and no IANA zone has that name"


def _errors(component) -> list:
    out = list(component.errors)
    for sub in component.subcomponents:
        out.extend(_errors(sub))
    return out


def _short(exc: BaseException) -> str:
    return _short_text(str(exc)) or type(exc).__name__


def _short_text(text: str) -> str:
    text = str(text).strip()
    return text.splitlines()[0][:120] if text else ""
