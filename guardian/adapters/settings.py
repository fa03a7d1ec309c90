"""Typed settings: every section of the config as a frozen record.

Each default is written once, here (or, for the parts the pure domain owns,
in the domain's own record: `FocusPolicy`, `ReplySettings`). The config
loader (`guardian.adapters.config`) validates the TOML against `SCHEMA`
below and builds these records; nothing else in guardian reads a raw config
key. A key exists in the schema only if a field here carries its value, so
every accepted key does something.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from guardian.core.availability import DEFEND_POLICIES
from guardian.core.model import FOCUS_TITLE
from guardian.core.workhours import WEEKDAYS, WorkingHours, parse_ranges
from guardian.domain.focus import FocusPolicy
from guardian.domain.replies import CHANNELS, RESPONSE_CHOICES, ReplySettings
from guardian.lint.suppress import IgnoreEntry

# --- the sections ------------------------------------------------------------------


@dataclass(frozen=True)
class FocusSettings:
    """[focus]: the planner's policy plus where and how blocks are written."""

    policy: FocusPolicy = field(default_factory=FocusPolicy)
    output: Path | None = None  # the block file for .ics calendars (default: ./focus-blocks.ics)
    days: int = 7  # default --days of `guardian focus`
    title: str = FOCUS_TITLE
    #: ask the provider for the attendees' free/busy, to price meetings for everyone invited
    team_price: bool = False


@dataclass(frozen=True)
class NormsSettings:
    """[norms]: the team's agreements about meetings (H006, H007 read them)."""

    no_meeting_days: tuple[int, ...] = ()  # weekday numbers, Monday 0
    meeting_hours: tuple[tuple[time, time], ...] = ()  # every day, in my zone; () = none

    def hours(self, tz: tzinfo) -> WorkingHours | None:
        """The meeting hours as working hours of every day, or None when none are set."""
        if not self.meeting_hours:
            return None
        return WorkingHours(tz, tuple(self.meeting_hours for _ in WEEKDAYS))


DEFAULT_SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class ChatSettings:
    """[chat]: do not disturb during focus blocks, in the chat tools people use.

    Slack needs a user token, read from a 0600 file or an environment
    variable named here (never the token itself); Teams uses the Outlook
    sign-in (`guardian auth teams`). Without either nothing happens.
    """

    slack_token_file: Path | None = None
    slack_token_env: str = ""
    slack_api_url: str = DEFAULT_SLACK_API
    slack_status_text: str = "Focus time (booked by guardian)"
    slack_status_emoji: str = ":no_bell:"
    slack_dnd: bool = True  # also snooze notifications (dnd.setSnooze)
    teams: bool = False  # Microsoft Teams presence for outlook: calendars

    @property
    def slack(self) -> bool:
        return bool(self.slack_token_file or self.slack_token_env)

    def __repr__(self) -> str:  # only where the token is, never the token
        return f"ChatSettings(slack={self.slack}, teams={self.teams})"


@dataclass(frozen=True)
class NightlySettings:
    """[nightly]: the unattended run."""

    apply: bool = False
    calendars: tuple[str, ...] = ()  # default: calendars_default, then every configured one
    days: int = 7
    replies: bool = False
    log: Path | None = None  # also append every action line to this file


@dataclass(frozen=True)
class ReportSettings:
    """[report]: the default window and the trend."""

    weeks: int = 2  # the last full week and the coming one
    trend_weeks: int = 8
    html: Path | None = None


