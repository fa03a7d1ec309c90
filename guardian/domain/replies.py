"""Replies to organizers: who is asked, once, what, and what the note says.

Three kinds of reply (`REPLY_KINDS`), one per meeting series:

- `pre-read`: "could the invite link the document?" (the request-pre-read
  action, D001; or a rule named in `[replies] actions`, e.g. no-decision);
- `async-proposal`: "could this be a written update? here is an outline"
  (the suggest-async actions, S001-S003);
- `move-request`: "could it move? it falls on our no-meeting day / outside
  our meeting hours" (the request-move action, H006 and H007).

Pre-read requests and async proposals quote the meeting's focus price when
it costs more than its length (`$focus_price`): mine, from my calendar, and
the team's when their free/busy is known (`PriceNote`).

A meeting gets one recommendation: when it has findings of both kinds, the
pack's precedence (`RuleBook.rank`) decides which reply goes out, so a
standup's organizer is offered a written update, not asked for a pre-read.

`compose` is pure: given the audit's findings, a lookup into the state store
("was this organizer already asked about this series?"), the clock and the
settings, it returns the requests to send now, those deferred (quiet hours,
the per-run cap) and those skipped with a reason. Nothing here talks to a
provider or the disk except reading the template.

Eligibility, in order (the first reason that applies is reported):

- the event is flagged by a rule whose action is `request-pre-read` (D001)
  or `suggest-async:*` (S001-S003), or by a rule named in `[replies]
  actions` (e.g. "no-decision" for A002); the reply's kind must be in
  `[replies] actions` ("request-pre-read", "suggest-async");
- I am an attendee: not the organizer, and I have not declined;
- the meeting is not exempt (1:1s, interviews, social, incidents, ...),
  and not a large meeting (one a `large-meeting` rule flags) unless
  `[replies] ask_large_meetings` is true: one voice among many is noise;
- the organizer's address is a plain, valid email address;
- that organizer was not already asked about this series (state store);
- the occurrence starts at least `min_hours_ahead` (default 4) after now
  (a later occurrence of the series still qualifies if the next is too soon);
- at most `max_per_run` (default 5) requests per run, soonest meeting first;
- not during `quiet_hours` (e.g. "20:00-08:00"): then everything is deferred.

One request per series and organizer: five instances of a daily standup
produce one note, about the first instance that qualifies.

My answer is kept by default (`[replies] response = "keep"`): an accepted
invite stays accepted and the comment carries the request; an unanswered one
is answered tentative (a reply needs an answer to carry a comment). The
decision is made here, in the response each Reply carries, so every channel
(provider RSVP, iTIP REPLY) sends the same answer.

Names written "Last, First" (as Outlook directories do) are read as
"First Last", so "Müller, Jörg" is greeted "Hi Jörg".

Safety: every value that comes from an invite (title, names) is folded to
one line with control characters removed before it reaches a template, the
subject is folded again after rendering, and the recipient is always the
organizer's address from the invite, checked against a strict pattern; it
is never read from the rendered text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from guardian.core.availability import FocusPrice
from guardian.core.model import Event, Finding, Status
from guardian.core.text import one_line
from guardian.errors import InputError, did_you_mean, join_hints
from guardian.lint.checks.event import LateInvite

if TYPE_CHECKING:
    from pathlib import Path  # settings name files; the domain never opens them

DEFAULT_MAX_PER_RUN = 5
DEFAULT_MIN_HOURS_AHEAD = 4.0
REQUEST_ACTION = "request-pre-read"
ASYNC_ACTION = "suggest-async"  # every suggest-async:KIND action
MOVE_ACTION = "request-move"
#: reply kind -> the `[replies] actions` word that turns it on
REPLY_KINDS = {"pre-read": REQUEST_ACTION, "async-proposal": ASYNC_ACTION, "move-request": MOVE_ACTION}
KEEP = "keep"  # `[replies] response`: answer as I already did
RESPONSES = {"tentative": Status.TENTATIVE, "accepted": Status.ACCEPTED, "declined": Status.DECLINED}
RESPONSE_CHOICES = (KEEP, *RESPONSES)
CHANNELS = ("auto", "outbox", "smtp", "rsvp")
TEMPLATE_NAME = "pre-read-request.toml"
PROPOSAL_TEMPLATE_NAME = "async-proposal.toml"
MOVE_TEMPLATE_NAME = "move-request.toml"
TEMPLATE_FIELDS = frozenset(
    {
        "title",
        "when",
        "date",
        "organizer_name",
        "organizer_first",
        "my_name",
        "missing",
        "lead_hours",
        "series_note",
        "status_note",
        "focus_price",
    }
)
PROPOSAL_FIELDS = (TEMPLATE_FIELDS - {"missing", "lead_hours"}) | {"proposal", "outline", "cost"}
MOVE_FIELDS = (TEMPLATE_FIELDS - {"missing", "lead_hours"}) | {"norm"}
FIELDS_OF = {"pre-read": TEMPLATE_FIELDS, "async-proposal": PROPOSAL_FIELDS, "move-request": MOVE_FIELDS}
ASYNC_KINDS = ("update", "rfc", "brainstorm", "decision")  # as domain.drafts.KINDS
WRAP = 76
MAX_SUBJECT = 200

# What a finding asks the organizer for, by the check that found it.
MISSING = {
    "missing-doc": "a document to read beforehand (the proposal, notes or ticket the meeting is about)",
    "no-decision": "the decision to make or the open question the meeting should resolve",
    "missing-agenda": "a few lines of agenda: what the meeting should produce",
}

STATUS_NOTES = {
    Status.TENTATIVE: "I have answered tentative for now and will switch to accepted once it is linked.",
    Status.ACCEPTED: "I have accepted; a link before the meeting would still help a lot.",
    Status.DECLINED: "I have declined for now and will gladly accept once it is linked.",
}
PROPOSAL_NOTES = {
    Status.TENTATIVE: "I have answered tentative for now; if we keep the meeting, I will be there.",
    Status.ACCEPTED: "I have accepted, so nothing changes unless you like the idea.",
    Status.DECLINED: "I have declined for now, and would gladly contribute in writing.",
}
MOVE_NOTES = {
    Status.TENTATIVE: "I have answered tentative for now and will accept the new time.",
    Status.ACCEPTED: "I have accepted; if it can move, I will be there at the new time.",
    Status.DECLINED: "I have declined this time, and would gladly join at another.",
}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}

# A deliberately strict address: no display name, no spaces, no quotes, no
# commas or angle brackets, one @, a dotted domain. Anything else is refused.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


# ---------------------------------------------------------------------------
# safe text


def valid_address(value: object) -> str | None:
    """The address lower-cased if it is a plain valid email address, else None."""
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _ADDRESS.match(text) or ".." in text:
        return None
    return text.lower()


def natural_name(value: object) -> str:
    """A name as it is spoken: "Müller, Jörg" -> "Jörg Müller"; others unchanged.

    Directories (Outlook's above all) write "Last, First"; a greeting or a
    display name wants "First Last". Only one comma between two plain parts
    is read so: "Smith, Jr." and "Sales, Marketing and Ops" are left alone.
    A trailing "(Dept)" stays at the end.
    """
    text = one_line(str(value or ""), 120)
    match = re.fullmatch(r"([^,()@]+),\s*([^,()@]+?)\s*(\([^()]*\))?", text)
    if not match:
        return text
    last, first, note = match.group(1).strip(), match.group(2).strip(), match.group(3)
    if not last or not first or first.lower() in _SUFFIXES or len(first.split()) > 3 or len(last.split()) > 3:
        return text
    return f"{first} {last}" + (f" {note}" if note else "")


def display_name(value: object) -> str:
    """A name safe for a header's display-name or an iCalendar CN parameter."""
    return one_line(re.sub(r'["<>\\;:,@]', " ", natural_name(value)), 80)


# ---------------------------------------------------------------------------
# settings


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    spec: str

    @classmethod
    def parse(cls, spec: str | None) -> QuietHours | None:
        if not spec or spec.strip().lower() in ("", "off", "none"):
            return None
        match = _QUIET.match(spec)
        if not match:
            raise InputError(f'[replies] quiet_hours: {spec!r} is not a range like "20:00-08:00"')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) == (h2, m2):
            raise InputError(f"[replies] quiet_hours: {spec!r} is not a usable range")
        return cls(time(h1, m1), time(h2, m2), spec.strip())

    def contains(self, when: datetime) -> bool:
        t = when.timetz().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # wraps past midnight


