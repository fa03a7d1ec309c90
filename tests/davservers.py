"""Real CalDAV servers for the tests, started on loopback from their PyPI packages.

- Radicale (the `radicale` package), over plain http on 127.0.0.1 with
  htpasswd (plain) password authentication and owner-only rights.
- Xandikos (the `xandikos` package), a second implementation, over https
  with its `--htpasswd` Basic authentication (which it only allows with
  TLS); the certificate comes from a throwaway trustme CA, placed where
  Xandikos's `--autocert` looks for it, and the clients trust it through
  REQUESTS_CA_BUNDLE.

Each fixture starts a fresh server in a temporary folder, waits until it
answers, and stops it (and only it) afterwards. A server is a `DavServer`
with the calendar-home URL of its one user and the password in an
environment variable, as guardian's config names it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "alex"
PASSWORD = "correct horse battery staple"
PASSWORD_ENV = "GUARDIAN_TEST_CALDAV_PASSWORD"


@dataclass
class DavServer:
    name: str
    base: str  # scheme://host:port
    home: str  # the user's calendar home (a collection URL ending in /)
    process: subprocess.Popen

    log: Path | None = None

    def requests_seen(self) -> list[str]:
        """The requests the server logged ("METHOD path"), for counting what a run cost.

        Radicale logs each request at info level as "<METHOD> request for '<path>' received".
        """
        import re

        assert self.log is not None, "only the Radicale fixture logs its requests"
        found = re.findall(r"\] (\w+) request for '([^']*)'", self.log.read_text())
        return [f"{method} {path}" for method, path in found]

    def calendar_url(self, name: str) -> str:
        return f"{self.home}{name}/"

    def client(self):
        """A caldav client of its own: "another person" editing the same calendars."""
        import caldav

        return caldav.DAVClient(url=self.base + "/", username=USER, password=PASSWORD, auth_type="basic")

    def make_calendar(self, name: str, display: str | None = None) -> str:
        """Create a calendar collection (MKCALENDAR, RFC 4791 5.3.1) and return its URL."""
        client = self.client()
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            f"<D:displayname>{display or name}</D:displayname>"
            "</D:prop></D:set></C:mkcalendar>"
        )
        response = client.request(self.calendar_url(name), "MKCALENDAR", body)
        assert response.status in (201, 200), response.status
        return self.calendar_url(name)

    def put(self, calendar_url: str, name: str, ics: str) -> str:
        """PUT one calendar object (as another client would) and return its etag."""
        client = self.client()
        response = client.put(calendar_url + name, ics, {"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (200, 201, 204), response.status
        return response.headers.get("ETag", "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, log: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture
def radicale(tmp_path, monkeypatch):
    folder = tmp_path / "radicale"
    folder.mkdir()
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = _free_port()
    log = folder / "log.txt"
    args = [
        sys.executable, "-m", "radicale",
        "--server-hosts", f"127.0.0.1:{port}",
        "--storage-filesystem-folder", str(folder / "collections"),
        "--auth-type", "htpasswd",
        "--auth-htpasswd-filename", str(users),
        "--auth-htpasswd-encryption", "plain",
        "--rights-type", "owner_only",
        "--logging-level", "info",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait(port, process, log)
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        _no_proxy(monkeypatch)
        base = f"http://127.0.0.1:{port}"
        yield DavServer("radicale", base, f"{base}/{USER}/", process, log)
    finally:
        _stop(process)


@pytest.fixture
def xandikos(tmp_path, monkeypatch):
    import trustme

    folder = tmp_path / "xandikos"
    state = folder / "state"
    certs = state / "certs"
    certs.mkdir(parents=True)
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    leaf.cert_chain_pems[0].write_to_path(str(certs / "selfsigned.crt"))
    leaf.private_key_pem.write_to_path(str(certs / "selfsigned.key"))
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    users = folder / "htpasswd"
    users.write_text(f"{USER}:{{SHA}}{digest}\n")
    port = _free_port()
    log = folder / "log.txt"
    args = [
        sys.executable, "-m", "xandikos.web",
        "-d", str(folder / "data"),
        "--current-user-principal", f"/{USER}/",
        "--defaults",
        "-l", "127.0.0.1",
        "-p", str(port),
        "--state-dir", str(state),
        "--autocert",
        "--htpasswd", str(users),
        "--no-detect-systemd",
    ]  # fmt: skip
    with log.open("w") as out:
        env = dict(os.environ)
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=env)
    try:
        _wait(port, process, log)
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        _no_proxy(monkeypatch)
        base = f"https://127.0.0.1:{port}"
        yield DavServer("xandikos", base, f"{base}/{USER}/calendars/", process)
    finally:
        _stop(process)


def _no_proxy(monkeypatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(params=["radicale", "xandikos"])
def dav(request):
    """Each test that takes `dav` runs against both servers."""
    return request.getfixturevalue(request.param)