@dataclass(frozen=True)
class SmtpSettings:
    """[smtp]: where iTIP requests for .ics calendars are mailed (host unset: not mailed)."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    password_env: str = ""  # the NAME of the variable that holds the password
    sender: str = ""  # default: `me`
    timeout: float = 30.0

    def __repr__(self) -> str:  # never shows a secret (there is none here, only its env name)
        return f"SmtpSettings(host={self.host!r}, port={self.port}, starttls={self.starttls})"


DEFAULT_GOOGLE_API = "https://www.googleapis.com/calendar/v3/"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


@dataclass(frozen=True)
class SyncHorizon:
    """How far around the asked window a provider's incremental sync reaches.

    One policy for every provider that syncs: the horizon starts
    `lookback_days` before the window's first day and ends `ahead_days`
    after its last, so the nightly window and an ad-hoc audit of the coming
    week fall inside one stored horizon.
    """

    lookback_days: int = 7
    ahead_days: int = 35


@dataclass(frozen=True)
class GoogleSettings:
    """[google]."""

    api_endpoint: str = DEFAULT_GOOGLE_API
    batch_uri: str = ""  # default: /batch/calendar/v3 on the api_endpoint's host
    token_file: Path | None = None  # default: <config dir>/google-token.json
    client_secrets: Path | None = None
    service_account_file: Path | None = None
    subject: str = ""
    focus_auto_decline: bool = True
    focus_decline_message: str = ""
    focus_chat_status: str = "doNotDisturb"
    attempts: int = 5
    horizon: SyncHorizon = field(default_factory=SyncHorizon)


@dataclass(frozen=True)
class OutlookSettings:
    """[outlook]."""

    client_id: str = ""
    tenant: str = "common"
    authority: str = ""  # default: https://login.microsoftonline.com/<tenant>
    graph_url: str = DEFAULT_GRAPH_URL
    token_cache: Path | None = None  # default: <config dir>/outlook-token-cache.json
    client_secret_env: str = ""  # app-only access: the NAME of the variable with the secret
    focus_category: str = "Focus time"
    attempts: int = 5
    page_size: int = 100
    delta: bool = True
    username: str = ""  # which cached account, if several
    horizon: SyncHorizon = field(default_factory=SyncHorizon)

    @property
    def app_only(self) -> bool:
        return bool(self.client_secret_env)


MIN_TEAM_FLOOR = 5  # the privacy floor of team figures: configurable upward only


@dataclass(frozen=True)
class TeamSettings:
    """[team]: `guardian team report`."""

    roster: Path | None = None  # default --roster
    floor: int = MIN_TEAM_FLOOR  # no group under this many people is ever shown


@dataclass(frozen=True)
class OrgQuotas:
    """The providers' documented limits the org run is sized from (README, "guardian org").

    Google Calendar API: 10,000 requests per minute per project and 600 per
    minute per user per project (developers.google.com/workspace/calendar/api/guides/quota).
    Graph, Outlook resources: 10,000 requests per 10 minutes and 4 concurrent
    requests per app per mailbox, and 130,000 requests per 10 seconds per app
    across all tenants (learn.microsoft.com/graph/throttling-limits).
    """

    google_project_per_minute: float = 10_000
    google_user_per_minute: float = 600
    graph_mailbox_per_10_minutes: float = 10_000
    graph_mailbox_concurrency: int = 4
    graph_app_per_10_seconds: float = 130_000
    requests_per_activity: int = 40  # the most requests one step of one person may make


@dataclass(frozen=True)
class OrgSettings:
    """[org]: the org-wide nightly on Temporal."""

    temporal: str = "localhost:7233"  # the Temporal frontend, host:port
    namespace: str = "default"
    task_queue: str = "guardian-org"  # workflows; activities go to one queue per provider project/tenant
    schedule: str = "0 22 * * *"  # cron, in the config's `timezone`
    apply: bool = False  # dry run unless true, as `guardian nightly`
    replies: bool = False  # also send due pre-read requests
    days: int = 7
    state: str = "sqlite"  # sqlite (one file per person, one machine) | postgresql (shared by workers)
    dsn_env: str = "GUARDIAN_PG_DSN"  # the NAME of the variable holding the PostgreSQL URL
    data_dir: Path | None = None  # per-person SQLite files and lock files (default: <data dir>/org)
    attempts: int = 5  # tries of each activity
    activity_timeout_seconds: int = 600
    heartbeat_seconds: int = 30  # a worker silent this long is taken for dead; its step is retried elsewhere
    max_concurrent: int = 8  # activities one worker runs at once (per queue)
    quotas: OrgQuotas = field(default_factory=OrgQuotas)


@dataclass(frozen=True)
class CalendarSettings:
    """[calendars.NAME]: where a calendar is, and (for CalDAV) how to sign in and where blocks go."""

    source: str
    me: str | None = None
    username: str = ""  # CalDAV: the account's user name
    password_env: str = ""  # CalDAV: the NAME of the variable that holds the password
    password_file: Path | None = None  # CalDAV: a file (mode 0600) whose first line is the password
    focus_calendar: str = ""  # CalDAV: where blocks go (URL or display name); default: "Focus"

    def __repr__(self) -> str:  # the password is never here, only where to find it
        return f"CalendarSettings(source={self.source!r}, username={self.username!r})"


@dataclass(frozen=True)
class Settings:
    """The whole config, typed. `path` is the file it came from (None: no file)."""

    path: Path | None = None
    me: str | None = None
    domains: tuple[str, ...] = ()
    timezone: tzinfo | None = None
    rules: Path | None = None
    calendars_default: tuple[str, ...] = ()
    state: Path | None = None  # default: <user data dir>/state.sqlite3
    calendars: dict[str, CalendarSettings] = field(default_factory=dict)
    working_hours_spec: dict[str, str] = field(default_factory=dict)
    focus: FocusSettings = field(default_factory=FocusSettings)
    norms: NormsSettings = field(default_factory=NormsSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    nightly: NightlySettings = field(default_factory=NightlySettings)
    replies: ReplySettings = field(default_factory=ReplySettings)
    smtp: SmtpSettings | None = None
    report: ReportSettings = field(default_factory=ReportSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    outlook: OutlookSettings = field(default_factory=OutlookSettings)
    ignore: tuple[IgnoreEntry, ...] = ()  # [[ignore]] tables: findings to leave alone
    team: TeamSettings = field(default_factory=TeamSettings)
    org: OrgSettings = field(default_factory=OrgSettings)

    def working_hours(self, tz: tzinfo) -> WorkingHours:
        return WorkingHours.from_spec(tz, self.working_hours_spec)

    def state_path(self) -> Path:
        if self.state is not None:
            return self.state
        from guardian.adapters.config import default_data_dir

        return default_data_dir() / "state.sqlite3"

    def resolve_path(self, value: str | Path | None) -> Path | None:
        """A path as the config means it: relative to the config file."""
        return resolve_path(self.path, value)


def resolve_path(config_path: Path | None, value: str | Path | None) -> Path | None:
    if value is None or value == "":
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and config_path is not None:
        path = (config_path.parent / path).resolve()
    return path


# --- the schema ----------------------------------------------------------------------

STR, INT, NUM, BOOL, STRS, PATH = (
    "text",
    "a whole number",
    "a number",
    "true or false",
    "a list of text",
    "a path",
)


@dataclass(frozen=True)
class Key:
    """One accepted key: its TOML type, where its value goes, and its limits.

    `into` names the record field that receives the value; a dotted name
    ("policy.min_minutes") fills a nested record. `low`/`high` bound numbers
    (inclusive); `choices` bound text; `convert` turns the TOML value into
    the field's type and may raise ValueError with a message for the user.
    """

    kind: str
    into: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    convert: Callable[[Any], Any] | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is not acceptable, or None."""
        if not _matches(self.kind, value):
            return f"must be {self.kind}"
        if self.kind in (INT, NUM):
            if isinstance(value, float) and not math.isfinite(value):
                return "must be a finite number"
            if self.low is not None and value < self.low:
                return f"must be at least {self.low:g}"
            if self.high is not None and value > self.high:
                return f"must be at most {self.high:g}"
        if self.choices and str(value).lower() not in self.choices:
            return f"{value!r} is not one of {', '.join(self.choices)}"
        return None


