"""The focus price of meetings, for the replies that quote it and the views that show it.

My price comes from my own calendar (the audit's availability: the same rule
as F003). The team's comes from the attendees' free/busy, and only when
`[focus] team_price` asks for it (see `team_prices`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guardian.core.model import Event
from guardian.domain.replies import PriceNote


def price_lookup(
    session: Any, result: Any, team: dict[str, tuple[float, int]] | None = None
) -> Callable[[Event], PriceNote]:
    """event -> what a reply about it quotes: my price of that occurrence, and the series' team price."""
    ctx = result.ctx
    least = ctx.focus.min_minutes
    days = len(ctx.window.days())
    span = "this week" if days == 7 else f"in these {days} days"

    def lookup(event: Event) -> PriceNote:
        hours, people = (team or {}).get(event.uid, (0.0, 0))
        return PriceNote(
            ctx.availability.price(event, least),
            hours or None,
            people,
            span if hours else "this week",
            min_hours=least / 60,
        )

    return lookup
