"""Load TOML files so that every error can point at a file, a line and a key.

tomllib returns plain dicts without positions; validation errors would then
only name a key. This module keeps the text beside the data and finds the
line a key path was written on, so messages read `file:line: key: problem`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from guardian.errors import InputError, located

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', text)
    return [a or b or c for a, b, c in parts]


@dataclass
class TomlDoc:
    path: Path
    text: str
    data: dict

    def line_of(self, *keys: str) -> int | None:
        """The line where the key path was set (or its table began)."""
        want = list(keys)
        table: list[str] = []
        best: int | None = None
        for number, line in enumerate(self.text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header and not line.lstrip().startswith("#"):
                table = _split_dotted(header.group(1))
                if table == want:
                    return number
                if want[: len(table)] == table and best is None:
                    best = number
                continue
            key = _KEY.match(line)
            if not key:
                continue
            full = table + _split_dotted(key.group(1))
            if full == want:
                return number
            if want[: len(full)] == full:
                best = number  # an inline table or array holding the key
        return best

    def line_of_table(self, name: str, index: int, key: str | None = None) -> int | None:
        """The line of the `index`-th `[[name]]` table (or of `key` inside it)."""
        seen = -1
        inside = False
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                inside = False
                if stripped.startswith("[[") and _split_dotted(header.group(1)) == [name]:
                    seen += 1
                    if seen == index:
                        if key is None:
                            return number
                        inside = True
                continue
            if inside and key is not None:
                found = _KEY.match(line)
                if found and _split_dotted(found.group(1)) == [key]:
                    return number
        return None

    def error(self, keys: tuple[str, ...] | list[str], message: str, hint: str = "") -> InputError:
        keys = tuple(str(k) for k in keys)
        return InputError(
            located(self.path, self.line_of(*keys) if keys else None, ".".join(keys) or None, message),
            hint=hint,
        )


def load(path: Path | str, what: str = "file") -> TomlDoc:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise InputError(located(path, line, None, f"invalid TOML: {message}")) from None
    return TomlDoc(path, text, data)
