"""`-c https://...` / `-c webcal://...`: a published calendar, read like an .ics file.

The body is parsed and mapped by the .ics source (the same tolerant parsing,
the same Event mapping); this module only fetches it and names it. The spec
and label of the source, and so `Event.source` and every message, carry the
redacted address. Published calendars are read-only: guardian cannot put
focus blocks there, and answers to invitations go out as iTIP mail.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from guardian.adapters.redact import redact
from guardian.adapters.sources.base import BlockHome, Capabilities, Identity, Source
from guardian.adapters.sources.url.cache import CalendarCache
from guardian.adapters.sources.url.fetch import Fetched, Limits, fetch, http_url
from guardian.core.model import Event, Window

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.sources.ics.cache import ParseCache
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.adapters.state import State


class UrlSource(Source):
    """A calendar at an http(s) or webcal address."""

    capabilities = Capabilities(blocks=BlockHome.NONE, rsvp="", needs_state=False)
    whole_spec = True  # `open` gets the URL with its scheme

    @classmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> UrlSource:
        from guardian.adapters.sources.ics.cache import ParseCache

        return cls(target, identity, parse_cache=ParseCache())

    def __init__(
        self,
        url: str,
        identity: Identity,
        *,
        cache: CalendarCache | None = None,
        limits: Limits = Limits(),
        session=None,
        attempts: int = 2,
        parse_cache: ParseCache | None = None,
    ) -> None:
        """`cache` keeps the last good copy of the body (the HTTP side); `parse_cache`
        what reading it found (the .ics side, see ics/cache.py)."""
        http_url(url)  # a plain-http or malformed address fails here, before any request
        self._url = url  # the secret address: never printed
        self.spec = redact(url)
        host = url.split("://", 1)[-1].rsplit("@", 1)[-1].split("/", 1)[0]
        self.label = host
        self.identity = identity
        self.cache = cache or CalendarCache()
        self.limits = limits
        self._session = session
        self._attempts = attempts
        self.parse_cache = parse_cache
        self._ics: IcsSource | None = None
        self.fetched: Fetched | None = None  # what the last fetch did (for tests and the run log)

    def __repr__(self) -> str:
        return f"UrlSource({self.spec!r})"

    def _calendar(self) -> IcsSource:
        """Fetch once per run; store the body only once it was read as a calendar."""
        if self._ics is None:
            from guardian.adapters.sources.ics.source import IcsSource

            fetched = fetch(
                self._url, self.cache, self.limits, session=self._session, attempts=self._attempts
            )
            ics = IcsSource(
                Path(self.label),
                self.identity,
                data=fetched.body,
                spec=self.spec,
                label=self.label,
                where=self.spec,
                cache=self.parse_cache,
            )
            ics.parse()  # junk (a sign-in page) raises here, and the good copy stays
            if fetched.fresh:
                self.cache.store(self._url, fetched.body, fetched.etag, fetched.last_modified)
            self.fetched = fetched
            self._ics = ics
        return self._ics

    def read(self, window: Window) -> list[Event]:
        return self._calendar().read(window)

    def use_cache(self, enabled: bool) -> None:
        """`--no-cache` turns off the parse cache only: the last good copy still serves offline runs."""
        if not enabled:
            self.parse_cache = None
            if self._ics is not None:
                self._ics.cache = None
