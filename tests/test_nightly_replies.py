"""`guardian nightly` with pre-read requests: one cap for the whole run, failures fail the run."""

import re
import socket
from pathlib import Path

from guardian.cli.app import main


def invite(uid: str, day: int, organizer: str) -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nCREATED:20261101T000000Z\n"
        f"DTSTART;TZID=Europe/Berlin:202612{day:02d}T100000\nDTEND;TZID=Europe/Berlin:202612{day:02d}T110000\n"
        f"SUMMARY:Planning {uid}\nDESCRIPTION:Which option do we choose for the launch?\n"
        f"ORGANIZER:mailto:{organizer}\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@acme.example\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{organizer}\nATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example\n"
        "END:VEVENT\n"
    )


def calendar(path, uids_days_organizers):
    body = "".join(invite(u, d, o) for u, d, o in uids_days_organizers)
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{body}END:VCALENDAR\n")
    return path


def config(tmp_path, extra: str = "") -> str:
    a = calendar(tmp_path / "a.ics", [(f"a{i}", 1 + i, f"org{i}@acme.example") for i in range(4)])
    b = calendar(tmp_path / "b.ics", [(f"b{i}", 1 + i, f"boss{i}@acme.example") for i in range(4)])
    path = tmp_path / "guardian.toml"
    path.write_text(
        f'me = "me@acme.example"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        f'[calendars.a]\nsource = "ics:{a}"\n[calendars.b]\nsource = "ics:{b}"\n'
        f'[focus]\noutput = "{tmp_path}/blocks.ics"\n'
        f'[nightly]\nreplies = true\n[replies]\nmax_per_run = 5\noutbox = "{tmp_path}/outbox"\n{extra}'
    )
    return str(path)


def test_the_per_run_cap_is_shared_by_all_calendars(tmp_path, capsys):
    cfg = config(tmp_path)
    code = main(["nightly", "--apply", "--config", cfg, "--now", "2026-11-29T21:00:00+01:00"])
    out = capsys.readouterr().out
    assert code == 0
    sent = [line for line in out.splitlines() if re.search(r" [ab]: sent ", line)]
    assert len(sent) == 5, out  # not 4 + 4
    assert out.count("deferred") == 3


def test_a_request_that_cannot_be_delivered_fails_the_nightly_run(tmp_path, capsys):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = config(
        tmp_path,
        f'channel = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\ntimeout = 2\n',
    )
    code = main(["nightly", "--apply", "--config", cfg, "--now", "2026-11-29T21:00:00+01:00"])
    captured = capsys.readouterr()
    assert code == 3, captured.err
    assert "could not be delivered" in captured.err
    assert "Traceback" not in captured.err


def test_nightly_log_gets_every_action_line_and_is_private(tmp_path, capsys):
    cfg = config(tmp_path)
    log = tmp_path / "logs" / "nightly.log"
    path = Path(cfg)
    path.write_text(path.read_text().replace("[nightly]\n", f'[nightly]\nlog = "{log}"\n'))
    code = main(["nightly", "--config", cfg, "--apply", "--now", "2026-11-27T17:00:00+01:00"])
    printed = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 0 and printed
    assert log.read_text().splitlines() == printed  # the same stamped lines, nothing else
    assert (log.stat().st_mode & 0o777) == 0o600
    main(["nightly", "--config", cfg, "--apply", "--now", "2026-11-27T17:00:00+01:00"])
    again = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert log.read_text().splitlines() == printed + again  # appended, never overwritten
