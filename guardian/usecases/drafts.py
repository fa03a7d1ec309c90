"""`guardian convert`: draft the async document that could replace a meeting.

Drafts are made for every series flagged by a `suggest-async:*` rule, or for
the one event chosen with `--event`. One read covers the window and every
draft's frequency weeks (from its meeting's Monday, four weeks on), so the
calendars are read once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from guardian.adapters.templates import draft_template
from guardian.core.model import Event, Window
from guardian.domain.drafts import (
    FREQUENCY_WEEKS,
    Draft,
    check_kind,
    draft,
    kind_of,
    seal,
    unchanged_since_written,
)
from guardian.errors import InputError
from guardian.lint.engine import audit
from guardian.usecases.session import Options, Session


def make_drafts(
    options: Options, uid: str | None = None, kind: str | None = None
) -> tuple[Session, list[Draft]]:
    session = Session(options)
    window = session.window
    series = session.read_events(
        Window(window.start - timedelta(days=7), window.end + timedelta(weeks=FREQUENCY_WEEKS))
    )
    events = [e for e in series if window.overlaps(e.start, e.end)]
    result = audit(session.rulebook, session.audit_context(events), session.suppressions)
    override = check_kind(kind) if kind else None
    chosen: dict[str, tuple[Event, str]] = {}
    if uid:
        matches = [e for e in events if uid in (e.uid, e.instance_id)]
        if not matches:
            raise InputError(
                f"--event: no event {uid!r} between {window.start.date()} and {window.end.date()}",
                hint="check the UID in `guardian audit --format json`, or widen --from/--days",
            )
        event = min(matches, key=lambda e: e.start)
        flagged = next(
            (
                kind_of(f.action)
                for f in result.findings
                if f.event is not None and f.event.uid == event.uid and kind_of(f.action)
            ),
            None,
        )
        chosen[event.uid] = (event, override or flagged or "update")
    else:
        for f in result.findings:
            k = kind_of(f.action)
            if f.event is None or k is None or f.event.uid in chosen:
                continue
            chosen[f.event.uid] = (f.event, override or k)
    templates = {k: draft_template(k) for _, k in chosen.values()}
    drafts = [
        draft(
            e,
            k,
            session.now,
            tz=session.tz,
            series=[s for s in series if s.uid == e.uid],
            me=session.identity.me,
            workday=session.hours.is_workday,
            template=templates[k],
        )
        for e, k in sorted(chosen.values(), key=lambda item: item[0].start)
    ]
    return session, drafts


def draft_paths(drafts: list[Draft], folder: Path) -> list[Path]:
    """Where each draft goes under `folder`; two drafts never share a file name."""
    paths: list[Path] = []
    for d in drafts:
        path = folder / d.filename
        n = 1
        while path in paths:  # two series, same day, kind and title
            n += 1
            path = path.with_name(f"{Path(d.filename).stem}-{n}.md")
        paths.append(path)
    return paths


def changed_drafts(paths: list[Path]) -> list[Path]:
    """The files among `paths` that exist and are not exactly what guardian wrote there."""
    changed = []
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except (FileNotFoundError, NotADirectoryError):
            continue  # nothing there yet (a folder that cannot exist fails when writing)
        except (OSError, UnicodeDecodeError):
            changed.append(path)  # unreadable as a draft: certainly not ours to replace
            continue
        if not unchanged_since_written(text):
            changed.append(path)
    return changed


def write_drafts(drafts: list[Draft], folder: Path, *, force: bool = False) -> list[Path]:
    """Write each draft as Markdown under `folder`, never over a draft a person changed.

    How a change is known: each draft ends with a comment holding the hash of
    its text (`domain.drafts.seal`). A file whose text no longer matches it,
    or that has no such line (someone else's file), is the person's work:
    unless `force`, nothing at all is written and the run stops with one
    line (exit 2). Each file is replaced atomically.
    """
    from guardian.adapters.files import write_text_file

    paths = draft_paths(drafts, folder)
    if not force:
        changed = changed_drafts(paths)
        if changed:
            more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
            raise InputError(
                f"{changed[0]}: changed since guardian wrote it{more}; nothing written",
                hint="keep your edits, or pass --force to replace it with a fresh draft",
            )
    for d, path in zip(drafts, paths, strict=True):
        write_text_file(path, seal(d.markdown), what="--output")
    return paths
