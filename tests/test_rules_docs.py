"""D001 missing-pre-read and D002 late-pre-read, through the real .ics source and audit."""

from __future__ import annotations

import pytest

from tests.conftest import audit_file, codes, of_rule, vevent, write_ics

DECISION = "Should we ship the beta on Friday?"


def run(tmp_path, *events, **kwargs):
    return audit_file(write_ics(tmp_path, *events), **kwargs)


# --- D001 missing-pre-read --------------------------------------------------------


def test_d001_fires_on_a_meeting_without_any_link(tmp_path):
    findings = run(tmp_path, vevent("Beta launch", description=DECISION))
    [finding] = of_rule(findings, "D001")
    assert finding.name == "missing-pre-read"
    assert finding.action == "request-pre-read"
    assert finding.event.title == "Beta launch"


@pytest.mark.parametrize(
    "link",
    [
        "https://acme.zoom.us/j/5550001111?pwd=abc",
        "https://meet.google.com/abc-defg-hij",
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
        "https://acme.webex.com/meet/bob",
        "https://meet.jit.si/acme-beta",
        "https://global.gotomeeting.com/join/123456789",
    ],
)
def test_d001_conference_links_are_not_documents(tmp_path, link):
    findings = run(tmp_path, vevent("Beta launch", description=f"{DECISION}\nJoin: {link}"))
    [finding] = of_rule(findings, "D001")
    assert "not a document" in finding.message


def test_d001_a_conference_link_in_location_is_not_a_document(tmp_path):
    event = vevent("Beta launch", description=DECISION, extra=["LOCATION:https://acme.zoom.us/j/5550001111"])
    assert "D001" in codes(run(tmp_path, event))


@pytest.mark.parametrize(
    "link",
    [
        "https://docs.google.com/document/d/1AbC/edit",
        "https://drive.google.com/file/d/1AbC/view",
        "https://acme.sharepoint.com/sites/eng/Shared%20Documents/plan.docx",
        "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Beta",
        "https://www.notion.so/acme/Beta-plan-0123456789abcdef",
        "https://paper.dropbox.com/doc/Beta-plan-abc",
        "https://acme.quip.com/abcDEF/Beta-plan",
        "https://coda.io/d/Beta_dabc",
        "https://github.com/acme/app/pull/123",
        "https://gitlab.com/acme/app/-/merge_requests/45",
        "https://acme.atlassian.net/browse/BETA-12",
        "https://www.figma.com/file/abc/Beta-screens",
    ],
)
def test_d001_quiet_when_a_document_is_linked(tmp_path, link):
    findings = run(
        tmp_path,
        vevent(
            "Beta launch",
            description=f"{DECISION}\nPre-read: {link}\nJoin: https://meet.google.com/abc-defg-hij",
        ),
    )
    assert "D001" not in codes(findings)


def test_d001_quiet_when_a_file_is_attached(tmp_path):
    event = vevent(
        "Beta launch",
        description=DECISION,
        extra=["ATTACH;FMTTYPE=application/pdf:https://files.example.org/beta.pdf"],
    )
    assert "D001" not in codes(run(tmp_path, event))


def test_d001_fires_once_per_occurrence(tmp_path):
    event = vevent("Beta launch", "2026-11-30 10:00", description=DECISION, rrule="FREQ=DAILY;COUNT=5")
    findings = of_rule(run(tmp_path, event), "D001")
    assert [f.day.isoformat() for f in findings] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
    ]


# --- D002 late-pre-read -------------------------------------------------------------


def test_d002_fires_when_the_invite_arrived_less_than_24h_ahead(tmp_path):
    # created Monday 16:00 Berlin (15:00Z) for Tuesday 10:00: 18 hours ahead
    event = vevent("Beta launch", "2026-12-01 10:00", description=DECISION, created="20261130T150000Z")
    [finding] = of_rule(run(tmp_path, event), "D002")
    assert finding.name == "late-pre-read"
    assert "18 h" in finding.message


def test_d002_quiet_when_the_invite_came_days_ahead(tmp_path):
    event = vevent("Beta launch", "2026-12-01 10:00", description=DECISION, created="20261120T090000Z")
    assert "D002" not in codes(run(tmp_path, event))


def test_d002_exactly_24h_ahead_is_in_time(tmp_path):
    event = vevent("Beta launch", "2026-12-01 10:00", description=DECISION, created="20261130T090000Z")
    assert "D002" not in codes(run(tmp_path, event))


def test_d002_quiet_without_a_created_stamp(tmp_path):
    event = vevent("Beta launch", "2026-12-01 10:00", description=DECISION, created=None)
    assert "D002" not in codes(run(tmp_path, event))


def test_d002_lead_hours_can_be_raised_in_a_pack(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[rules.D002.params]\nlead_hours = 72\n', encoding="utf-8")
    event = vevent("Beta launch", "2026-12-01 10:00", description=DECISION, created="20261129T090000Z")
    assert "D002" not in codes(run(tmp_path, event))
    assert "D002" in codes(run(tmp_path, event, rules=pack))


# --- wrapped links: what corporate mail and calendar clients do to URLs ------------------------

WRAPPED = [
    pytest.param(
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Facme.sharepoint.com%2Fsites%2Feng%2Fplan.docx"
        "&data=05%7C01%7Cme%40acme.example&reserved=0",
        id="outlook-safe-links",
    ),
    pytest.param(
        "https://www.google.com/url?q=https://docs.google.com/document/d/1AbC/edit&sa=D&source=calendar&usd=2",
        id="google-redirect",
    ),
    pytest.param(
        "https://urldefense.com/v3/__https://docs.google.com/document/d/1AbC/edit__;!!abc$",
        id="proofpoint-urldefense",
    ),
]


@pytest.mark.parametrize("link", WRAPPED)
def test_d001_a_wrapped_document_link_is_still_a_document(tmp_path, link):
    html = f'<p>Should we ship the beta on Friday?</p><p>Pre-read: <a href="{link}">the plan</a></p>'
    assert "D001" not in codes(run(tmp_path, vevent("Beta launch", description=html)))


def test_d001_a_file_shared_in_teams_is_a_document(tmp_path):
    link = (
        "https://teams.microsoft.com/l/file/5E0C4F2A-1B2C-4D5E-8F90-ABCDEF012345?tenantId=abc"
        "&fileType=docx&objectUrl=https%3A%2F%2Facme.sharepoint.com%2Fsites%2Feng%2Fplan.docx"
    )
    event = vevent("Beta launch", description=f"Should we ship the beta on Friday?\nPre-read: {link}")
    assert "D001" not in codes(run(tmp_path, event))
