"""Rendering: results to terminal tables, Markdown, HTML and JSON.

Lives here: one module per command's output (`audit`, `focus`, `report`, ...).
Renderers are functions of results; they read no calendar and decide
nothing. Every piece of text that came from an invite passes
`guardian.core.text` on its way out.

May import: `guardian.core`, `guardian.lint`, `guardian.domain`, the result
types of `guardian.usecases`, and rich. Never `guardian.cli`.
"""
