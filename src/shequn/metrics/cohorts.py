"""Retention and newcomers (``docs/metrics.md#retention-and-newcomers``).

Cohorts are the calendar weeks (Monday to Sunday, local days) in which members' first spans
opened. The grid of cells is built in Python (at most weeks × weeks small rows) and joined
to the derived tables, so a cell whose week starts after ``D`` never exists: it is empty,
not zero, when the matrix is read back.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis

from shequn.metrics.activity import as_day, in_at_end_of, members_in_at, ratio, window_start, within
from shequn.metrics.context import MetricContext

__all__ = [
    "ACTIVATION_PERIOD_DAYS",
    "COHORT_WEEKS",
    "activation_rate",
    "cohort_activity",
    "cohort_presence",
    "lurker_share",
    "matrix_rows",
    "time_to_first_message",
]

COHORT_WEEKS = 12
#: Joiners of the 30 days ending ``D - ACTIVATION_DAYS`` make the activation population.
ACTIVATION_PERIOD_DAYS = 30


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _grid(day: date, weeks: int) -> Any:
    """Cells ``(cohort, k, week_start, week_last)`` of the last ``weeks`` cohorts, up to ``day``.

    ``week_last`` is the week's Sunday, or ``day`` itself for the week that holds it.
    """
    last_cohort = _monday(day)
    rows: dict[str, list[Any]] = {"cohort": [], "k": [], "week_start": [], "week_last": []}
    for back in range(weeks - 1, -1, -1):
        cohort = last_cohort - timedelta(weeks=back)
        for k in range(weeks):
            start = cohort + timedelta(weeks=k)
            if start > day:
                break
            rows["cohort"].append(cohort)
            rows["k"].append(k)
            rows["week_start"].append(start)
            rows["week_last"].append(min(start + timedelta(days=6), day))
    schema = {"cohort": "date", "k": "int64", "week_start": "date", "week_last": "date"}
    return ibis.memtable(rows, schema=schema)


def _cohort_members(ctx: MetricContext, weeks: int) -> Any:
    """``(member_id, cohort)`` for members whose first span opened in the last ``weeks`` weeks.

    The cohort is computed (the Monday of the first day) rather than range-joined to the
    grid, so every later join is on equal keys and no engine is tempted to pair each
    member's stretches with every cell first.
    """
    day = ctx.day
    first_cohort = _monday(day) - timedelta(weeks=weeks - 1)
    firsts = ctx.firsts
    firsts = firsts.filter(within(firsts.first_day, first_cohort, day))
    monday = firsts.first_day - firsts.first_day.day_of_week.index().as_interval("D")
    return firsts.select(member_id=firsts.member_id, cohort=monday)


def _cells(grid: Any, members: Any, hits: Any) -> Any:
    """``(cohort, k, size, hits)`` for every grid cell: cohort size and members meeting the cell."""
    sizes = members.group_by("cohort").aggregate(size=members.member_id.count())
    cells = grid.left_join(sizes, "cohort").left_join(hits, ["cohort", "k"])
    return cells.select(
        cohort=cells.cohort,
        k=cells.k,
        size=cells.size.fill_null(0),
        hits=cells.hits.fill_null(0),
    ).order_by(["cohort", "k"])


def cohort_activity(ctx: MetricContext, weeks: int = COHORT_WEEKS) -> Any:
    """``cohort_activity`` (the cohort matrix): share of cohort ``c`` with counted activity in
    week ``k`` after joining, ``k = 0`` being the join week. Rows ``cohort, k, size, hits``."""
    day = ctx.day
    grid = _grid(day, weeks)
    members = _cohort_members(ctx, weeks)
    rows = ctx.active_days
    since = _monday(day) - timedelta(weeks=weeks - 1)
    acts = rows.filter(within(rows.day, since, day)).select("member_id", "day")
    acts = members.join(acts, "member_id")
    acts = acts.mutate(k=acts.day.delta(acts.cohort, unit="day") // 7)
    acts = acts.filter((acts.k >= 0) & (acts.k < weeks))
    hits = acts.group_by(["cohort", "k"]).aggregate(hits=acts.member_id.nunique())
    return _cells(grid, members, hits)


def cohort_presence(ctx: MetricContext, weeks: int = COHORT_WEEKS) -> Any:
    """``cohort_presence`` (the second cohort matrix): share of cohort ``c`` still in the
    community at the end of week ``k`` (at the end of ``D`` for the week that holds it)."""
    grid = _grid(ctx.day, weeks)
    members = _cohort_members(ctx, weeks)
    stays = members.join(ctx.presence, "member_id")  # cohort members first: few rows to range-join
    cells = stays.join(grid, "cohort")
    cells = cells.filter(in_at_end_of(cells, cells.week_last))
    hits = cells.group_by(["cohort", "k"]).aggregate(hits=cells.member_id.nunique())
    return _cells(grid, members, hits)


def matrix_rows(rows: list[dict[str, Any]], weeks: int = COHORT_WEEKS) -> list[dict[str, Any]]:
    """The executed cells as one row per cohort: ``{cohort, size, cells}``.

    ``cells[k]`` is the share for week ``k``; None where the week starts after ``D`` or the
    cohort is empty.
    """
    by_cohort: dict[date, dict[str, Any]] = {}
    for row in rows:
        entry = by_cohort.setdefault(row["cohort"], {"cohort": row["cohort"], "size": row["size"], "cells": []})
        entry["cells"].append(row)
    out = []
    for cohort in sorted(by_cohort):
        entry = by_cohort[cohort]
        cells: list[float | None] = [None] * weeks
        for cell in entry["cells"]:
            if entry["size"]:
                cells[cell["k"]] = cell["hits"] / entry["size"]
        out.append({"cohort": cohort, "size": entry["size"], "cells": cells})
    return out


def _activation_population(ctx: MetricContext, period: int) -> Any:
    """Members whose seen join opened their first span in the ``period`` days ending
    ``D - ACTIVATION_DAYS``, so that each had the full ``ACTIVATION_DAYS`` to post.

    Members whose first span was inferred are left out: their "join" is their first counted
    activity, which would make them activate at once by construction.
    """
    last = ctx.day - timedelta(days=int(ctx.param("ACTIVATION_DAYS")))
    firsts = ctx.firsts
    return firsts.filter(firsts.seen_join & within(firsts.first_day, window_start(last, period), last))


def activation_rate(ctx: MetricContext, period: int = ACTIVATION_PERIOD_DAYS) -> Any:
    """``activation_rate``: of members who joined in the period, the share with counted
    activity within ``ACTIVATION_DAYS`` of joining."""
    days = int(ctx.param("ACTIVATION_DAYS"))
    population = _activation_population(ctx, period)
    activated = population.filter(
        (population.first_activity_day <= as_day(ctx.day))
        & (population.first_activity_ts <= population.first_at + ibis.interval(days=days))
    )
    return ratio(activated.count(), population.count())


def time_to_first_message(ctx: MetricContext, period: int = ACTIVATION_PERIOD_DAYS) -> Any:
    """``time_to_first_message``: median hours from joining to the first counted message, over
    the activation population's members who posted by the end of ``D``."""
    population = _activation_population(ctx, period)
    posted = population.filter(population.first_message_day <= as_day(ctx.day))
    seconds = posted.first_message_ts.epoch_seconds() - posted.first_at.epoch_seconds()
    return (seconds.cast("float64") / 3600.0).median()


def lurker_share(ctx: MetricContext) -> Any:
    """``lurker_share``: of ``members_now`` who joined more than ``ACTIVATION_DAYS`` ago, the
    share with no counted activity ever (up to ``D``)."""
    days = int(ctx.param("ACTIVATION_DAYS"))
    firsts = ctx.firsts
    firsts = firsts.filter(firsts.first_day < as_day(ctx.day - timedelta(days=days)))
    population = members_in_at(ctx, ctx.day).join(firsts, "member_id")
    silent = population.filter(
        population.first_activity_day.isnull() | (population.first_activity_day > as_day(ctx.day))
    )
    return ratio(silent.count(), population.count())
