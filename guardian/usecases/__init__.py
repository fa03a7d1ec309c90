"""One use case per command: wiring sources, the engine and the domain.

Lives here: the resolved options of a run (`session`), and `audit`, `focus`,
`replies`, `drafts`, `report`, `nightly`, `actions`. A use case returns
results; it prints nothing, so the same run serves the terminal, JSON,
Markdown and HTML alike.

May import: everything but `guardian.render` and `guardian.cli`. It never
names a backend: it asks a source what it can do.
"""
