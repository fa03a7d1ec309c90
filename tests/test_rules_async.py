"""S001 status-meeting, S002 brainstorm-meeting, S003 proposal-meeting: meetings that could be documents."""

from __future__ import annotations

import pytest

from tests.conftest import audit_file, codes, of_rule, vevent, write_ics

DOC = "\nRFC: https://docs.google.com/document/d/rfc-search"


def audit_title(tmp_path, title, description="Should we ship the beta on Friday?"):
    return audit_file(write_ics(tmp_path, vevent(title, description=description)))


# --- S001 status-meeting --------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Platform daily standup",
        "Weekly status update",
        "Marketing x Product sync",
        "Team check-in",
        "Scrum",
        "Project catch-up",
    ],
)
def test_s001_flags_status_meetings(tmp_path, title):
    [finding] = of_rule(audit_title(tmp_path, title), "S001")
    assert finding.name == "status-meeting"
    assert finding.action == "suggest-async:update"
    assert "status" in finding.message


@pytest.mark.parametrize(
    "title",
    [
        "Synchronization protocol design",
        "Asynchronous work charter",
        "Roadmap planning",
        "Statuspage vendor choice",
    ],
)
def test_s001_matches_whole_words_only(tmp_path, title):
    assert "S001" not in codes(audit_title(tmp_path, title))


def test_s001_still_fires_when_a_doc_is_linked(tmp_path):
    # a status meeting with a status doc is still a status meeting
    assert "S001" in codes(audit_title(tmp_path, "Weekly status sync", "Should we cut scope?" + DOC))


# --- S002 brainstorm-meeting --------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Brainstorm: pricing experiments", "Ideation session for Q3", "Blue sky thinking"]
)
def test_s002_flags_brainstorms(tmp_path, title):
    [finding] = of_rule(audit_title(tmp_path, title), "S002")
    assert finding.name == "brainstorm-meeting"
    assert finding.action == "suggest-async:brainstorm"


@pytest.mark.parametrize("title", ["Storm damage review", "Pricing experiments"])
def test_s002_quiet_otherwise(tmp_path, title):
    assert "S002" not in codes(audit_title(tmp_path, title))


# --- S003 proposal-meeting ----------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Design review: search service", "Proposal: move to monorepo", "RFC walkthrough: auth tokens"]
)
def test_s003_flags_a_proposal_without_a_document(tmp_path, title):
    [finding] = of_rule(audit_title(tmp_path, title), "S003")
    assert finding.name == "proposal-meeting"
    assert finding.action == "suggest-async:rfc"


def test_s003_quiet_when_the_proposal_is_linked(tmp_path):
    assert "S003" not in codes(
        audit_title(tmp_path, "Design review: search service", "Should we shard by tenant?" + DOC)
    )


def test_s003_a_conference_link_is_not_the_proposal(tmp_path):
    findings = audit_title(
        tmp_path,
        "Design review: search service",
        "Should we shard by tenant?\nhttps://meet.google.com/abc-defg-hij",
    )
    assert "S003" in codes(findings)


def test_s003_quiet_on_a_meeting_that_is_no_proposal(tmp_path):
    assert "S003" not in codes(audit_title(tmp_path, "Quarterly budget"))
