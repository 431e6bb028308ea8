"""Building many small Python objects at once without the cycle collector running in between.

Turning a large result into rows (a dict per member of a big community) allocates hundreds
of thousands of containers; CPython's cycle collector runs every few hundred allocations
and, as the heap grows, spends more time scanning than the building takes. The objects built
here hold no reference cycles, so pausing the collector while they are made loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


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
