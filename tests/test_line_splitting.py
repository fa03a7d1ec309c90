"""The fast content-line split gives exactly what icalendar's `Contentline.parts` gives.

Parsing spends most of its time splitting lines; the tolerant parser splits
the common ones faster (`recover.line_splitter`). Every line of every file in
tests/data/ and of the benchmark calendar, and generated lines full of
quotes, escapes, colons and odd parameters, must come out the same: the same
name, the same parameters (keys, values, types) and the same value, or the
same error.
"""

from __future__ import annotations

import gzip
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.content_line import Contentline, Contentlines

from guardian.adapters.sources.ics.recover import as_text, line_splitter
from tests.conftest import DATA


def outcome(split, line):
    try:
        name, params, value = split(line)
    except ValueError as exc:
        return ("error", str(exc))
    return (name, type(params), [(k, type(v), v) for k, v in params.items()], value)


def same(line: str) -> None:
    fast = line_splitter()
    content = Contentline(line)
    assert outcome(fast, content) == outcome(lambda c: c.parts(), content), line
    assert outcome(fast, content) == outcome(lambda c: c.parts(), content), line  # and from what it learnt


def corpus_lines():
    for path in sorted(p for p in DATA.iterdir() if p.is_file()):
        raw = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                raws = [archive.read(name) for name in archive.namelist()]
        elif path.name.endswith(".gz"):
            raws = [gzip.decompress(raw)]
        else:
            raws = [raw]
        for data in raws:
            yield from (str(line) for line in Contentlines.from_ical(as_text(data)) if line)


def test_every_line_of_the_corpus_splits_the_same():
    lines = list(corpus_lines())
    assert len(lines) > 1000
    for line in lines:
        same(line)


def test_the_benchmark_calendar_splits_the_same():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_calendar", DATA.parent.parent / "benchmarks" / "gen_calendar.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for line in Contentlines.from_ical(module.generate(2026, 200)):
        if line:
            same(str(line))


PIECES = [
    "DTSTART",
    "ATTENDEE",
    "X-FOO",
    "dtstart",
    "",
    " ",
    ";",
    ":",
    ",",
    "=",
    '"',
    "\\",
    "\\;",
    "\\,",
    "\\n",
    "%3A",
    "TZID=Europe/Berlin",
    "CN=Doe\\, John",
    'CN="Doe, John"',
    "PARTSTAT=ACCEPTED",
    "VALUE=DATE",
    "ROLE=A,B",
    "mailto:a@b",
    "20261201T100000",
    "^n",
    "é",
    "\t",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12))
def test_generated_lines_split_the_same(pieces):
    same("".join(pieces))