@dataclass(frozen=True)
class Template:
    subject: string.Template
    body: string.Template
    origin: str
    #: async proposals: per draft kind, (what the meeting could become, the outline)
    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        subject = one_line(self.subject.substitute(values), MAX_SUBJECT)
        body = self.body.substitute(values).strip("\n")
        body = re.sub(r"[ \t]+\n", "\n", body)
        body = re.sub(r"\n{3,}", "\n\n", body)
        return subject, reflow(body) + "\n"


def reflow(text: str, width: int = WRAP) -> str:
    """Re-wrap paragraphs that a filled-in value made too long; leave the rest as written.

    Lists ("- ..."), the signature separator and short lines (a sign-off
    with a name under it) keep their line breaks.
    """
    import textwrap

    out = []
    for para in text.split("\n\n"):
        lines = para.split("\n")
        listy = any(line.lstrip().startswith(("- ", "* ", "--")) for line in lines)
        if listy or all(len(line) <= width + 6 for line in lines):
            out.append(para)
        else:
            out.append(
                textwrap.fill(
                    " ".join(line.strip() for line in lines),
                    width,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return "\n\n".join(out)


def parse_template(data: dict[str, Any], origin: str, kind: str = "pre-read") -> Template:
    """A subject/body template from its TOML table, refusing unknown placeholders.

    `origin` (the file it came from) is named in every error. An
    `async-proposal` template also has a `[kinds.KIND]` table (`proposal`,
    `outline`) for each kind of async document.
    """
    fields = FIELDS_OF.get(kind, TEMPLATE_FIELDS)
    allowed = {"subject", "body"} | ({"kinds"} if kind == "async-proposal" else set())
    parts = {}
    for key in ("subject", "body"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"{origin}: {key}: missing or not text", hint="a template has `subject` and `body`"
            )
        tpl = string.Template(value)
        if not tpl.is_valid():
            raise InputError(
                f"{origin}: {key}: a `$` that is not a placeholder", hint="write $$ for a dollar sign"
            )
        unknown = sorted(set(tpl.get_identifiers()) - fields)
        if unknown:
            raise InputError(
                f"{origin}: {key}: unknown placeholder ${unknown[0]}",
                hint=join_hints(
                    did_you_mean(unknown[0], fields, fmt="${}"),
                    "known: " + ", ".join("$" + f for f in sorted(fields)),
                ),
            )
        parts[key] = tpl
    extra = sorted(set(data) - allowed)
    if extra:
        raise InputError(
            f"{origin}: {extra[0]}: unknown key",
            hint="a template has " + ", ".join(f"`{k}`" for k in sorted(allowed)),
        )
    kinds: dict[str, tuple[str, str]] = {}
    if kind == "async-proposal":
        table = data.get("kinds")
        if not isinstance(table, dict):
            raise InputError(f"{origin}: kinds: missing", hint="add [kinds.update], [kinds.rfc], ...")
        for name in ASYNC_KINDS:
            entry = table.get(name)
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry[k].strip() for k in ("proposal", "outline")
            ):
                raise InputError(
                    f"{origin}: kinds.{name}: missing or incomplete",
                    hint="it needs `proposal` and `outline` text",
                )
            kinds[name] = (one_line(entry["proposal"], 120), entry["outline"].strip("\n"))
        extra = sorted(set(table) - set(ASYNC_KINDS))
        if extra:
            raise InputError(
                f"{origin}: kinds.{extra[0]}: unknown kind", hint="kinds: " + ", ".join(ASYNC_KINDS)
            )
    return Template(parts["subject"], parts["body"], origin, kinds)


@dataclass(frozen=True)
class ReplySettings:
    enabled: bool = False
    actions: tuple[str, ...] = (REQUEST_ACTION, ASYNC_ACTION, MOVE_ACTION)
    max_per_run: int = DEFAULT_MAX_PER_RUN
    min_hours_ahead: float = DEFAULT_MIN_HOURS_AHEAD
    quiet_hours: QuietHours | None = None
    response: Status | None = None  # None: keep my answer ("keep")
    outbox: Path | None = None
    template: Path | None = None  # the pre-read request's
    proposal_template: Path | None = None  # the async proposal's
    move_template: Path | None = None  # the move request's
    channel: str = "auto"
    ask_large_meetings: bool = False
    lead_hours: float = LateInvite().lead_hours  # set from the pack by the use case

    @staticmethod
    def parse_response(value: str) -> Status | None:
        """The answer a reply is sent with: `keep` (None), `tentative`, `accepted` or `declined`."""
        response = value.strip().lower()
        if response == KEEP:
            return None
        if response not in RESPONSES:
            raise ValueError(f"{value!r} is not one of {', '.join(RESPONSE_CHOICES)}")
        return RESPONSES[response]

    @staticmethod
    def parse_quiet_hours(value: str) -> QuietHours | None:
        try:
            return QuietHours.parse(value)
        except InputError as exc:
            raise ValueError(exc.message.removeprefix("[replies] quiet_hours: ")) from None

    def kind_of(self, finding: Finding) -> str | None:
        """The kind of reply this finding calls for, whether or not that kind is turned on."""
        if finding.action.startswith(ASYNC_ACTION + ":"):
            return "async-proposal"
        if finding.action == REQUEST_ACTION:
            return "pre-read"
        if finding.action == MOVE_ACTION:
            return "move-request"
        wanted = {a.lower() for a in self.actions}
        if finding.rule.lower() in wanted or finding.name.lower() in wanted:
            return "pre-read"  # a rule named in [replies] actions: ask for what it misses
        return None

    def triggers(self, finding: Finding) -> bool:
        """Whether this finding can lead to a reply to its organizer (of a kind turned on)."""
        kind = self.kind_of(finding)
        if kind is None:
            return False
        if kind == "pre-read" and finding.action != REQUEST_ACTION:
            return True  # named in actions
        return REPLY_KINDS[kind] in {a.lower() for a in self.actions}

    def response_for(self, event: Event) -> Status:
        """The answer the reply carries: the configured one, or my own answer kept.

        Unanswered invites are answered tentative: a reply needs an answer to
        carry its comment, and tentative commits me to nothing.
        """
        if self.response is not None:
            return self.response
        if event.my_status in (Status.ACCEPTED, Status.TENTATIVE, Status.DECLINED):
            return event.my_status
        return Status.TENTATIVE


# ---------------------------------------------------------------------------
# the plan


@dataclass(frozen=True)
class Reply:
    """One note to one organizer about one series."""

    event: Event  # the occurrence the note is about
    to: str  # the organizer's validated address
    to_name: str  # display name, safe for headers
    #: the subject and body, rendered when first asked for: an audit asks only what would be
    #: sent, and a year of findings is hundreds of notes nobody reads there
    text: Callable[[], tuple[str, str]] = field(compare=False, repr=False)
    rules: tuple[str, ...]  # codes of the findings behind it, e.g. ("D001", "A002")
    response: Status
    instances: int = 1  # flagged occurrences of the series in the window
    kind: str = "pre-read"  # "pre-read" | "async-proposal" | "move-request"
    lead: str = ""  # the code of the finding that decided the kind (the recommendation)

    @cached_property
    def _rendered(self) -> tuple[str, str]:
        return self.text()

    @property
    def subject(self) -> str:
        return self._rendered[0]

    @property
    def body(self) -> str:
        return self._rendered[1]

    @property
    def series(self) -> str:
        return self.event.uid

    def ref(self) -> dict[str, Any]:
        return {"uid": self.event.uid, "start": self.event.start.isoformat(), "title": self.event.title}

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.ref(),
            "kind": self.kind,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "rules": list(self.rules),
            "lead": self.lead,
            "response": str(self.response),
            "instances": self.instances,
        }


