"""The .ics reply channel: an iTIP REPLY, written to an outbox and optionally mailed.

For invitations that came from an .ics file there is no provider to answer
through, so guardian writes what a calendar client would send (RFC 5546,
iTIP): a VCALENDAR with METHOD:REPLY holding one VEVENT with the meeting's
UID (the series', for a recurring meeting: guardian asks once per series, so
the answer is for the series), DTSTAMP, the ORGANIZER, only my own ATTENDEE
line with its PARTSTAT, and a COMMENT carrying the request. It goes into the outbox folder twice: as `.ics` and as
a ready-to-send `.eml` (text/plain body plus a `text/calendar; method=REPLY`
part), written with CRLF line ends as RFC 5322 has them. Non-ASCII text goes
quoted-printable, never as raw 8-bit data (a server may not offer 8BITMIME),
and header encoded-words stay within RFC 2047's 75 characters. When
`[smtp] host` is set, the message is also sent with smtplib, over STARTTLS (or implicit TLS on port 465).

The SMTP password is read from the environment variable that
`[smtp] password_env` names, at the moment of sending. It is never logged,
never stored, and never part of an error message.
"""

from __future__ import annotations

import contextlib
import email.policy
import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from guardian.adapters.settings import SmtpSettings
from guardian.core.model import Event, Status
from guardian.core.safe_text import printable
from guardian.core.text import one_line
from guardian.domain.replies import Reply, display_name, valid_address
from guardian.errors import InputError, ProviderError

PRODID = "-//guardian//pre-read request//EN"
PARTSTAT = {
    Status.TENTATIVE: "TENTATIVE",
    Status.ACCEPTED: "ACCEPTED",
    Status.DECLINED: "DECLINED",
    Status.NEEDS_ACTION: "NEEDS-ACTION",
}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}

#: How guardian's mail is written: CRLF line ends (RFC 5322 2.3) and lines of at most
#: 76 characters, so that no folded encoded-word passes RFC 2047's "may not be more than
#: 75 characters long" (with 78, Python's folding makes 77-character words). Bodies are
#: 7-bit clean (see `_cte`), so no server is sent 8-bit data it never offered 8BITMIME for.
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=76)


def _cte(text: str) -> str:
    """7bit for plain ASCII with short lines, else quoted-printable: never 8bit (RFC 6152)."""
    if text.isascii() and all(len(line) <= 76 for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"


def default_outbox() -> Path:
    from guardian.adapters.config import default_data_dir

    return default_data_dir() / "outbox"


# ---------------------------------------------------------------------------
# iTIP


def itip_reply(
    event: Event,
    *,
    me: str,
    my_name: str = "",
    status: Status = Status.TENTATIVE,
    comment: str = "",
    now: datetime,
) -> bytes:
    """An RFC 5546 REPLY from `me` to the organizer of `event`.

    guardian asks once per series, so a REPLY about a recurring event answers
    the series: UID and SEQUENCE, no RECURRENCE-ID (RFC 5546 3.2.3: "Only if
    referring to an instance of a recurring calendar component. Otherwise, it
    MUST NOT be present") and no DTSTART/DTEND, which a REPLY may leave out
    and which one occurrence could not give for the series anyway. A single
    meeting keeps its DTSTART/DTEND, written in UTC, so no VTIMEZONE is needed.
    SEQUENCE is the event's (`Event.sequence`, as the source read it).
    """
    import icalendar

    address = valid_address(me)
    if address is None:
        raise InputError(
            f"cannot reply as {me!r}: not a plain email address", hint="set `me` in the config or pass --me"
        )
    organizer = valid_address(event.organizer.email if event.organizer else "")
    if organizer is None:
        raise InputError(
            f"{one_line(event.title)!r}: the organizer's address is not usable; no reply written"
        )

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    if event.sequence > 0:  # RFC 5546: a REPLY echoes the revision it answers
        vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now.astimezone(UTC))
    if not event.recurring:  # the series' own times are not one occurrence's
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("dtend", event.end.astimezone(UTC))
    if event.title:
        vevent.add("summary", one_line(event.title, 250))
    org = icalendar.vCalAddress(f"mailto:{organizer}")
    if event.organizer and display_name(event.organizer.name):
        org.params["cn"] = icalendar.vText(display_name(event.organizer.name))
    vevent.add("organizer", org, encode=False)
    attendee = icalendar.vCalAddress(f"mailto:{address}")
    attendee.params["partstat"] = icalendar.vText(PARTSTAT[status])
    if display_name(my_name):
        attendee.params["cn"] = icalendar.vText(display_name(my_name))
    vevent.add("attendee", attendee, encode=False)
    if comment:
        vevent.add("comment", comment)
    cal.add_component(vevent)
    return cal.to_ical()


# ---------------------------------------------------------------------------
# the message


def build_message(
    reply: Reply,
    ics: bytes,
    *,
    sender: str,
    sender_name: str = "",
    now: datetime,
) -> EmailMessage:
    """The e-mail for one request. The recipient is the reply's validated `to`, nothing else."""
    to = valid_address(reply.to)
    if to is None:
        raise InputError(f"{reply.to!r} is not a plain email address; nothing sent")
    frm = valid_address(sender)
    if frm is None:
        raise InputError(f"[smtp] from / me: {sender!r} is not a plain email address")
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = Address(display_name=display_name(sender_name), addr_spec=frm)
    msg["To"] = Address(display_name=display_name(reply.to_name), addr_spec=to)
    msg["Subject"] = one_line(reply.subject, 200)
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = make_msgid("guardian", domain=frm.rsplit("@", 1)[1])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: do not auto-reply to it
    msg["X-Guardian"] = "pre-read-request"
    body = printable(reply.body)
    msg.set_content(body, cte=_cte(body))
    calendar = ics.decode("utf-8")
    msg.add_alternative(calendar, subtype="calendar", params={"method": "REPLY"}, cte=_cte(calendar))
    return msg


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return slug[:limit].strip("-") or "event"


