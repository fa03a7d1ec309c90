"""Microsoft Teams: do not disturb while a focus block runs, through the Outlook source's presence.

At the block's start the preferred presence is DoNotDisturb with an
expiration at the block's end (`Source.presence`: Graph
`setUserPreferredPresence`), so it ends by itself on time. When the block
ends early (deleted or moved away while it ran) the preferred presence is
cleared (`clearUserPreferredPresence`); at its natural end there is nothing
left to clear, and nothing is sent, so a status the person set themselves
since is left alone.
"""

from __future__ import annotations

import math
from datetime import datetime

from guardian.adapters.sources.base import Presence


class TeamsChat:
    name = "teams"

    def __init__(self, presence: Presence) -> None:
        self.presence = presence

    def start(self, end: datetime, now: datetime) -> str:
        minutes = max(5, math.ceil((end - now).total_seconds() / 60))
        self.presence.do_not_disturb(minutes)
        return f"teams: do not disturb for {minutes} min"

    def stop(self, end: datetime, now: datetime) -> str:
        if now < end:
            self.presence.clear()
            return "teams: presence handed back (the block ended early)"
        return "teams: do not disturb expired with the block"
