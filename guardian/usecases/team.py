"""`guardian team report`: every person of a roster measured as `guardian report` does, then summed.

Each person's calendar is opened as that person: `me` is their address, a
Google service account impersonates them (`[google] subject`, domain-wide
delegation), and their sync marks live under their own key in the state
store the org run uses (`[org] state`). The sums, and the privacy floor,
are `guardian.domain.team`'s; nothing per person leaves this module.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from guardian.adapters.roster import Roster, RosterPerson, load_roster
from guardian.adapters.settings import CalendarSettings, Settings
from guardian.core.model import Window
from guardian.domain.metrics import MetricParams
from guardian.domain.report import report_window
from guardian.domain.team import (
    PersonFigures,
    TeamReport,
    TooFewPeople,
    build_team_report,
    check_floor,
    measure_person,
)
from guardian.errors import GuardianError, InputError
from guardian.usecases.session import Options, Session, check_days, parse_day

log = logging.getLogger("guardian")

#: the name under which a person's calendar is configured in their own settings
PERSON_CALENDAR = "roster-calendar"


# --- one person of a roster ----------------------------------------------------------


def person_file_name(person: RosterPerson) -> str:
    """A file name for a person's own files: readable, and never the same for two addresses."""
    readable = re.sub(r"[^a-z0-9@._-]", "_", person.key)[:80]
    digest = hashlib.sha256(person.key.encode()).hexdigest()[:8]
    return f"{readable}-{digest}"


def org_data_dir(config: Settings) -> Path:
    if config.org.data_dir is not None:
        return config.org.data_dir
    from guardian.adapters.config import default_data_dir

    return default_data_dir() / "org"


def person_settings(config: Settings, roster: Roster, person: RosterPerson) -> Settings:
    """The config as this person would have it: their calendar, their address, their files.

    The calendar is a configured one whose relative paths are relative to
    the roster file; a Google service account acts as the person; the state
    path (also the run lock's name) and the .ics block file are the person's own.
    """
    own = org_data_dir(config) / person_file_name(person)
    return replace(
        config,
        path=roster.path,  # relative paths in the person's spec are relative to the roster
        me=person.email,
        calendars={PERSON_CALENDAR: CalendarSettings(source=person.calendar, me=person.email)},
        calendars_default=(PERSON_CALENDAR,),
        state=own.with_suffix(".sqlite3"),
        google=replace(config.google, subject=person.email),
        focus=replace(config.focus, output=own.with_suffix(".blocks.ics")),
    )


def person_state(config: Settings, settings: Settings, person: RosterPerson) -> Any:
    """The person's state store: their rows of the shared PostgreSQL store, or their own SQLite file."""
    if config.org.state == "postgresql":
        from guardian.adapters.state_pg import PgState

        return PgState(postgres_dsn(config), person.key)
    from guardian.adapters.state import State

    return State(settings.state_path())


def postgres_dsn(config: Settings) -> str:
    name = config.org.dsn_env
    value = os.environ.get(name, "").strip()
    if not value:
        raise InputError(
            f'[org] state = "postgresql" but the variable {name} is not set',
            hint=f"export {name}=postgresql://USER@HOST/DB (a password belongs in ~/.pgpass or PGPASSWORD)",
        )
    return value


def person_session(
    config: Settings,
    roster: Roster,
    person: RosterPerson,
    options: Options,
    *,
    window: Any = None,
    state: Any = None,
) -> Session:
    """A Session for one person, with their state store (`person_state`) when given."""
    settings = person_settings(config, roster, person)
    person_options = replace(options, calendars=[PERSON_CALENDAR], me=person.email)
    return Session(person_options, settings=settings, window=window, state=state)


# --- the report --------------------------------------------------------------------


@dataclass
class TeamOptions:
    roster: str | None = None
    config: str | None = None
    start: str | None = None
    days: int | None = None
    tz: str | None = None
    rules: str | None = None
    now: str | None = None
    floor: int | None = None


@dataclass
class TeamRun:
    report: TeamReport
    tz: tzinfo
    now: datetime
    window: Window
    roster_size: int
    unreadable: int = 0  # people whose calendar could not be read (left out of every figure)
    problems: list[str] = field(default_factory=list)  # one line each, for stderr
    status_known: bool = True  # the pack has a status-meeting rule (else status figures are null)


def roster_path(config: Settings, given: str | None) -> Path:
    if given:
        return Path(given).expanduser()
    if config.team.roster is not None:
        return config.team.roster
    raise InputError("no roster given", hint="pass --roster FILE or set [team] roster in the config")


def run_team_report(options: TeamOptions) -> TeamRun:
    """Measure every person of the roster over the report's window and build the team figures."""
    from guardian.adapters.config import load_config

    if options.days is not None:
        check_days(options.days)
    config = load_config(options.config)
    floor = config.team.floor if options.floor is None else options.floor
    try:
        check_floor(floor)
    except ValueError as exc:
        raise InputError(f"--floor: {floor} {exc}") from None
    roster = load_roster(roster_path(config, options.roster))

    def window(now: datetime, tz: tzinfo, settings: Settings) -> Window:
        start = parse_day(options.start, now.astimezone(tz).date()) if options.start else None
        return report_window(now, tz, start, options.days, settings.report.weeks)

    base = Options(
        [], None, options.start, options.days, options.tz, options.rules, options.config, options.now
    )
    people: list[PersonFigures] = []
    problems: list[str] = []
    first_session: Session | None = None
    for index, person in enumerate(roster.people, start=1):
        session = person_session(
            config, roster, person, base, window=window, state=_opened(config, roster, person)
        )
        first_session = first_session or session
        params = MetricParams.from_rulebook(session.rulebook, session.config.focus.policy)
        try:
            events = session.read_events()
        except GuardianError as exc:
            # the admin learns whose calendar failed, never anything measured about anyone
            problems.append(f"person[{index}] {person.email}: calendar not read: {exc}")
            continue
        people.append(measure_person(session.audit_context(events), params, person.email, person.group))
    assert first_session is not None, "a roster lists at least one person"
    days = first_session.window.days()
    params = MetricParams.from_rulebook(first_session.rulebook, first_session.config.focus.policy)
    try:
        report = build_team_report(
            people,
            params,
            first=days[0],
            last=days[-1],
            floor=floor,
        )
    except TooFewPeople as exc:
        raise InputError(
            f"{roster.path}: {exc}" + (f" ({len(problems)} calendars could not be read)" if problems else ""),
            hint="team figures are only shown for at least that many people; each person can run guardian report",
        ) from None
    return TeamRun(
        report,
        first_session.tz,
        first_session.now,
        first_session.window,
        len(roster.people),
        len(problems),
        problems,
        status_known=params.status_rule is not None,
    )


def _opened(config: Settings, roster: Roster, person: RosterPerson) -> Any:
    """The person's state store when their calendar keeps sync marks, else None (no file made)."""
    from guardian.adapters.sources import needs_state

    settings = person_settings(config, roster, person)
    try:
        if not needs_state(PERSON_CALENDAR, settings):
            return None
    except InputError:
        return None  # the spec's own error is reported when the calendar is read
    return person_state(config, settings, person)
