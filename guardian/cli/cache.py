"""`guardian cache path|clear`: where the caches are, and emptying them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from guardian.cli.options import example

if TYPE_CHECKING:
    from guardian.usecases.cache import CacheFolder


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
            typer.echo(f"{folder.what}: {folder.path} ({_count(folder)}, {_bytes(folder.size)})")

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
            typer.echo(f"removed {_count(done)} ({_bytes(done.size)}) from {done.path}")
        if not everything:
            copies = next(f for f in cache_folders() if f.name == "calendars")
            if copies.entries:
                typer.echo(
                    f"kept {_count(copies)} of calendar URLs (for offline runs); "
                    "`guardian cache clear --all` removes them too"
                )


#: what one entry of each cache is called: (one, many)
_UNITS = {"parsed": ("entry", "entries"), "calendars": ("copy", "copies")}


def _count(folder: CacheFolder) -> str:
    one, many = _UNITS[folder.name]
    return f"{folder.entries} {one if folder.entries == 1 else many}"


def _bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"