@dataclass(frozen=True)
class Skip:
    """A flagged series nobody will be asked about, and why."""

    event: Event
    code: str  # stable, e.g. "organizer-is-me", "already-asked", "too-soon"
    reason: str  # one readable line
    to: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": {
                "uid": self.event.uid,
                "start": self.event.start.isoformat(),
                "title": self.event.title,
            },
            "to": self.to,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Deferred:
    """A reply that is due but waits for a later run (quiet hours, per-run cap)."""

    reply: Reply
    code: str  # "quiet-hours" | "over-cap"
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {**self.reply.to_json(), "code": self.code, "reason": self.reason}


@dataclass
class Plan:
    replies: list[Reply] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "replies": [r.to_json() for r in self.replies],
            "deferred": [d.to_json() for d in self.deferred],
            "skipped": [s.to_json() for s in self.skipped],
        }


AskedLookup = Callable[[str, str], bool]
Rank = Callable[[Finding], Any]


@dataclass(frozen=True)
class PriceNote:
    """What a meeting costs in focus time, as a reply quotes it.

    `mine` is my price of the occurrence the note is about (from my own
    calendar); `team_hours` the price for everyone invited whose free/busy is
    known, over the series' occurrences in the window (None: not asked).
    """

    mine: FocusPrice | None = None
    team_hours: float | None = None
    team_people: int = 0
    team_span: str = "this week"
    min_hours: float = 2.0  # the minimum focus block (`[focus] min_minutes`)


