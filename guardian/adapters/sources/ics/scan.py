"""The window scan: which parts of a raw .ics file can matter to a window, found without parsing.

A person's export holds years of history; the question is about the next
days. Parsing is what costs (icalendar reads about a megabyte a second), so
before anything is parsed the raw bytes are scanned with a few regular
expressions, per top-level component, for what says *when* it happens:
DTSTART, DTEND or DURATION, RRULE (its COUNT or UNTIL), RDATE, RECURRENCE-ID.
Only the components that could touch the window are parsed (`select`,
`reduce`); the rest of the file is left out of the text the parser sees.

The scan never changes an answer, because anything it cannot decide is
parsed:

- a file it cannot split cleanly (text outside a VCALENDAR, an END without
  its BEGIN, a folded BEGIN line, a component left open, nesting deeper than
  a VALARM) is parsed whole, so the recovery in `recover` sees it as before;
- a component is left out only when it is *clean* as well as far from the
  window: every line a well-formed content line, every typed value (dates,
  durations, numbers, rules) well-formed, no problem `IcsSource` would skip
  it for, every TZID one icalendar knows by name. A component with anything
  odd is parsed, so its warning is the same as without the scan;
- times are compared with two days to spare on either side (every UTC
  offset, floating and all-day times, X-WR-TIMEZONE included), the length
  of the event included (an event longer than the window is kept);
- a recurring series is kept unless its last possible instance
  (`recurrence.last_bound`: UNTIL, or COUNT instances at most `gap` apart,
  for the shapes where that gap is known) ends before the window, or it
  starts after it; its RDATEs count too;
- the components of one UID are kept or left out together (a series, its
  RECURRENCE-ID overrides, and events sharing the UID), and so are the
  VTIMEZONEs: all of them are always kept.

The index (`index`) does not depend on the window, so a file is scanned once
however many windows are read from it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from guardian.adapters.sources.ics import recurrence

VERSION = 1  # of what an Index holds (part of its cache key)
MARGIN = timedelta(days=2)  # more than any UTC offset, on both sides of the window
MAX_DEPTH = 3  # VCALENDAR > VEVENT > VALARM
SKIPPABLE = frozenset({"VEVENT", "VTODO", "VJOURNAL"})  # what may be left out when clean and far

# A content line (RFC 5545 3.1): name, parameters, ":" (the value is not looked at here).
_PARAM_VALUE = rb'(?:"[^"\r\n]*"|[^";:,\r\n]*)'
_VALID_LINE = rb"[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+=" + _PARAM_VALUE + rb"(?:," + _PARAM_VALUE + rb")*)*:"
_INVALID_LINE = re.compile(rb"^(?![ \t\r\n]|\Z)(?!" + _VALID_LINE + rb")", re.M)
# BEGIN and END lines (group 2 is None for a line that looks like one but is not exactly one)
_STRUCTURE = re.compile(rb"^(BEGIN|END)(?=[;:])(?::([A-Za-z0-9-]+)\r?$(?!(?:\r?\n)+[ \t]))?", re.M | re.I)
# The properties that say when a component happens, found with their (folded) value
_PROPERTY = re.compile(
    rb"^(UID|DTSTART|DTEND|DURATION|RRULE|EXRULE|RDATE|EXDATE|RECURRENCE-ID)([;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)",
    re.M | re.I,
)
# Every other typed value icalendar parses, matched only where it is *not* well-formed
_END = rb"\r?(?:\n(?![ \t])|\Z)"
_PARAMS = rb'(?:;(?:"[^"\r\n]*"|[^";:\r\n])*)*'
_DT = rb"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3])[0-5]\d[0-5]\dZ?)?"
_DUR = rb"[-+]?P(?:\d{1,6}W|(?:\d{1,6}D)?(?:T(?=\d)(?:\d{1,6}H)?(?:\d{1,6}M)?(?:\d{1,8}S)?)?)"
_STAMPS = rb"(?:DTSTAMP|CREATED|LAST-MODIFIED|COMPLETED|ACKNOWLEDGED|DUE)"
_BAD_VALUE = re.compile(
    rb"^(?:"
    + (_STAMPS + _PARAMS + rb":(?!" + _DT + _END + rb")")
    + (rb"|(?:SEQUENCE|PRIORITY|PERCENT-COMPLETE|REPEAT)" + _PARAMS + rb":(?![-+]?\d{1,9}" + _END + rb")")
    + (rb"|GEO" + _PARAMS + rb":(?![-+]?\d{1,3}(?:\.\d+)?;[-+]?\d{1,3}(?:\.\d+)?" + _END + rb")")
    + (rb"|(?:TRIGGER|REFRESH-INTERVAL|GAP)" + _PARAMS + rb":(?!" + _DUR + _END + rb")")
    + rb"|FREEBUSY[;:]"
    # and the 29th to the 31st, which not every month has: checked one by one
    + (rb"|" + _STAMPS + _PARAMS + rb":(?=(\d{6}(?:29|30|31)(?:T\d{6}Z?)?)" + _END + rb")")
    + rb")",
    re.M | re.I,
)
# a property typed by a VALUE parameter, or carrying inline binary data
_RETYPED = re.compile(rb";(?:VALUE|ENCODING)=", re.I)
_UNFOLD = re.compile(r"\r?\n[ \t]")
_NAMES: dict[bytes, str] = {}  # property names as written -> as compared

_DATE_TIME = re.compile(
    r"\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3])[0-5]\d[0-5]\dZ?)?\Z"
)
_DURATION = re.compile(
    r"([-+]?)P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,8})S)?)?\Z"
)
_INTEGER = re.compile(r"[-+]?\d{1,9}\Z")
_GEO = re.compile(r"[-+]?\d{1,3}(?:\.\d+)?;[-+]?\d{1,3}(?:\.\d+)?\Z")
_DAY = r"(?:[-+]?(?:[1-9]|[1-4]\d|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)"
_RULE_PARTS = {
    "FREQ": re.compile(r"(?:SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)\Z"),
    "INTERVAL": re.compile(r"[1-9]\d{0,4}\Z"),
    "COUNT": re.compile(r"[1-9]\d{0,8}\Z"),
    "UNTIL": re.compile(r"\d{8}(?:T\d{6}Z?)?\Z"),
    "BYSECOND": re.compile(r"(?:[0-5]?\d|60)(?:,(?:[0-5]?\d|60))*\Z"),
    "BYMINUTE": re.compile(r"[0-5]?\d(?:,[0-5]?\d)*\Z"),
    "BYHOUR": re.compile(r"(?:1?\d|2[0-3])(?:,(?:1?\d|2[0-3]))*\Z"),
    "BYDAY": re.compile(_DAY + r"(?:," + _DAY + r")*\Z"),
    "BYMONTHDAY": re.compile(r"[-+]?(?:[1-9]|[12]\d|3[01])(?:,[-+]?(?:[1-9]|[12]\d|3[01]))*\Z"),
    "BYYEARDAY": re.compile(r"[-+]?\d{1,3}(?:,[-+]?\d{1,3})*\Z"),
    "BYWEEKNO": re.compile(r"[-+]?\d{1,2}(?:,[-+]?\d{1,2})*\Z"),
    "BYMONTH": re.compile(r"(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*\Z"),
    "BYSETPOS": re.compile(r"[-+]?\d{1,3}(?:,[-+]?\d{1,3})*\Z"),
    "WKST": re.compile(r"(?:MO|TU|WE|TH|FR|SA|SU)\Z"),
}
_DATE_TIME_PROPERTIES = frozenset(
    {
        "DTSTART",
        "DTEND",
        "DUE",
        "RECURRENCE-ID",
        "DTSTAMP",
        "CREATED",
        "LAST-MODIFIED",
        "COMPLETED",
        "ACKNOWLEDGED",
    }
)
_INTEGER_PROPERTIES = frozenset({"SEQUENCE", "PRIORITY", "PERCENT-COMPLETE", "REPEAT"})
_PLAIN_VALUES = frozenset({"TEXT", "URI", "CAL-ADDRESS", ""})
_TYPED_BY_VALUE = _DATE_TIME_PROPERTIES | {"RDATE", "EXDATE", "TRIGGER"}
_JUDGED_BY_WHEN = frozenset({"DTSTART", "DTEND", "RECURRENCE-ID", "DURATION"})
_END_OF_TIME = datetime.max  # noqa: DTZ901 (times here are naive, about UTC)


@dataclass
class Component:
    """One top-level component of a VCALENDAR, as the scan saw it."""

    name: str
    start: int  # offset of its BEGIN line
    end: int  # offset just after its END line
    calendar: int  # which VCALENDAR of the file
    children: list[tuple[int, int]] = field(default_factory=list)  # spans of nested components
    suspect: bool = False  # something the scan cannot vouch for: always parsed
    props: dict[str, list] = field(default_factory=dict)  # name -> its raw values, then (params, value)
    uid: str | None = None
    first: datetime | None = None  # earliest moment it may happen (naive, about UTC)
    last: datetime | None = None  # latest moment it may end (naive, about UTC)


@dataclass
class Index:
    """Everything the scan learnt from one file, whatever the window.

    Per top-level component: its byte span and when it may happen, as
    seconds since 1970 (naive, about UTC); `first` None: unknown (always
    touches), `last` None: no end. A component in no group is never parsed
    (a clean VTODO or VJOURNAL).
    """

    size: int
    spans: list[tuple[int, int]]
    first: list[float | None]
    last: list[float | None]
    groups: list[list[int]]  # indices of components kept or left out together
    always: frozenset[int]  # components always parsed (zones, suspects, shared UIDs, ...)

    def select(self, start: datetime, end: datetime) -> frozenset[int]:
        """The components to parse for the window [start, end) (aware datetimes)."""
        low = _seconds(_utc(start) - MARGIN)
        high = _seconds(_utc(end) + MARGIN)
        keep = set(self.always)
        first, last, always = self.first, self.last, self.always
        for group in self.groups:
            for i in group:
                begins, ends = first[i], last[i]
                if i in always or begins is None or (begins <= high and (ends is None or ends >= low)):
                    keep.update(group)
                    break
        return frozenset(keep)

    def reduce(self, data: bytes, keep: frozenset[int]) -> bytes | None:
        """`data` without the components not in `keep`; None when every component is kept."""
        dropped = [span for i, span in enumerate(self.spans) if i not in keep]
        if not dropped:
            return None
        pieces = []
        at = 0
        for start, end in dropped:
            pieces.append(data[at:start])
            at = end
        pieces.append(data[at:])
        return b"".join(pieces)

    def to_json(self) -> dict:
        return {
            "size": self.size,
            "spans": [list(s) for s in self.spans],
            "first": self.first,
            "last": self.last,
            "groups": self.groups,
            "always": sorted(self.always),
        }

    @classmethod
    def from_json(cls, d: dict) -> Index:
        """The index again; ValueError (or KeyError, TypeError) for anything not of this shape."""
        spans = [(int(a), int(b)) for a, b in d["spans"]]
        first = [None if v is None else float(v) for v in d["first"]]
        last = [None if v is None else float(v) for v in d["last"]]
        count = len(spans)
        groups = [[int(i) for i in g] for g in d["groups"]]
        always = frozenset(int(i) for i in d["always"])
        if len(first) != count or len(last) != count:
            raise ValueError("lengths differ")
        if any(not 0 <= i < count for g in groups for i in g) or any(not 0 <= i < count for i in always):
            raise ValueError("no such component")
        if any(not 0 <= a <= b for a, b in spans) or spans != sorted(spans):
            raise ValueError("spans out of order")
        return cls(int(d["size"]), spans, first, last, groups, always)


_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (about UTC)


def _seconds(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


def _utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# --- scanning ---------------------------------------------------------------------------------


def index(data: bytes, known_zone: Callable[[str], bool]) -> Index | None:
    """The scan of one file (after `recover.as_text`), or None when it must be parsed whole."""
    components = _structure(data)
    if components is None:
        return None
    starts = [c.start for c in components]
    suspects = [m.start() for m in _INVALID_LINE.finditer(data)]
    suspects += [
        m.start()
        for m in _BAD_VALUE.finditer(data)
        if m.group(1) is None or _moment(m.group(1).decode("ascii")) is None
    ]
    suspects += [at for at in (_retyped(data, m.start()) for m in _RETYPED.finditer(data)) if at is not None]
    if not all(_mark(components, starts, at) for at in suspects):
        return None  # something odd outside the components: the parser judges the whole file
    i = 0
    for match in _PROPERTY.finditer(data):
        at = match.start()
        while i < len(components) and components[i].end <= at:
            i += 1
        if i == len(components) or at < components[i].start:
            return None  # a time property outside a component
        component = components[i]
        if component.suspect or (component.children and any(a <= at < b for a, b in component.children)):
            continue  # nested (a VALARM's DURATION): the patterns above judged it
        raw = match.group(1)
        name = _NAMES.get(raw) or _NAMES.setdefault(raw, raw.decode("ascii").upper())
        component.props.setdefault(name, []).append(match.group(2))
    zones: dict[str, bool] = {}

    def known(tzid: str) -> bool:
        if tzid not in zones:
            zones[tzid] = known_zone(tzid)
        return zones[tzid]

    for component in components:
        clean = component.name in SKIPPABLE and not component.suspect and _values_ok(component)
        if clean and component.name == "VEVENT":
            _times(component, known)
    return _grouped(data, components)


def _values_ok(component: Component) -> bool:
    """Decode the time properties found; mark the component suspect if one is not well-formed."""
    event = component.name == "VEVENT"
    for name, raws in component.props.items():
        decoded = [_split(raw) for raw in raws]
        component.props[name] = decoded
        if event and name in _JUDGED_BY_WHEN:
            continue
        if not all(_valid(name, params, value) for params, value in decoded):
            component.suspect = True
            return False
    return True


def _retyped(data: bytes, at: int) -> int | None:
    """Where the line with a VALUE or ENCODING parameter at `at` begins, if it is one (not text)."""
    begin = data.rfind(b"\n", 0, at) + 1
    line = data[begin : data.find(b"\n", at) if data.find(b"\n", at) >= 0 else len(data)]
    if line[:1] in (b" ", b"\t") or b":" not in line[: at - begin]:
        pass
    else:
        return None  # inside a value (a description quoting it), or a folded line: text
    name, _, rest = line.partition(b";")
    try:
        params = _params(
            rest.decode("utf-8").partition(":")[0] if b'"' not in rest else _split(b";" + rest)[0]
        )
    except UnicodeDecodeError:
        return begin
    kinds = {k.upper(): v.strip('"').upper() for k, _, v in (p.partition("=") for p in params)}
    if "ENCODING" in kinds:
        return begin
    kind = kinds.get("VALUE", "")
    prop = name.decode("ascii", "replace").upper()
    if kind in _PLAIN_VALUES or (
        prop in _TYPED_BY_VALUE and kind in ("DATE", "DATE-TIME", "PERIOD", "DURATION")
    ):
        return None
    return begin


def _structure(data: bytes) -> list[Component] | None:
    """Top-level components with their spans, or None if the file is not plainly nested."""
    components: list[Component] = []
    stack: list[str] = []
    calendar = -1
    top: Component | None = None
    outside_from = 0  # where text outside any VCALENDAR began
    names: dict[bytes, str] = {}
    for match in _STRUCTURE.finditer(data):
        verb, raw = match.groups()
        if raw is None:
            return None  # a folded or decorated BEGIN/END line: the parser judges
        name = names.get(raw) or names.setdefault(raw, raw.decode("ascii").upper())
        if verb in (b"BEGIN", b"begin", b"Begin") or verb.upper() == b"BEGIN":
            depth = len(stack)
            if depth == 0:
                if name != "VCALENDAR" or data[outside_from : match.start()].strip(b" \t\r\n"):
                    return None
                calendar += 1
            elif depth >= MAX_DEPTH:
                return None
            elif depth == 1:
                top = Component(name, match.start(), -1, calendar)
            elif top is not None:
                top.children.append((match.start(), -1))
            stack.append(name)
            continue
        if not stack or stack[-1] != name:
            return None
        stack.pop()
        depth = len(stack)
        if depth == 1 and top is not None:
            top.end = _line_end(data, match.end())
            components.append(top)
            top = None
        elif depth == 2 and top is not None:
            begun, _ = top.children[-1]
            top.children[-1] = (begun, _line_end(data, match.end()))
        elif depth == 0:
            outside_from = _line_end(data, match.end())
    if stack or data[outside_from:].strip(b" \t\r\n"):
        return None
    return components


def _line_end(data: bytes, at: int) -> int:
    newline = data.find(b"\n", at)
    return len(data) if newline < 0 else newline + 1


def _owner(components: list[Component], starts: list[int], offset: int) -> Component | None:
    """The top-level component holding `offset`."""
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0 or offset >= components[i].end:
        return None
    return components[i]


def _mark(components: list[Component], starts: list[int], offset: int) -> bool:
    """Mark the component holding `offset` suspect; False if no component holds it."""
    owner = _owner(components, starts, offset)
    if owner is None:
        return False
    owner.suspect = True
    return True


def _split(raw: bytes) -> tuple[str, str]:
    """(parameters, value) of what follows a property's name, unfolded."""
    text = raw.decode("utf-8", "replace")
    if "\n" in text:
        text = _UNFOLD.sub("", text)
    text = text.rstrip("\r")
    if text.startswith(":"):
        return "", text[1:]
    if '"' not in text:
        params, _, value = text.partition(":")
        return params[1:], value
    quoted = False
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return text[1:i], text[i + 1 :]
    return text, ""


