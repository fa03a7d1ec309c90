"""The roster: who is in the team, where their calendar is, and which group they are in.

A TOML file with one `[[person]]` table per person:

    [[person]]
    email = "ana@acme.example"
    calendar = "ics:ana.ics"     # any calendar spec: google:..., outlook:USER, a path, a URL
    group = "platform"           # optional

It is checked like the config, before any calendar is read: an unknown or
missing key, a value of the wrong type, an address that is not one, or a
person listed twice is one line naming the file, the line and the key
(`roster.toml:7: person[2].email: ...`). Relative paths in a spec are
relative to the roster file. The specs themselves are resolved by
`guardian.adapters.sources` when a person's calendar is opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardian.adapters.tomlfile import TomlDoc, load
from guardian.errors import InputError, located

KEYS = ("email", "calendar", "group")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_PERSON_HEADER = re.compile(r"^\s*\[\[\s*person\s*\]\]\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


@dataclass(frozen=True)
class RosterPerson:
    email: str  # lower-case: the person's key in the state store and in workflow ids
    calendar: str  # the calendar spec, as written
    group: str | None = None

    @property
    def key(self) -> str:
        return self.email


@dataclass(frozen=True)
class Roster:
    path: Path
    people: tuple[RosterPerson, ...]

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def find(self, email: str) -> RosterPerson | None:
        wanted = email.strip().lower()
        return next((p for p in self.people if p.email == wanted), None)


def _person_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """For each `[[person]]` table, the line of its header and of each of its keys."""
    tables: list[tuple[int, dict[str, int]]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _PERSON_HEADER.match(line):
            tables.append((number, {}))
            inside = True
            continue
        if line.lstrip().startswith("["):
            inside = False
            continue
        match = _KEY_LINE.match(line)
        if inside and match and tables:
            tables[-1][1].setdefault(match.group(1), number)
    return tables


def load_roster(path: Path | str) -> Roster:
    """Read and check a roster file; every problem names its file, line and key."""
    path = Path(path).expanduser()
    doc = load(path, "roster file")
    return parse_roster(doc)


def parse_roster(doc: TomlDoc) -> Roster:
    lines = _person_lines(doc.text)

    def error(index: int | None, key: str | None, message: str, hint: str = "") -> InputError:
        line = None
        if index is not None and index < len(lines):
            header, keys = lines[index]
            line = keys.get(key, header) if key else header
        where = "person" if index is None else f"person[{index + 1}]"
        return InputError(located(doc.path, line, f"{where}.{key}" if key else where, message), hint=hint)

    unknown = [k for k in doc.data if k != "person"]
    if unknown:
        raise InputError(
            located(doc.path, doc.line_of(unknown[0]), unknown[0], "unknown key"),
            hint="a roster holds only [[person]] tables (email, calendar, group); set the floor in [team]",
        )
    tables = doc.data.get("person")
    if not isinstance(tables, list) or not tables:
        raise InputError(
            f"{doc.path}: the roster lists nobody",
            hint='add one [[person]] table per person, with email = "..." and calendar = "..."',
        )
    people: list[RosterPerson] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        if not isinstance(table, dict):
            raise error(index, None, "must be a [[person]] table")
        for key in table:
            if key not in KEYS:
                raise error(index, key, "unknown key", hint=f"keys of a person: {', '.join(KEYS)}")
        for key in ("email", "calendar"):
            if key not in table:
                raise error(index, None, f"missing `{key}`", hint='e.g. email = "ana@acme.example"')
        values: dict[str, Any] = {}
        for key, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise error(index, key, "must be non-empty text")
            values[key] = value.strip()
        email = values["email"].lower()
        if not _EMAIL.match(email):
            raise error(index, "email", f"{values['email']!r} is not an email address")
        if email in seen:
            raise error(index, "email", f"{email} is already listed as person[{seen[email] + 1}]")
        seen[email] = index
        people.append(RosterPerson(email, values["calendar"], values.get("group")))
    return Roster(doc.path.resolve(), tuple(people))
