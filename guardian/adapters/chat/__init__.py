"""Do not disturb during a focus block, in the chat tools people use.

A *chat* (`DoNotDisturb`) is one place to be quiet in while a block runs:
Slack (a user token, through slack_sdk: `slack.py`) or Microsoft Teams (the
Outlook sign-in, through the source's presence: `teams.py`). `start` is told
the block's end and sets everything to expire by itself then; `stop` is
called once the block is over (or gone early) and undoes what is still
guardian's. Both return one short line for the run log, never a token.

`open_chats` builds the chats the config turns on: none at all when nothing
is configured, so `guardian tick` then does nothing and fails at nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.sources.base import Source

log = logging.getLogger("guardian")


class DoNotDisturb(Protocol):
    name: str  # "slack", "teams": the channel's name in the state store and in messages

    def start(self, end: datetime, now: datetime) -> str: ...

    def stop(self, end: datetime, now: datetime) -> str: ...


def open_chats(settings: Settings, sources: list[Source]) -> list[DoNotDisturb]:
    """The chats `[chat]` turns on, ready to use (their secrets read, nothing sent yet)."""
    chats: list[DoNotDisturb] = []
    chat = settings.chat
    if chat.slack:
        from guardian.adapters.chat.slack import SlackChat

        chats.append(SlackChat.from_settings(chat))
    if chat.teams:
        from guardian.adapters.chat.teams import TeamsChat

        presences = [s for s in sources if s.capabilities.presence]
        if presences:
            chats.append(TeamsChat(presences[0].presence()))
        else:
            log.warning("[chat] teams: none of the calendars is an outlook: calendar, so Teams is left alone")
    return chats
