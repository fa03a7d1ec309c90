"""An org to run the nightly on: people on a Google Workspace fake and a Graph tenant fake.

Used by tests/test_org_simulation.py and benchmarks/bench_org.py. Every
person has the same small week: a planning meeting without a pre-read,
organised by a colleague (so one request is due), and a two-hour review,
so each night books focus blocks and sends one RSVP per person.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from guardian.adapters.temporal import client
from guardian.adapters.temporal.types import NightArgs, person_workflow_id
from tests.fakes.workspace import FakeGoogleWorkspace, MeteredGraphFake

REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Berlin")
NOW = "2026-11-29T22:00:00+01:00"  # Sunday night: the week ahead
NIGHT = "2026-11-29"
GRAPH_SECRET_ENV = "GUARDIAN_SIM_GRAPH_SECRET"
FOCUS = "Focus time"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def service_account(path: Path, token_uri: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "acme-guardian",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "guardian@acme-guardian.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f)
    return path


@dataclass
class Org:
    root: Path
    config: Path
    roster: Path
    google: FakeGoogleWorkspace
    graph: MeteredGraphFake
    google_people: list[str]
    graph_people: list[str]
    queue: str
    temporal: str
    env: dict[str, str]
    planning: dict[str, str] = field(default_factory=dict)  # person -> id of their "Planning sync"
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def people(self) -> list[str]:
        return self.google_people + self.graph_people

    def start_worker(self, concurrency: int = 4) -> subprocess.Popen:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "guardian",
                "org",
                "worker",
                "--config",
                str(self.config),
                "--concurrency",
                str(concurrency),
            ],
            cwd=REPO,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=(self.root / f"worker-{len(self.workers)}.log").open("wb"),
        )
        self.workers.append(proc)
        return proc

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def worker_logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.root.glob("worker-*.log")))

    def start_night(self, workflow_id: str) -> dict:
        args = NightArgs(config=str(self.config), roster=str(self.roster), now=NOW)
        return asyncio.run(
            client.start_night(
                self.temporal, "default", main_queue=self.queue, args=args, workflow_id=workflow_id
            )
        )

    def wait(self, timeout: float = 240) -> dict[str, str]:
        ids = [person_workflow_id(NIGHT, p) for p in self.people]
        return asyncio.run(client.wait_people(self.temporal, "default", ids, timeout))

    def close(self) -> None:
        self.stop_workers()
        self.google.stop()
        self.graph.stop()


def build_org(
    root: Path,
    temporal: str,
    dsn: str,
    *,
    google: int,
    graph: int,
    tag: str,
    google_per_minute: float = 9000,
    requests_per_activity: int = 10,
    extra: str = "",
) -> Org:
    """Start the fakes, seed everyone's week, write the roster and the config."""
    root.mkdir(parents=True, exist_ok=True)
    workspace = FakeGoogleWorkspace().start()
    tenant = MeteredGraphFake(tenant="acme-tenant", me=f"admin.{tag}@contoso.example").start()
    planning: dict[str, str] = {}
    google_people = [f"g{i:04d}.{tag}@acme.example" for i in range(google)]
    graph_people = [f"m{i:04d}.{tag}@contoso.example" for i in range(graph)]
    for i, person in enumerate(google_people):
        fake = workspace.add_user(person)
        colleague = google_people[(i + 1) % len(google_people)]
        planning[person] = fake.seed(
            {
                "summary": "Planning sync",
                "description": "Let's sync on the plan.",
                "start": {"dateTime": at(1, 10).isoformat()},
                "end": {"dateTime": at(1, 11).isoformat()},
                "organizer": {"email": colleague},
                "attendees": [
                    {"email": person, "self": True, "responseStatus": "needsAction"},
                    {"email": colleague, "organizer": True, "responseStatus": "accepted"},
                    {"email": "carol@acme.example", "responseStatus": "accepted"},
                ],
            }
        )["id"]
        fake.seed(
            {
                "summary": "Architecture review",
                "description": "Agenda: should we split the service? https://docs.google.com/document/d/1",
                "start": {"dateTime": at(2, 13).isoformat()},
                "end": {"dateTime": at(2, 15).isoformat()},
                "attendees": [
                    {"email": person, "self": True, "organizer": True, "responseStatus": "accepted"},
                    {"email": "carol@acme.example", "responseStatus": "accepted"},
                ],
            }
        )
    for i, person in enumerate(graph_people):
        tenant.add_user(person)
        colleague = graph_people[(i + 1) % len(graph_people)]
        planning[person] = tenant.seed_event(
            user=person,
            subject="Planning sync",
            start=at(1, 10),
            end=at(1, 11),
            isOrganizer=False,
            organizer=colleague,
            attendees=[person, colleague, "carol@contoso.example"],
            body="Let's sync on the plan.",
        )["id"]
        tenant.seed_event(
            user=person,
            subject="Architecture review",
            start=at(2, 13),
            end=at(2, 15),
            attendees=[person, "carol@contoso.example"],
            body="Agenda: should we split the service? https://contoso.sharepoint.com/x",
        )
    key = service_account(root / "service-account.json", workspace.token_uri)
    lines = []
    for person in google_people:
        lines += [
            "[[person]]",
            f'email = "{person}"',
            'calendar = "google:primary"',
            'group = "platform"',
            "",
        ]
    for person in graph_people:
        lines += [
            "[[person]]",
            f'email = "{person}"',
            f'calendar = "outlook:{person}"',
            'group = "sales"',
            "",
        ]
    roster = root / "roster.toml"
    roster.write_text("\n".join(lines))
    queue = f"guardian-sim-{tag}"
    config = root / "guardian.toml"
    config.write_text(
        'timezone = "Europe/Berlin"\ndomains = ["acme.example", "contoso.example"]\n'
        '[team]\nroster = "roster.toml"\n'
        f'[org]\ntemporal = "{temporal}"\ntask_queue = "{queue}"\napply = true\nreplies = true\n'
        'state = "postgresql"\ndsn_env = "GUARDIAN_SIM_DSN"\ndata_dir = "org-data"\n'
        "attempts = 10\nactivity_timeout_seconds = 60\nheartbeat_seconds = 3\n"
        f"google_project_per_minute = {google_per_minute}\nrequests_per_activity = {requests_per_activity}\n"
        f"{extra}"
        f'[google]\nservice_account_file = "{key}"\napi_endpoint = "{workspace.api_endpoint}"\n'
        f'batch_uri = "{workspace.batch_uri}"\nattempts = 8\n'
        f'[outlook]\nclient_id = "{tenant.client_id}"\ntenant = "{tenant.tenant}"\n'
        f'authority = "{tenant.authority}"\ngraph_url = "{tenant.graph_url}"\n'
        f'client_secret_env = "{GRAPH_SECRET_ENV}"\nattempts = 8\n'
    )
    env = {
        "GUARDIAN_SIM_DSN": dsn,
        GRAPH_SECRET_ENV: tenant.client_secret,
        "REQUESTS_CA_BUNDLE": tenant.ca_file,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    return Org(
        root, config, roster, workspace, tenant, google_people, graph_people, queue, temporal, env, planning
    )


def wait_until(predicate, timeout: float, every: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def overlapping(spans: list[tuple[datetime, datetime]]) -> int:
    """How many pairs of consecutive spans overlap (0: no block was booked twice)."""
    spans = sorted(spans)
    return sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])


