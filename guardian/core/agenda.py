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

# A question that asks the group to resolve something.
_RESOLVING_QUESTION = re.compile(
    r"(^|[\s\d.):*-])(should|shall|which|whether|do we|can we|will we|are we going to|"
    r"what should|what do we|how should|who (should|owns|will)|when (should|do|will) we|"
    r"is it (worth|ok|time)|or not|[a-z] or [a-z])[^?\n]*\?",
    re.IGNORECASE,
)
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
    for line in (description or "").splitlines():
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
    text = agenda_text(description)
    for line in text.splitlines():
        if _EMPTY_QUESTIONS.match(line):
            continue
        match = _DECISION_WORDS.search(line)
        if match:
            return match.group(0)
        match = _RESOLVING_QUESTION.search(line)
        if match and not _STATUS_QUESTION.search(match.group(0)):
            return match.group(0).strip(" -:*")
    return None


def seeks_decision(description: str) -> bool:
    return decision_evidence(description) is not None
