"""The rules engine: rule packs and the checks they are built from.

Lives here: the audit context every check receives (`context`), the check
registry and the built-in checks, typed per scope (`checks`), loading and
validating packs (`pack`), and the engine that runs a pack over a window
(`engine`).

May import: `guardian.core` and `guardian.errors`; reading a pack file goes
through `guardian.adapters.tomlfile` and `guardian.adapters.resources` (the
only edge it touches). Never a source, a use case, a renderer or the CLI.
Code finds a rule by what it checks (`RuleBook.by_check`), never by code.
"""
