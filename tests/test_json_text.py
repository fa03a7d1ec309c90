"""The JSON outputs keep their exact text: the fast writer gives what `json.dumps(indent=2)` gives.

Scripts diff `guardian audit -f json` between runs; a writer that changed
one space would show up there as a change in every line.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.render import json_text

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
)
keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5) | st.tuples(inner, inner)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(documents, st.booleans())
def test_same_text_as_the_standard_library(doc, ascii_only):
    expected = json.dumps(doc, indent=2, ensure_ascii=ascii_only)
    assert json_text.dumps(doc, ensure_ascii=ascii_only) == expected
    out = io.StringIO()
    json_text.write(doc, out.write, ensure_ascii=ascii_only)
    assert out.getvalue() == expected


def test_iterators_are_written_as_lists_and_the_text_arrives_in_pieces():
    pieces: list[str] = []
    findings = ({"rule": "D001", "n": n, "title": "Ünïcode \u202e review"} for n in range(10_000))
    json_text.write({"findings": findings, "empty": iter(())}, pieces.append)
    text = "".join(pieces)
    assert len(pieces) > 1  # not held as one string before the first write
    assert json.loads(text) == {
        "findings": [{"rule": "D001", "n": n, "title": "Ünïcode \u202e review"} for n in range(10_000)],
        "empty": [],
    }
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False)


def test_what_json_cannot_hold_is_refused_as_the_standard_library_does():
    with pytest.raises(TypeError):
        json_text.dumps({"when": object()})
    with pytest.raises(TypeError):
        json_text.dumps({("a", "b"): 1})
