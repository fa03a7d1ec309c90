"""Read an invite's description the way a careful attendee would.

Two questions matter to the rules: is there an agenda at all (A001), and
does it ask for a decision or pose a question to resolve (A002)? Words such
as "discuss", "sync" or "updates" describe talking, not deciding, so they
never count as a decision on their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from guardian.core.links import URL_RE

# Lines that conferencing tools (Meet, Zoom, Teams, Webex, ...) paste into invites;
# they are not an agenda.
_BOILERPLATE = re.compile(
    r"join (zoom|the|microsoft teams|with google meet|webex|by phone|online|meeting)|"
    r"microsoft teams|meeting id|meeting number|access code|passcode|password:|meeting password|"
    r"dial[- ]in|dial by your location|or dial:|one tap mobile|find (a|your) local number|"
    r"more phone numbers|global call-in|phone conference id|for organizers|meeting options|"
    r"click here to join|is inviting you to a scheduled|when it's time, join|"
    r"please do not edit this section|do not delete or change|need help\?|learn more about|"
    r"^(join|meet|teams|zoom|phone|pin)\b[:\s]|"
    r"^[\u2022*\-]?\s*\+?\d[\d\s,()#*+.-]{6,}.*$|"  # a phone number, perhaps with its place
    r"^_{3,}|^-{3,}|invitation from google calendar|"
    r"you are receiving this|forwarding this invitation|^reply for ",
    re.IGNORECASE,
)

# Words that show a decision is sought. Past decisions ("decided", "approved"),
# logs and processes ("decision log", "approval process") do not count.
_DECISION_WORDS = re.compile(
    r"\b(decide|decides|deciding|to be decided|make a decision|decision (on|about|to make|needed|"
    r"required|point)|decision\s*:|approve|approves|approving|for approval|approval (of|for|on|needed|"
    r"required)|needs? approval|choose|choosing|pick (one|between)|select (one|between)|agree on|"
    r"agreement on|sign[- ]?off|signoff|go\s*/\s*no[- ]?go|go[- ]no[- ]go|vote|voting|ratify|"
    r"finali[sz]e|commit to|settle on|resolve)(?![\w-])",
    re.IGNORECASE,
)

# A question that asks the group to resolve something: a trigger phrase, then
# text up to a "?" on the same line. Found by `_resolving_question`, which
# scans each "?"-delimited piece once (a pattern like `(should|...)[^?]*\?`
# would rescan the rest of the line from every trigger word: quadratic).
_TRIGGER = re.compile(
    r"(?:^|(?<=[\s\d.):*-]))(?:should|shall|which|whether|do we|can we|will we|are we going to|"
    r"what should|what do we|how should|who (?:should|owns|will)|when (?:should|do|will) we|"
    r"is it (?:worth|ok|time)|or not)"
    r"|(?P<either>(?<=[a-z\u00C0-\u024F]) or (?=[a-z\u00C0-\u024F]))",  # "A or B?", "tabs or spaces?"
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[a-z\u00C0-\u024F]", re.IGNORECASE)
#: a description is read this far (a real agenda is a few hundred characters)
MAX_TEXT = 20_000
#: a question is at most this long; a longer piece of text before a "?" is not one question
MAX_QUESTION = 400
# ... unless it only asks for information: that is a status question.
_STATUS_QUESTION = re.compile(
    r"\b(updates?|status|progress|news|blockers?|how('s| is) it going|anything else)\b", re.IGNORECASE
)
_EMPTY_QUESTIONS = re.compile(
    r"^\W*(any (questions|updates|blockers|other business)|questions|updates|aob|"
    r"anything else|what's new|how's it going)\W*\?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}")


@lru_cache(maxsize=4096)
def agenda_text(description: str) -> str:
    """The description without conference boilerplate and bare links."""
    kept = []
    for line in (description or "")[:MAX_TEXT].splitlines():
        stripped = line.strip()
        if not stripped or _BOILERPLATE.search(stripped):
            continue
        without_urls = URL_RE.sub("", stripped).strip(" -:*•|()[]")
        if len(_WORD.findall(without_urls)) == 0:
            continue
        kept.append(stripped)
    return "\n".join(kept)


@lru_cache(maxsize=4096)
def has_agenda(description: str, min_words: int = 3) -> bool:
    """True when the description says what the meeting is for, in a few words at least."""
    return len(_WORD.findall(URL_RE.sub("", agenda_text(description)))) >= min_words


@lru_cache(maxsize=4096)
def decision_evidence(description: str) -> str | None:
    """The phrase that shows a decision is sought, or None."""
    return _decision_evidence(description, None)


def scan_cost(description: str) -> int:
    """How many characters the decision reader hands to its patterns for this text.

    Every pattern it uses is free of nested or chained unbounded repetition,
    so its work is proportional to the characters it is given; this figure
    lets a test check, without a clock, that the work grows with the text
    and not with its square.
    """
    cost = [0]
    _decision_evidence(description, cost)
    return cost[0]


def _decision_evidence(description: str, cost: list[int] | None) -> str | None:
    text = agenda_text(description)
    for line in text.splitlines():
        if cost is not None:
            cost[0] += 3 * len(line)  # the empty-question, decision-word and "?" scans
        if _EMPTY_QUESTIONS.match(line):
            continue
        match = _DECISION_WORDS.search(line)
        if match:
            return match.group(0)
        question = _resolving_question(line, cost)
        if question and not _STATUS_QUESTION.search(question):
            return question.strip(" -:*")
    return None


def _resolving_question(line: str, cost: list[int] | None = None) -> str | None:
    """The first question on the line that a trigger phrase opens, up to its "?".

    Each piece between question marks is searched once, and only its last
    MAX_QUESTION characters, so the work grows with the line, not its square.
    """
    start = 0
    while True:
        mark = line.find("?", start)
        if mark < 0:
            return None
        begin = max(start, mark - MAX_QUESTION)
        if cost is not None:
            cost[0] += mark - begin
        found = _TRIGGER.search(line, begin, mark)
        if found:
            first = found.start()
            if found.group("either"):  # the question starts with the first alternative
                while first > begin and _LETTERS.match(line[first - 1]):
                    first -= 1
            return line[first : mark + 1]
        start = mark + 1


def seeks_decision(description: str) -> bool:
    return decision_evidence(description) is not None
