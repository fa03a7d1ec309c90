"""Read .ics files: the default source, no account and no network needed.

Parsing is icalendar's, recurrence expansion is recurring-ical-events' (RRULE,
RDATE, EXDATE, RECURRENCE-ID overrides, X-WR-TIMEZONE); this module only
turns what they produce into normalized `Event`s, one per occurrence.

A calendar file is untrusted input, so reading it is guarded: only a
regular file of a bounded size is read (`files`); a broken event is skipped
with a warning naming its UID (the rest is still read, `recover`); every
series is expanded within a budget of iterator steps and instances
(`recurrence`), and one over it is skipped with a warning naming it; events
that share a UID without a RECURRENCE-ID (an export bug) are all read, each
as a series of its own, with a warning naming the UID.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardian.adapters.sources.base import (
    BlockHome,
    BlockOptions,
    BlockWriter,
    Capabilities,
    Identity,
    Source,
)
from guardian.adapters.sources.ics.archive import unpack
from guardian.adapters.sources.ics.files import read_calendar_file
from guardian.adapters.sources.ics.recover import Damage, as_text, parse
from guardian.core.agenda import has_agenda
from guardian.core.collector import collector_paused
from guardian.core.links import attachment, extract_links
from guardian.core.model import GUARDIAN_TAG, Attendee, Event, EventKind, Person, Status, Window
from guardian.core.recurrence import series_end
from guardian.core.text import html_to_text, plain_description
from guardian.errors import InputError

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.sources.ics.cache import ParseCache
    from guardian.adapters.sources.ics.recurrence import Budget
    from guardian.adapters.sources.ics.scan import Index
    from guardian.adapters.state import State

log = logging.getLogger("guardian")

DEFAULT_MAX_INSTANCES = 5000  # instances of one series in the window; more are cut
SHARED_UID = "\u2063shared-"  # joins a shared UID and a number into the UID of its own series

_PARTSTAT = {
    "ACCEPTED": Status.ACCEPTED,
    "TENTATIVE": Status.TENTATIVE,
    "DECLINED": Status.DECLINED,
    "NEEDS-ACTION": Status.NEEDS_ACTION,
    "DELEGATED": Status.DECLINED,
}
_OOO_WORDS = ("out of office", "ooo", "vacation", "holiday", "pto", "day off", "sick leave", "annual leave")
FOCUS_CATEGORIES = {"focus time", "focus"}
X_TAG = "X-" + GUARDIAN_TAG.upper() + "-TAG"  # X-GUARDIAN-TAG
DEFAULT_BLOCK_FILE = Path("focus-blocks.ics")  # relative to where guardian runs


def _email(value: object) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def _param(prop: object, name: str, default: str = "") -> str:
    """A parameter of a property (`name` in upper case: how icalendar keys them)."""
    params = getattr(prop, "params", None)
    if not params:
        return default
    value = dict.get(params, name, default)
    return str(value) if value is not None else default


_get = (
    dict.get
)  # a component's property by its upper-case name (icalendar keys them so), without the case folding


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class IcsSource(Source):
    """One .ics file (which may hold several VCALENDARs).

    Its blocks go to a separate block file (the user's file is never
    rewritten), and requests to organizers go out as iTIP mail.
    """

    capabilities = Capabilities(blocks=BlockHome.BLOCK_FILE)
    cache: ParseCache | None = None  # what earlier reads found (None: read afresh)

    @classmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> IcsSource:
        from guardian.adapters.sources.ics.cache import ParseCache

        path = Path(target).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        return cls(path, identity, cache=ParseCache())

    def use_cache(self, enabled: bool) -> None:
        if not enabled:
            self.cache = None

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.path,)

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        from guardian.adapters.sources.ics.blockfile import BlockFile

        return BlockFile(options.output or DEFAULT_BLOCK_FILE, self.identity, options.title, state=state)

    def __init__(
        self,
        path: str | Path,
        identity: Identity,
        *,
        max_instances: int = DEFAULT_MAX_INSTANCES,
        focus_categories: set[str] | None = None,
        data: bytes | None = None,
        spec: str | None = None,
        label: str | None = None,
        where: str | None = None,
        scan: bool = True,
        cache: ParseCache | None = None,
    ) -> None:
        """`data`, when given, is the file's content (a calendar fetched from a
        URL); `path` then only names it, and `spec`/`label`/`where` say where it
        came from (`where` names it in messages). `scan=False` parses every
        component whatever the window, and `cache`, when given, keeps what
        reads found (`cache.py`): both only make reading cheaper, never
        change what is read, and the tests compare them with their absence."""
        self.path = Path(path)
        self.where = where or str(path)
        self.spec = spec or f"ics:{self.path}"
        self.label = label or self.path.name
        self.identity = identity
        self.max_instances = max_instances
        self.focus_categories = {c.lower() for c in (focus_categories or FOCUS_CATEGORIES)}
        self.scan = scan
        self.cache = cache
        self.progress: Progress | None = None
        self._data = data
        self._raw: bytes | None = None
        self._files: list[_File] | None = None
        self._damages: dict[str, Damage] = {}  # where -> what that file lost (one warning line each)
        self._aliases: dict[str, str] = {}  # the UID of a series of its own -> the UID it shares
        self._warned_me = False
        self._guessed_me = False  # a read guessed my status (and warned, once)

    # --- parsing ---------------------------------------------------------------

    def parse(self) -> None:
        """Read the file now (InputError if nothing in it is a calendar).

        With the window scan, a file the scan splits cleanly is only indexed
        here (it is a calendar); anything else is parsed whole, so its errors
        are raised now.
        """
        for file in self._load():
            if self._index(file) is None:
                self._parsed(file, None)

    def _bytes(self) -> bytes:
        """The file's bytes as read (once)."""
        if self._raw is None:
            self._raw = self._data if self._data is not None else self._read_bytes()
        return self._raw

    def _damage(self, where: str) -> Damage:
        return self._damages.setdefault(where, Damage(where))

    def _load(self) -> list[_File]:
        """Every calendar file (each file inside a .zip), read once."""
        if self._files is not None:
            return self._files
        data = self._bytes()
        if not data.strip():
            raise InputError(f"{self.where}: the file is empty, not an iCalendar file")
        self._files = [
            _File(member.where, member.data, self._damage(member.where))
            for member in unpack(data, self.where)
        ]
        return self._files

    def _read_bytes(self) -> bytes:
        report = self.progress
        return read_calendar_file(
            self.path,
            self.where,
            progress=(lambda done, total: report("read", done, total)) if report else None,
        )

    def _index(self, file: _File) -> Index | None:
        """The window scan of `file` (from the cache when it has it), or None: parse it whole."""
        if not self.scan:
            return None
        if file.scanned:
            return file.scan
        from guardian.adapters.sources.ics import scan
        from guardian.adapters.sources.ics.cache import code_stamp

        key = f"scan:{scan.VERSION}:{self.cache.digest(file.data)}:{code_stamp()}" if self.cache else ""
        found = self.cache.load("scan", key) if self.cache is not None else None
        if found is not None:
            try:
                file.scan = None if found.get("whole") else scan.Index.from_json(found)
                if file.scan is not None and file.scan.size != len(file.data):
                    raise ValueError("another file")
                file.scanned = True
                return file.scan
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
        if self.progress is not None:
            self.progress("scan", 0, len(file.data))
        file.scan = scan.index(file.data, scan.known_by_name())
        file.scanned = True
        if self.progress is not None:
            self.progress("scan", len(file.data), len(file.data))
        if self.cache is not None:
            self.cache.store("scan", key, file.scan.to_json() if file.scan is not None else {"whole": True})
        return file.scan

    def _calendars(self, window: Window) -> list[tuple[Any, _File]]:
        """The parsed calendars a window needs, each with its file (parsed at most once per need)."""
        out = []
        for file in self._load():
            index = self._index(file)
            keep = index.select(window.start, window.end) if index is not None else None
            for calendar in self._parsed(file, keep):
                out.append((calendar, file))
        return out

    def _parsed(self, file: _File, keep: frozenset[int] | None) -> list:
        """The calendars of `file` with at least the components `keep` (None: all of them)."""
        if file.calendars is not None and (file.kept is None or (keep is not None and keep <= file.kept)):
            return file.calendars
        if keep is not None and file.kept is not None:
            keep = keep | file.kept
        index = self._index(file)
        text = file.data if keep is None or index is None else (index.reduce(file.data, keep) or file.data)
        if self.progress is not None:
            self.progress("parse", 0, len(text))
        noted = len(file.damage.notes)
        calendars = parse(text, file.where, file.damage)
        for calendar in calendars:
            self._drop_broken(calendar, file.damage)
            self._separate_shared_uids(calendar, file.damage)
        if file.calendars is None:
            file.parse_notes = file.damage.notes[noted:]  # the same whatever was kept (see scan.py)
        file.calendars, file.kept = calendars, keep
        if self.progress is not None:
            self.progress("parse", len(text), len(text))
        return calendars

    # --- reading a window ------------------------------------------------------------

    def read(self, window: Window) -> list[Event]:
        with collector_paused():
            return self._read_cached(window)

    def _read_cached(self, window: Window) -> list[Event]:
        if self.cache is None:
            return self._read(window)
        key = self._read_key(window)
        cached = self._from_cache(key)
        if cached is not None:
            return cached
        for file in self._load():
            file.damage.heard = []
        guessed, self._guessed_me = self._guessed_me, False
        try:
            events = self._read(window)
            heard = {
                file.where: _unique(file.parse_notes + (file.damage.heard or [])) for file in self._load()
            }
            self._store(key, events, heard, self._guessed_me)
        finally:
            for file in self._load():
                file.damage.heard = None
            self._guessed_me = self._guessed_me or guessed
        return events

    def _read_key(self, window: Window) -> str:
        from guardian.adapters.sources.ics.cache import code_stamp, zone_name

        assert self.cache is not None
        identity = self.identity
        return "\n".join(
            [
                "read",
                self.cache.digest(self._bytes()),
                code_stamp(),
                window.start.isoformat(),
                window.end.isoformat(),
                zone_name(window.start.tzinfo) if window.start.tzinfo else "",
                zone_name(identity.tz),
                identity.me or "",
                ",".join(identity.domains),
                ",".join(sorted(self.focus_categories)),
                str(self.max_instances),
                self.spec,
                self.label,
                self.where,
                "scan" if self.scan else "whole",
            ]
        )

    def _from_cache(self, key: str) -> list[Event] | None:
        """The events a read of this key found before, its warnings said again; None: not cached."""
        from guardian.adapters.sources.ics.cache import events_from_json
        from guardian.adapters.sources.ics.recover import Note

        assert self.cache is not None
        body = self.cache.load("read", key)
        if body is None:
            return None
        try:
            events = events_from_json(body["events"])
            notes = [
                (_text(where), Note(_text(kind), _text(uid), _text(why), int(count)))
                for where, kind, uid, why, count in body["notes"]
            ]
            guessed = bool(body["guessed_me"])
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        for where, note in notes:
            self._damage(where).note(note.kind, note.uid, note.why, note.count)
        if guessed:
            self._guessed_me = True
            self._warn_unknown_me()
        for damage in self._damages.values():
            damage.report()
        return events

    def _store(self, key: str, events: list[Event], heard: dict[str, list], guessed: bool) -> None:
        from guardian.adapters.sources.ics.cache import Uncacheable, events_json

        assert self.cache is not None
        try:
            body = {
                "events": events_json(events),
                "notes": [
                    [where, n.kind, n.uid, n.why, n.count] for where, notes in heard.items() for n in notes
                ],
                "guessed_me": guessed,
            }
        except Uncacheable:
            return  # a zone of the file's own: read afresh each time
        self.cache.store("read", key, body)

    def _read(self, window: Window) -> list[Event]:
        import recurring_ical_events
        from recurring_ical_events import CalendarQuery

        from guardian.adapters.sources.ics.recurrence import Budget, series_class

        events: list[Event] = []
        budgets: dict[int, Budget] = {}  # one per file: every calendar file has its budget
        for calendar, file in self._calendars(window):
            damage = file.damage
            budget = budgets.setdefault(id(file), Budget())
            events_of = CalendarQuery.ComponentsWithName(
                "VEVENT", series=series_class(budget, self.max_instances)
            )
            try:
                query = recurring_ical_events.of(calendar, skip_bad_series=True, components=[events_of])
            except Exception as exc:
                raise InputError(f"{damage.where}: cannot expand recurrences ({_short(exc)})") from None
            masters = {
                str(_get(c, "UID")): c for c in calendar.walk("VEVENT") if _get(c, "RECURRENCE-ID") is None
            }
            recurring = {
                str(_get(c, "UID"))
                for c in calendar.walk("VEVENT")
                if _get(c, "RECURRENCE-ID") is not None
                or _get(c, "RRULE") is not None
                or _get(c, "RDATE") is not None
            }
            for series in query.series:
                uid = str(series.uid)
                events.extend(
                    self._expand(
                        series,
                        uid,
                        masters.get(uid),
                        uid in recurring,
                        window.start,
                        window.end,
                        damage,
                        budget,
                    )
                )
        for file in self._load():  # one line per file
            file.damage.report()
            # What was parsed is let go: a run reads a calendar once (a second read parses again,
            # or comes from the cache), and the rest of the run needs the memory more.
            file.calendars = file.kept = None
        events.sort(key=lambda e: (e.start, e.end, e.uid))
        return events

    def _separate_shared_uids(self, calendar, damage: Damage) -> None:
        """Events sharing a UID without a RECURRENCE-ID each become a series of their own.

        RFC 5545 allows one such event per UID; exports that break the rule
        still mean every one of them (recurring-ical-events would keep one).
        The first keeps the UID (and the RECURRENCE-ID overrides, which name
        the UID only); the others get a UID of their own here, which
        `_uid` maps back, so every Event still carries the UID of the file.
        """
        by_uid: dict[str, list] = {}
        for component in calendar.walk("VEVENT"):
            if component.get("RECURRENCE-ID") is None:
                by_uid.setdefault(str(component.get("UID")), []).append(component)
        taken = set(by_uid)
        for uid, components in by_uid.items():
            if len(components) < 2:
                continue
            damage.note(
                "shared-uid", uid, f"{len(components)} events without a RECURRENCE-ID; every one is read"
            )
            for number, component in enumerate(components[1:], start=2):
                alias = f"{uid}{SHARED_UID}{number}"
                while alias in taken:
                    alias += "+"
                taken.add(alias)
                self._aliases[alias] = uid
                component["UID"] = alias

    def _uid(self, uid: str) -> str:
        """The UID as the file spells it (a series of its own carries another, see above)."""
        return self._aliases.get(uid, uid)

    def _drop_broken(self, calendar, damage: Damage) -> None:
        """Remove events that cannot be read, noting each in the file's damage.

        Also notes each unknown time zone: its times are read in the user's
        zone, which is a guess the user should know about.
        """
        keep = []
        unknown_zones: set[str] = set()
        for component in calendar.subcomponents:
            if component.name != "VEVENT":
                keep.append(component)
                continue
            problem = _problem(component)
            if problem:
                damage.note("event", component.get("UID"), problem)
                continue
            tzid = _param(component.get("DTSTART"), "TZID")
            if tzid and tzid not in unknown_zones:
                value = component.decoded("DTSTART")
                if isinstance(value, datetime) and value.tzinfo is None:
                    unknown_zones.add(tzid)
                    damage.note(
                        "zone",
                        f"unknown time zone {tzid!r}",
                        f"its times are read as {self.identity.tz} (event {component.get('UID', '(no UID)')})",
                    )
            keep.append(component)
        calendar.subcomponents[:] = keep

    def _expand(
        self,
        series,
        uid: str,
        core,
        recurring: bool,
        start: datetime,
        end: datetime,
        damage: Damage,
        budget: Budget,
    ) -> list[Event]:
        from guardian.adapters.sources.ics.recurrence import OverBudget

        out: list[Event] = []
        templates: dict[int, Event | None] = {}
        named = self._uid(uid)
        cap = min(self.max_instances, budget.instances_left())
        try:
            occurrences = list(islice(series.between(start, end), cap + 1))
        except OverBudget as exc:
            damage.note("series", named, exc.why)
            return []
        except Exception as exc:
            damage.note("series", named, _short(exc))
            return []
        if len(occurrences) > cap:
            if cap < self.max_instances:
                why = f"the calendar's {budget.calendar_instances:,} instances are reached; kept the first {cap}"
            else:
                why = f"more than {self.max_instances} instances in the window; kept the first"
            damage.note("cut", named, why)
            occurrences = occurrences[:cap]
        budget.instances += len(occurrences)
        for occurrence in occurrences:
            # One template (all but the times) per component, from its first occurrence.
            original = _component_of(occurrence)
            key = id(original) if original is not None else id(occurrence)
            if key not in templates:
                try:
                    templates[key] = self._first_template(occurrence, original, core, recurring, budget)
                except Exception as exc:  # a property the model cannot hold
                    damage.note("event", named, _short(exc))
                    templates[key] = None
            template = templates[key]
            if template is None:
                continue
            # an override names its RECURRENCE-ID; an occurrence of the rule is identified by its start
            rid = _get(original, "RECURRENCE-ID") if original is not None else None
            try:
                out.append(self._instance(template, rid, occurrence))
            except Exception as exc:
                damage.note("event", named, f"an instance: {_short(exc)}")
        return out

    def _first_template(self, occurrence, original, core, recurring: bool, budget: Budget) -> Event:
        """The template of a component, read as recurring-ical-events' copy of its occurrence would be.

        That copy is the component with the occurrence's DTSTART and DTEND
        (DURATION dropped) and the recurrence properties removed. Copying costs
        more than the rest of the mapping, so the component itself is read,
        with the one thing the copy changes that matters here (its length)
        taken from the occurrence. (The copy's SEQUENCE, the series' highest,
        is not used: a reply echoes the master's, see `_template`.) A
        component without a series core is rare: it is copied.
        """
        if original is None or core is None:
            return self._template(occurrence.as_component(False), core, recurring, budget)
        start, end = occurrence.start, occurrence.end
        away = not isinstance(start, datetime) or (end - start).total_seconds() >= 6 * 3600
        return self._template(original, core, recurring, budget, away=away)

    # --- mapping -----------------------------------------------------------------

    def _aware(self, value: date | datetime) -> datetime:
        """Dates become local midnight; floating times take the user's zone."""
        tz: tzinfo = self.identity.tz
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return datetime.combine(value, time(0), tzinfo=tz)

    def _instance(self, template: Event, rid, occurrence) -> Event:
        """The template at this occurrence's times; `rid` its RECURRENCE-ID (None: its start)."""
        raw_start = occurrence.start
        raw_end = occurrence.end
        all_day = not isinstance(raw_start, datetime)
        start = self._aware(raw_start)
        end = self._aware(raw_end) if raw_end is not None else start
        if all_day and end <= start:
            end = start + timedelta(days=1)
        if end < start:
            end = start
        recurrence_id = None
        if template.recurring:
            recurrence_id = self._aware(rid.dt) if rid is not None else start
        return replace(template, start=start, end=end, all_day=all_day, recurrence_id=recurrence_id)

    def _template(
        self,
        c,
        core,
        recurring: bool,
        budget: Budget | None = None,
        *,
        away: bool | None = None,
    ) -> Event:
        """Everything about an event except its time, computed once per component.

        `away` (long enough to be an absence), when given, replaces what `c`
        itself says (see `_first_template`).
        """
        identity = self.identity
        uid = self._uid(str(_get(c, "UID") or ""))
        title = str(_get(c, "SUMMARY") or "").strip()
        plain = plain_description(str(_get(c, "DESCRIPTION") or ""))
        description = plain
        alt = _get(c, "X-ALT-DESC")
        alt_text = html_to_text(str(alt)) if alt is not None else ""
        if alt_text and not has_agenda(description) and has_agenda(alt_text):
            description = alt_text  # the plain part is only a join block; the HTML has the agenda
        location = str(_get(c, "LOCATION") or "").strip()
        extra_urls = [str(u) for u in _as_list(_get(c, "URL"))]
        for name in (
            "X-GOOGLE-CONFERENCE",
            "X-MICROSOFT-SKYPETEAMSMEETINGURL",
            "X-MICROSOFT-ONLINEMEETINGCONFLINK",
        ):
            extra_urls += [str(u) for u in _as_list(_get(c, name))]
        links = list(extract_links("\n".join((plain, alt_text, location)), tuple(extra_urls)))
        for attach in _as_list(_get(c, "ATTACH")):
            value = str(attach)
            if value.startswith(("http://", "https://")):
                links.append(attachment(value, "attachment"))
            else:
                name = (
                    _param(attach, "FILENAME")
                    or _param(attach, "X-FILENAME")
                    or _param(attach, "FMTTYPE", "file")
                )
                links.append(attachment(f"attachment:{name}", "attachment"))

        organizer_prop = _get(c, "ORGANIZER")
        organizer = None
        if organizer_prop is not None and _email(organizer_prop):
            organizer = Person(_email(organizer_prop), _param(organizer_prop, "CN"))
        attendees = []
        my_status: Status | None = None
        for prop in _as_list(_get(c, "ATTENDEE")):
            email = _email(prop)
            if not email:
                continue
            status = _PARTSTAT.get(_param(prop, "PARTSTAT", "NEEDS-ACTION").upper(), Status.NEEDS_ACTION)
            cutype = _param(prop, "CUTYPE", "INDIVIDUAL").upper()
            attendee = Attendee(
                email=email,
                name=_param(prop, "CN"),
                status=status,
                optional=_param(prop, "ROLE").upper() in ("OPT-PARTICIPANT", "NON-PARTICIPANT"),
                resource=cutype in ("ROOM", "RESOURCE"),
            )
            attendees.append(attendee)
            if identity.is_me(email):
                my_status = status
        if organizer is not None and identity.is_me(organizer.email):
            my_status = Status.ORGANIZER
        if my_status is None:
            my_status = self._guess_my_status(organizer, attendees)

        status_prop = str(_get(c, "STATUS") or "").upper()
        transp = str(_get(c, "TRANSP") or "OPAQUE").upper()
        busy_status = str(_get(c, "X-MICROSOFT-CDO-BUSYSTATUS") or "").upper()
        busy = transp != "TRANSPARENT" and busy_status != "FREE"
        categories = tuple(
            str(cat).strip()
            for prop in _as_list(_get(c, "CATEGORIES"))
            for cat in (getattr(prop, "cats", None) or str(prop).split(","))
            if str(cat).strip()
        )
        # The tag marks our blocks; a calendar app that drops X- properties on
        # import still keeps the UID guardian gave the block.
        own_block = str(_get(c, X_TAG) or "").lower() == "focus-block" or (
            uid.startswith("guardian-") and uid.endswith("@guardian")
        )
        kind = EventKind.DEFAULT
        if own_block or any(cat.lower() in self.focus_categories for cat in categories):
            kind = EventKind.FOCUS
        elif busy_status == "OOF" or (
            busy and _looks_off(title) and (away if away is not None else _long_enough_to_be_away(c))
        ):
            kind = EventKind.OUT_OF_OFFICE

        master = core if core is not None else c
        created_prop = _get(c, "CREATED")
        created = self._aware(created_prop.dt) if created_prop is not None else None
        external = any(
            identity.is_external(a.email) for a in attendees if not a.resource and not identity.is_me(a.email)
        )
        return Event(
            uid=uid,
            start=_EPOCH,
            end=_EPOCH,
            title=title,
            description=description,
            links=tuple(links),
            organizer=organizer,
            attendees=tuple(attendees),
            my_status=my_status,
            recurring=recurring,
            series_end=self._series_end(master, budget) if recurring else None,
            busy=busy,
            cancelled=status_prop == "CANCELLED",
            created=created,
            external=external,
            source=self.spec,
            own_block=own_block,
            kind=kind,
            location=location,
            categories=categories,
            provider_id=uid,
            # the revision a reply answers: guardian answers a recurring meeting as a series,
            # so it is the series' (the master's), never a moved occurrence's
            sequence=_sequence(master if recurring else c),
        )

    def _guess_my_status(self, organizer: Person | None, attendees: list[Attendee]) -> Status:
        people = [a for a in attendees if not a.resource]
        if not people:
            return Status.ORGANIZER  # an event only I am in is mine
        if not self.identity.me:
            self._guessed_me = True
            self._warn_unknown_me()
        return Status.ACCEPTED

    def _warn_unknown_me(self) -> None:
        if self._warned_me:
            return
        self._warned_me = True
        log.warning(
            "%s: don't know who you are in this calendar; treating invitations as accepted "
            "(pass --me EMAIL or set `me` in the config)",
            self.where,
        )

    def _series_end(self, master, budget: Budget | None = None) -> datetime | None:
        """When the series stops: its RRULEs' end (core.recurrence), the last RDATE; None if never."""
        rules = _as_list(master.get("RRULE"))
        if not rules:
            rdates = [
                getattr(d, "dt", d)
                for prop in _as_list(master.get("RDATE"))
                for d in getattr(prop, "dts", [])
            ]
            values = [self._aware(v[0] if isinstance(v, tuple) else v) for v in rdates]
            return max(values) if values else self._aware(master.decoded("DTSTART"))
        start = master.decoded("DTSTART")
        zone = start.tzinfo if isinstance(start, datetime) and start.tzinfo is not None else self.identity.tz

        def last_of_count(rule: str, first: date | datetime, tz: tzinfo) -> datetime:
            """The last instance, walked within the calendar's budget; DTSTART when over it.

            Any finite end says what matters here (the series ends).
            """
            from guardian.adapters.sources.ics.recurrence import last_instance

            aware = self._aware(first)
            last = last_instance(rule, aware, budget)
            return aware if last is None else last.replace(tzinfo=aware.tzinfo)

        return series_end(
            [rule.to_ical().decode() for rule in rules], start, zone, last_of_count=last_of_count
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: called as progress(stage, done, total): "read" (bytes of the file), "scan" and "parse" (bytes)
Progress = Callable[[str, int, int], None]


class _File:
    """One calendar file (the file itself, or one inside an archive), and what was learnt from it."""

    def __init__(self, where: str, data: bytes, damage: Damage) -> None:
        self.where = where
        self.data = as_text(data)
        self.damage = damage
        self.calendars: list | None = None  # parsed so far
        self.kept: frozenset[int] | None = None  # the components parsed (None: the whole file)
        self.parse_notes: list = []  # what parsing it found (window-independent)
        self.scan: Index | None = None
        self.scanned = False


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _component_of(occurrence):
    """The component an occurrence of recurring-ical-events was made from (None if it hides it)."""
    adapter = getattr(occurrence, "_adapter", None)
    component = getattr(adapter, "_component", None)
    return component if isinstance(component, dict) else None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _looks_off(title: str) -> bool:
    lowered = title.lower()
    return any(word in lowered for word in _OOO_WORDS)


def _sequence(component) -> int:
    try:
        return max(0, int(str(component.get("SEQUENCE", 0))))
    except ValueError:
        return 0


def _long_enough_to_be_away(component) -> bool:
    """An all-day event, or a timed one of 6 hours or more (Google exports OOO timed)."""
    start = component.decoded("DTSTART")
    if not isinstance(start, datetime):
        return True
    try:
        end = (
            component.decoded("DTEND")
            if component.get("DTEND") is not None
            else start + component.decoded("DURATION")
        )
    except Exception:
        return False
    return (end - start).total_seconds() >= 6 * 3600


def _problem(component) -> str | None:
    """Why an event cannot be used, or None when it can."""
    if component.get("DTSTART") is None:
        return "it has no DTSTART"
    errors = getattr(component, "errors", None)
    if errors:
        return "; ".join(f"{name}: {msg}" for name, msg in errors)[:160]
    try:
        start = component.decoded("DTSTART")
    except Exception as exc:
        return f"unreadable DTSTART ({_short(exc)})"
    if not isinstance(start, (date, datetime)):
        return "unreadable DTSTART"
    for name in ("DTEND", "DURATION", "RECURRENCE-ID"):
        if component.get(name) is not None:
            try:
                component.decoded(name)
            except Exception as exc:
                return f"unreadable {name} ({_short(exc)})"
    duration = component.decoded("DURATION") if component.get("DURATION") is not None else None
    if isinstance(duration, timedelta) and duration < timedelta(0):
        return "its DURATION is negative"
    if component.get("DTEND") is not None:
        end = component.decoded("DTEND")
        if type(end) is not type(start) and not (isinstance(end, datetime) and isinstance(start, datetime)):
            return "DTSTART and DTEND mix a date and a date-time"
        try:
            if end < start:
                return "it ends before it starts"
        except TypeError:
            return "DTSTART and DTEND mix floating and zoned times"
    for rule in _as_list(component.get("RRULE")):
        if not hasattr(rule, "get") or not rule.get("FREQ"):
            return "its RRULE has no FREQ"
    return None
