"""Sending pre-read requests by SMTP to a real loopback server (aiosmtpd).

The server is an auth-less collector for the plain runs, and a STARTTLS +
AUTH server with a throwaway trustme certificate for the TLS runs. Every
message is parsed back: envelope, headers, and the text/calendar REPLY.
"""

from __future__ import annotations

import email
import socket
import ssl
from email import policy

import icalendar
import pytest

from guardian.adapters.mail import build_message, itip_reply, send_smtp
from guardian.adapters.settings import SmtpSettings
from guardian.adapters.state import State
from guardian.adapters.templates import reply_template
from guardian.core.model import Finding, Severity
from guardian.domain.replies import compose
from guardian.errors import InputError, ProviderError
from tests.test_outbox import CLOCK, ME, ORG, ZONE, event
from tests.test_replies import args, example_copy

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

PASSWORD = "s3cret-Pa55word!"
PW_ENV = "GUARDIAN_TEST_SMTP_PASSWORD"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "data": envelope.original_content or envelope.content,
                "tls": session.ssl is not None,
                "auth": session.authenticated,
            }
        )
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def tls_server():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"alex"
            and auth_data.password == PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 235 or 535

    handler = Collector()
    controller = aiosmtpd_controller.Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        yield controller, handler, client_ctx
    finally:
        controller.stop()


def message(title="Platform daily standup", org_name="Sam Rivera"):
    ev = event(title=title, org_name=org_name, recurring=True)
    finding = Finding("D001", "missing-pre-read", Severity.WARNING, "no doc", "request-pre-read", ev)
    reply = compose([finding], now=CLOCK, tz=ZONE, me=ME, template=reply_template()).replies[0]
    ics = itip_reply(reply.event, me=ME, my_name="Me", status=reply.response, comment=reply.body, now=CLOCK)
    return reply, build_message(reply, ics, sender=ME, sender_name="Me", now=CLOCK)


def parse(raw: bytes):
    msg = email.message_from_bytes(raw, policy=policy.default)
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    cal = icalendar.Calendar.from_ical(part.get_content())
    (vevent,) = list(cal.walk("VEVENT"))
    return msg, part, cal, vevent


def test_plain_loopback_delivery(smtp_server):
    controller, handler = smtp_server
    reply, msg = message()
    send_smtp(msg, SmtpSettings(host="127.0.0.1", port=controller.port, starttls=False, timeout=10))
    (got,) = handler.messages
    assert got["mail_from"] == ME
    assert got["rcpt_tos"] == [ORG]
    parsed, part, cal, vevent = parse(got["data"])
    assert [a.addr_spec for a in parsed["To"].addresses] == [ORG]
    assert parsed["Subject"] == reply.subject and "Platform daily standup" in parsed["Subject"]
    assert part.get_param("method") == "REPLY"
    assert str(cal["METHOD"]) == "REPLY"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    assert str(vevent["ATTENDEE"]) == f"mailto:{ME}"
    assert str(vevent["COMMENT"]) == reply.body
    assert vevent.get("RECURRENCE-ID") is None  # the request speaks for the series: so does the answer


@pytest.mark.parametrize(
    ("title", "org_name"),
    [
        ("Sync\r\nBcc: evil@x.example", "Sam"),
        ("Sync", 'Sam"\r\nBcc: evil@x.example\r\nTo: evil@x.example'),
        ("Sync\nCc: evil@x.example\n\nfake body", "Sam <evil@x.example>"),
    ],
)
def test_hostile_titles_and_names_reach_only_the_organizer(smtp_server, title, org_name):
    controller, handler = smtp_server
    reply, msg = message(title=title, org_name=org_name)
    send_smtp(msg, SmtpSettings(host="127.0.0.1", port=controller.port, starttls=False, timeout=10))
    (got,) = handler.messages
    assert got["rcpt_tos"] == [ORG]
    parsed, _, _, vevent = parse(got["data"])
    for header in ("Bcc", "Cc"):
        assert parsed.get_all(header) is None
    assert [a.addr_spec for a in parsed["To"].addresses] == [ORG]
    assert "\n" not in parsed["Subject"]
    head = got["data"].split(b"\r\n\r\n", 1)[0].decode()
    names = [line.split(":", 1)[0].lower() for line in head.split("\r\n") if not line.startswith((" ", "\t"))]
    assert set(names) <= {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "auto-submitted",
        "x-guardian",
        "mime-version",
        "content-type",
        "x-peer",
        "x-mailfrom",
        "x-rcptto",
    }
    assert "evil@x.example" not in parsed["To"] and "evil@x.example" not in parsed["From"]
    assert [str(vevent["ATTENDEE"])] == [f"mailto:{ME}"]


def test_starttls_and_login(tls_server, monkeypatch):
    controller, handler, client_ctx = tls_server
    _, msg = message()
    settings = SmtpSettings(
        host="127.0.0.1",
        port=controller.port,
        starttls=True,
        username="alex",
        password_env=PW_ENV,
        timeout=10,
    )
    send_smtp(msg, settings, env={PW_ENV: PASSWORD}, context=client_ctx)
    (got,) = handler.messages
    assert got["tls"] and got["auth"]
    assert got["rcpt_tos"] == [ORG]


def test_a_refused_login_never_shows_the_password(tls_server):
    controller, handler, client_ctx = tls_server
    _, msg = message()
    wrong = "not-the-" + PASSWORD
    settings = SmtpSettings(
        host="127.0.0.1", port=controller.port, username="alex", password_env=PW_ENV, timeout=10
    )
    with pytest.raises(ProviderError) as info:
        send_smtp(msg, settings, env={PW_ENV: wrong}, context=client_ctx)
    text = str(info.value) + repr(info.value) + repr(settings)
    assert "refused the login" in text and PW_ENV in text
    assert wrong not in text and PASSWORD not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert handler.messages == []


