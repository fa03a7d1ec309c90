"""The loopback HTTP server every fake answers on: 127.0.0.1, a free port, its own thread.

One place for what each fake needs from its server (threads per request, a
short poll so that stopping is quick, TLS where the real service only speaks
https), so that a fake is only its provider's behaviour.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(
    handler: type[BaseHTTPRequestHandler],
    *,
    tls: ssl.SSLContext | None = None,
    handshake_on_connect: bool = True,
    queue_size: int | None = None,
) -> ThreadingHTTPServer:
    """A server for `handler` on 127.0.0.1 (a free port), answering from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if queue_size is not None:
        server.request_queue_size = queue_size
    if tls is not None:
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=handshake_on_connect
        )
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


def shut(server: ThreadingHTTPServer | None) -> None:
    """The server goes away (waiting for its loop to end): its port refuses connections."""
    if server is not None:
        server.shutdown()
        server.server_close()


def port(server: ThreadingHTTPServer | None) -> int:
    assert server is not None, "server not started"
    return int(server.server_address[1])
