"""Python's cycle collector, paused while objects are built that all live on.

Reading a calendar, running the rules and writing the JSON of a long
window each build hundreds of thousands of small objects (components,
events, findings, the document), nearly all of which live until the
command ends. With the default thresholds each 700 new objects make the
collector walk the young ones again, and every tenth of those walks the
older ones too: about a tenth of a one-year audit went there, and a
collection after its read found nothing to free. Objects freed by their
reference count still go at once; only cycles wait, and the collector is
switched back on (if it was on) when the block ends, and collects then.
Nested pauses are fine: the inner one leaves it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