def _param_map(params: str) -> dict[str, str]:
    """Parameter name (upper case) -> value (unquoted); empty when there are none."""
    if not params:
        return {}
    out = {}
    for part in _params(params):
        key, _, value = part.partition("=")
        out[key.upper()] = value.strip('"')
    return out


def _param(params: str, name: str) -> str | None:
    if not params:
        return None
    for part in _params(params):
        key, _, value = part.partition("=")
        if key.upper() == name:
            return value.strip('"')
    return None


def _params(params: str) -> list[str]:
    if '"' not in params:
        return params.split(";")
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for char in params:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        out.append("".join(current))
    return out


def _moment(value: str) -> datetime | None:
    if _DATE_TIME.match(value) is None:
        return None
    try:
        if len(value) == 8:
            return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]))  # noqa: DTZ001 (about UTC)
        return datetime(  # noqa: DTZ001 (about UTC: see MARGIN)
            int(value[:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            int(value[13:15]),
        )
    except ValueError:
        return None


def _valid(name: str, params: str, value: str) -> bool:
    """Whether icalendar will read this value without complaint (False when unsure)."""
    if name in _DATE_TIME_PROPERTIES:
        return _moment(value) is not None
    if name in ("DURATION", "REFRESH-INTERVAL", "GAP"):
        return _duration(value) is not None
    if name == "TRIGGER":
        if (_param(params, "VALUE") or "").upper() == "DATE-TIME":
            return _moment(value) is not None
        return _duration(value) is not None
    if name in _INTEGER_PROPERTIES:
        return _INTEGER.match(value) is not None
    if name == "GEO":
        return _GEO.match(value) is not None
    if name in ("RRULE", "EXRULE"):
        return _rule_parts(value) is not None
    if name in ("RDATE", "EXDATE"):
        return all(_period_or_moment(v) for v in value.split(","))
    if name == "UID":
        return bool(value.strip())
    return False  # FREEBUSY: left to the parser


def _duration(value: str) -> timedelta | None:
    match = _DURATION.match(value)
    if match is None or value.lstrip("+-") in ("P", "PT") or value.endswith("T"):
        return None
    sign, weeks, days, hours, minutes, seconds = match.groups()
    span = timedelta(
        weeks=int(weeks or 0), days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0)
    ) + timedelta(seconds=int(seconds or 0))
    return -span if sign == "-" else span


def _period_or_moment(value: str) -> bool:
    first, slash, second = value.partition("/")
    if _moment(first) is None:
        return False
    return not slash or _moment(second) is not None or _duration(second) is not None


def _rule_parts(value: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for part in value.split(";"):
        key, equals, text = part.partition("=")
        pattern = _RULE_PARTS.get(key)
        if not equals or pattern is None or key in parts or pattern.match(text) is None:
            return None
        parts[key] = text
    if "FREQ" not in parts or ("COUNT" in parts and "UNTIL" in parts):
        return None
    return parts


# --- when a VEVENT happens ------------------------------------------------------------------------


def _one(component: Component, name: str) -> tuple[str, str] | None:
    values = component.props.get(name, [])
    if len(values) > 1:
        component.suspect = True
    return values[0] if values else None


def _times(component: Component, known_zone: Callable[[str], bool]) -> None:
    """Fill in when the event may happen; mark it suspect for anything `IcsSource` would judge."""
    c = component
    uid = _one(c, "UID")
    start = _one(c, "DTSTART")
    end = _one(c, "DTEND")
    duration = _one(c, "DURATION")
    rule = _one(c, "RRULE")
    recurrence_id = _one(c, "RECURRENCE-ID")
    if c.suspect or uid is None or start is None or (end and duration) or "EXRULE" in c.props:
        c.suspect = True
        return
    c.uid = uid[1].strip()
    begins = _when(start, known_zone)
    if begins is None or (recurrence_id is not None and not _recurrence_id_ok(recurrence_id, known_zone)):
        c.suspect = True
        return
    moment, is_date, zone = begins
    try:
        if end is not None:
            ends = _when(end, known_zone)
            if ends is None or ends[1] != is_date or (ends[2] is None) != (zone is None):
                c.suspect = True  # a date and a date-time, or floating and zoned, mixed
                return
            if ends[2] != zone and zone is not None:
                c.suspect = True  # two zones: not compared here
                return
            if ends[0] < moment:
                c.suspect = True  # ends before it starts
                return
            finish = ends[0]
        elif duration is not None:
            span = _duration(duration[1])
            if span is None or span < timedelta(0):
                c.suspect = True
                return
            finish = moment + span
        else:
            finish = moment + timedelta(days=1) if is_date else moment
        if is_date and finish <= moment:
            finish = moment + timedelta(days=1)
        length = finish - moment
        first, last = moment, finish
        if rule is not None or "RDATE" in c.props:
            first, last = _series_span(c, rule, moment, length, known_zone)
        c.first, c.last = first, last
    except OverflowError:
        c.suspect = True


def _when(
    prop: tuple[str, str], known_zone: Callable[[str], bool]
) -> tuple[datetime, bool, str | None] | None:
    """(moment, is a date, zone: "Z", a TZID or None for floating), or None if unsure."""
    params, value = prop
    moment = _moment(value)
    if moment is None:
        return None
    is_date = len(value) == 8
    named = _param_map(params)
    kind = named.get("VALUE", "DATE" if is_date else "DATE-TIME").upper()
    if kind != ("DATE" if is_date else "DATE-TIME"):
        return None
    tzid = named.get("TZID")
    if is_date:
        return None if tzid else (moment, True, None)
    if value.endswith("Z"):
        return None if tzid else (moment, False, "Z")
    if tzid is not None:
        if not tzid or not known_zone(tzid):
            return None
        return moment, False, tzid
    return moment, False, None


def _recurrence_id_ok(prop: tuple[str, str], known_zone: Callable[[str], bool]) -> bool:
    params, _ = prop
    return _param(params, "RANGE") is None and _when(prop, known_zone) is not None


def _series_span(
    c: Component, rule: tuple[str, str] | None, moment: datetime, length: timedelta, known_zone
) -> tuple[datetime, datetime]:
    """From the first to the end of the last possible instance of a recurring event."""
    first, last = moment, moment
    for params, value in c.props.get("RDATE", []):
        tzid = _param(params, "TZID")
        if tzid is not None and not known_zone(tzid):
            c.suspect = True
        for item in value.split(","):
            begin, slash, finish = item.partition("/")
            at = _moment(begin)
            if at is None:
                c.suspect = True
                continue
            first = min(first, at)
            ends = _moment(finish) if slash else None
            span = _duration(finish) if slash and ends is None else None
            last = max(last, ends if ends is not None else at + (span or length))
    if rule is not None:
        parsed = recurrence.parse_rule(rule[1], moment)
        if parsed is None:
            c.suspect = True
            return first, _END_OF_TIME
        bound = recurrence.last_bound(recurrence.shape_of(parsed))
        if bound is None:
            return first, _END_OF_TIME
        last = max(last, bound)
    return first, last + length


# --- what belongs together ------------------------------------------------------------------------


def _grouped(data: bytes, components: list[Component]) -> Index:
    always: set[int] = set()
    by_uid: dict[tuple[int, str], list[int]] = {}
    groups: list[list[int]] = []
    first: list[float | None] = []
    last: list[float | None] = []
    for i, c in enumerate(components):
        first.append(None if c.first is None else _seconds(c.first))
        last.append(None if c.last is None or c.last is _END_OF_TIME else _seconds(c.last))
        if c.name not in SKIPPABLE or c.suspect:
            always.add(i)
            groups.append([i])
        elif c.name != "VEVENT":
            continue  # a clean VTODO or VJOURNAL: never read
        elif c.uid is None:
            always.add(i)
            groups.append([i])
        else:
            by_uid.setdefault((c.calendar, c.uid), []).append(i)
    for members in by_uid.values():
        masters = [i for i in members if "RECURRENCE-ID" not in components[i].props]
        if len(masters) > 1:
            always.update(members)  # events sharing a UID: parsed, so the warning is the same
        groups.append(members)
    spans = [(c.start, c.end) for c in components]
    return Index(len(data), spans, first, last, groups, frozenset(always))


def known_by_name() -> Callable[[str], bool]:
    """Whether icalendar resolves a TZID by its name alone (IANA, Windows), as its parser will."""
    import warnings

    from icalendar.timezone import tzp

    def known(tzid: str) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return tzp.timezone(tzid) is not None
            except Exception:
                return False

    return known
