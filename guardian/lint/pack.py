"""Load, merge and validate rule packs.

A pack is data: codes, names, severities, a built-in check and its
parameters, filters, an action and docs. User packs `extends` another pack
and override what they need. Every mistake is reported with the file, the
line and the key, before any calendar is read.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guardian.adapters.resources import rules_dir
from guardian.adapters.tomlfile import TomlDoc, load
from guardian.core.model import Finding, Severity
from guardian.errors import InputError, did_you_mean, join_hints
from guardian.lint.context import Exemptions
from guardian.lint.registry import Check, accepts, build_params, param_specs, params_as_dict, registry

CODE_RE = re.compile(r"^[A-Z]{1,4}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ACTIONS = ("flag", "request-pre-read", "request-move")
ASYNC_TEMPLATES = ("update", "rfc", "brainstorm", "decision")
DOC_SECTIONS = ("what", "why", "example", "instead")
PACK_KEYS = {"name", "description", "extends", "disable", "exemptions", "precedence", "rules"}
#: what a meeting is told first when nothing overrides it (README, "One recommendation per meeting")
DEFAULT_PRECEDENCE = ("suggest-async", "request-move", "request-pre-read", "flag")
RULE_KEYS = {
    "name",
    "severity",
    "check",
    "action",
    "params",
    "exempt",
    "min_attendees",
    "min_minutes",
    "docs",
    "fix",
    "enabled",
}
MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: str
    action: str = "flag"
    params: Any = None  # the check's params record, the pack's values over its defaults
    exempt: bool = False
    min_attendees: int = 2
    min_minutes: float = 0
    docs: dict[str, str] = field(default_factory=dict[str, Any])
    fix: str = ""
    origin: str = ""  # which pack file defined it last

    @property
    def spec(self) -> Check:
        return registry()[self.check]

    @property
    def scope(self) -> str:
        return self.spec.scope

    def params_dict(self) -> dict[str, Any]:
        return params_as_dict(self.params)


@dataclass(frozen=True)
class RuleBook:
    name: str
    rules: tuple[Rule, ...]
    exemptions: Exemptions
    sources: tuple[str, ...] = ()
    #: actions ("suggest-async" covers every suggest-async:KIND) or rule codes/names, first wins
    precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
    _ranks: dict[tuple[str, str, str, Severity], tuple[int, int, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def find(self, code_or_name: str) -> Rule | None:
        """The rule a person named, by code or name (for `rules explain` and config lists).

        Code that needs a rule's settings asks `by_check` or `by_action` instead,
        so a pack that renumbers its rules changes nothing but their codes.
        """
        key = code_or_name.strip()
        for rule in self.rules:
            if rule.code == key.upper() or rule.name == key.lower():
                return rule
        return None

    def by_check(self, check: str) -> tuple[Rule, ...]:
        """The enabled rules built from the check named `check`."""
        return tuple(rule for rule in self.rules if rule.check == check)

    def by_action(self, action: str) -> tuple[Rule, ...]:
        """The enabled rules whose action is `action` (e.g. "suggest-async:update")."""
        return tuple(rule for rule in self.rules if rule.action == action)

    def rank(self, finding: Finding) -> tuple[int, int, int]:
        """Where a finding stands in the pack's precedence: lower is told first.

        The first precedence entry that names its action (or its rule) decides;
        then the worse severity; then the rule's place in the pack.
        """
        what = (finding.rule, finding.name, finding.action, finding.severity)
        known = self._ranks.get(what)
        if known is None:
            known = self._ranks[what] = self._rank(finding)
        return known

    def _rank(self, finding: Finding) -> tuple[int, int, int]:
        # (asked once per finding when findings are grouped; the answer depends only on the key above)
        place = len(self.precedence)
        for index, entry in enumerate(self.precedence):
            if _names(entry, finding):
                place = index
                break
        order = next((i for i, rule in enumerate(self.rules) if rule.code == finding.rule), len(self.rules))
        return place, -finding.severity.rank, order

    def lead(self, findings: list[Finding] | tuple[Finding, ...]) -> Finding | None:
        """The one finding a person is told first about a meeting (None for none)."""
        return min(findings, key=self.rank, default=None)


def _names(entry: str, finding: Finding) -> bool:
    """Whether a precedence entry names this finding: by action, action family, code or name."""
    if entry == finding.action or entry in (finding.rule, finding.name):
        return True
    return ":" not in entry and finding.action.startswith(entry + ":")


def default_pack_path() -> Path:
    return rules_dir() / "default.toml"


def load_rulebook(path: Path | str | None = None) -> RuleBook:
    """The default pack, or a user pack merged over whatever it extends."""
    raw, sources = _load_raw(Path(path) if path else default_pack_path(), depth=0)
    return _build(raw, sources)


def check_pack(path: Path | str) -> RuleBook:
    """Validate a pack file; raises InputError with file:line: key on the first problem."""
    return load_rulebook(path)


# --- loading and merging ------------------------------------------------------


def _resolve_extends(value: str, relative_to: Path) -> Path:
    if value in ("default", "guardian:default"):
        return default_pack_path()
    candidate = Path(value).expanduser()
    if not candidate.is_absolute():
        candidate = relative_to.parent / candidate
    if candidate.suffix != ".toml" and not candidate.exists():
        bundled = rules_dir() / f"{value}.toml"
        if bundled.exists():
            return bundled
    return candidate


def _load_raw(path: Path, depth: int) -> tuple[dict[str, Any], list[str]]:
    if depth > MAX_EXTENDS_DEPTH:
        raise InputError(f"{path}: `extends` chain is longer than {MAX_EXTENDS_DEPTH} packs (a loop?)")
    doc = load(path, "rule pack")
    _validate_shape(doc)
    data = doc.data
    base: dict[str, Any] = {"rules": {}, "exemptions": {}, "disable": []}
    sources: list[str] = []
    if "extends" in data:
        parent = _resolve_extends(data["extends"], path)
        if parent.resolve() == path.resolve():
            raise doc.error(("extends",), "a pack cannot extend itself")
        if not parent.is_file():
            raise doc.error(
                ("extends",),
                f"no rule pack {data['extends']!r} (looked for {parent})",
                hint='use "default" or a path relative to this pack',
            )
        base, sources = _load_raw(parent, depth + 1)
    merged = copy.deepcopy(base)
    merged["name"] = data.get("name", path.stem)
    for category, words in data.get("exemptions", {}).items():
        merged["exemptions"][category] = list(words)
    if "precedence" in data:  # replaced whole: an order is not merged entry by entry
        merged["precedence"] = (list(data["precedence"]), doc)
    for key, rule in data.get("rules", {}).items():
        code = _code_for(key, merged["rules"], doc)
        target = merged["rules"].setdefault(code, {"_origin": str(path)})
        # which pack set each field, so an error points at the file that wrote it
        where = target.setdefault("_where", {})
        for field_name, value in rule.items():
            if field_name in ("params", "docs"):
                target.setdefault(field_name, {}).update(value)
                where.update({f"{field_name}.{k}": doc for k in value})
            else:
                target[field_name] = value
                where[field_name] = doc
        where.setdefault("", doc)  # the pack that first defined the rule
        target["_origin"] = str(path)
    for item in data.get("disable", []):
        code = _code_for(item, merged["rules"], doc, where=("disable",), must_exist=True)
        merged["rules"][code]["enabled"] = False
        merged["rules"][code]["_where"]["enabled"] = doc
    sources.append(str(path))
    return merged, sources


def _code_for(
    name: str,
    rules: dict[str, Any],
    doc: TomlDoc,
    *,
    where: tuple[str, ...] | None = None,
    must_exist: bool = False,
) -> str:
    """Accept a code or a kebab-case name, as ruff does."""
    return _lookup(str(name), rules, doc, where or ("rules", str(name)), must_exist)


def _lookup(name: str, rules: dict[str, Any], doc: TomlDoc, where: tuple[str, ...], must_exist: bool) -> str:
    if CODE_RE.match(name):
        if must_exist and name not in rules:
            raise doc.error(where, f"no rule {name} to disable", hint="see `guardian rules list`")
        return name
    for code, rule in rules.items():
        if rule.get("name") == name:
            return str(code)
    if must_exist or NAME_RE.match(name):
        raise doc.error(
            where if must_exist else ("rules", name),
            f"unknown rule {name!r}",
            hint="use a code like D001 or a name from `guardian rules list`; a new rule needs a code",
        )
    raise doc.error(("rules", name), f"{name!r} is not a rule code like D001 or a kebab-case name")


def _validate_shape(doc: TomlDoc) -> None:
    data = doc.data
    for key in data:
        if key not in PACK_KEYS:
            raise doc.error((key,), "unknown key", hint=f"allowed: {', '.join(sorted(PACK_KEYS))}")
    if "extends" in data and not isinstance(data["extends"], str):
        raise doc.error(("extends",), 'must be a string ("default" or a path)')
    precedence = data.get("precedence", [])
    if not isinstance(precedence, list) or not all(isinstance(x, str) for x in precedence):
        raise doc.error(("precedence",), "must be a list of actions or rule codes/names")
    if not isinstance(data.get("disable", []), list) or not all(
        isinstance(x, str) for x in data.get("disable", [])
    ):
        raise doc.error(("disable",), "must be a list of rule codes or names")
    exemptions = data.get("exemptions", {})
    if not isinstance(exemptions, dict):
        raise doc.error(("exemptions",), "must be a table of category = [words]")
    for category, words in exemptions.items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise doc.error(("exemptions", category), "must be a list of words")
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise doc.error(("rules",), "must be a table of rules keyed by code")
    for code, rule in rules.items():
        if not isinstance(rule, dict):
            raise doc.error(("rules", code), "must be a table")
        for field_name in rule:
            if field_name not in RULE_KEYS:
                raise doc.error(
                    ("rules", code, field_name),
                    "unknown key",
                    hint=f"allowed: {', '.join(sorted(RULE_KEYS))}",
                )


# --- building and validating rules -------------------------------------------


def _build(raw: dict[str, Any], sources: list[str]) -> RuleBook:
    rules: list[Rule] = []
    names: dict[str, str] = {}
    for code, spec in sorted(raw["rules"].items()):
        where: dict[str, TomlDoc] = spec["_where"]
        rule = _make_rule(code, spec, where)
        if rule is None:
            continue
        if rule.name in names and names[rule.name] != code:
            doc = where.get("name", where[""])
            raise doc.error(
                ("rules", code, "name"), f"name {rule.name!r} is already used by {names[rule.name]}"
            )
        names[rule.name] = code
        rules.append(rule)
    exemptions = Exemptions(keywords={k: tuple(v) for k, v in raw["exemptions"].items()})
    precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
    if "precedence" in raw:
        entries, doc = raw["precedence"]
        precedence = _check_precedence(entries, doc, raw["rules"])
    return RuleBook(raw.get("name", "pack"), tuple(rules), exemptions, tuple(sources), precedence)


def _check_precedence(entries: list[str], doc: TomlDoc, rules: dict[str, Any]) -> tuple[str, ...]:
    """Each entry an action, an action family, or a rule of the pack (by code or name)."""
    words = [*ACTIONS, "suggest-async", *(f"suggest-async:{t}" for t in ASYNC_TEMPLATES)]
    known = words + list(rules) + [str(r.get("name")) for r in rules.values() if r.get("name")]
    out: list[str] = []
    for entry in entries:
        value = entry.strip()
        if value in known:
            out.append(value)
            continue
        raise doc.error(
            ("precedence",),
            f"{entry!r} is neither an action nor a rule of the pack",
            hint=join_hints(
                did_you_mean(value, known),
                "use flag, request-pre-read, request-move, suggest-async (or suggest-async:KIND), "
                "or a rule code or name",
            ),
        )
    return tuple(out)


def _make_rule(code: str, spec: dict[str, Any], where: dict[str, TomlDoc]) -> Rule | None:
    def doc_for(key: str) -> TomlDoc:
        return where.get(key, where[""])

    def err(key: str, message: str, hint: str = "") -> InputError:
        return doc_for(key).error(("rules", code, *key.split(".")) if key else ("rules", code), message, hint)

    if not CODE_RE.match(code):
        raise err("", "a rule code is 1-4 capital letters and 3 digits, like D001 or X100")
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise err("enabled", "must be true or false")
    for required in ("name", "check", "severity"):
        if required not in spec:
            raise err("", f"missing `{required}`")
    name = spec["name"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise err("name", f"{name!r} is not a kebab-case name like missing-pre-read")
    check_name = spec["check"]
    checks = registry()
    if check_name not in checks:
        raise err(
            "check", f"unknown check {check_name!r}", hint=f"built-in checks: {', '.join(sorted(checks))}"
        )
    try:
        severity = Severity(spec["severity"])
    except ValueError:
        raise err("severity", f"{spec['severity']!r} is not one of info, warning, error") from None
    action = spec.get("action", "flag")
    if not isinstance(action, str) or not (
        action in ACTIONS
        or (action.startswith("suggest-async:") and action.split(":", 1)[1] in ASYNC_TEMPLATES)
    ):
        raise err(
            "action",
            f"{action!r} is not an action",
            hint="use flag, request-pre-read, request-move or suggest-async:" + "|".join(ASYNC_TEMPLATES),
        )
    params = spec.get("params", {})
    specs = param_specs(checks[check_name].params)
    for key, value in params.items():
        if key not in specs:
            allowed = ", ".join(sorted(specs)) or "none"
            raise err(
                f"params.{key}",
                f"check {check_name!r} has no parameter {key!r}",
                hint=f"parameters: {allowed}",
            )
        if not accepts(specs[key], value):
            wanted = {
                "number": "a number (not negative)",
                "whole number": "a number (not negative)",
                "list of text": "a list of text",
            }.get(specs[key].kind, specs[key].kind)
            raise doc_for(f"params.{key}").error(("rules", code, "params", key), f"must be {wanted}")
    filters: tuple[tuple[str, type | tuple[type, ...]], ...] = (
        ("exempt", bool),
        ("min_attendees", int),
        ("min_minutes", (int, float)),
        ("fix", str),
    )
    for key, types_ in filters:
        if key in spec and (
            not isinstance(spec[key], types_) or (isinstance(spec[key], bool) and types_ is not bool)
        ):
            raise err(key, f"must be {_type_name(types_)}")
        if key in ("min_attendees", "min_minutes") and key in spec and spec[key] < 0:
            raise err(key, "must not be negative")
    docs = spec.get("docs", {})
    for key, value in docs.items():
        if key not in DOC_SECTIONS:
            raise err(f"docs.{key}", "unknown docs section", hint=f"sections: {', '.join(DOC_SECTIONS)}")
        if not isinstance(value, str):
            raise err(f"docs.{key}", "must be text")
    if not enabled:
        return None
    return Rule(
        code=code,
        name=name,
        severity=severity,
        check=check_name,
        action=action,
        params=build_params(checks[check_name].params, params),
        exempt=spec.get("exempt", False),
        min_attendees=spec.get("min_attendees", 2),
        min_minutes=spec.get("min_minutes", 0),
        docs=dict(docs),
        fix=spec.get("fix", ""),
        origin=spec.get("_origin", ""),
    )


def _type_name(kind: Any) -> str:
    if kind is bool:
        return "true or false"
    if kind is int:
        return "a whole number"
    if kind == (int, float) or kind is float:
        return "a number"
    if kind is str:
        return "text"
    return "a list of text"