PriceLookup = Callable[[Event], "PriceNote | None"]


def price_sentence(note: PriceNote | None, tz: tzinfo) -> str:
    """The `$focus_price` sentence: what the meeting costs in focus time, or "" when only itself."""
    if note is None:
        return ""
    parts = []
    mine = note.mine
    if mine is not None and mine.breaks:
        before = " and ".join(f"{s.astimezone(tz):%H:%M}-{e.astimezone(tz):%H:%M}" for s, e in mine.before)
        left = " + ".join(_hours((e - s).total_seconds() / 3600) for s, e in mine.after) or "nothing"
        parts.append(
            f"Where it sits, it costs me {_hours(mine.hours)} of focus time that day: it splits "
            f"{before} into {left}, and a piece under {_hours(note.min_hours)} is too short for deep work."
        )
    if note.team_hours:
        people = f" ({note.team_people} people, from their free/busy)" if note.team_people else ""
        parts.append(
            f"Across everyone invited it costs {_hours(note.team_hours)} of focus {note.team_span}{people}."
        )
    return " ".join(parts)


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " h"


def default_rank(finding: Finding) -> tuple[int, int]:
    """The default pack's precedence: async proposals, move requests, pre-read requests; worse first."""
    action = finding.action
    place = (
        0
        if action.startswith(ASYNC_ACTION + ":")
        else 1
        if action == MOVE_ACTION
        else 2
        if action == REQUEST_ACTION
        else 3
    )
    return place, -finding.severity.rank


