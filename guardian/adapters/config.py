"""The user's configuration: one TOML file, validated before anything runs.

Found at `--config`, then `GUARDIAN_CONFIG`, then the platform config dir
(platformdirs). Every key is declared in SCHEMA below; an unknown or
mistyped key is an error that names the file, the line and the key, so a
typo never silently turns a setting off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guardian.adapters.tomlfile import TomlDoc, load
from guardian.core.workhours import WEEKDAYS, WorkingHours, parse_ranges
from guardian.errors import InputError

APP = "guardian"

STR, INT, NUM, BOOL, STRS = "text", "a whole number", "a number", "true or false", "a list of text"

# section -> key -> type. "" is the top level. "calendars" holds user-named tables.
SCHEMA: dict[str, dict[str, str]] = {
    "": {"me": STR, "domains": STRS, "timezone": STR, "rules": STR, "calendars_default": STRS, "state": STR},
    "working_hours": dict.fromkeys(WEEKDAYS, STR),
    "focus": {
        "min_minutes": INT,
        "daily_cap_hours": NUM,
        "weekly_target_hours": NUM,
        "buffer_minutes": INT,
        "prefer": STR,
        "output": STR,
        "days": INT,
        "title": STR,
    },
    "nightly": {"apply": BOOL, "calendars": STRS, "days": INT, "replies": BOOL, "log": STR},
    "google": {
        "api_endpoint": STR,
        "token_file": STR,
        "client_secrets": STR,
        "service_account_file": STR,
        "subject": STR,
        "batch_uri": STR,
        "focus_auto_decline": BOOL,
        "focus_decline_message": STR,
        "focus_chat_status": STR,
        "attempts": INT,
        "sync_lookback_days": INT,
        "sync_ahead_days": INT,
    },
    "outlook": {
        "graph_url": STR,
        "authority": STR,
        "tenant": STR,
        "client_id": STR,
        "client_secret_env": STR,
        "token_cache": STR,
        "focus_category": STR,
        "attempts": INT,
        "page_size": INT,
        "delta": BOOL,
        "username": STR,
    },
    "replies": {
        "enabled": BOOL,
        "actions": STRS,
        "max_per_run": INT,
        "min_hours_ahead": NUM,
        "quiet_hours": STR,
        "response": STR,
        "outbox": STR,
        "template": STR,
        "channel": STR,
    },
    "smtp": {
        "host": STR,
        "port": INT,
        "starttls": BOOL,
        "username": STR,
        "password_env": STR,
        "from": STR,
        "timeout": NUM,
    },
    "report": {"weeks": INT, "trend_weeks": INT, "html": STR},
}
CALENDAR_KEYS = {"source": STR, "me": STR}
PREFER = ("long", "early", "late")


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.toml"


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP)


def _matches(kind: str, value: Any) -> bool:
    if kind == STR:
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUM:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@dataclass
class Config:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    # --- typed accessors ------------------------------------------------------

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    def get(self, section: str, key: str, default: Any = None) -> Any:
        table = self.data if section == "" else self.data.get(section, {})
        return table.get(key, default)

    def resolve_path(self, value: str | None) -> Path | None:
        """Paths in the config are relative to the config file."""
        if not value:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute() and self.path is not None:
            path = (self.path.parent / path).resolve()
        return path

    @property
    def me(self) -> str | None:
        return self.get("", "me")

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self.get("", "domains", []))

    @property
    def calendars(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("calendars", {}))

    def timezone(self):
        name = self.get("", "timezone")
        return ZoneInfo(name) if name else None

    def working_hours(self, tz) -> WorkingHours:
        return WorkingHours.from_spec(tz, self.section("working_hours"))

    def state_path(self) -> Path:
        return self.resolve_path(self.get("", "state")) or default_data_dir() / "state.sqlite3"


def load_config(explicit: str | Path | None = None) -> Config:
    """Load and validate the config; a missing default file is an empty config."""
    path: Path | None
    if explicit:
        path = Path(explicit).expanduser()
    elif os.environ.get("GUARDIAN_CONFIG"):
        path = Path(os.environ["GUARDIAN_CONFIG"]).expanduser()
    else:
        path = default_config_path()
        if not path.exists():
            return Config(None, {})
    doc = load(path, "config file")
    validate(doc)
    return Config(path.resolve(), doc.data)


def validate(doc: TomlDoc) -> None:
    data = doc.data
    for key, value in data.items():
        if key == "calendars":
            _validate_calendars(doc, value)
            continue
        if isinstance(value, dict):
            if key not in SCHEMA or key == "":
                raise doc.error(
                    (key,),
                    "unknown section",
                    hint=f"sections: {', '.join(sorted(k for k in SCHEMA if k) + ['calendars'])}",
                )
            _validate_table(doc, key, value)
        elif key in SCHEMA[""]:
            if not _matches(SCHEMA[""][key], value):
                raise doc.error((key,), f"must be {SCHEMA[''][key]}")
        else:
            raise doc.error((key,), "unknown key", hint=f"top-level keys: {', '.join(sorted(SCHEMA['']))}")
    if "timezone" in data:
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise doc.error(
                ("timezone",),
                f"unknown time zone {data['timezone']!r}",
                hint="use an IANA name like Europe/Berlin",
            ) from None
    for day, spec in data.get("working_hours", {}).items():
        try:
            parse_ranges(spec)
        except ValueError as exc:
            raise doc.error(
                ("working_hours", day),
                str(exc),
                hint='write e.g. "09:00-17:00", "09:00-12:00, 13:00-17:00" or "off"',
            ) from None
    prefer = data.get("focus", {}).get("prefer")
    if prefer is not None and prefer not in PREFER:
        raise doc.error(("focus", "prefer"), f"{prefer!r} is not one of {', '.join(PREFER)}")


def _validate_table(doc: TomlDoc, section: str, table: dict) -> None:
    allowed = SCHEMA[section]
    for key, value in table.items():
        if key not in allowed:
            raise doc.error(
                (section, key), "unknown key", hint=f"keys in [{section}]: {', '.join(sorted(allowed))}"
            )
        if not _matches(allowed[key], value):
            raise doc.error((section, key), f"must be {allowed[key]}")


def _validate_calendars(doc: TomlDoc, calendars: Any) -> None:
    if not isinstance(calendars, dict):
        raise doc.error(("calendars",), "must be tables like [calendars.work]")
    for name, table in calendars.items():
        if not isinstance(table, dict):
            raise doc.error(("calendars", name), 'must be a table with source = "..."')
        if "source" not in table:
            raise doc.error(
                ("calendars", name), 'missing `source` (e.g. "ics:work.ics", "google:primary", "outlook:me")'
            )
        for key, value in table.items():
            if key not in CALENDAR_KEYS:
                raise doc.error(
                    ("calendars", name, key), "unknown key", hint=f"keys: {', '.join(sorted(CALENDAR_KEYS))}"
                )
            if not _matches(CALENDAR_KEYS[key], value):
                raise doc.error(("calendars", name, key), f"must be {CALENDAR_KEYS[key]}")


STARTER = """# guardian configuration. Every key is optional; unknown keys are errors.
# Docs: README.md, "Configuration".

