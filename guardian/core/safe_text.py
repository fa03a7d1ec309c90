r"""What may leave guardian on its way to a terminal, a file or a mail.

Titles, UIDs, names, descriptions, links and paths come from invites and
files that anyone can write. Printed raw, a control character in them can
rewrite the terminal (cursor moves, erased lines, an OSC 52 clipboard
write), and a bidi override can make a line read differently from what it
is. `printable` is the one rule for all outputs: control characters (C0
but newline and tab, DEL, C1), escape sequences and bidi controls are
written as the six characters of their escape (`\u202e`), so the damage is
visible and harmless. In JSON that is the character's own escape, so a
JSON document stays valid and loses nothing (JSON escapes backslashes, so
an inserted `\uXXXX` always starts an escape of its own).

`strip_terminal_output` is the same rule for the last step before a
terminal: it keeps only the escape sequences guardian's own renderers
write (colour and style, the progress line's erase) and removes every other
one.
"""

from __future__ import annotations

import re


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return "" if char == "\r" else f"\\u{ord(char):04x}"


# C0 controls but tab and newline, DEL, C1; the bidi embeddings, overrides,
# isolates and marks (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069)
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# what guardian itself writes to a terminal: SGR (colours, bold), "erase to end
# of line" and carriage return (the progress line), hiding/showing the cursor
_OWN_SEQUENCE = r"\x1b\[[0-9;]*m|\x1b\[K|\x1b\[\?25[lh]|\r(?=\x1b\[K)"
_TERMINAL = re.compile(rf"(?P<own>{_OWN_SEQUENCE})|{_UNSAFE.pattern}")


def printable(text: str) -> str:
    """`text` with every control character, escape and bidi control made visible and harmless.

    Newlines and tabs are kept; a CR (a stray one, or of CRLF) is dropped.
    """
    return _UNSAFE.sub(_escape, text)


def strip_terminal_output(text: str) -> str:
    """What may reach a terminal: guardian's own styling sequences, and printable text."""
    # Every sequence, guardian's own included, starts with a character `_UNSAFE` names, and a
    # scan for one character class is many times cheaper than the alternation: megabytes of
    # JSON or piped text without any pass straight through.
    if _UNSAFE.search(text) is None:
        return text
    return _TERMINAL.sub(lambda m: m.group("own") or _escape(m), text)