def compose(
    findings: Iterable[Finding],
    *,
    now: datetime,
    tz: tzinfo,
    settings: ReplySettings = ReplySettings(),
    was_asked: AskedLookup = lambda series, organizer: False,
    me: str | None = None,
    exempt: Callable[[Event], str | None] = lambda event: None,
    template: Template,
    proposal: Template | None = None,
    move: Template | None = None,
    rank: Rank = default_rank,
    price_of: PriceLookup = lambda event: None,
) -> Plan:
    """Decide who is asked what now (pure: the templates arrive loaded).

    `rank` is the pack's precedence (`RuleBook.rank`): of a series' findings
    that call for a reply, the first decides its kind. `price_of` tells the
    focus price a note quotes.
    """
    groups: dict[tuple[str, str], list[tuple[Event, list[Finding]]]] = {}
    by_instance: dict[str, tuple[Event, list[Finding]]] = {}
    large: set[str] = set()  # instances a large-meeting rule flags
    for finding in findings:
        if finding.event is None:
            continue
        if finding.check == "large-meeting":
            large.add(finding.event.instance_id)
        if settings.kind_of(finding) is None:
            continue
        event = finding.event
        entry = by_instance.get(event.instance_id)
        if entry is None:
            entry = by_instance[event.instance_id] = (event, [])
            organizer = (event.organizer.email if event.organizer else "").strip().lower()
            groups.setdefault((event.uid, organizer), []).append(entry)
        entry[1].append(finding)

    plan = Plan()
    candidates: list[Reply] = []
    for (_series, organizer), entries in groups.items():
        entries.sort(key=lambda item: item[0].start)
        first = entries[0][0]
        every = [f for _, fs in entries for f in fs]
        lead = min(every, key=rank)
        kind = settings.kind_of(lead) or "pre-read"
        triggered = [f for f in every if settings.kind_of(f) == kind and settings.triggers(f)]
        if not triggered:
            continue  # that kind of reply is off: the meeting's one recommendation is not a note
        problem = _series_problem(first, organizer, me, was_asked)
        if problem is None and kind == "async-proposal" and proposal is None:
            problem = ("no-template", "no async proposal template")
        if problem is None and kind == "move-request" and move is None:
            problem = ("no-template", "no move request template")
        if problem:
            plan.skipped.append(Skip(first, *problem, to=valid_address(organizer)))
            continue
        chosen = None
        first_problem: tuple[str, str] | None = None
        for event, found in entries:
            problem = _instance_problem(event, now, settings, exempt, large)
            if problem is None:
                chosen = (event, found)
                break
            first_problem = first_problem or problem
        if chosen is None:
            assert first_problem is not None
            plan.skipped.append(Skip(first, *first_problem, to=valid_address(organizer)))
            continue
        event, found = chosen
        response = settings.response_for(event)
        rules = tuple(sorted({f.rule for f in every}))
        price = price_sentence(price_of(event), tz)
        values: Callable[[], dict[str, str]]
        if kind == "async-proposal":
            assert proposal is not None
            note = proposal
            values = partial(_proposal_values, event, lead, len(entries), me, tz, proposal, response)
        elif kind == "move-request":
            assert move is not None
            note = move
            # the norm this occurrence breaks (the series' lead may be another day's)
            norm = min((f for f in found if settings.kind_of(f) == kind), key=rank, default=lead)
            values = partial(_move_values, event, norm, me, tz, response)
        else:
            note = template
            values = partial(_values, event, _missing_kinds(triggered), me, tz, settings, response)
        candidates.append(
            Reply(
                event=event,
                to=valid_address(organizer) or "",
                to_name=display_name(event.organizer.name if event.organizer else ""),
                text=partial(_render, note, values, price),
                rules=rules,
                response=response,
                instances=len(entries),
                kind=kind,
                lead=lead.rule,
            )
        )

    candidates.sort(key=lambda r: (r.event.start, r.event.uid, r.to))
    quiet = settings.quiet_hours
    if quiet is not None and quiet.contains(now.astimezone(tz)):
        until = quiet.end.strftime("%H:%M")
        plan.deferred = [
            Deferred(r, "quiet-hours", f"quiet hours ({quiet.spec}): sent by the first run after {until}")
            for r in candidates
        ]
        return plan
    plan.replies = candidates[: settings.max_per_run]
    plan.deferred = [
        Deferred(r, "over-cap", f"over the per-run cap of {settings.max_per_run}: sent by a later run")
        for r in candidates[settings.max_per_run :]
    ]
    plan.skipped.sort(key=lambda s: (s.event.start, s.event.uid))
    return plan