def outbox_name(reply: Reply) -> str:
    """A file name that cannot leave the folder whatever the UID or title says."""
    key = f"{reply.event.instance_id}|{reply.to}".encode()
    digest = hashlib.sha256(key).hexdigest()[:10]
    day = reply.event.start.strftime("%Y%m%d")
    return f"{day}-{_slug(reply.event.title)}-{digest}"


def write_outbox(folder: Path, name: str, ics: bytes, msg: EmailMessage) -> tuple[Path, Path]:
    """Write `<name>.ics` and `<name>.eml` atomically, readable by the user only."""
    paths = []
    try:
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)  # the umask only removes bits: 0700 stays 0700
        for suffix, data in ((".ics", ics), (".eml", msg.as_bytes(policy=MAIL_POLICY))):
            target = folder / f"{name}{suffix}"
            # an exclusive temp name of its own (O_EXCL, so a planted file or
            # symlink is never opened); rename then replaces the entry itself
            fd, tmp = tempfile.mkstemp(prefix=f".{name}{suffix}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            paths.append(target)
    except OSError as exc:
        raise InputError(
            f"cannot write to the outbox {folder} ({exc.strerror or exc})",
            hint="check [replies] outbox: a folder you can write to",
        ) from None
    return paths[0], paths[1]


# ---------------------------------------------------------------------------
# SMTP


def _password(settings: SmtpSettings, env: dict[str, str] | os._Environ) -> str | None:
    if not settings.username:
        return None
    if not settings.password_env:
        raise InputError(
            "[smtp] username is set but password_env is not",
            hint='name the environment variable that holds the password, e.g. password_env = "GUARDIAN_SMTP_PASSWORD"',
        )
    value = env.get(settings.password_env)
    if not value:
        raise InputError(
            f"the environment variable {settings.password_env} (from [smtp] password_env) is not set",
            hint="export it in the environment that runs guardian",
        )
    return value


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        import base64

        for needle in (secret, base64.b64encode(secret.encode()).decode()):
            text = text.replace(needle, "***")
    return text


class LoginRefused(ProviderError):
    """The SMTP server refused the credentials: no later request of the run tries them again."""


#: the one mechanism used, in this order of preference: smtplib's login() would try
#: each advertised one in turn, so one wrong password cost several failed logins,
#: enough over a run to lock a mail account
_MECHANISMS = ("PLAIN", "LOGIN")


def _login_once(client: smtplib.SMTP, settings: SmtpSettings, password: str, where: str) -> None:
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise ProviderError(
            f"{where}: the server offers no login (no AUTH)", hint="check [smtp] host and port"
        )
    offered = client.esmtp_features["auth"].upper().split()
    mechanism = next((m for m in _MECHANISMS if m in offered), None)
    if mechanism is None:
        raise ProviderError(
            f"{where}: the server offers no login guardian can use ({', '.join(offered)})",
            hint="guardian logs in with PLAIN or LOGIN over TLS",
        )
    client.user, client.password = settings.username, password
    authobject = client.auth_plain if mechanism == "PLAIN" else client.auth_login
    try:
        client.auth(mechanism, authobject, initial_response_ok=True)
    except smtplib.SMTPAuthenticationError as exc:
        raise LoginRefused(
            f"{where}: the server refused the login for {settings.username!r} (code {exc.smtp_code})",
            hint=f"check the username and the password in ${settings.password_env}",
        ) from None


def send_smtp(
    msg: EmailMessage,
    settings: SmtpSettings,
    *,
    env: dict[str, str] | os._Environ | None = None,
    context: ssl.SSLContext | None = None,
) -> None:
    """Send one message; failures become ProviderError without server secrets or ours."""
    password = _password(settings, os.environ if env is None else env)
    implicit_tls = settings.port == 465
    if password and not (settings.starttls or implicit_tls) and settings.host.lower() not in LOOPBACK:
        raise InputError(
            f"[smtp] refusing to send a password to {settings.host} without TLS",
            hint="set starttls = true (port 587) or use port 465",
        )
    context = context or ssl.create_default_context()
    to = [str(a.addr_spec) for a in msg["To"].addresses]
    where = f"SMTP {settings.host}:{settings.port}"
    try:
        if implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        # Not `with client:`, whose QUIT raises when the server answers it with
        # anything but 221: once the server has taken the message it is
        # delivered, and failing then would leave it unrecorded and resent
        # by every later run.
        try:
            client.set_debuglevel(0)
            client.ehlo()
            if settings.starttls and not implicit_tls:
                client.starttls(context=context)
                client.ehlo()
            if password:
                _login_once(client, settings, password, where)
            refused = client.send_message(msg, from_addr=str(msg["From"].addresses[0].addr_spec), to_addrs=to)
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
            client.close()
        if refused:
            raise ProviderError(f"{where}: recipient refused: {', '.join(sorted(refused))}")
    except (ProviderError, InputError):
        raise
    except smtplib.SMTPNotSupportedError:
        raise ProviderError(
            f"{where}: the server does not offer STARTTLS",
            hint="set [smtp] starttls = false only for a local relay",
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise ProviderError(
            f"{where}: the server answered {exc.smtp_code}: {_scrub(_decode(exc.smtp_error), password)}"
        ) from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise ProviderError(
            f"{where}: {type(exc).__name__}: {_scrub(one_line(str(exc)), password)}"
        ) from None


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return one_line(value, 200)
