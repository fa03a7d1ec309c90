"""`guardian ignore UID|TITLE CODE...`: record "leave this alone" in the config.

The entry is appended to the config as one `[[ignore]]` table: the person's
comments, order and layout stay exactly as they were (nothing is rewritten,
so nothing needs a backup), and the new text is validated as part of the
whole file before a byte is written. The rules are checked against the pack
in use (with "did you mean"), and written as codes with their names in a
comment.

A target with an `@` and no spaces is a series UID (what `guardian audit
--format json` shows); anything else is a title, matched as a
case-insensitive shell-style glob ("Platform daily standup*").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from guardian.adapters.config import check_config_text, config_path, load_config
from guardian.adapters.files import append_text
from guardian.adapters.settings import Settings
from guardian.errors import InputError, did_you_mean, join_hints
from guardian.lint.pack import load_rulebook


@dataclass(frozen=True)
class Added:
    path: Path
    line: int  # where the new [[ignore]] table starts
    codes: tuple[str, ...]
    target: str  # 'uid X' or 'title "Y"'
    created: bool  # the config did not exist before


def is_uid(target: str) -> bool:
    return "@" in target and not any(ch.isspace() for ch in target)


def _toml_string(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes for quotes,
    # backslashes and control characters)
    return json.dumps(value, ensure_ascii=False)


def ignore_table(
    target: str, codes: list[tuple[str, str]], reason: str | None, until: date | None, newline: str
) -> str:
    """The `[[ignore]]` table's text, ending with a newline."""
    key = "uid" if is_uid(target) else "title"
    names = ", ".join(name for _, name in codes)
    lines = [
        "[[ignore]]  # added by `guardian ignore`",
        f"{key} = {_toml_string(target)}",
        "rules = [" + ", ".join(_toml_string(code) for code, _ in codes) + f"]  # {names}",
    ]
    if until is not None:
        lines.append(f'until = "{until.isoformat()}"')
    if reason:
        lines.append(f"reason = {_toml_string(reason)}")
    return newline.join(lines) + newline


def add_ignore(
    config: str | None,
    target: str,
    rule_names: list[str],
    *,
    reason: str | None = None,
    until: str | None = None,
    rules: str | None = None,
) -> Added:
    path = config_path(config)
    created = not path.exists()
    settings = Settings() if created else load_config(path)  # a broken config is reported, not appended to
    target = target.strip()
    if not target:
        raise InputError("ignore: the UID or title is empty")
    book = load_rulebook(rules or settings.rules)
    names = [r.code for r in book.rules] + [r.name for r in book.rules]
    codes: list[tuple[str, str]] = []
    for wanted in rule_names:
        rule = book.find(wanted)
        if rule is None:
            raise InputError(
                f"ignore: no rule {wanted!r} in the pack",
                hint=join_hints(did_you_mean(wanted.strip(), names), "see `guardian rules list`"),
            )
        if (rule.code, rule.name) not in codes:
            codes.append((rule.code, rule.name))
    last_day = None
    if until:
        try:
            last_day = date.fromisoformat(until.strip())
        except ValueError:
            raise InputError(f"--until: {until!r} is not a date", hint="use YYYY-MM-DD") from None
    old = "" if created else path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in old else "\n"
    lead = ""
    if old:
        lead = ("" if old.endswith("\n") else newline) + newline  # a blank line before the table
    addition = lead + ignore_table(target, codes, reason, last_day, newline)
    check_config_text(path, old + addition)
    append_text(path, old, addition, what="ignore")
    line = (old + lead).count("\n") + 1
    shown = f"uid {target}" if is_uid(target) else f"title {target!r}"
    return Added(path, line, tuple(code for code, _ in codes), shown, created)
