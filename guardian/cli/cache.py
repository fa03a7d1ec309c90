"""`guardian cache path|clear`: where the caches are, and emptying them."""

from typing import Annotated

import typer

from guardian.cli.options import example


def register(app: typer.Typer) -> None:
    cache_app = typer.Typer(
        help="Show or clear what guardian keeps to make repeat runs fast.", no_args_is_help=True
    )
    app.add_typer(cache_app, name="cache")

    @cache_app.command("path", epilog=example("guardian cache path"))
    def cache_path() -> None:
        """Where the caches are, and how much each holds."""
        from guardian.usecases.cache import cache_folders

        for folder in cache_folders():
            unit = "copy" if folder.name == "calendars" else "entry"
            typer.echo(
                f"{folder.what}: {folder.path} ({_count(folder.entries, unit)}, {_bytes(folder.size)})"
            )

    @cache_app.command("clear", epilog=example("guardian cache clear", "guardian cache clear --all"))
    def cache_clear(
        everything: Annotated[
            bool,
            typer.Option("--all", help="Also remove the copies of calendar URLs (kept for offline runs)."),
        ] = False,
    ) -> None:
        """Remove the parsed calendars (the next run reads every calendar afresh)."""
        from guardian.usecases.cache import cache_folders, clear_caches

        for done in clear_caches(copies_too=everything):
            unit = "copy" if done.folder.name == "calendars" else "entry"
            typer.echo(f"removed {_count(done.removed, unit)} ({_bytes(done.size)}) from {done.folder.path}")
        if not everything:
            copies = next(f for f in cache_folders() if f.name == "calendars")
            if copies.entries:
                typer.echo(
                    f"kept {_count(copies.entries, 'copy')} of calendar URLs (for offline runs); "
                    "`guardian cache clear --all` removes them too"
                )


def _count(n: int, unit: str) -> str:
    plural = {"entry": "entries", "copy": "copies"}[unit]
    return f"{n} {unit if n == 1 else plural}"


def _bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"
