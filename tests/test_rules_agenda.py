"""A001 missing-agenda and A002 no-decision: reading an invite like a careful attendee."""

from __future__ import annotations

import pytest

from tests.conftest import audit_file, codes, of_rule, vevent, write_ics

DOC = "\nPre-read: https://docs.google.com/document/d/plan"
ZOOM = (
    "Join Zoom Meeting\nhttps://acme.zoom.us/j/5550001111?pwd=abc\n\nMeeting ID: 555 000 1111\n"
    "Passcode: 424242\nOne tap mobile\n+13126266799,,5550001111# US (Chicago)\n"
)
TEAMS = (
    "________________________________________________________________________________\n"
    "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\n"
    "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc>\n"
    "Meeting ID: 123 456 789\nPasscode: abc123\n"
    "________________________________________________________________________________"
)


def audit_one(tmp_path, description, title="Planning"):
    return audit_file(write_ics(tmp_path, vevent(title, description=description)))


# --- A001 missing-agenda ----------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [None, "", "   ", ZOOM, TEAMS, "https://meet.google.com/abc-defg-hij", "Sync"],
    ids=[
        "no-description",
        "empty",
        "blank",
        "zoom-boilerplate",
        "teams-boilerplate",
        "bare-link",
        "one-word",
    ],
)
def test_a001_fires_when_there_is_no_agenda(tmp_path, description):
    findings = audit_one(tmp_path, description)
    [finding] = of_rule(findings, "A001")
    assert finding.name == "missing-agenda"
    assert "A002" not in codes(findings)  # no agenda is A001's business only


def test_a001_quiet_with_an_agenda_under_the_boilerplate(tmp_path):
    findings = audit_one(tmp_path, "Agenda: pick the Q1 launch date\n\n" + ZOOM)
    assert "A001" not in codes(findings)


def test_a001_quiet_with_a_topics_only_agenda(tmp_path):
    findings = audit_one(tmp_path, "Updates from each team, then discuss the roadmap" + DOC)
    assert "A001" not in codes(findings)
    assert "A002" in codes(findings)


# --- A002 no-decision -------------------------------------------------------------------


DECISIONS = [
    "Should we launch on 12 May or 2 June?",
    "Agenda:\n1. Which database do we choose for events?\n2. Timeline",
    "Which of the two vendors do we choose?",
    "Decide the launch date for the EU market",
    "We need to approve the Q1 hiring plan",
    "Choose a payment provider",
    "Agree on the API naming conventions",
    "Sign off the release notes for 4.2",
    "Go/no-go for the EU launch",
    "Vote on the new logo candidates",
]


@pytest.mark.parametrize("description", DECISIONS)
def test_a002_recognises_decisions_and_questions_to_resolve(tmp_path, description):
    findings = audit_one(tmp_path, description + DOC)
    assert not {"A001", "A002"} & codes(findings), [f.message for f in findings]


NOT_DECISIONS = [
    "Discuss the roadmap for next quarter",
    "Sync on the migration progress",
    "Weekly updates from each team",
    "Agenda:\n- Updates from each team\n- Discuss launch timeline\n- AOB",
    "Team updates and demos. Any questions?",
    "Status of the project. Any questions?\nAny blockers?",
    "Let us discuss the go-to-market plan and sync on updates",
]


@pytest.mark.parametrize("description", NOT_DECISIONS)
def test_a002_is_not_fooled_by_discuss_sync_updates_or_any_questions(tmp_path, description):
    findings = audit_one(tmp_path, description + DOC)
    [finding] = of_rule(findings, "A002")
    assert finding.name == "no-decision"
    assert "A001" not in codes(findings)


def test_a002_a_decision_in_the_title_counts(tmp_path):
    findings = audit_one(
        tmp_path, "Walk through the checklist and the open items" + DOC, title="Launch go/no-go"
    )
    assert "A002" not in codes(findings)


def test_a002_a_decision_in_an_html_description_counts(tmp_path):
    html = "<p><b>Agenda</b></p><ul><li>Status of the pilot</li><li>Should we extend it to sales?</li></ul>"
    findings = audit_one(tmp_path, html + DOC)
    assert not {"A001", "A002"} & codes(findings)


def test_a002_recognises_go_no_go_written_with_spaces(tmp_path):
    findings = audit_one(tmp_path, "Go / No-Go for the EU launch" + DOC)
    assert "A002" not in codes(findings)


# --- the conferencing blocks clients really paste -----------------------------------------------
# (as Google Calendar, Zoom, Teams and Webex write them today, numbers made up)

