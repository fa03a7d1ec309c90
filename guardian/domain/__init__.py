"""Pure decisions beyond linting: focus plans, replies, async drafts, metrics.

Lives here: planning and reconciling focus blocks (`focus`), who is asked
what and the note's text (`replies`), async replacement drafts (`drafts`),
and the weekly indicators (`metrics`).

May import: `guardian.core`, `guardian.lint` and `guardian.errors`. Like the
core, nothing here reads a file, the network, the environment or the clock;
templates and settings arrive as arguments.
"""
