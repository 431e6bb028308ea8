"""Baselines for the metrics bench: shequn's front page computed by pandas and by Polars.

A baseline answers the question "how fast would a competent data engineer get the same
numbers without shequn": it reads the log into memory (:func:`read_log`, then its own frame
type) and computes every front-page value with its library, following ``docs/metrics.md``
and the derived tables' rules (spans with inferred joins, counted activity without bots and
staff, local days in the community's zone, windows ``(D-N, D]``). It never calls shequn's
metric code; this module only holds what all three must agree on: which values make the
front page, the shape of each value (:func:`canonical` turns shequn's into it), the small
calendars of cohorts and periods, and how two front pages are compared (:func:`differences`).

Every baseline module has ``load(path, community) -> log`` (timed apart) and
``front_page(log) -> dict``, the values keyed by name as :data:`FRONT_PAGE` lists them.
Days inside the baselines are whole days since 1970-01-01 (``int``); values hand them back
as :class:`datetime.date`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from shequn.settings import resolve

__all__ = [
    "EPOCH",
    "FAR_DAY",
    "FRONT_PAGE",
    "LEVELS",
    "LEVELS_KEY",
    "RawLog",
    "canonical",
    "cohort_grid",
    "day_of",
    "differences",
    "flow_periods",
    "level_row",
    "matrix_rows",
    "ratio",
    "read_log",
    "shequn_front_page",
]

EPOCH: Final = date(1970, 1, 1)
#: "Not closed": 9999-12-31 as a day number, later than any day (as shequn's ``FAR_DAY``).
FAR_DAY: Final = (date(9999, 12, 31) - EPOCH).days

#: The front page's values, by name with default parameters, in the catalog's order.
FRONT_PAGE: Final = (
    "joined_total",
    "members_now",
    "survival",
    "retention_80",
    "active_rate_80",
    "active_share_80",
    "active_today",
    "participation_today",
    "groups_active_today",
    "interactions_per_day",
    "income",
    "wau",
    "mau",
    "stickiness",
    "new_members",
    "left_members",
    "net_growth",
    "membership_flow",
    "cohort_activity",
    "cohort_presence",
    "activation_rate",
    "time_to_first_message",
    "lurker_share",
    "top10_share",
    "absence_factor",
    "strong_tie_share",
)
#: Levels for every member in the community at the end of ``D``: measured with the front page.
LEVELS_KEY: Final = "member_levels"
LEVELS: Final = ("newcomer", "core", "active", "casual", "dormant")

#: Windows fixed by the catalog (not settings): weeks, months, the tie window, cohorts.
WEEK, MONTH, TIE_WINDOW, COHORT_WEEKS, FLOW_PERIODS, INCOME_DAYS = 7, 30, 90, 12, 12, 30
ACTIVATION_PERIOD, LEVEL_WINDOW, ACTIVE_MIN_DAYS = 30, 30, 2

_EVENT_COLUMNS = (
    "event_id, group_id, kind, subkind, identity_id, target_identity_id, ts, seq, import_id,"
    " reply_to_event_id, mentions, attrs"
)
#: Integer columns that may be null, read with a number for null so that they stay exact
#: 64-bit integers (pandas would turn a nullable integer column into floats and lose the low
#: bits of ids): -1 for ids, 0 for ``seq`` as the spans' ordering reads a missing one.
_NULL_AS = {"group_id": -1, "identity_id": -1, "target_identity_id": -1, "seq": 0, "import_id": -1}


@dataclass(frozen=True)
class RawLog:
    """One community's log as Arrow tables, straight from the DuckDB file."""

    community_id: int
    tz: str
    params: dict[str, Any]
    events: pa.Table
    identity_member: pa.Table


def read_log(path: Path | str, community: str) -> RawLog:
    """The community's events (the columns the front page reads) and ``identity_member``.

    Only the community filter runs in DuckDB; everything else is the baselines' own work.
    """
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT community_id, timezone, settings FROM communities WHERE name = ?", [community]
        ).fetchall()
        if not rows:
            raise SystemExit(f"{path}: no community {community!r}")
        community_id, tz, settings = rows[0]
        events = con.sql(f"SELECT {_EVENT_COLUMNS} FROM events WHERE community_id = {int(community_id)}")
        events = events.to_arrow_table()
        members = con.sql("SELECT identity_id, member_id FROM identity_member").to_arrow_table()
    for name, null in _NULL_AS.items():
        index = events.schema.get_field_index(name)
        events = events.set_column(index, name, pc.fill_null(events[name], null))
    params = resolve(orjson.loads(settings))
    return RawLog(int(community_id), str(params.get("TIMEZONE", tz)), params, events, members)


def day_of(day: date) -> int:
    return (day - EPOCH).days


def _date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def ratio(numerator: float | int, denominator: float | int) -> float | None:
    """``numerator / denominator``, None when the denominator is zero (as the catalog's shares)."""
    return float(numerator) / float(denominator) if denominator else None