def _matches(kind: str, value: Any) -> bool:
    if kind in (STR, PATH):
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUM:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)") from None


def _tuple(value: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in value if v.strip())


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2026-12-31") from None


def _weekdays(value: list[str]) -> tuple[int, ...]:
    """["wednesday", "Fri"] -> (2, 4): full names or their first three letters."""
    out: list[int] = []
    for name in value:
        word = name.strip().lower()
        found = [i for i, day in enumerate(WEEKDAYS) if word in (day, day[:3])]
        if not found:
            raise ValueError(f"{name!r} is not a weekday (use monday..sunday)")
        out.extend(i for i in found if i not in out)
    return tuple(sorted(out))


def _meeting_hours(value: str) -> tuple[tuple[time, time], ...]:
    ranges = tuple(parse_ranges(value))
    if not ranges:
        raise ValueError(f'{value!r} names no hours (write e.g. "10:00-16:00", or leave the key out)')
    return ranges


def _status_text(value: str) -> str:
    text = value.strip()
    if len(text) > 100:  # Slack: "a string of no more than 100 characters"
        raise ValueError("must be at most 100 characters (Slack's limit for a status)")
    return text


WEEK_MINUTES = 7 * 24 * 60
DAY_HOURS = 24.0

#: section -> (the record it builds, its keys). "" is the top level.
SCHEMA: dict[str, tuple[type, dict[str, Key]]] = {
    "": (
        Settings,
        {
            "me": Key(STR, "me"),
            "domains": Key(STRS, "domains", convert=_tuple),
            "timezone": Key(STR, "timezone", convert=_zone),
            "rules": Key(PATH, "rules"),
            "calendars_default": Key(STRS, "calendars_default", convert=_tuple),
            "state": Key(PATH, "state"),
        },
    ),
    "focus": (
        FocusSettings,
        {
            "min_minutes": Key(INT, "policy.min_minutes", low=5, high=DAY_HOURS * 60),
            "daily_cap_hours": Key(NUM, "policy.daily_cap_hours", low=0, high=DAY_HOURS),
            "weekly_target_hours": Key(NUM, "policy.weekly_target_hours", low=0, high=WEEK_MINUTES / 60),
            "buffer_minutes": Key(INT, "policy.buffer_minutes", low=0, high=8 * 60),
            "prefer": Key(STR, "policy.prefer", choices=("long", "early", "late")),
            "defend": Key(STR, "policy.defend", choices=DEFEND_POLICIES, convert=str.lower),
            "output": Key(PATH, "output"),
            "days": Key(INT, "days", low=1, high=3660),
            "title": Key(STR, "title"),
            "team_price": Key(BOOL, "team_price"),
        },
    ),
    "norms": (
        NormsSettings,
        {
            "no_meeting_days": Key(STRS, "no_meeting_days", convert=_weekdays),
            "meeting_hours": Key(STR, "meeting_hours", convert=_meeting_hours),
        },
    ),
    "chat": (
        ChatSettings,
        {
            "slack_token_file": Key(PATH, "slack_token_file"),
            "slack_token_env": Key(STR, "slack_token_env", convert=lambda v: _env_name(v)),
            "slack_api_url": Key(STR, "slack_api_url"),
            "slack_status_text": Key(STR, "slack_status_text", convert=_status_text),
            "slack_status_emoji": Key(STR, "slack_status_emoji"),
            "slack_dnd": Key(BOOL, "slack_dnd"),
            "teams": Key(BOOL, "teams"),
        },
    ),
    "nightly": (
        NightlySettings,
        {
            "apply": Key(BOOL, "apply"),
            "calendars": Key(STRS, "calendars", convert=_tuple),
            "days": Key(INT, "days", low=1, high=3660),
            "replies": Key(BOOL, "replies"),
            "log": Key(PATH, "log"),
        },
    ),
    "replies": (
        ReplySettings,
        {
            "enabled": Key(BOOL, "enabled"),
            "actions": Key(STRS, "actions", convert=_tuple),
            "max_per_run": Key(INT, "max_per_run", low=0, high=10_000),
            "min_hours_ahead": Key(NUM, "min_hours_ahead", low=0, high=24 * 365, convert=float),
            "quiet_hours": Key(STR, "quiet_hours", convert=ReplySettings.parse_quiet_hours),
            "response": Key(
                STR,
                "response",
                choices=RESPONSE_CHOICES,
                convert=ReplySettings.parse_response,
            ),
            "outbox": Key(PATH, "outbox"),
            "template": Key(PATH, "template"),
            "proposal_template": Key(PATH, "proposal_template"),
            "move_template": Key(PATH, "move_template"),
            "ask_large_meetings": Key(BOOL, "ask_large_meetings"),
            "channel": Key(STR, "channel", choices=CHANNELS, convert=str.lower),
        },
    ),
    "smtp": (
        SmtpSettings,
        {
            "host": Key(STR, "host"),
            "port": Key(INT, "port", low=1, high=65535),
            "starttls": Key(BOOL, "starttls"),
            "username": Key(STR, "username"),
            "password_env": Key(STR, "password_env"),
            "from": Key(STR, "sender"),
            "timeout": Key(NUM, "timeout", low=0.1, high=3600, convert=float),
        },
    ),
    "report": (
        ReportSettings,
        {
            "weeks": Key(INT, "weeks", low=1, high=520),
            "trend_weeks": Key(INT, "trend_weeks", low=0, high=520),
            "html": Key(PATH, "html"),
        },
    ),
    "google": (
        GoogleSettings,
        {
            "api_endpoint": Key(STR, "api_endpoint"),
            "batch_uri": Key(STR, "batch_uri"),
            "token_file": Key(PATH, "token_file"),
            "client_secrets": Key(PATH, "client_secrets"),
            "service_account_file": Key(PATH, "service_account_file"),
            "subject": Key(STR, "subject"),
            "focus_auto_decline": Key(BOOL, "focus_auto_decline"),
            "focus_decline_message": Key(STR, "focus_decline_message"),
            "focus_chat_status": Key(STR, "focus_chat_status"),
            "attempts": Key(INT, "attempts", low=1, high=20),
            "sync_lookback_days": Key(INT, "horizon.lookback_days", low=0, high=366),
            "sync_ahead_days": Key(INT, "horizon.ahead_days", low=0, high=366),
        },
    ),
    "outlook": (
        OutlookSettings,
        {
            "client_id": Key(STR, "client_id"),
            "tenant": Key(STR, "tenant"),
            "authority": Key(STR, "authority"),
            "graph_url": Key(STR, "graph_url"),
            "token_cache": Key(PATH, "token_cache"),
            "client_secret_env": Key(STR, "client_secret_env"),
            "focus_category": Key(STR, "focus_category"),
            "attempts": Key(INT, "attempts", low=1, high=20),
            "page_size": Key(INT, "page_size", low=1, high=1000),
            "delta": Key(BOOL, "delta"),
            "username": Key(STR, "username"),
            "sync_lookback_days": Key(INT, "horizon.lookback_days", low=0, high=366),
            "sync_ahead_days": Key(INT, "horizon.ahead_days", low=0, high=366),
        },
    ),
    "team": (
        TeamSettings,
        {
            "roster": Key(PATH, "roster"),
            "floor": Key(INT, "floor", low=MIN_TEAM_FLOOR, high=1_000_000),
        },
    ),
    "org": (
        OrgSettings,
        {
            "temporal": Key(STR, "temporal"),
            "namespace": Key(STR, "namespace"),
            "task_queue": Key(STR, "task_queue"),
            "schedule": Key(STR, "schedule"),
            "apply": Key(BOOL, "apply"),
            "replies": Key(BOOL, "replies"),
            "days": Key(INT, "days", low=1, high=366),
            "state": Key(STR, "state", choices=("sqlite", "postgresql"), convert=str.lower),
            "dsn_env": Key(STR, "dsn_env"),
            "data_dir": Key(PATH, "data_dir"),
            "attempts": Key(INT, "attempts", low=1, high=100),
            "activity_timeout_seconds": Key(INT, "activity_timeout_seconds", low=5, high=24 * 3600),
            "heartbeat_seconds": Key(INT, "heartbeat_seconds", low=2, high=3600),
            "max_concurrent": Key(INT, "max_concurrent", low=1, high=1000),
            "google_project_per_minute": Key(NUM, "quotas.google_project_per_minute", low=1, high=1e7),
            "google_user_per_minute": Key(NUM, "quotas.google_user_per_minute", low=1, high=1e6),
            "graph_mailbox_per_10_minutes": Key(NUM, "quotas.graph_mailbox_per_10_minutes", low=1, high=1e7),
            "graph_mailbox_concurrency": Key(INT, "quotas.graph_mailbox_concurrency", low=1, high=100),
            "graph_app_per_10_seconds": Key(NUM, "quotas.graph_app_per_10_seconds", low=1, high=1e8),
            "requests_per_activity": Key(INT, "quotas.requests_per_activity", low=1, high=10_000),
        },
    ),
}


def _env_name(value: str) -> str:
    """An environment variable's name, never its value (a password pasted here is refused)."""
    import re

    name = value.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError("must be the NAME of an environment variable (like GUARDIAN_CALDAV_PASSWORD)")
    return name


CALENDAR_KEYS = {
    "source": Key(STR, "source"),
    "me": Key(STR, "me"),
    "username": Key(STR, "username"),
    "password_env": Key(STR, "password_env", convert=_env_name),
    "password_file": Key(PATH, "password_file"),
    "focus_calendar": Key(STR, "focus_calendar"),
}
#: one [[ignore]] table (a list of them: `ignore` is an array of tables)
IGNORE_KEYS = {
    "rules": Key(STRS, "rules", convert=_tuple),
    "uid": Key(STR, "uid"),
    "title": Key(STR, "title"),
    "until": Key(STR, "until", convert=_date),
    "reason": Key(STR, "reason"),
}
