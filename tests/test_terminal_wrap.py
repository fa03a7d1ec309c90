"""Terminal lines a person scans: the wrap keeps columns, words, styles and unbreakable parts.

`wrap` lays out every finding, hint and series line of `guardian audit`; a
year of findings is thousands of calls, so it works on words, not characters.
These properties say what a reader sees, whatever the words are.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.render.terminal import Part, wrap

STYLES = ["", "dim", "bold red", "magenta"]
parts = st.lists(
    st.builds(
        Part,
        st.text(alphabet="ab xy\n-", max_size=25),
        st.sampled_from(STYLES),
        st.booleans(),
    ),
    max_size=6,
)


def styled_chars(lines):
    """(character, style) of every character that is not a space, in reading order."""
    out = []
    for line in lines:
        styles = [""] * len(line.plain)
        for span in line.spans:
            for i in range(span.start, span.end):
                styles[i] = str(span.style)
        out += [(ch, st) for ch, st in zip(line.plain, styles, strict=True) if ch != " "]
    return out


@settings(max_examples=600, deadline=None)
@given(parts, st.integers(0, 100), st.integers(0, 8), st.one_of(st.none(), st.integers(0, 10)))
def test_lines_fit_keep_every_word_and_style_and_hang_under_the_first(given_parts, width, indent, hang):
    lines = wrap(given_parts, width, indent, hang)
    hang = indent + 4 if hang is None else hang
    room = max(width, hang + 20)
    expected = [(ch, p.style) for p in given_parts for ch in p.text if ch not in " \n"]
    assert styled_chars(lines) == expected
    for number, line in enumerate(lines):
        lead = indent if number == 0 else hang
        assert line.plain[:lead] == " " * lead
        body = line.plain[lead:]
        one_word = " " not in body.strip()
        assert (
            len(line.plain) <= room or one_word or any(p.keep and p.text.strip() in body for p in given_parts)
        )
    for p in given_parts:
        text = " ".join(p.text.replace("\n", " ").split())
        if p.keep and "\n" not in p.text and text and len(text) + hang <= room:
            # an unbreakable part (a code and its name) is on one line, whole (its spaces do not
            # break; a line break in any text is a space like the others)
            assert any(text in " ".join(line.plain.split()) for line in lines)


def test_a_long_hint_continues_under_its_text():
    lines = wrap(
        [Part("->", "dim"), Part("move it into working hours or make it async " * 2, "dim")], 40, 4, 7
    )
    assert [line.plain for line in lines] == [
        "    -> move it into working hours or",
        "       make it async move it into",
        "       working hours or make it async",
    ]
    assert all(str(span.style) == "dim" for line in lines for span in line.spans)
