"""Reading the texts guardian fills in: the three kinds of reply and the async drafts.

The bundled templates live in the rule data (`rules/templates/`); a person
may point `[replies] template` at their own. Parsing and validation are the
domain's (`domain.replies.parse_template`, `domain.drafts.parse_template`);
this module only reads the files and names them in errors.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

from guardian.adapters.resources import templates_dir
from guardian.domain import drafts, replies
from guardian.errors import InputError


def reply_template(path: Path | str | None = None, kind: str = "pre-read") -> replies.Template:
    """A reply's subject and body (TOML), the bundled one of its kind by default.

    `kind` is "pre-read" (`pre-read-request.toml`, `[replies] template`),
    "async-proposal" (`async-proposal.toml`, `[replies] proposal_template`) or
    "move-request" (`move-request.toml`, `[replies] move_template`).
    """
    bundled, key = {
        "async-proposal": (replies.PROPOSAL_TEMPLATE_NAME, "proposal_template"),
        "move-request": (replies.MOVE_TEMPLATE_NAME, "move_template"),
    }.get(kind, (replies.TEMPLATE_NAME, "template"))
    path = Path(path) if path else templates_dir() / bundled
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such reply template", hint=f"check [replies] {key}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the reply template ({exc})") from None
    return replies.parse_template(data, str(path), kind)


def draft_template(kind: str, folder: Path | None = None) -> string.Template:
    """The Markdown template of an async draft of `kind` (update, rfc, brainstorm, decision)."""
    path = (folder or templates_dir()) / drafts.KINDS[drafts.check_kind(kind)]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {kind} template ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the {kind} template is not UTF-8 text", hint="save it as UTF-8") from None
    return drafts.parse_template(text, kind, str(path))