def google_blocks(org: Org) -> dict[str, list[tuple[datetime, datetime]]]:
    out = {}
    for email, fake in org.google.users.items():
        out[email] = [
            (datetime.fromisoformat(e["start"]["dateTime"]), datetime.fromisoformat(e["end"]["dateTime"]))
            for e in fake.items()
            if e.get("eventType") == "focusTime" or e.get("summary") == FOCUS
        ]
    return out


def graph_blocks(org: Org) -> dict[str, list[tuple[datetime, datetime]]]:
    out = {}
    for email in org.graph_people:
        spans = []
        for e in org.graph.events(email):
            if FOCUS in (e.get("categories") or []):
                start = datetime.fromisoformat(e["start"]["dateTime"].split(".")[0]).replace(
                    tzinfo=ZoneInfo("UTC")
                )
                end = datetime.fromisoformat(e["end"]["dateTime"].split(".")[0]).replace(
                    tzinfo=ZoneInfo("UTC")
                )
                spans.append((start, end))
        out[email] = spans
    return out


def rsvps(org: Org) -> dict[str, int]:
    """Per person: how many answers went to the organizer of their "Planning sync"."""
    out = {}
    for email, fake in org.google.users.items():
        target = org.planning[email]
        out[email] = sum(1 for r in fake.log if r.method == "PATCH" and r.path.endswith("/" + target))
    for email in org.graph_people:
        out[email] = len(org.graph.responses(org.planning[email], email))
    return out
