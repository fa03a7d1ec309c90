"""The org nightly for 200 people against the Google Workspace and Graph fakes, a worker killed midway.

Real pieces only: Temporal's dev server, PostgreSQL, `guardian org worker`
processes, and the real Google and Microsoft client libraries against the
loopback fakes. Checked, as the issue asks:

- every person is processed exactly once this night (one workflow id each);
- a worker killed (SIGKILL) in the middle leaves no duplicate block and no
  second request after Temporal retries its steps on the other workers;
- the request rates the fakes saw stay within the configured limits: the
  Google project's steps (one token grant each) per second within the queue's
  rate, the project's requests per minute within its quota, and no mailbox
  with more than Graph's 4 concurrent requests;
- the team report on the result respects the privacy floor.

GUARDIAN_SIM_PEOPLE changes the size (default 200: half Google, half Graph).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from guardian.adapters.outcomes import Outcome
from guardian.adapters.state_pg import PgOutcomes
from tests.fakes.workspace import peak
from tests.org_sim import NIGHT, build_org, google_blocks, graph_blocks, overlapping, rsvps, wait_until
from tests.servers import postgres, temporal  # noqa: F401  (pytest fixtures)

PEOPLE = int(os.environ.get("GUARDIAN_SIM_PEOPLE", "200"))
GOOGLE_PER_MINUTE = 10_000  # Google's documented quota per project
REQUESTS_PER_STEP = 10
STEP_RATE = GOOGLE_PER_MINUTE / 60 / REQUESTS_PER_STEP  # 16.7 steps a second on the Google queue


@pytest.fixture
def org(tmp_path, temporal, postgres):  # noqa: F811
    built = build_org(
        tmp_path,
        temporal.address,
        postgres.dsn,
        google=PEOPLE // 2,
        graph=PEOPLE - PEOPLE // 2,
        tag="sim",
        google_per_minute=GOOGLE_PER_MINUTE,
        requests_per_activity=REQUESTS_PER_STEP,
    )
    yield built
    built.close()


def test_two_hundred_people_once_each_with_a_worker_killed(org, postgres, cli, capsys, monkeypatch):  # noqa: F811
    outcomes = PgOutcomes(postgres.dsn)
    began = time.monotonic()
    doomed = org.start_worker()
    org.start_worker()
    started: list[dict] = []  # the night's workflow returns once it has started everyone
    night = threading.Thread(target=lambda: started.append(org.start_night("sim-night-1")))
    night.start()
    # kill a worker a third of the way into the night (Google grants a token about twice per
    # step, six per person): the steps it runs are lost mid-way and retried by the others
    expected_grants = 6 * (PEOPLE // 2)
    assert wait_until(lambda: len(org.google.token_times) >= expected_grants // 3, 120, every=0.05)
    killed_at = len(org.google.token_times)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    org.start_worker()
    night.join(120)
    assert started == [{"people": PEOPLE, "started": PEOPLE, "already": 0}]
    states = org.wait(timeout=300)
    elapsed = time.monotonic() - began
    # the same night once more: nobody is processed a second time
    assert org.start_night("sim-night-2") == {"people": PEOPLE, "started": 0, "already": PEOPLE}
    org.stop_workers()

    assert set(states.values()) == {"COMPLETED"}, {w: s for w, s in states.items() if s != "COMPLETED"}
    done: list[Outcome] = outcomes.night_of(NIGHT)
    assert len(done) == PEOPLE and {o.status for o in done} == {"ok"}
    assert all("focus: " in o.detail and "replies: " in o.detail for o in done), done[:3]
    # a request whose RSVP went out just before the kill is recorded, not sent again
    settled = [o.person for o in done if "already delivered" in o.detail]

    blocks = google_blocks(org) | graph_blocks(org)
    assert all(len(spans) >= 4 for spans in blocks.values()), min(len(s) for s in blocks.values())
    duplicates = sum(overlapping(spans) for spans in blocks.values())
    answered = rsvps(org)
    assert duplicates == 0
    assert set(answered.values()) == {1}  # one request per person, killed or not

    # rates: Google steps (each begins with one events.list) and requests; Graph concurrency per mailbox
    step_peak = peak(org.google.step_times, 5.0)
    minute_peak = peak(org.google.request_times, 60.0)
    assert step_peak <= STEP_RATE * 5 + STEP_RATE, (step_peak, STEP_RATE)
    assert minute_peak <= GOOGLE_PER_MINUTE
    concurrency = max(org.graph.max_in_flight.values())
    assert concurrency <= 4
    mailbox_peak = max(peak(times, 600.0) for times in org.graph.request_times.values())
    assert mailbox_peak <= 10_000

    # the team report on the result: the roster and its two groups, nothing under the floor
    monkeypatch.setenv("GUARDIAN_SIM_DSN", postgres.dsn)
    for key, value in org.env.items():
        monkeypatch.setenv(key, value)
    report = cli(
        "team",
        "report",
        "--config",
        str(org.config),
        "--format",
        "json",
        "--from",
        "2026-11-30",
        "--days",
        "7",
        "--now",
        "2026-12-07T09:00:00+01:00",
    )
    assert report.code == 0, report.err
    data = json.loads(report.out)
    assert data["team"]["people"] == PEOPLE
    assert sorted(g["name"] for g in data["groups"]) == ["platform", "sales"]
    assert all(p not in report.out for p in org.people)

    google_requests = len(org.google.request_times)
    graph_requests = sum(len(t) for t in org.graph.request_times.values())
    with capsys.disabled():
        print(
            f"\nsimulation: {PEOPLE} people in {elapsed:.1f} s, worker killed after {killed_at} of {expected_grants} Google token grants; "
            f"Google {google_requests} requests, {len(org.google.token_times)} token grants, {len(org.google.step_times)} first listings (one or two a step), peak {step_peak} listings/5 s "
            f"(step limit {STEP_RATE * 5:.0f} + burst {STEP_RATE:.0f}), peak {minute_peak} requests/min (limit {GOOGLE_PER_MINUTE}); "
            f"Graph {graph_requests} requests, peak concurrency per mailbox {concurrency} (limit 4), "
            f"peak {mailbox_peak}/10 min per mailbox (limit 10000); duplicate blocks {duplicates}, "
            f"duplicate requests {sum(n - 1 for n in answered.values())} "
            f"({len(settled)} delivered before the kill and settled from the provider)"
        )
