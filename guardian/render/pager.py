"""Show terminal lines, through a pager when they would not fit on the screen.

As git does: only when stdout is a terminal and the output is taller than
it; `PAGER` names the pager (default `less`, with `LESS=FRX` unless LESS is
set, so colours pass, a short page exits by itself and the screen is not
cleared); `PAGER=cat` or an empty PAGER, `--no-pager`, or a pipe print
directly. A pager that cannot start falls back to printing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from rich.text import Text

from guardian.core.safe_text import strip_terminal_output

DEFAULT_PAGER = "less"


def pager_command(env: dict[str, str] | os._Environ[str] | None = None) -> str | None:
    """The pager to run, or None for none (PAGER empty or `cat`)."""
    env = os.environ if env is None else env
    command = env.get("PAGER", DEFAULT_PAGER).strip()
    if not command or command == "cat":
        return None
    return command


def show(lines: Sequence[Text], console, *, page: bool = True) -> None:
    """Print `lines` to `console`; through the pager when asked and they overflow the screen."""
    command = pager_command() if page else None
    if command is None or not console.is_terminal or len(lines) <= console.height - 1:
        _print(lines, console)
        return
    with console.capture() as captured:
        _print(lines, console)
    text = strip_terminal_output(captured.get())  # the pager is a terminal too
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)  # noqa: S602 (the user's own PAGER, as git runs it)
    except OSError:
        console.file.write(text)
        return
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode(console.encoding or "utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:  # the person quit the pager early
        pass
    if process.wait() == 127:  # the shell could not find the pager: print instead
        console.file.write(text)


def _print(lines: Sequence[Text], console) -> None:
    """The lines, one under the other, in one print (a print per line cost a year's audit a second)."""
    if lines:
        console.print(Text("\n").join(lines), soft_wrap=True)
