"""Read an invite's description the way a careful attendee would.

Two questions matter to the rules: is there an agenda at all (A001), and
does it ask for a decision or pose a question to resolve (A002)? Words such
as "discuss", "sync" or "updates" describe talking, not deciding, so they
never count as a decision on their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .links import URL_RE

# Lines that conferencing tools paste into invites; they are not an agenda.
_BOILERPLATE = re.compile(
    r"join (zoom|the|microsoft teams|with google meet|webex|by phone|online)|"
    r"microsoft teams meeting|meeting id|passcode|password:|dial[- ]in|"
    r"one tap mobile|find your local number|click here to join|"
    r"^(join|meet|teams|zoom|phone|pin)\b[:\s]|learn more about teams|meeting options|"
    r"^_{3,}|^-{3,}|^\+?\d[\d ,()#*+-]{6,}$|invitation from google calendar|"
    r"you are receiving this|forwarding this invitation|^reply for ",
    re.IGNORECASE,
)

_DECISION_WORDS = re.compile(
    r"\b(decide[sd]?|deciding|decision|approv(e|al|es|ed)|choose|choosing|pick (one|between)|"
    r"select (one|between)|agree on|agreement on|sign[- ]?off|signoff|go\s*/\s*no[- ]?go|go[- ]no[- ]go|"
    r"vote|voting|ratify|finali[sz]e|commit to|settle on|resolve)\b",
    re.IGNORECASE,
)

# A question that asks the group to resolve something.
_RESOLVING_QUESTION = re.compile(
    r"(^|[\s\d.):*-])(should|shall|which|whether|do we|can we|will we|are we going to|"
    r"what should|what do we|how should|who (should|owns|will)|when (should|do|will) we|"
    r"is it (worth|ok|time)|or not|[a-z] or [a-z])[^?\n]*\?",
    re.IGNORECASE,
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
        if match:
            return match.group(0).strip(" -:*")
    return None


def seeks_decision(description: str) -> bool:
    return decision_evidence(description) is not None
