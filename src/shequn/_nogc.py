"""Keeping CPython's cycle collector out of the way while many small objects are made.

Turning a large result into rows (a dict per member of a big community), or reading a
large export, allocates millions of containers; the cycle collector runs every few hundred
allocations and, as the heap grows, spends more time scanning than the work takes. The
objects made there hold no reference cycles, so collecting less often loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "fewer_collections"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic garbage collection for the block (restored as it was, even on error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Let the garbage collector run less often while a file is read.

    Reading makes a container or two per message (attributes, mention lists) that reference
    counting frees; but each allocation counts towards the next collection, and the full ones
    walk every object the process holds (Arrow, DuckDB, Ibis modules). Freezing what exists
    and collecting the young generation less often saves about a tenth of the read.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
