"""On a real terminal: the pager when the output is taller than the screen, never in a pipe,
`--no-pager` and PAGER honoured; colour only on a terminal; the progress line.

The terminal is a pseudo-terminal (pty) with a set size; guardian runs as a process, as a
person starts it. The pager is the shell command in PAGER (here: one that saves what it got).
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time

import pytest

from guardian.cli.progress import Progress
from tests.conftest import DATA, NOW, REPO

WEEK = DATA / "findings-week.ics"
AUDIT = [
    "audit",
    "-c",
    str(WEEK),
    "--me",
    "me@acme.example",
    "--from",
    "2026-11-30",
    "--tz",
    "Europe/Berlin",
    "--now",
    NOW,
]


def on_a_terminal(
    args, *, rows: int, cols: int = 100, env: dict | None = None, timeout: float = 60
) -> tuple[int, str]:
    """Run `guardian ARGS` with stdout and stderr on a pty of `rows` x `cols`; (exit code, what it showed)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "PAGER")}
    full_env.update({"TERM": "xterm-256color", "HOME": os.environ.get("HOME", "/tmp"), **(env or {})})
    process = subprocess.Popen(
        [sys.executable, "-m", "guardian", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=REPO,
        env=full_env,
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other side closed
            break
        if not data:
            break
        chunks.append(data)
    code = process.wait(timeout=timeout)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def paged(tmp_path):
    target = tmp_path / "paged.txt"
    return target, {
        "PAGER": f"cat > {target}",
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }


def test_long_output_on_a_short_terminal_goes_to_the_pager(paged):
    target, env = paged
    code, shown = on_a_terminal(AUDIT, rows=20, env=env)
    assert code == 0, shown
    text = target.read_text(encoding="utf-8")
    assert "Team daily standup" in text and "Summary" in text
    assert "\x1b[" in text  # colours reach the pager (less -R)
    assert "Team daily standup" not in shown


def test_no_pager_and_a_tall_screen_print_directly(paged):
    target, env = paged
    code, shown = on_a_terminal([*AUDIT, "--no-pager"], rows=20, env=env)
    assert code == 0 and "Team daily standup" in shown and not target.exists()
    code, shown = on_a_terminal(AUDIT, rows=300, env=env)
    assert code == 0 and "Team daily standup" in shown and not target.exists()


def test_pager_cat_means_no_pager(paged):
    _, env = paged
    code, shown = on_a_terminal(AUDIT, rows=20, env={**env, "PAGER": "cat"})
    assert code == 0 and "Summary" in shown


def test_a_pipe_never_pages_and_has_no_colour(paged, tmp_path):
    target, env = paged
    result = subprocess.run(
        [sys.executable, "-m", "guardian", *AUDIT],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **env, "LINES": "10"},
        timeout=60,
    )
    assert result.returncode == 0 and "Team daily standup" in result.stdout
    assert "\x1b[" not in result.stdout and not target.exists()


def test_no_color_keeps_the_severity_words(paged):
    _, env = paged
    code, shown = on_a_terminal([*AUDIT, "--no-pager"], rows=20, env={**env, "NO_COLOR": "1"})
    assert code == 0
    assert "\x1b[31m" not in shown and "\x1b[33m" not in shown  # no red, no yellow
    assert "warning S001 status-meeting:" in shown.replace("\x1b[1m", "").replace("\x1b[0m", "")


def test_a_quick_run_shows_no_progress_line(paged):
    _, env = paged
    code, shown = on_a_terminal([*AUDIT, "--no-pager"], rows=100, env=env)
    assert code == 0 and "guardian: reading" not in shown


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_appears_after_the_delay_and_is_cleared():
    screen = Tty()
    line = Progress(screen, delay=0.05)
    line("reading work")
    time.sleep(0.4)
    line.close()
    text = screen.getvalue()
    assert "\r\x1b[Kguardian: reading work... 0 s" in text
    assert text.endswith("\r\x1b[K")  # nothing is left on the screen


def test_no_progress_line_when_the_work_is_quick():
    screen = Tty()
    line = Progress(screen, delay=5)
    line("reading work")
    line.close()
    assert screen.getvalue() == ""


def test_what_a_command_reads_reaches_its_progress_line(isolated):
    from guardian.cli import progress
    from guardian.cli.options import make_options
    from guardian.usecases.session import Session

    screen = Tty()
    with progress.running(screen, delay=0.01):
        options = make_options(
            [str(WEEK)], "me@acme.example", "2026-11-30", None, "Europe/Berlin", None, None, NOW
        )
        Session(options).read_events()  # the session says what it reads
        time.sleep(0.3)
    assert re.search(r"guardian: reading .*findings-week\.ics\.\.\. \d s", screen.getvalue())
    assert screen.getvalue().endswith("\r\x1b[K")
