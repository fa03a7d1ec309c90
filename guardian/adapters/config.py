"""The user's configuration: one TOML file, validated before anything runs.

Found at `--config`, then `GUARDIAN_CONFIG`, then the platform config dir
(platformdirs). Every key is declared in `guardian.adapters.settings.SCHEMA`;
an unknown, mistyped or out-of-range key is an error that names the file,
the line and the key, so a typo never silently turns a setting off. The
result is a typed `Settings` record: nothing outside this module and
`settings` reads a raw key.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from guardian.adapters.settings import (
    CALENDAR_KEYS,
    IGNORE_KEYS,
    PATH,
    SCHEMA,
    CalendarSettings,
    Key,
    Settings,
    SmtpSettings,
    resolve_path,
)
from guardian.adapters.tomlfile import TomlDoc, load
from guardian.core.workhours import WEEKDAYS, parse_ranges
from guardian.errors import InputError
from guardian.lint.suppress import IgnoreEntry

APP = "guardian"


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.toml"


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP)


def config_path(explicit: str | Path | None = None) -> Path:
    """Which config file is meant: --config, then GUARDIAN_CONFIG, then the platform default."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("GUARDIAN_CONFIG"):
        return Path(os.environ["GUARDIAN_CONFIG"]).expanduser()
    return default_config_path()


def load_config(explicit: str | Path | None = None) -> Settings:
    """Load, validate and type the config; a missing default file means the defaults."""
    path = config_path(explicit)
    if not explicit and not os.environ.get("GUARDIAN_CONFIG") and not path.exists():
        return Settings()
    doc = load(path, "config file")
    return build(doc, path.resolve())


def check_config_text(path: Path, text: str) -> Settings:
    """Validate what a config file would contain (before a change is written to it)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: the change would not be valid TOML ({exc}); nothing written") from None
    return build(TomlDoc(path, text, data), path.resolve())


def build(doc: TomlDoc, path: Path | None) -> Settings:
    """Validate `doc` against the schema and build the typed settings."""
    data = doc.data
    top: dict[str, Any] = {"path": path}
    sections = sorted([k for k in SCHEMA if k] + ["calendars", "working_hours", "ignore"])
    for key, value in data.items():
        if key == "ignore":
            top["ignore"] = _ignores(doc, value, path)
        elif key == "calendars":
            top["calendars"] = _calendars(doc, value, path)
        elif key == "working_hours":
            top["working_hours_spec"] = _working_hours(doc, value)
        elif key in SCHEMA and key:
            if not isinstance(value, dict):
                raise doc.error((key,), f"must be a table like [{key}]")
            record, keys = SCHEMA[key]
            values = _values(doc, (key,), value, keys, path)
            top[key] = _smtp(values) if record is SmtpSettings else _make(record, values)
        elif isinstance(value, dict):
            raise doc.error((key,), "unknown section", hint=f"sections: {', '.join(sections)}")
        else:
            keys = SCHEMA[""][1]
            if key not in keys:
                raise doc.error((key,), "unknown key", hint=f"top-level keys: {', '.join(sorted(keys))}")
            top.update(_values(doc, (), {key: value}, keys, path))
    return Settings(**top)


def section_settings(name: str, table: dict[str, Any], config_path: Path | None = None) -> Any:
    """One section's typed settings from a raw table, validated as in a config file.

    For callers that hold a table rather than a file (tests, the fakes' own
    `[outlook]` sections).
    """
    record, keys = SCHEMA[name]
    doc = TomlDoc(config_path or Path("<settings>"), "", {name: table})
    values = _values(doc, (name,), table, keys, config_path)
    return _smtp(values) if record is SmtpSettings else _make(record, values)


def _values(
    doc: TomlDoc, where: tuple[str, ...], table: dict[str, Any], keys: dict[str, Key], path: Path | None
) -> dict[str, Any]:
    """The table's values, checked and converted, keyed by the field they go into."""
    out: dict[str, Any] = {}
    for name, value in table.items():
        spec = keys.get(name)
        if spec is None:
            label = f"[{'.'.join(where)}]" if where else "the top level"
            raise doc.error((*where, name), "unknown key", hint=f"keys in {label}: {', '.join(sorted(keys))}")
        problem = spec.problem(value)
        if problem:
            raise doc.error((*where, name), problem)
        if spec.kind == PATH:
            value = resolve_path(path, value)
        elif spec.convert is not None:
            try:
                value = spec.convert(value)
            except ValueError as exc:
                raise doc.error((*where, name), str(exc)) from None
        out[spec.into] = value
    return out


