"""The command line: thin Typer commands and the one error handler.

Lives here: the app and `main()` (`app`), the shared options (`options`),
and one module per command group. A command parses options, calls one use
case and one renderer; `main()` turns every GuardianError into one line
and an exit code.

May import: anything. Nothing imports it.
"""
