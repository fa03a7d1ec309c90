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
    chars: list[tuple[str, str]] = []
    for index, part in enumerate(parts):
        text = part.text.replace(" ", NBSP) if part.keep else part.text
        if index:
            chars.append((" ", ""))  # parts are separate words
        chars += [(ch, part.style) for ch in text.replace("\n", " ")]
    words: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for ch, style in chars:
        if ch == " ":
            if current:
                words.append(current)
                current = []
            continue
        current.append((ch, style))
    if current:
        words.append(current)
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = [(" ", "")] * indent
    empty = True
    for word in words:
        if not empty and len(line) + 1 + len(word) > width:
            lines.append(line)
            line, empty = [(" ", "")] * hang, True
        if not empty:
            # the space between two words of one style takes that style (fewer escapes)
            line.append((" ", word[0][1] if line[-1][1] == word[0][1] else ""))
        line += [(" " if ch == NBSP else ch, style) for ch, style in word]
        empty = False
    lines.append(line)
    return [_text(chars) for chars in lines]


def _text(chars: list[tuple[str, str]]) -> Text:
    """One Text, consecutive characters of one style appended together."""
    text = Text()
    run, style = "", None
    for ch, st in chars:
        if st != style and run:
            text.append(run, style=style or None)
            run = ""
        run, style = run + ch, st
    if run:
        text.append(run, style=style or None)
    return text
