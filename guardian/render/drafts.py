"""`guardian convert` output: what was drafted, and the hours it could give back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from guardian.core.text import one_line
from guardian.domain.drafts import KIND_LABEL, Draft


def hours_per_week(drafts: Sequence[Draft]) -> float:
    return round(sum(d.savings.hours_per_week for d in drafts), 2)


def drafts_json(drafts: Sequence[Draft], written: Sequence[Path | None]) -> str:
    return json.dumps(
        {
            "drafts": [
                {
                    "event": {"uid": d.event.uid, "start": d.event.start.isoformat(), "title": d.event.title},
                    "kind": d.kind,
                    "path": str(p) if p else None,
                    "feedback_by": d.feedback_by.isoformat(),
                    "hours_per_week": d.savings.hours_per_week,
                    "hours_math": d.savings.math(),
                }
                for d, p in zip(drafts, written, strict=True)
            ],
            "hours_per_week": hours_per_week(drafts),
        },
        indent=2,
        ensure_ascii=False,
    )


def draft_lines(drafts: Sequence[Draft], written: Sequence[Path | None]) -> list[str]:
    if not drafts:
        return ["no status, brainstorm or proposal meetings in the window (pick one with --event UID)"]
    lines = []
    for d, p in zip(drafts, written, strict=True):
        where = f"wrote {p}" if p else "drafted"
        lines.append(f'{where}: {KIND_LABEL[d.kind]} for "{one_line(d.event.title)}": {d.savings.describe()}')
    lines.append(
        f"together: about {hours_per_week(drafts):g} person-hours of meetings given back in a week "
        "(one-off meetings counted once)"
    )
    return lines
