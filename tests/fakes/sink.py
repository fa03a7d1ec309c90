"""A loopback web server that only records who called it and with which credentials.

It stands for a host a hostile or broken provider answer points at (a
nextLink to elsewhere, an endpoint on plain http): a test asserts that no
request, and above all no bearer token, ever reached it.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import loopback


@dataclass(frozen=True)
class Visit:
    method: str
    path: str
    authorization: str  # the Authorization header as received ("" when none)


class Sink:
    """`with Sink() as sink: ... sink.url ... assert sink.visits == []`."""

    def __init__(self) -> None:
        self.visits: list[Visit] = []
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Sink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _record(self) -> None:
                sink.visits.append(Visit(self.command, self.path, self.headers.get("Authorization") or ""))
                body = b'{"value": []}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _record

        self._server = loopback.serve(Handler)
        return self

    def __exit__(self, *exc: object) -> None:
        loopback.shut(self._server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{loopback.port(self._server)}"