def monday(day: int) -> int:
    """The Monday on or before day number ``day`` (1970-01-01 was a Thursday)."""
    return day - (day + 3) % 7


def cohort_grid(day: int, weeks: int = COHORT_WEEKS) -> list[tuple[int, int, int]]:
    """Cells ``(cohort, k, week_last)`` of the last ``weeks`` weekly cohorts up to ``day``; a week
    that starts after ``day`` has no cell, and the week holding ``day`` ends on it."""
    cells = []
    last_cohort = monday(day)
    for back in range(weeks - 1, -1, -1):
        cohort = last_cohort - 7 * back
        for k in range(weeks):
            start = cohort + 7 * k
            if start > day:
                break
            cells.append((cohort, k, min(start + 6, day)))
    return cells


def flow_periods(day: int, periods: int = FLOW_PERIODS, length: int = WEEK) -> list[tuple[int, int]]:
    """``(first, last)`` days of the periods of ``membership_flow``, oldest first, the last ending ``day``."""
    return sorted((day - length * i - (length - 1), day - length * i) for i in range(periods))


def matrix_rows(
    grid: list[tuple[int, int, int]], sizes: dict[int, int], hits: dict[tuple[int, int], int], weeks: int = COHORT_WEEKS
) -> list[dict[str, Any]]:
    """A cohort matrix as shequn shows it: ``{cohort, size, cells}`` per cohort, ``cells[k]`` the
    share of the cohort meeting week ``k``, None beyond ``D`` or for an empty cohort."""
    rows: dict[int, dict[str, Any]] = {}
    for cohort, k, _ in grid:
        size = sizes.get(cohort, 0)
        row = rows.setdefault(cohort, {"cohort": _date(cohort), "size": size, "cells": [None] * weeks})
        if size:
            row["cells"][k] = hits.get((cohort, k), 0) / size
    return [rows[c] for c in sorted(rows)]


def level_row(
    member_id: int,
    level: str,
    first_day: int,
    day: int,
    active_days_30: int,
    strong_ties: int,
    last_active: int | None,
) -> dict[str, Any]:
    """One member's level with the facts that put it there (as ``shequn members`` shows them)."""
    if level == "newcomer":
        facts: dict[str, Any] = {"first_day": _date(first_day).isoformat(), "days_since_join": day - first_day}
    elif level in {"core", "active"}:
        facts = {"active_days_30": active_days_30, "strong_ties": strong_ties}
    else:
        facts = {
            "last_active": _date(last_active).isoformat() if last_active is not None else None,
            "days_since_active": day - last_active if last_active is not None else None,
        }
        if level == "casual":
            facts = {"active_days_30": active_days_30, **facts}
    return {"member_id": member_id, "level": level, "facts": facts}


def flow_rows(periods: list[tuple[int, int]], new: list[int], left: list[int], members: list[int]) -> list[dict]:
    """``membership_flow`` rows from per-period counts (in the order of ``periods``)."""
    return [
        {"period_start": _date(first), "period_end": _date(last), "new": n, "left": out, "members": m}
        for (first, last), n, out, m in zip(periods, new, left, members, strict=True)
    ]


def shequn_front_page(store: Any, community: str) -> dict[str, Any]:
    """shequn's own front page plus every member's level, as plain values keyed by name."""
    from shequn.metrics import compute, context_for, front_page

    ctx = context_for(store, community)
    values = front_page(ctx)
    values.update(compute(ctx, [LEVELS_KEY]))
    return canonical(values)


def canonical(values: dict[str, Any]) -> dict[str, Any]:
    """``{name: value}`` from shequn's ``{name: MetricValue}``."""
    return {name: metric.value for name, metric in values.items()}


def differences(expected: Any, got: Any, where: str = "", rel: float = 1e-9) -> list[str]:
    """Where two front pages (or parts of them) differ: in type, in keys or length, in value.
    Floats agree within ``rel`` (relative, or absolute near zero). Empty when they agree."""
    if type(expected) is not type(got):
        return [f"{where}: {expected!r} ({type(expected).__name__}) != {got!r} ({type(got).__name__})"]
    if isinstance(expected, dict):
        out = [f"{where}.{key}: missing" for key in expected if key not in got]
        out += [f"{where}.{key}: unexpected" for key in got if key not in expected]
        for key in expected:
            if key in got:
                out += differences(expected[key], got[key], f"{where}.{key}", rel)
        return out
    if isinstance(expected, list):
        if len(expected) != len(got):
            return [f"{where}: {len(expected)} items, got {len(got)}"]
        out = []
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            out += differences(a, b, f"{where}[{i}]", rel)
            if len(out) > 20:
                break
        return out
    if isinstance(expected, float) and math.isclose(expected, got, rel_tol=rel, abs_tol=rel):
        return []
    return [] if expected == got else [f"{where}: {expected!r} != {got!r}"]
