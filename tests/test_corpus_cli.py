"""Every file in tests/data/ through the real command line, in its own process, with a timeout.

This is the measure the issue sets: the share of files audited, and no file
that ends in a traceback or a hang. Each file gets a fresh `python -m
guardian audit` (so a hang is caught by the timeout, not by pytest), two at
a time. The files meant to be refused (not calendars at all, or cut off)
must fail with exit 2 and one line; all others must be audited.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import DATA, ME, NOW, REPO
from tests.test_corpus import FILES, UNREADABLE

TIMEOUT = 60  # seconds per file; a good file takes well under one


def _audit(path, home) -> tuple[str, int | None, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDIAN_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    env.update(XDG_CACHE_HOME=str(home / "cache"))
    args = [sys.executable, "-m", "guardian", "audit", "-c", str(path), "--from", "2026-11-30"]
    args += ["--days", "14", "--now", NOW, "--me", ME, "--tz", "Europe/Berlin", "--format", "json"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO, env=env)
    except subprocess.TimeoutExpired:
        return path.name, None, "timed out"
    return path.name, done.returncode, done.stderr


def test_every_file_is_audited_or_refused_in_one_line_and_none_hangs(tmp_path, capsys):
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda p: _audit(p, tmp_path), FILES))
    hung = [name for name, code, _ in outcomes if code is None]
    crashed = [name for name, _, err in outcomes if "Traceback" in err]
    audited = sorted(name for name, code, _ in outcomes if code == 0)
    refused = {name: err for name, code, err in outcomes if code == 2}
    other = [(name, code) for name, code, _ in outcomes if code not in (0, 2, None)]
    with capsys.disabled():
        print(
            f"\ncorpus: {len(audited)} of {len(outcomes)} files audited ({len(audited) / len(outcomes):.0%}), "
            f"{len(refused)} refused in one line, {len(hung)} hung, {len(crashed)} tracebacks"
        )
    assert hung == [] and crashed == [] and other == []
    assert set(refused) == UNREADABLE, sorted(refused)
    assert all(len(err.strip().splitlines()) == 1 for err in refused.values())
    assert len(audited) == len(outcomes) - len(UNREADABLE)
    assert DATA.exists()
