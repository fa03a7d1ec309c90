"""Reading the texts guardian fills in: the pre-read request and the async drafts.

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


def reply_template(path: Path | str | None = None) -> replies.Template:
    """The pre-read request's subject and body (TOML), the bundled one by default."""
    path = Path(path) if path else templates_dir() / replies.TEMPLATE_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such reply template", hint="check [replies] template") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the reply template ({exc})") from None
    return replies.parse_template(data, str(path))


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