def _render(template: Template, values: Callable[[], dict[str, str]], price: str) -> tuple[str, str]:
    return template.render({**values(), "focus_price": price})


def _move_values(event: Event, lead: Finding, me: str | None, tz: tzinfo, response: Status) -> dict[str, str]:
    """A move request names the norm the meeting breaks, in the finding's own words."""
    values = _common_values(event, me, tz)
    if event.recurring:
        values["series_note"] = "As it is a recurring meeting, moving the whole series would help most."
    return {**values, "norm": one_line(lead.message, 200), "status_note": MOVE_NOTES[response]}


def _series_problem(
    event: Event,
    organizer: str,
    me: str | None,
    was_asked: AskedLookup,
) -> tuple[str, str] | None:
    if event.my_status is Status.ORGANIZER or (me and organizer == me.strip().lower()):
        return "organizer-is-me", "you organize it: nobody to ask but yourself"
    if not organizer:
        return "no-organizer", "the invite names no organizer"
    if valid_address(organizer) is None:
        return "bad-address", "the organizer's address is not a plain email address; nothing sent"
    if was_asked(event.uid, organizer):
        return "already-asked", "this organizer was already asked about this series"
    return None


def _instance_problem(
    event: Event,
    now: datetime,
    settings: ReplySettings,
    exempt: Callable[[Event], str | None],
    large: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[str, str] | None:
    if event.my_status is Status.DECLINED or event.cancelled:
        return "declined", "you declined it"
    category = exempt(event)
    if category:
        return "exempt", f"exempt ({category}): a meeting that earns its place"
    if event.instance_id in large and not settings.ask_large_meetings:
        return "large-meeting", (
            f"{len(event.people)} people: large meetings are not asked ([replies] ask_large_meetings)"
        )
    if event.start <= now:
        return "past", "it has already started"
    ahead = (event.start - now).total_seconds() / 3600
    if ahead < settings.min_hours_ahead:
        return "too-soon", (
            f"starts in {ahead:.1f} h, less than min_hours_ahead ({settings.min_hours_ahead:g} h)"
        )
    return None


def first_name(name: str) -> str:
    """The name to greet: "Müller, Jörg" -> "Jörg", "sam@x" -> "sam", "Jordan (Vendor)" -> "Jordan"."""
    if not name or "@" in name:
        return name.split("@", 1)[0] if name else ""
    words = natural_name(name).split()
    return words[0].strip("()[],") if words else ""


def _missing_kinds(findings: Iterable[Finding]) -> list[str]:
    kinds: list[str] = []
    for f in findings:
        kind = f.check if f.check in MISSING else "missing-doc"
        if kind not in kinds:
            kinds.append(kind)
    order = list(MISSING)
    return sorted(kinds, key=order.index)


def _common_values(event: Event, me: str | None, tz: tzinfo) -> dict[str, str]:
    local = event.start.astimezone(tz)
    zone = getattr(tz, "key", None) or local.tzname() or ""
    when = f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}" + (f" ({zone})" if zone else "")
    organizer = event.organizer
    organizer_name = one_line(
        natural_name(organizer.name)
        if organizer and organizer.name
        else (organizer.email if organizer else ""),
        80,
    )
    my_name = ""
    if me:
        mine = next((a for a in event.attendees if a.email.lower() == me.lower()), None)
        my_name = one_line(natural_name(mine.name) if mine and mine.name else me, 80)
    series_note = (
        "As it is a recurring meeting, a standing document that each occurrence links to works well."
        if event.recurring
        else ""
    )
    return {
        "title": one_line(event.title) or "(untitled meeting)",
        "when": when,
        "date": f"{local.day} {local:%b}",
        "organizer_name": organizer_name or "there",
        "organizer_first": first_name(organizer_name) or "there",
        "my_name": my_name,
        "series_note": series_note,
    }


def _values(
    event: Event, kinds: Sequence[str], me: str | None, tz: tzinfo, settings: ReplySettings, response: Status
) -> dict[str, str]:
    return {
        **_common_values(event, me, tz),
        "missing": "\n".join(f"- {MISSING[k]}" for k in kinds),
        "lead_hours": f"{settings.lead_hours:g}",
        "status_note": STATUS_NOTES[response],
    }


def _proposal_values(
    event: Event,
    lead: Finding,
    instances: int,
    me: str | None,
    tz: tzinfo,
    template: Template,
    response: Status,
) -> dict[str, str]:
    kind = lead.action.split(":", 1)[1] if ":" in lead.action else "update"
    proposal, outline = template.kinds.get(kind) or template.kinds["update"]
    people = len(event.people)
    minutes = round(event.duration.total_seconds() / 60)
    cost = f"{people} people for {minutes} minutes" + (" each time" if event.recurring else "")
    values = _common_values(event, me, tz)
    if event.recurring:
        values["series_note"] = (
            "As it is a recurring meeting, we could try it for a few weeks and then decide."
        )
    return {
        **values,
        "proposal": proposal,
        "outline": outline,
        "cost": cost,
        "status_note": PROPOSAL_NOTES[response],
    }
