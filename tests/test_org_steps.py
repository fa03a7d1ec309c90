"""The org's steps for one person, without Temporal: what a retry after a crash does.

The steps are what the activities run; here they are called in-process on the
Google Workspace fake with the PostgreSQL store, so the moment of a crash can
be chosen exactly: after the RSVP went out and before it was recorded as sent.
"""

from __future__ import annotations

import pytest

from guardian.adapters.state_pg import PgState
from guardian.adapters.temporal.types import PersonJob
from guardian.usecases.org import OrgSteps, queue_rate
from tests.org_sim import NIGHT, NOW, at, build_org
from tests.servers import postgres  # noqa: F401  (pytest fixture)


@pytest.fixture
def org(tmp_path, postgres, monkeypatch):  # noqa: F811
    built = build_org(tmp_path, "127.0.0.1:1", postgres.dsn, google=2, graph=2, tag="steps")
    for key, value in built.env.items():
        monkeypatch.setenv(key, value)
    yield built
    built.close()


def job(org, person: str) -> PersonJob:
    return PersonJob(person, NIGHT, "q", str(org.config), str(org.roster), NOW, apply=True, replies=True)


def test_a_request_delivered_just_before_a_crash_is_not_sent_again(org, postgres):  # noqa: F811
    person = org.google_people[0]
    colleague = org.google_people[1]
    steps = OrgSteps()
    steps.sync(job(org, person))
    # the crashed try: recorded pending, RSVP delivered, then the worker died before "sent"
    state = PgState(postgres.dsn, person)
    state.record_request(
        org.planning[person], colleague, "google:primary", at(1, 10), "google", status="pending"
    )
    fake = org.google.users[person]
    event = fake.get(org.planning[person])
    mine = [
        dict(a, responseStatus="tentative", comment="Could it have a pre-read?") if a.get("self") else a
        for a in event["attendees"]
    ]
    fake.mutate(org.planning[person], {"attendees": mine})
    fake.clear_log()

    result = steps.replies(job(org, person))

    assert result.summary == "replies: 0 sent, 1 already delivered"
    assert [r for r in fake.log if r.method == "PATCH"] == []
    assert state.was_asked(org.planning[person], colleague) and state.pending_requests() == []


def test_a_pending_request_the_provider_does_not_show_is_sent(org, postgres):  # noqa: F811
    person = org.google_people[1]
    state = PgState(postgres.dsn, person)
    state.record_request(
        org.planning[person], org.google_people[0], "google:primary", at(1, 10), "google", status="pending"
    )
    steps = OrgSteps()
    steps.sync(job(org, person))
    org.google.users[person].clear_log()
    result = steps.replies(job(org, person))
    assert result.summary == "replies: 1 sent"
    assert len([r for r in org.google.users[person].log if r.method == "PATCH"]) == 1


def test_focus_twice_books_once(org):
    person = org.graph_people[0]
    steps = OrgSteps()
    first = steps.focus(job(org, person))
    second = steps.focus(job(org, person))  # a retry of a step that had finished
    assert first.counts["created"] >= 4
    assert second.counts == {"created": 0, "moved": 0, "deleted": 0, "kept": first.counts["created"]}


def test_queue_rates_come_from_the_documented_limits():
    from guardian.adapters.settings import OrgQuotas

    quotas = OrgQuotas()
    assert queue_rate("google", quotas) == pytest.approx(10_000 / 60 / 40)  # 4.17 steps a second per project
    assert queue_rate("outlook", quotas) == pytest.approx(130_000 / 10 / 40)
    assert queue_rate("", quotas) is None
