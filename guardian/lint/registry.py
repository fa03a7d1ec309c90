"""The registry of built-in checks, typed by scope and by parameters.

A rule in a pack names a check and sets its parameters; no code from a pack
is ever evaluated. A check is a pure function with one of three shapes:

- an *event* check looks at one meeting: `fn(event, ctx, params) -> message | None`;
- a *series* check looks at all occurrences of one series in the window
  (`fn(occurrences, ctx, params) -> message | None`) and is reported once,
  on the first of them: what it says is true of the series, not of a day;
- a *day* check looks at the meetings of one day:
  `fn(day, meetings, ctx, params) -> [DayHit]`;
- a *window* check looks at the whole audited span: `fn(ctx, params) -> [WindowHit]`.

Parameters are a frozen dataclass per check; its fields' types and defaults
are what a pack may set (the pack loader validates against them), so a
check's signature says exactly what it reads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, Union

from guardian.core.model import Event
from guardian.lint.context import AuditContext

P = TypeVar("P")


@dataclass(frozen=True)
class NoParams:
    """For checks that take no parameters."""


@dataclass(frozen=True)
class DayHit:
    message: str
    event: Event | None = None  # the meeting the finding is about, if one
    #: the stretch of the day it is about (a run of meetings), when not one meeting
    span: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class WindowHit:
    message: str
    event: Event | None = None
    day: date | None = None


EventFn = Callable[[Event, AuditContext, Any], "str | None"]
DayFn = Callable[[date, list[Event], AuditContext, Any], list[DayHit]]
WindowFn = Callable[[AuditContext, Any], list[WindowHit]]


@dataclass(frozen=True)
class EventCheck(Generic[P]):
    name: str
    summary: str
    params: type[P]
    fn: Callable[[Event, AuditContext, P], str | None]
    scope: typing.ClassVar[str] = "event"


@dataclass(frozen=True)
class SeriesCheck(Generic[P]):
    name: str
    summary: str
    params: type[P]
    fn: Callable[[list[Event], AuditContext, P], str | None]
    scope: typing.ClassVar[str] = "series"


@dataclass(frozen=True)
class DayCheck(Generic[P]):
    name: str
    summary: str
    params: type[P]
    fn: Callable[[date, list[Event], AuditContext, P], list[DayHit]]
    scope: typing.ClassVar[str] = "day"


@dataclass(frozen=True)
class WindowCheck(Generic[P]):
    name: str
    summary: str
    params: type[P]
    fn: Callable[[AuditContext, P], list[WindowHit]]
    scope: typing.ClassVar[str] = "window"


Check = EventCheck[Any] | SeriesCheck[Any] | DayCheck[Any] | WindowCheck[Any]
REGISTRY: dict[str, Check] = {}


def event_check(
    name: str,
    summary: str,
    params: type[P] = NoParams,  # type: ignore[assignment]
) -> Callable[
    [Callable[[Event, AuditContext, P], str | None]], Callable[[Event, AuditContext, P], str | None]
]:
    def register(
        fn: Callable[[Event, AuditContext, P], str | None],
    ) -> Callable[[Event, AuditContext, P], str | None]:
        REGISTRY[name] = EventCheck(name, summary, params, fn)
        return fn

    return register


def series_check(
    name: str,
    summary: str,
    params: type[P] = NoParams,  # type: ignore[assignment]
) -> Callable[
    [Callable[[list[Event], AuditContext, P], str | None]],
    Callable[[list[Event], AuditContext, P], str | None],
]:
    def register(
        fn: Callable[[list[Event], AuditContext, P], str | None],
    ) -> Callable[[list[Event], AuditContext, P], str | None]:
        REGISTRY[name] = SeriesCheck(name, summary, params, fn)
        return fn

    return register


def day_check(
    name: str,
    summary: str,
    params: type[P] = NoParams,  # type: ignore[assignment]
) -> Callable[
    [Callable[[date, list[Event], AuditContext, P], list[DayHit]]],
    Callable[[date, list[Event], AuditContext, P], list[DayHit]],
]:
    def register(
        fn: Callable[[date, list[Event], AuditContext, P], list[DayHit]],
    ) -> Callable[[date, list[Event], AuditContext, P], list[DayHit]]:
        REGISTRY[name] = DayCheck(name, summary, params, fn)
        return fn

    return register


def window_check(
    name: str,
    summary: str,
    params: type[P] = NoParams,  # type: ignore[assignment]
) -> Callable[[Callable[[AuditContext, P], list[WindowHit]]], Callable[[AuditContext, P], list[WindowHit]]]:
    def register(
        fn: Callable[[AuditContext, P], list[WindowHit]],
    ) -> Callable[[AuditContext, P], list[WindowHit]]:
        REGISTRY[name] = WindowCheck(name, summary, params, fn)
        return fn

    return register


def registry() -> dict[str, Check]:
    """Every built-in check, by name (importing the check modules registers them)."""
    import guardian.lint.checks  # noqa: F401  (registers on import)

    return REGISTRY


# --- parameters ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    """One parameter as a pack may set it: its name, TOML type, default."""

    name: str
    kind: str  # "number", "whole number", "true or false", "text", "list of text"
    default: Any
    optional: bool  # None is a valid value (the default comes from my settings)


def param_specs(params: type[Any]) -> dict[str, ParamSpec]:
    """The parameters of a check's params dataclass, from its type hints."""
    hints = typing.get_type_hints(params)
    out: dict[str, ParamSpec] = {}
    for f in dataclasses.fields(params):
        hint = hints[f.name]
        optional = False
        if typing.get_origin(hint) in (Union, types.UnionType):
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            optional = len(args) < len(typing.get_args(hint))
            hint = args[0]
        if hint is bool:
            kind = "true or false"
        elif hint is int:
            kind = "whole number"
        elif hint is float:
            kind = "number"
        elif hint is str:
            kind = "text"
        else:
            kind = "list of text"
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        out[f.name] = ParamSpec(f.name, kind, default, optional)
    return out


def accepts(spec: ParamSpec, value: Any) -> bool:
    """Whether a TOML value fits the parameter (numbers must not be negative)."""
    if spec.kind == "true or false":
        return isinstance(value, bool)
    if spec.kind in ("number", "whole number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return 0 <= value < float("inf")  # also refuses nan
    if spec.kind == "text":
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def build_params(params: type[P], values: dict[str, Any]) -> P:
    """The params record with a pack's values (already validated) over the defaults."""
    specs = param_specs(params)
    converted: dict[str, Any] = {}
    for name, value in values.items():
        kind = specs[name].kind
        if kind == "list of text":
            value = tuple(value)
        elif kind == "number":
            value = float(value)
        elif kind == "whole number" and isinstance(value, float) and value.is_integer():
            value = int(value)
        converted[name] = value
    return params(**converted)


def params_as_dict(params: Any) -> dict[str, Any]:
    """For `guardian rules list --format json` and `rules explain`."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(params).items()}
