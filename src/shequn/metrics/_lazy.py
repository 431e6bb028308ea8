"""Catalog entries that a module builds on first use.

The registry imports the metric modules before its own ``Metric`` class exists, so a module
cannot build its entries at import time; it exposes ``ENTRIES`` through a module
``__getattr__`` made here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["lazy_entries"]


def lazy_entries(module: str, build: Callable[[], list[Any]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` whose ``ENTRIES`` is ``build()`` (cached by ``build`` itself)."""

    def __getattr__(name: str) -> Any:
        if name == "ENTRIES":
            return build()
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
