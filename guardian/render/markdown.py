"""Markdown that stays text: a title can never add HTML, a column or a heading.

Markdown passes raw HTML through, so `<script>` or `<svg onload=...>` in an
invite's title would reach any page that renders the output. Every value
from an invite goes through `cell` (one line, `&`, `<`, `>` as entities,
`|` and `\\` escaped, control characters made visible).
"""

from __future__ import annotations

from guardian.core.safe_text import printable
from guardian.core.text import one_line


def cell(value: object, limit: int = 400) -> str:
    text = printable(one_line(value, limit))
    return (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "\\`")
    )
