"""Everything one command run needs, resolved once from options and config.

Commands share the same options (calendars, --me, --from, --days, --tz,
--rules, --config, --now); resolving them in one place keeps their meaning
identical across audit, focus, replies, convert and report.
"""

from __future__ import annotations

import logging
import os
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guardian.adapters.config import load_config
from guardian.adapters.settings import Settings
from guardian.adapters.sources import needs_state, open_source
from guardian.adapters.sources.base import Identity, Source
from guardian.adapters.state import State
from guardian.core.dates import WORDS as DATE_WORDS
from guardian.core.dates import is_weekday_word, parse_day_word
from guardian.core.model import Event, Window
from guardian.errors import InputError, did_you_mean, join_hints
from guardian.lint.context import AuditContext, Norms
from guardian.lint.pack import RuleBook, load_rulebook
from guardian.lint.suppress import Suppressions, resolve_ignores

log = logging.getLogger("guardian")

DEFAULT_DAYS = 7  # the coming week
MAX_DAYS = 3660  # ten years: more is a typo, and would take minutes to expand


@dataclass
class Options:
    calendars: list[str] = field(default_factory=list)
    me: str | None = None
    start: str | None = None  # --from
    days: int | None = None
    tz: str | None = None
    rules: str | None = None
    config: str | None = None
    now: str | None = None
    until: str | None = None  # --until: the last day (inclusive), instead of --days
    #: audit only: hide the findings recorded in this baseline file
    baseline: str | None = None
    #: told what the run is doing ("reading work"), for a progress line on a terminal
    progress: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    no_cache: bool = False  # --no-cache: read calendars afresh, without the parsed-calendar cache


def system_zone() -> tzinfo:
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


def parse_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"--tz: unknown time zone {name!r}", hint="use an IANA name like Europe/Berlin"
        ) from None


def parse_now(value: str | None, tz: tzinfo) -> datetime:
    if not value:
        return datetime.now(tz)
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--now: {value!r} is not an ISO date-time", hint="e.g. 2026-11-30T08:00:00+01:00"
        ) from None
    when = when if when.tzinfo else when.replace(tzinfo=tz)
    check_in_range(when.date(), "--now")
    return when


#: the days guardian computes with: room for ten years of trend and sync horizons
#: either side, far from the ends of Python's calendar (year 1 and 9999)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 12, 31)


