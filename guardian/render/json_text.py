"""JSON text as `json.dumps(value, indent=2)` writes it, written in pieces as it is made.

The JSON outputs are read by scripts and diffed between runs, so their
text is fixed: two-space indent, `", "`-free separators as the standard
library writes them, keys in insertion order. The standard library only
uses its C encoder without an indent; with one it falls back to a Python
generator per container, which made writing the JSON of a one-year audit
(6 MB) cost a tenth of the run. This writer produces the same characters
(a property test holds it to `json.dumps`) from the C string escaper and a
plain recursive walk, and it accepts iterators where a list goes, so a
caller can hand over findings as it builds them instead of holding the
whole document as objects and then as one string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

#: pieces gathered before one write (large enough that the write's own cost does not show)
_PIECES = 4096
_INF = float("inf")


def dumps(value: Any, *, ensure_ascii: bool = False) -> str:
    """The text `json.dumps(value, indent=2, ensure_ascii=...)` gives (iterators as lists)."""
    parts: list[str] = []
    _Writer(parts.append, ensure_ascii, flush_every=0).value(value, "")
    return "".join(parts)


def write(value: Any, out: Callable[[str], Any], *, ensure_ascii: bool = False) -> None:
    """Write the same text through `out` (a stream's `write`), a few thousand pieces at a time."""
    pieces: list[str] = []

    def flush() -> None:
        if pieces:
            out("".join(pieces))
            pieces.clear()

    _Writer(pieces.append, ensure_ascii, flush_every=_PIECES, flush=flush).value(value, "")
    flush()


class _Writer:
    def __init__(
        self,
        add: Callable[[str], Any],
        ensure_ascii: bool,
        *,
        flush_every: int,
        flush: Callable[[], None] | None = None,
    ) -> None:
        self.add = add
        self.string = encode_basestring_ascii if ensure_ascii else encode_basestring
        self.flush_every = flush_every
        self.flush = flush
        self.count = 0
        #: per indent: key -> its line start (",\n" + indent + '"key": '); documents repeat their keys
        self.keys: dict[str, dict[Any, str]] = {}

    def value(self, o: Any, pad: str) -> None:
        if isinstance(o, str):
            self.add(self.string(o))
        elif o is None:
            self.add("null")
        elif o is True:
            self.add("true")
        elif o is False:
            self.add("false")
        elif isinstance(o, int):
            self.add(int.__repr__(o))
        elif isinstance(o, float):
            self.add(_float(o))
        elif isinstance(o, dict):
            self.mapping(o, pad)
        elif isinstance(o, (list, tuple, Iterator)):
            self.sequence(o, pad)
        else:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    def mapping(self, o: dict, pad: str) -> None:
        if not o:
            self.add("{}")
            return
        inner = pad + "  "
        add, string = self.add, self.string
        starts = self.keys.get(inner)
        if starts is None:
            starts = self.keys[inner] = {}
        first = True
        for key, item in o.items():
            start = starts.get(key)
            if start is None or key.__class__ is not str:  # (1 and True are one dict key)
                start = ",\n" + inner + string(_key(key)) + ": "
                if key.__class__ is str:
                    starts[key] = start
            if first:
                add("{" + start[1:])
                first = False
            else:
                add(start)
            kind = item.__class__
            if kind is str:
                add(string(item))
            elif item is None:
                add("null")
            elif kind is bool:
                add("true" if item else "false")
            elif kind is int:
                add(int.__repr__(item))
            else:
                self.value(item, inner)
        add("\n" + pad + "}")
        if self.flush is not None:
            self.count += 1
            if self.count >= self.flush_every:
                self.count = 0
                self.flush()

    def sequence(self, o: Iterable, pad: str) -> None:
        inner = pad + "  "
        add = self.add
        lead = "[\n" + inner
        for item in o:
            add(lead)
            lead = ",\n" + inner
            self.value(item, inner)
        add("[]" if lead[0] == "[" else "\n" + pad + "]")


def _key(key: Any) -> str:
    """Keys as `json.dumps` turns them into strings."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)
