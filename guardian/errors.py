"""The errors guardian turns into one clear line and an exit code.

Everything a user can cause (a bad file, an unknown option value) raises an
`InputError`; everything the network or a provider causes raises a
`ProviderError`. The CLI has a single handler for both, so no command needs
its own try/except and no traceback reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_PROVIDER = 3


class GuardianError(Exception):
    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(GuardianError):
    """Bad input: a file, a config key, an option value. Exit 2."""

    exit_code = EXIT_INPUT


class ProviderError(GuardianError):
    """A calendar provider or the network failed after retries. Exit 3.

    `status` is the provider's HTTP status (None when no answer came: a
    network failure) and `reason` its short error code (Google's
    `errors[].reason`, Graph's `error.code`), so callers can tell a 404 from
    a 403 without reading the message.
    """

    exit_code = EXIT_PROVIDER

    def __init__(self, message: str, *, hint: str = "", status: int | None = None, reason: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class AuthError(ProviderError):
    """Credentials are expired, revoked or refused; the hint says what to run."""


class SignInRequired(InputError):
    """Nobody signed in yet (no saved token, no sign-in): a set-up step, exit 2; the hint names it."""


def located(path: object, line: int | None, key: str | None, message: str) -> str:
    """Format 'file:line: key: message', leaving out what is unknown."""
    where = str(path)
    if line:
        where += f":{line}"
    if key:
        return f"{where}: {key}: {message}"
    return f"{where}: {message}"


def close_matches(word: str, choices: Iterable[str], limit: int = 2) -> list[str]:
    """The choices a mistyped `word` most likely meant, best first (case-insensitive)."""
    import difflib

    options = [str(c) for c in choices]
    by_fold = {c.casefold(): c for c in options}
    found = difflib.get_close_matches(word.casefold(), list(by_fold), n=limit, cutoff=0.6)
    return [by_fold[f] for f in found]


def did_you_mean(word: str, choices: Iterable[str], *, fmt: str = "{}") -> str:
    """'did you mean X?' (or 'X or Y?') for a usage error's hint; '' when nothing is close.

    `fmt` dresses each suggestion (e.g. "`{}`" or "{}:"), so the hint reads as
    the thing to type.
    """
    found = close_matches(word, choices)
    if not found:
        return ""
    return "did you mean " + " or ".join(fmt.format(f) for f in found) + "?"


def join_hints(*hints: str) -> str:
    """Several hints as one, skipping empty ones."""
    return "; ".join(h for h in hints if h)