def check_in_range(day: date, option: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(
            f"{option}: {day.isoformat()} is out of range",
            hint=f"use a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}",
        )


def parse_day(value: str, today: date, option: str = "--from") -> date:
    """A day from `--from`/`--until`: a date word (see `guardian.core.dates`) or YYYY-MM-DD."""
    try:
        day = parse_day_word(value, today)
        check_in_range(day, option)
        return day
    except ValueError:
        raise InputError(
            f"{option}: {value!r} is not a date",
            hint=join_hints(
                did_you_mean(value.strip(), DATE_WORDS),
                "use YYYY-MM-DD, today, tomorrow, a weekday (monday..sunday) or next-week",
            ),
        ) from None


def window_days(
    first: date, today: date, days: int | None, until: str | None, default: int = DEFAULT_DAYS
) -> int:
    """How many days the window has: --days, or up to --until (inclusive), or the default."""
    if until is not None:
        if days is not None:
            raise InputError("--days and --until both given", hint="use one of them")
        # a weekday counts from the first day: --from tomorrow --until friday is the Friday after
        last = parse_day(until, first if is_weekday_word(until) else today, "--until")
        if last < first:
            raise InputError(
                f"--until: {last} is before the first day ({first})", hint="--until names the last day"
            )
        days = (last - first).days + 1
    days = default if days is None else days
    check_days(days)
    return days


def check_days(days: int) -> None:
    if days < 1 or days > MAX_DAYS:
        raise InputError(f"--days: {days} is out of range", hint=f"use 1 to {MAX_DAYS}")


class Session:
    def __init__(
        self,
        options: Options,
        *,
        default_days: Callable[[Settings], int] | None = None,
        window: Callable[[datetime, tzinfo, Settings], Window] | None = None,
        settings: Settings | None = None,
        state: State | Any | None = None,
    ) -> None:
        """`default_days` picks the --days default from the settings (e.g. `[focus] days`);
        `window` replaces the default window rule (the report's weeks), given now, zone and settings.
        `settings` and `state` are given instead of loaded by callers that run guardian for
        someone else (the team report and the org run: one person of a roster each)."""
        self.options = options
        self.config: Settings = settings if settings is not None else load_config(options.config)
        if state is not None:
            self.__dict__["state"] = state  # the cached_property below is then never built
        if options.tz:
            self.tz = parse_zone(options.tz)
        else:
            self.tz = self.config.timezone or system_zone()
        self.now = parse_now(options.now or os.environ.get("GUARDIAN_NOW"), self.tz)
        if window is not None:
            self.window = window(self.now, self.tz, self.config)
        else:
            today = self.now.astimezone(self.tz).date()
            first = parse_day(options.start, today) if options.start else today
            default = default_days(self.config) if default_days else DEFAULT_DAYS
            days = window_days(first, today, options.days, options.until, default)
            self.window = Window(
                datetime.combine(first, time(0), tzinfo=self.tz),
                datetime.combine(first + timedelta(days=days), time(0), tzinfo=self.tz),
            )
        self.identity = Identity(self.tz, options.me or self.config.me, self.config.domains)
        self.hours = self.config.working_hours(self.tz)

    @cached_property
    def rulebook(self) -> RuleBook:
        return load_rulebook(self.options.rules or self.config.rules)

    @cached_property
    def suppressions(self) -> Suppressions:
        """What hides findings in this run: the config's [[ignore]] tables, invites'
        `guardian: ignore` lines, and (audit) the --baseline file."""
        from guardian.adapters.baseline import read_baseline

        baseline = read_baseline(self.options.baseline) if self.options.baseline else None
        suppressions = Suppressions(self.config.ignore, baseline)
        resolve_ignores(suppressions.ignores, self.rulebook)  # an unknown rule fails before any read
        return suppressions

    @cached_property
    def state(self) -> State:
        return State(self.config.state_path())

    def calendar_specs(self) -> list[str]:
        if self.options.calendars:
            return list(self.options.calendars)
        default = self.config.calendars_default or list(self.config.calendars)
        if not default:
            raise InputError(
                "no calendar given",
                hint="pass -c PATH.ics (or google:primary, outlook:me), "
                "or add [calendars.NAME] to the config (guardian init)",
            )
        return list(default)

    @cached_property
    def sources(self) -> list[Source]:
        # only sources that sync keep state; an .ics-only run creates no state file
        specs = self.calendar_specs()
        state = self.state if any(needs_state(spec, self.config) for spec in specs) else None
        sources = [open_source(spec, self.config, self.identity, state) for spec in self.calendar_specs()]
        if self.options.no_cache:
            for source in sources:
                source.use_cache(False)
        return sources

    def read_events(self, window: Window | None = None) -> list[Event]:
        """Events of every calendar, the same instance seen twice kept once."""
        seen: set[tuple[str, float]] = set()
        events: list[Event] = []
        for source in self.sources:
            self.report_progress(f"reading {source.label}")
            began = time_module.monotonic()
            read = source.read(window or self.window)
            log.debug(
                "read %d events from %s in %.2f s", len(read), source.label, time_module.monotonic() - began
            )
            for event in read:
                key = (event.instance_id, event.start.timestamp())  # an instant, not its spelling
                if key in seen:
                    continue
                seen.add(key)
                events.append(event)
        events.sort(key=lambda e: (e.start, e.end, e.uid))
        return events

    def report_progress(self, what: str) -> None:
        """Tell whoever shows progress what the run is doing now (nothing is printed here)."""
        if self.options.progress is not None:
            self.options.progress(what)

    def audit_context(self, events: list[Event] | None = None) -> AuditContext:
        return AuditContext(
            window=self.window,
            tz=self.tz,
            hours=self.hours,
            now=self.now,
            events=self.read_events() if events is None else events,
            exemptions=self.rulebook.exemptions,
            me=self.identity.me,
            focus=self.config.focus.policy,
            norms=self.norms,
        )

    @property
    def norms(self) -> Norms:
        """The team's `[norms]`, in my zone."""
        norms = self.config.norms
        return Norms(norms.no_meeting_days, norms.hours(self.tz))
