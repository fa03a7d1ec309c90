"""Show a focus plan: a per-day picture of busy, free and focus time, or JSON.

Each block says whether it is defended (busy: it keeps meetings off) or held
(free: others may still book over it), and why (`[focus] defend`).
"""

from __future__ import annotations

from datetime import timedelta

from rich.markup import escape

from guardian.core.model import BlockOp, OpKind
from guardian.domain.focus import FocusPlan
from guardian.render import json_text

CELL = timedelta(minutes=15)
GLYPHS = {
    "busy": ("#", "red"),
    "focus": ("F", "green"),
    "held": ("H", "yellow"),
    "kept": ("f", "cyan"),
    "free": (".", "dim"),
    "off": (" ", ""),
}


def _cell_kind(start, end, day_plan) -> str:
    def covers(spans) -> bool:
        return any(s < end and e > start for s, e in spans)

    if covers([(b.start, b.end) for b in day_plan.blocks if b.defended]):
        return "focus"
    if covers([(b.start, b.end) for b in day_plan.blocks]):
        return "held"
    if covers(day_plan.existing_focus):
        return "kept"
    if covers(day_plan.busy):
        return "busy"
    return "free"


def focus_table(focus_plan: FocusPlan, ops: list[BlockOp], console, tz, title: str) -> None:
    console.print(
        f"[bold]{escape(title)}[/]  ([red]#[/] busy  [green]F[/] focus block, defended (busy)  "
        "[yellow]H[/] focus block, held (free)  [cyan]f[/] focus already booked  . free)"
    )
    for day_plan in focus_plan.days:
        label = f"{day_plan.day:%a %d %b}"
        if day_plan.off:
            console.print(f"  {label}  [dim]day off[/]")
            continue
        if not day_plan.work:
            console.print(f"  {label}  [dim]not a working day[/]")
            continue
        bar = []
        for work_start, work_end in day_plan.work:
            cursor = work_start
            while cursor < work_end:
                nxt = min(cursor + CELL, work_end)
                glyph, style = GLYPHS[_cell_kind(cursor, nxt, day_plan)]
                bar.append(f"[{style}]{glyph}[/]" if style else glyph)
                cursor = nxt
            bar.append(" ")
        span = f"{day_plan.work[0][0].astimezone(tz):%H:%M}-{day_plan.work[-1][1].astimezone(tz):%H:%M}"
        blocks = ", ".join(
            f"{b.start.astimezone(tz):%H:%M}-{b.end.astimezone(tz):%H:%M}" + ("" if b.defended else " held")
            for b in day_plan.blocks
        )
        console.print(f"  {label}  {span} {''.join(bar)} {blocks or '[dim]no block[/]'}", soft_wrap=True)
    if focus_plan.blocks:
        console.print("\nDefended or held, and why:")
        for b in focus_plan.blocks:
            when = f"{b.start.astimezone(tz):%a %d %b %H:%M}-{b.end.astimezone(tz):%H:%M}"
            why = b.why or ("defended" if b.defended else "held")
            console.print(f"  {when}  {escape(why)}", soft_wrap=True)
    for week in focus_plan.weeks:
        console.print(
            f"  week of {week.monday:%a %d %b}: {week.reachable_hours:g} h of focus reachable "
            f"(booked so far plus free 2h+ time ahead) against a {week.target_hours:g} h target; "
            f"{week.held} held, {week.defended} defended",
            soft_wrap=True,
        )
    hours = focus_plan.hours
    counts = {kind: sum(1 for op in ops if op.kind is kind) for kind in OpKind}
    switched = counts[OpKind.DEFEND] + counts[OpKind.HOLD]
    console.print(
        f"\n{len(focus_plan.blocks)} blocks, {hours:g} h of focus time. "
        f"Changes: {counts[OpKind.CREATE]} to create, {counts[OpKind.MOVE]} to move, "
        f"{counts[OpKind.DELETE]} to delete"
        + (f", {switched} to switch between held and defended" if switched else "")
        + f", {counts[OpKind.KEEP]} unchanged."
    )


def block_json(block) -> dict:
    return {
        "start": block.start.isoformat(),
        "end": block.end.isoformat(),
        "defended": block.defended,
        "why": block.why,
    }


def focus_json(focus_plan: FocusPlan, ops: list[BlockOp], window, applied=None, target: str = "") -> str:
    def op_json(op: BlockOp) -> dict:
        return {
            "op": str(op.kind),
            "block": block_json(op.block) if op.block else None,
            "existing": (
                {
                    "uid": op.existing.uid,
                    "start": op.existing.start.isoformat(),
                    "end": op.existing.end.isoformat(),
                }
                if op.existing
                else None
            ),
        }

    doc = {
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "target": target,
        "blocks": [block_json(b) for b in focus_plan.blocks],
        "hours": round(focus_plan.hours, 2),
        "weeks": [
            {
                "monday": w.monday.isoformat(),
                "target_hours": w.target_hours,
                "reachable_hours": w.reachable_hours,
                "held": w.held,
                "defended": w.defended,
            }
            for w in focus_plan.weeks
        ],
        "days": [
            {
                "day": d.day.isoformat(),
                "off": d.off,
                "blocks": [block_json(b) for b in d.blocks],
                "busy_hours": round(sum((e - s).total_seconds() for s, e in d.busy) / 3600, 2),
            }
            for d in focus_plan.days
        ],
        "ops": [op_json(op) for op in ops],
    }
    if applied is not None:
        doc["applied"] = {
            "created": applied.created,
            "moved": applied.moved,
            "deleted": applied.deleted,
            "kept": applied.kept,
            "switched": applied.switched,
        }
    return json_text.dumps(doc, ensure_ascii=True)
