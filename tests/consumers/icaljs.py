"""ical.js (Mozilla's iCalendar parser, from the npm registry) run by node, as a strict reader.

`.ci/run` installs it from nothing into a folder it names in
`GUARDIAN_ICALJS`; on a developer machine `npm install --prefix .cache/icaljs
ical.js@2.2.1` does the same. The tests that need it skip, saying so, only
when node or the package is missing. Node runs with TZ=UTC, so a time ical.js
takes for floating shows up as hours off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("icaljs_dump.mjs")
VERSION = "2.2.1"
INSTALL = f"npm install --prefix .cache/icaljs ical.js@{VERSION}"


def prefix() -> Path | None:
    """The npm prefix holding ical.js, if it is installed."""
    for candidate in (os.environ.get("GUARDIAN_ICALJS"), str(REPO / ".cache" / "icaljs")):
        if candidate and (Path(candidate) / "node_modules" / "ical.js" / "dist" / "ical.js").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def icaljs():
    """`icaljs(path) -> dict`: what ical.js reads in an iCalendar file (see icaljs_dump.mjs)."""
    node = shutil.which("node")
    where = prefix()
    if node is None:
        pytest.skip("node is not installed, so ical.js cannot run (.ci/run installs it)")
    if where is None:
        pytest.skip(f"ical.js is not installed: {INSTALL} (.ci/run does it)")

    def read(path: Path | str) -> dict:
        done = subprocess.run(
            [node, str(SCRIPT), str(where), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TZ": "UTC"},
            check=False,
        )
        assert done.returncode == 0, f"ical.js refused {path}: {done.stderr.strip()[:500]}"
        return json.loads(done.stdout)

    return read
