"""The focus price of meetings, for the replies that quote it and the views that show it.

My price comes from my own calendar (the audit's availability: the same rule
as F003). The team's comes from the attendees' free/busy, and only when
`[focus] team_price = true` asks for it, since it asks the provider about
other people: each calendar whose source can tell free/busy
(`capabilities.free_busy`) is asked once for the window about every person
invited to its meetings (rooms and I excluded), in as few requests as the
provider allows. Only busy times come back, never titles. A person the
provider does not know about is left out of the team's price (and so out of
its head count), never counted as free; a source that cannot answer at all
is one warning, and the audit goes on without the team's price.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from guardian.core.availability import price_from_busy
from guardian.core.model import Event
from guardian.domain.findings import TeamPrices
from guardian.domain.replies import PriceNote
from guardian.errors import GuardianError

log = logging.getLogger("guardian")


def team_prices(session: Any, ctx: Any) -> TeamPrices:
    """series UID -> (focus hours its occurrences cost everyone known, how many people), or {}.

    Memoised on the session per window, so the audit, its replies and the
    report's ranking ask the provider once.
    """
    if not session.config.focus.team_price:
        return {}
    memo: dict = session.__dict__.setdefault("_team_prices", {})
    key = (ctx.window.start, ctx.window.end)
    if key not in memo:
        memo[key] = _team_prices(session, ctx)
    return memo[key]


def _team_prices(session: Any, ctx: Any) -> TeamPrices:
    me = (session.identity.me or "").lower()
    askable = {s.label: s for s in session.sources if s.capabilities.free_busy}
    if not askable:
        log.warning("team focus price: none of the calendars can tell other people's free/busy")
        return {}
    people: dict[str, set[str]] = {}
    for event in ctx.meetings:
        if event.source in askable:
            people.setdefault(event.source, set()).update(_others(event, me))
    busy: dict[str, list] = {}
    for label, wanted in people.items():
        try:
            answer = askable[label].free_busy().busy(sorted(wanted), ctx.window)
        except GuardianError as exc:
            log.warning("team focus price: %s", exc)
            continue
        busy.update(answer.busy)
        log.debug(
            "free/busy of %s: %d people known, %d unknown, %d request(s)",
            label,
            len(answer.busy),
            len(answer.unknown),
            answer.requests,
        )
    least = ctx.focus.min_length
    hours: dict[str, float] = {}
    counted: dict[str, set[str]] = {}
    for event in ctx.meetings:
        if event.source not in askable:
            continue
        total = ctx.availability.price(event, ctx.focus.min_minutes).hours
        known = {me or "me"}
        for person in _others(event, me):
            spans = busy.get(person)
            if spans is None:
                continue
            total += price_from_busy(spans, ctx.hours, event.start, event.end, least).hours
            known.add(person)
        hours[event.uid] = hours.get(event.uid, 0.0) + total
        counted.setdefault(event.uid, set()).update(known)
    return {uid: (round(value, 2), len(counted[uid])) for uid, value in hours.items()}


def _others(event: Event, me: str) -> set[str]:
    return {a.email.strip().lower() for a in event.people if a.email and a.email.strip().lower() != me}


def price_lookup(session: Any, result: Any, team: TeamPrices | None = None) -> Callable[[Event], PriceNote]:
    """event -> what a reply about it quotes: my price of that occurrence, and the series' team price."""
    ctx = result.ctx
    least = ctx.focus.min_minutes
    days = len(ctx.window.days())
    span = "this week" if days == 7 else f"in these {days} days"
    team = team if team is not None else team_prices(session, ctx)

    def lookup(event: Event) -> PriceNote:
        hours, people = team.get(event.uid, (0.0, 0))
        return PriceNote(
            ctx.availability.price(event, least),
            hours or None,
            people,
            span,
            min_hours=least / 60,
        )

    return lookup