def test_an_untrusted_certificate_fails_cleanly(tls_server):
    controller, handler, _ = tls_server
    _, msg = message()
    with pytest.raises(ProviderError, match="SSL|certificate"):
        send_smtp(msg, SmtpSettings(host="127.0.0.1", port=controller.port, timeout=10), env={})
    assert handler.messages == []


def test_password_env_must_be_set_and_tls_required():
    _, msg = message()
    with pytest.raises(InputError, match=PW_ENV) as info:
        send_smtp(msg, SmtpSettings(host="127.0.0.1", port=1, username="alex", password_env=PW_ENV), env={})
    assert "export" in str(info.value)
    with pytest.raises(InputError, match="password_env"):
        send_smtp(msg, SmtpSettings(host="127.0.0.1", port=1, username="alex"), env={})
    plain = SmtpSettings(
        host="smtp.example.invalid", port=25, starttls=False, username="alex", password_env=PW_ENV
    )
    with pytest.raises(InputError, match="without TLS"):
        send_smtp(msg, plain, env={PW_ENV: PASSWORD})


def test_connection_refused_is_a_provider_error():
    _, msg = message()
    with pytest.raises(ProviderError, match="SMTP 127.0.0.1"):
        send_smtp(msg, SmtpSettings(host="127.0.0.1", port=free_port(), starttls=False, timeout=5), env={})


# --- through `guardian replies send` ----------------------------------------------------


def smtp_config(tmp_path, port: int, extra: str = ""):
    return example_copy(
        tmp_path,
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nfrom = "alex@acme.example"\ntimeout = 10\n'
        + extra,
    )


def test_replies_send_mails_each_request_once(cli, tmp_path, smtp_server):
    controller, handler = smtp_server
    config = smtp_config(tmp_path, controller.port)
    res = cli(*args(["replies", "send"], config))
    assert res.code == 0, res.err
    assert sum(line.startswith("sent smtp:") for line in res.out.splitlines()) == 5
    assert len(handler.messages) == 5
    by_to = {m["rcpt_tos"][0]: m for m in handler.messages}
    assert set(by_to) == {
        "sam@acme.example",
        "jonas@acme.example",
        "tom@acme.example",
        "morgan@acme.example",
        "dana@acme.example",
    }
    parsed, _, cal, vevent = parse(by_to["sam@acme.example"]["data"])
    assert parsed["From"].addresses[0].addr_spec == "alex@acme.example"
    assert "Platform daily standup" in parsed["Subject"]
    assert str(vevent["UID"]) == "standup-platform@acme.example"
    assert vevent.get("RECURRENCE-ID") is None  # one answer for the series
    assert str(vevent["ATTENDEE"]) == "mailto:alex@acme.example"
    assert str(vevent["ATTENDEE"].params["CN"]) == "Alex Kim"
    assert "Hi Sam," in str(vevent["COMMENT"])
    state = State(tmp_path / "state.sqlite3")
    assert {r["channel"] for r in state.requests()} == {"smtp"}
    state.close()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5  # a copy of each

    handler.messages.clear()
    cli(*args(["replies", "send"], config))  # sends the two over the cap
    cli(*args(["replies", "send"], config))  # and then nothing
    assert sorted(m["rcpt_tos"][0] for m in handler.messages) == [
        "jordan@observa.example",
        "priya@acme.example",
    ]


def test_replies_send_when_the_server_is_down_records_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(PW_ENV, PASSWORD)
    config = smtp_config(tmp_path, free_port(), f'username = "alex"\npassword_env = "{PW_ENV}"\n')
    text = config.read_text().replace("starttls = false", "starttls = true")
    config.write_text(text)
    res = cli(*args(["replies", "send"], config))
    assert res.code == 3
    assert res.out.count("FAILED smtp:") == 5
    assert "5 of 5 requests could not be sent" in res.err
    assert PASSWORD not in res.out + res.err
    assert "Traceback" not in res.out + res.err
    state = State(tmp_path / "state.sqlite3")
    assert state.requests() == []
    state.close()


@pytest.mark.parametrize(
    ("port", "extra", "key"),
    [
        (70000, "", "port"),
        (0, "", "port"),
        (2525, "timeout = 0\n", "timeout"),
        (2525, "timeout = -1\n", "timeout"),
    ],
)
def test_impossible_smtp_settings_are_bad_input(cli, tmp_path, port, extra, key):
    config = smtp_config(tmp_path, port)
    config.write_text(config.read_text().replace("timeout = 10\n", extra))
    res = cli(*args(["replies", "send"], config))
    assert res.code == 2, res.err
    assert f"smtp.{key}:" in res.err and "Traceback" not in res.err
    state = State(tmp_path / "state.sqlite3")
    assert state.requests() == []
    state.close()


class RudeQuit(Collector):
    """Accepts every message, then answers QUIT with something other than 221."""

    async def handle_QUIT(self, server, session, envelope):
        return "421 closing anyway"


def test_a_delivered_message_counts_even_when_quit_is_answered_oddly(cli, tmp_path):
    handler = RudeQuit()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = smtp_config(tmp_path, controller.port)
        first = cli(*args(["replies", "send"], config))
        assert first.code == 0, first.err
        assert len(handler.messages) == 5
        state = State(tmp_path / "state.sqlite3")
        assert len(state.requests()) == 5  # delivered, so recorded
        state.close()
        cli(*args(["replies", "send"], config))  # the two over the cap
        cli(*args(["replies", "send"], config))  # and nothing more
        assert len(handler.messages) == 7  # nobody was mailed twice
    finally:
        controller.stop()