# Who "I" am in .ics files (to know my replies) and my organisation's domains.
me = "you@example.com"
domains = ["example.com"]
# Your time zone (IANA name). Default: the system's.
# timezone = "Europe/Berlin"
# Calendars used when no -c/--calendar is given.
calendars_default = ["work"]
# A rule pack of your own (it can `extends = "default"`).
# rules = "my-rules.toml"

[calendars.work]
source = "ics:~/calendars/work.ics"
# source = "google:primary"
# source = "outlook:me"

[working_hours]
monday = "09:00-17:00"
tuesday = "09:00-17:00"
wednesday = "09:00-17:00"
thursday = "09:00-17:00"
friday = "09:00-17:00"
saturday = "off"
sunday = "off"

[focus]
min_minutes = 120          # the shortest block worth booking
daily_cap_hours = 4        # at most this much focus time a day
weekly_target_hours = 10   # stop adding blocks once the week has this much
buffer_minutes = 0         # keep this much free after each meeting
prefer = "long"            # long | early | late
output = "focus-blocks.ics"  # where `focus apply` writes blocks for .ics calendars

[nightly]
apply = false              # true: nightly books blocks without --apply
days = 7
replies = false            # true: nightly also sends due pre-read requests
"""


def write_starter(path: Path, force: bool = False) -> Path:
    if path.exists() and not force:
        raise InputError(f"{path}: a config already exists", hint="pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER, encoding="utf-8")
    return path
