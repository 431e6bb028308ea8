"""Counted activity and membership over windows of days: the pieces Health KPIs share.

Windows follow the catalog's ground rule: ``(D-N, D]`` is the N days ending with and
including ``D``. Everything here returns an Ibis expression over the derived tables.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis

from shequn.metrics._localtime import day_value
from shequn.metrics.context import MetricContext

__all__ = [
    "active_member_days",
    "active_members",
    "as_day",
    "calendar",
    "in_at_end_of",
    "members_in_at",
    "ratio",
    "window_start",
    "within",
]


def as_day(day: Any) -> Any:
    """A Python day as an expression every engine reads; an expression as it is."""
    return day_value(day) if isinstance(day, date) else day


def within(column: Any, first: Any, last: Any) -> Any:
    """The predicate ``first <= column <= last`` (days or day expressions)."""
    return (column >= as_day(first)) & (column <= as_day(last))


def window_start(day: date, n: int) -> date:
    """The first day of ``(day-n, day]``."""
    return day - timedelta(days=n - 1)


def active_member_days(ctx: MetricContext, first: date, last: date) -> Any:
    """Distinct ``(member_id, day)`` with counted activity on days ``first`` … ``last``."""
    rows = ctx.active_days
    return rows.filter(within(rows.day, first, last)).select("member_id", "day")


def active_members(ctx: MetricContext, first: date, last: date) -> Any:
    """Distinct ``member_id`` with counted activity on days ``first`` … ``last``."""
    rows = ctx.active_days
    return rows.filter(within(rows.day, first, last)).select("member_id").distinct()


def in_at_end_of(stretches: Any, day: Any) -> Any:
    """The predicate "the stretch covers the end of ``day``" (a date or a date column)."""
    day = as_day(day)
    return (stretches.start_day <= day) & (stretches.end_day > day)


def members_in_at(ctx: MetricContext, day: date) -> Any:
    """Stretches of members in the community (its chosen groups) at the end of ``day``: one row
    per member, since a member's stretches are disjoint."""
    stretches = ctx.presence
    return stretches.filter(in_at_end_of(stretches, day)).select("member_id")


def ratio(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator`` as a float scalar, null when the denominator is zero."""
    return numerator.as_scalar().cast("float64") / denominator.as_scalar().cast("float64").nullif(0.0)


def calendar(days: list[date]) -> Any:
    """A one-column table of the given days, for per-day metrics with days that saw nothing."""
    return ibis.memtable({"day": days}, schema={"day": "date"})