GOOGLE_MEET_BLOCK = """-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-
Join with Google Meet: https://meet.google.com/abc-defg-hij
Or dial: (US) +1 347-555-0100 PIN: 123456789#
More phone numbers: https://tel.meet/abc-defg-hij?pin=123456789

Learn more about Meet at: https://support.google.com/a/users/answer/9282720

Please do not edit this section.
-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"""

ZOOM_BLOCK = """Bob Stone is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://acme.zoom.us/j/5550001111?pwd=abcdef

Meeting ID: 555 000 1111
Passcode: 424242

---

One tap mobile
+13126266799,,5550001111#,,,,*424242# US (Chicago)
+16465588656,,5550001111#,,,,*424242# US (New York)

---

Dial by your location
• +1 312 626 6799 US (Chicago)
• +1 646 558 8656 US (New York)

Find your local number: https://acme.zoom.us/u/abc123"""

TEAMS_BLOCK = """________________________________________________________________________________
Microsoft Teams Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>
Join the meeting now<https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc>
Meeting ID: 312 123 456 789
Passcode: aB3cD4
________________________________

Dial in by phone
+49 69 120 0000,,123456789# Germany, Frankfurt am Main
Find a local number<https://dialin.teams.microsoft.com/abc>
Phone conference ID: 123 456 789#
For organizers: Meeting options<https://teams.microsoft.com/meetingOptions/?x>
________________________________________________________________________________"""

WEBEX_BLOCK = """-- Do not delete or change any of the following text. --

When it's time, join the Webex meeting here.

Meeting number (access code): 2634 123 4567
Meeting password: abcDEF12

Join meeting<https://acme.webex.com/acme/j.php?MTID=m123>

Join by phone
+1-415-655-0001 US Toll
Global call-in numbers<https://acme.webex.com/acme/globalcallin.php?MTID=m123>"""

BLOCKS = {"google-meet": GOOGLE_MEET_BLOCK, "zoom": ZOOM_BLOCK, "teams": TEAMS_BLOCK, "webex": WEBEX_BLOCK}


@pytest.mark.parametrize("block", list(BLOCKS.values()), ids=list(BLOCKS))
def test_a001_a_real_conferencing_block_alone_is_no_agenda(tmp_path, block):
    findings = audit_one(tmp_path, block, title="Sync")
    assert "A001" in codes(findings)
    assert "A002" not in codes(findings)


@pytest.mark.parametrize("block", list(BLOCKS.values()), ids=list(BLOCKS))
def test_a_question_above_a_real_conferencing_block_is_an_agenda_with_a_decision(tmp_path, block):
    findings = audit_one(tmp_path, "Which CDN do we choose for the EU launch?\n\n" + block + DOC)
    assert not {"A001", "A002"} & codes(findings)


@pytest.mark.parametrize(
    "description",
    [
        "Do we have any updates?",
        "Round the table. Can we get a status update from each team?",
        "Review the decision log and last week's progress",
        "We already decided to use Postgres; walk through the migration status",
        "Status update on the approval process for vendors",
    ],
)
def test_a002_status_questions_and_past_decisions_are_not_decisions_to_make(tmp_path, description):
    findings = audit_one(tmp_path, description + DOC)
    assert "A002" in codes(findings)


# --- hostile descriptions: the work grows with the text, never with its square ------------

BOMBS = {
    "should, repeated": lambda n: "Agenda items" + " should" * n,
    "a or b, repeated": lambda n: "Agenda items " + "a or b " * n,
    "questions, repeated": lambda n: "Agenda items " + "should we? " * n,
    "one long line": lambda n: "Agenda: " + "x" * (7 * n) + "?",
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_reading_a_hostile_description_is_linear_in_its_length(name):
    from guardian.core.agenda import MAX_TEXT, scan_cost

    make = BOMBS[name]
    sizes = [250, 500, 1000, 2000]
    costs = [scan_cost(make(n)) for n in sizes]
    for (n1, c1), (n2, c2) in zip(
        zip(sizes, costs, strict=True), zip(sizes[1:], costs[1:], strict=True), strict=False
    ):
        assert c2 <= 2.2 * c1 + 100, f"{name}: doubling {n1} -> {n2} chars cost {c1} -> {c2}"
    # and the reader stops at MAX_TEXT: a 400 KB description costs what 20 KB do
    assert scan_cost(make(60_000)) <= 3 * MAX_TEXT + 2 * MAX_TEXT


def test_a_huge_description_is_still_read_for_its_agenda():
    from guardian.core.agenda import has_agenda, seeks_decision

    text = "Agenda:\n- Should we ship the beta on Friday?\n" + "filler words here " * 50_000
    assert has_agenda(text) and seeks_decision(text)