def _make(record: type, values: dict[str, Any]) -> Any:
    """Build `record` from field values; a dotted name fills a nested record.

    Only the given values are passed, so every default stays where its
    record declares it.
    """
    flat: dict[str, Any] = {k: v for k, v in values.items() if "." not in k}
    nested: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if "." in name:
            outer, inner = name.split(".", 1)
            nested.setdefault(outer, {})[inner] = value
    fields = {f.name: f for f in dataclasses.fields(record)}
    for outer, given in nested.items():
        make_default = fields[outer].default_factory
        assert make_default is not dataclasses.MISSING, f"{record.__name__}.{outer} needs a default_factory"
        flat[outer] = dataclasses.replace(make_default(), **given)
    return record(**flat)


def _smtp(values: dict[str, Any]) -> SmtpSettings | None:
    """[smtp] without a host means: write requests to the outbox, mail nothing."""
    if not values.get("host"):
        return None
    return SmtpSettings(**values)


def _working_hours(doc: TomlDoc, table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise doc.error(("working_hours",), "must be a table like [working_hours]")
    for day, spec in table.items():
        if day not in WEEKDAYS:
            raise doc.error(("working_hours", day), "unknown key", hint=f"keys: {', '.join(WEEKDAYS)}")
        if not isinstance(spec, str):
            raise doc.error(("working_hours", day), "must be text")
        try:
            parse_ranges(spec)
        except ValueError as exc:
            raise doc.error(
                ("working_hours", day),
                str(exc),
                hint='write e.g. "09:00-17:00", "09:00-12:00, 13:00-17:00" or "off"',
            ) from None
    return dict(table)


def _ignores(doc: TomlDoc, tables: Any, path: Path | None) -> tuple[IgnoreEntry, ...]:
    """The [[ignore]] tables, each checked where it was written (which rules exist is
    checked once the pack is loaded: `lint.suppress.resolve_ignores`)."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise doc.error(
            ("ignore",), "must be [[ignore]] tables", hint='write [[ignore]] then rules = ["D001"]'
        )
    out = []
    for index, table in enumerate(tables):
        line = doc.line_of_table("ignore", index)
        # unknown rules are found once the pack is loaded; the error then points at `rules`
        rules_line = doc.line_of_table("ignore", index, "rules") or line
        where = f"{doc.path}:{rules_line}" if rules_line else str(doc.path)

        def error(
            key: str, message: str, hint: str = "", index: int = index, line: int | None = line
        ) -> InputError:
            at = doc.line_of_table("ignore", index, key) or line
            return InputError(
                f"{doc.path}:{at}: ignore.{key}: {message}" if at else f"{doc.path}: ignore.{key}: {message}",
                hint=hint,
            )

        for name, value in table.items():
            spec = IGNORE_KEYS.get(name)
            if spec is None:
                raise error(name, "unknown key", hint=f"keys in [[ignore]]: {', '.join(sorted(IGNORE_KEYS))}")
            problem = spec.problem(value)
            if problem:
                raise error(name, problem)
        if not table.get("rules"):
            raise error(
                "rules", "missing: which rules to ignore", hint='e.g. rules = ["D001", "no-decision"]'
            )
        if ("uid" in table) == ("title" in table):
            raise error(
                "uid",
                "give exactly one of uid or title",
                hint='uid = "standup@acme.example", or title = "Platform daily standup*"',
            )
        values: dict[str, Any] = {}
        for name, value in table.items():
            spec = IGNORE_KEYS[name]
            try:
                values[spec.into] = spec.convert(value) if spec.convert else value
            except ValueError as exc:
                raise error(name, str(exc)) from None
        out.append(IgnoreEntry(**values, where=where))
    return tuple(out)


def _calendars(doc: TomlDoc, calendars: Any, path: Path | None) -> dict[str, CalendarSettings]:
    if not isinstance(calendars, dict):
        raise doc.error(("calendars",), "must be tables like [calendars.work]")
    out: dict[str, CalendarSettings] = {}
    for name, table in calendars.items():
        if not isinstance(table, dict):
            raise doc.error(("calendars", name), 'must be a table with source = "..."')
        if "source" not in table:
            raise doc.error(
                ("calendars", name), 'missing `source` (e.g. "ics:work.ics", "google:primary", "outlook:me")'
            )
        out[name] = CalendarSettings(**_values(doc, ("calendars", name), table, CALENDAR_KEYS, path))
    return out


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STARTER, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"--path: cannot write {path} ({exc.strerror or exc})",
            hint="name a file in a folder you can write to",
        ) from None
    return path
