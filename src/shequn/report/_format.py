"""Numbers as the reports write them, the same in every rendering and language.

Values are written as ``shequn metrics`` writes them (:func:`shequn.cli_metrics.format_value`);
changes get a sign, and shares change by percentage points, not percent.
"""

from __future__ import annotations

from typing import Any

from shequn.cli_metrics import format_value
from shequn.metrics import lookup

__all__ = ["arrow", "change_text", "percent", "unit_of", "value_text"]


def unit_of(name: str) -> str:
    """The unit of a metric named as the catalog names values (``retention_80``)."""
    return lookup(name)[0].unit


def value_text(value: Any, unit: str) -> str:
    """A metric value: ``1,234``, ``55.8%``, ``160.30``, ``0.4 h``, ``CNY 9,900.00``, or ``-``."""
    return format_value(value, unit)


def percent(share: float | None) -> str:
    """A share as a whole percentage (``58%``); ``-`` for none."""
    return "-" if share is None else f"{share:.0%}"


def change_text(change: float | None, unit: str) -> str:
    """A change with its sign: ``+4``, ``-1.1 pp``, ``+1.53``, ``+0.2 h``, ``0``; empty without one."""
    if change is None:
        return ""
    if change == 0:
        return "0 pp" if unit == "share" else "0"
    if unit == "share":
        return f"{change * 100:+.1f} pp"
    if unit == "count":
        return f"{change:+,.0f}"
    if unit == "hours":
        return f"{change:+,.1f} h"
    return f"{change:+,.2f}"


def arrow(change: float | None) -> str:
    """``▲`` up, ``▼`` down, ``=`` unchanged, nothing when there is no change to show."""
    if change is None:
        return ""
    if change > 0:
        return "▲"
    if change < 0:
        return "▼"
    return "="
