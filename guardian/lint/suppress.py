"""Suppressions: "I know, leave this one alone", as a linter has them.

Three ways to hide a finding, each pure here (the files are read elsewhere):

- `[[ignore]]` tables in the config (`IgnoreEntry`): rule codes or names,
  and one of `uid` or `title` (a case-insensitive shell-style glob, so
  "Platform daily standup*" also covers a moved occurrence), optionally
  `until` (the last day whose occurrences it hides) and a `reason`;
- an inline marker in an invite's description, which an organizer can add:
  a line `guardian: ignore D001, A002` (codes or names);
- a baseline: the fingerprints (`Finding.fingerprint`: rule and series, or
  rule and day) of findings someone chose to live with; only findings not
  in it are shown.

`suppress` splits findings into the ones shown and the ones hidden, each
hidden one with what hid it, so the output can say how many were hidden
and why.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from guardian.core.model import Finding
from guardian.errors import InputError, did_you_mean, join_hints
from guardian.lint.pack import RuleBook

_MARKER = re.compile(r"^[\s>*\-#]*guardian\s*:\s*ignore\b[\s:]*(?P<codes>.*)$", re.IGNORECASE | re.MULTILINE)
_TOKEN = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class IgnoreEntry:
    """One `[[ignore]]` table of the config."""

    rules: tuple[str, ...] = ()  # codes or names, as written
    uid: str | None = None  # a glob over the series UID
    title: str | None = None  # a glob over the title
    until: date | None = None  # the last day whose occurrences it hides; None: no end
    reason: str = ""
    #: where the table was written ("config.toml:31"), named in errors
    where: str = field(default="", compare=False)

    def target(self) -> str:
        return f"uid {self.uid}" if self.uid is not None else f"title {self.title!r}"

    def covers(self, finding: Finding, today: date) -> bool:
        """Whether this entry hides `finding` (its rule already known to be one of `rules`)."""
        event = finding.event
        if event is None:
            return False  # day- and window-level findings name no meeting to match
        if self.until is not None and (finding.day or today) > self.until:
            return False
        if self.uid is not None:
            return _glob(event.uid, self.uid)
        return self.title is not None and _glob(event.title, self.title)


def _glob(value: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(value.casefold(), pattern.casefold())


def inline_ignores(description: str) -> tuple[str, ...]:
    """The codes or names an invite's `guardian: ignore CODE, ...` lines name (as written)."""
    found: list[str] = []
    for match in _MARKER.finditer(description or ""):
        found.extend(_TOKEN.findall(match.group("codes")))
    return tuple(found)


@dataclass(frozen=True)
class Hidden:
    """A finding that is not shown, and what hid it."""

    finding: Finding
    by: str  # "config" | "inline" | "baseline"
    reason: str = ""


@dataclass(frozen=True)
class Suppressions:
    """What may hide findings in one run."""

    ignores: tuple[IgnoreEntry, ...] = ()
    baseline: frozenset[str] | None = None  # fingerprints; None: no baseline given
    inline: bool = True  # honour `guardian: ignore` in descriptions


def resolve_ignores(entries: Iterable[IgnoreEntry], rulebook: RuleBook) -> dict[IgnoreEntry, frozenset[str]]:
    """Each entry's rule codes, checked against the pack: an unknown rule is an error at its line."""
    resolved: dict[IgnoreEntry, frozenset[str]] = {}
    names = [r.code for r in rulebook.rules] + [r.name for r in rulebook.rules]
    for entry in entries:
        codes = set()
        for wanted in entry.rules:
            rule = rulebook.find(wanted)
            if rule is None:
                raise InputError(
                    f"{entry.where}: ignore.rules: no rule {wanted!r} in the pack",
                    hint=join_hints(did_you_mean(wanted, names), "see `guardian rules list`"),
                )
            codes.add(rule.code)
        resolved[entry] = frozenset(codes)
    return resolved


def _inline_codes(description: str, rulebook: RuleBook) -> frozenset[str]:
    """Codes an invite's marker names; unknown words are ignored (the organizer's typo is not mine)."""
    codes = set()
    for word in inline_ignores(description):
        rule = rulebook.find(word)
        if rule is not None:
            codes.add(rule.code)
    return frozenset(codes)


def suppress(
    findings: Iterable[Finding], suppressions: Suppressions, rulebook: RuleBook, today: date
) -> tuple[list[Finding], list[Hidden]]:
    """Split findings into those shown and those hidden (config and inline first, then the baseline)."""
    ignores = resolve_ignores(suppressions.ignores, rulebook)
    inline_cache: dict[str, frozenset[str]] = {}
    shown: list[Finding] = []
    hidden: list[Hidden] = []
    for finding in findings:
        event = finding.event
        if suppressions.inline and event is not None and event.description:
            codes = inline_cache.get(event.description)
            if codes is None:
                codes = inline_cache[event.description] = _inline_codes(event.description, rulebook)
            if finding.rule in codes:
                hidden.append(Hidden(finding, "inline", "guardian: ignore in the invite"))
                continue
        entry = next(
            (e for e, codes in ignores.items() if finding.rule in codes and e.covers(finding, today)), None
        )
        if entry is not None:
            hidden.append(Hidden(finding, "config", entry.reason or f"[[ignore]] {entry.target()}"))
            continue
        if suppressions.baseline is not None and finding.fingerprint in suppressions.baseline:
            hidden.append(Hidden(finding, "baseline"))
            continue
        shown.append(finding)
    return shown, hidden
