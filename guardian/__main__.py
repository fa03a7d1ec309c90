"""`python -m guardian` runs the same command line as `guardian`."""

from guardian.cli.app import run

run()
