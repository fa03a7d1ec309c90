"""Turn the HTML bodies Outlook and Google put in invites into plain text.

Rules read descriptions as text (agenda lines, questions, links); an HTML
body has to become the same text a person would read, with links kept.
The stdlib parser is enough: no markup has to be rendered, only read.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "hr",
}
_SKIP_TAGS = {"script", "style", "head", "title"}
_LOOKS_LIKE_HTML = re.compile(
    r"<\s*(html|body|p|div|br|span|a|ul|ol|li|table|b|i|strong|em|font|h[1-6])\b", re.I
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._anchor_text = []
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            text = "".join(self._anchor_text).strip()
            href = self._href
            if href and href.startswith(("http://", "https://")) and href not in text:
                self.parts.append(f" ({href})" if text else href)
            self._href = None
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor_text.append(data)


def looks_like_html(text: str) -> bool:
    return bool(text) and bool(_LOOKS_LIKE_HTML.search(text))


@lru_cache(maxsize=2048)
def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML fragment; links survive as their URLs."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def plain_description(text: str) -> str:
    """Description as plain text, whatever the source sent."""
    if not text:
        return ""
    return html_to_text(text) if looks_like_html(text) else text.strip()


MAX_LINE = 160  # a subject or a title on one terminal line


def one_line(value: object, limit: int = MAX_LINE) -> str:
    """Fold text to one printable line: no CR/LF, tabs, other controls or separators.

    Unicode line and paragraph separators (and NEL) count as line breaks too,
    since some mail and calendar software treats them as such.
    """
    text = str(value or "")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\r\n\t\v\f\x85\u2028\u2029" or cat in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif cat == "Cf" and ch not in "\u200d":  # bidi overrides and friends
            continue
        else:
            out.append(ch)
    text = re.sub(r"\s+", " ", "".join(out)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text
