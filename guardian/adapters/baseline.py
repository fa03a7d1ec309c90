"""The baseline file: findings someone decided to live with, so only new ones are shown.

`guardian audit --write-baseline FILE` records the findings of the run;
`guardian audit --baseline FILE` hides the ones it holds. The file is JSON,
sorted, one finding per item, so it diffs well in a repository:

    {
      "guardian_baseline": 1,
      "written": "2026-11-27T17:00:00+01:00",
      "findings": [
        {"fingerprint": "D001|standup-platform@acme.example", "rule": "D001",
         "name": "missing-pre-read", "uid": "standup-platform@acme.example",
         "title": "Platform daily standup", "day": null}
      ]
    }

Only `fingerprint` is read back (`Finding.fingerprint`: the rule and the
series UID for a meeting, the rule and the day for a day-level finding, the
rule alone for the window), so a baselined standup stays quiet on every
later occurrence, while a new meeting, or an old one breaking a new rule,
shows up. The other keys are there for the person reading the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from guardian.adapters.files import write_text_file
from guardian.core.model import Finding
from guardian.errors import InputError

MARKER = "guardian_baseline"
VERSION = 1


def read_baseline(path: Path | str) -> frozenset[str]:
    """The fingerprints a baseline file holds; a file that is not one is an error (exit 2)."""
    path = Path(path).expanduser()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"--baseline: {path}: no such file", hint="write one with `guardian audit --write-baseline FILE`"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"--baseline: {path}: not a guardian baseline ({_why(exc)})") from None
    if not _is_baseline(doc):
        raise InputError(
            f"--baseline: {path}: not a guardian baseline",
            hint="write one with `guardian audit --write-baseline FILE`",
        )
    items = doc.get("findings")
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("fingerprint"), str) for i in items
    ):
        raise InputError(f"--baseline: {path}: findings: must be a list of items with a fingerprint")
    return frozenset(i["fingerprint"] for i in items)


def write_baseline(path: Path | str, findings: Iterable[Finding], now: datetime) -> int:
    """Record `findings`; replace only a file that already is a baseline. Returns how many."""
    path = Path(path).expanduser()
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            existing = None
        if not _is_baseline(existing):
            raise InputError(
                f"--write-baseline: {path} exists and is not a guardian baseline; not overwritten",
                hint="choose another file name",
            )
    items: dict[str, dict[str, object]] = {}
    for f in findings:
        items.setdefault(
            f.fingerprint,
            {
                "fingerprint": f.fingerprint,
                "rule": f.rule,
                "name": f.name,
                "uid": f.event.uid if f.event else None,
                "title": f.event.title if f.event else None,
                "day": f.day.isoformat() if f.day and f.event is None else None,
            },
        )
    doc = {MARKER: VERSION, "written": now.isoformat(), "findings": [items[k] for k in sorted(items)]}
    write_text_file(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n", what="--write-baseline")
    return len(items)


def _is_baseline(doc: object) -> bool:
    return isinstance(doc, dict) and doc.get(MARKER) == VERSION


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return getattr(exc, "strerror", None) or str(exc)
