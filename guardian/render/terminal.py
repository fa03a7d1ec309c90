"""Terminal lines that fit: word-wrapped to the width with a hanging indent, styled in parts.

Rich wraps a long line back to column 0, which breaks the columns a person
scans (time, severity, code). `wrap` fills words into lines of at most
`width` characters itself, continuing each under the text it belongs to, and
keeps each part's style (a severity word, a dim hint); parts are separated
by a space. A part marked
`keep` is never broken inside (a code and its name). A single word longer
than the line (a URL, a UID) is put on a line of its own rather than cut.

`pager.show` then prints the lines, or hands them to a pager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

NBSP = "\u00a0"
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_WIDTH = 7  # "warning"


@dataclass(frozen=True)
class Part:
    text: str
    style: str = ""
    keep: bool = False  # never break inside this part


def severity_word(severity: str) -> Part:
    """The severity as a word, padded to one width: readable without colour."""
    return Part(f"{severity:<{SEVERITY_WIDTH}}", SEVERITY_STYLE.get(severity, ""), keep=True)


def wrap(parts: Sequence[Part], width: int, indent: int = 0, hang: int | None = None) -> list[Text]:
    """The parts as lines of at most `width`, the first indented by `indent`, the rest by `hang`."""
    hang = indent + 4 if hang is None else hang
    width = max(width, hang + 20)  # a very narrow terminal still gets readable lines
    lines: list[list[tuple[str, str]]] = []  # each line: runs of (text, style)
    line: list[tuple[str, str]] = [(" " * indent, "")]
    length, empty, last = indent, True, ""
    for word, style in _words(parts):
        if not empty and length + 1 + len(word) > width:
            lines.append(line)
            line, length, empty = [(" " * hang, "")], hang, True
        if not empty:
            # the space between two words of one style takes that style (fewer escapes)
            line.append((" ", style if last == style else ""))
            length += 1
        line.append((word.replace(NBSP, " "), style))
        length += len(word)
        empty, last = False, style
    lines.append(line)
    return [_text(runs) for runs in lines]


def _words(parts: Sequence[Part]) -> list[tuple[str, str]]:
    """Each word with its part's style (parts are separate words; a `keep` part is one word)."""
    words = []
    for part in parts:
        text = part.text.replace(" ", NBSP) if part.keep else part.text
        words += [(word, part.style) for word in text.replace("\n", " ").split(" ") if word]
    return words


def _text(runs: list[tuple[str, str]]) -> Text:
    """One Text, consecutive runs of one style appended together."""
    text = Text()
    pending, style = "", ""
    for run, st in runs:
        if not run:
            continue
        if st != style and pending:
            text.append(pending, style=style or None)
            pending = ""
        pending, style = pending + run, st
    if pending:
        text.append(pending, style=style or None)
    return text
