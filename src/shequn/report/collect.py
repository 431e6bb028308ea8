"""Build a :class:`~shequn.report.data.Report` from the log through the metrics API.

Every number comes from the catalog (:func:`shequn.metrics.compute`) or from the same
derived tables and expressions the catalog's functions use, so a report never disagrees
with ``shequn metrics``. The charts cover a history window of :data:`HISTORY_WEEKS` weeks
ending ``D``, the same twelve weeks as ``membership_flow`` and the cohort matrix; the
period (a week or 30 days) decides what the KPIs are compared with and what "this period"
means for totals and top contributors.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Final

import ibis

from shequn.errors import ConfigError
from shequn.metrics import MetricContext, compute, context_for
from shequn.metrics._interactions import authored, without_non_humans
from shequn.metrics._localtime import local_time
from shequn.metrics._who import member_names
from shequn.metrics.activity import as_day, window_start, within
from shequn.metrics.health import left_members, new_members
from shequn.metrics.levels import LEVELS, member_levels
from shequn.metrics.members import activity_score, slipping
from shequn.metrics.prune import prune_candidates
from shequn.metrics.ties import ties
from shequn.moderation.metrics import ad_rate
from shequn.report.data import (
    PERIODS,
    Cohort,
    Contributor,
    DayCount,
    FlowWeek,
    GroupRow,
    Kpi,
    LevelCounts,
    Network,
    NetworkEdge,
    NetworkNode,
    Report,
    SlippingMember,
    Tie,
)

__all__ = ["GROUP_METRICS", "HISTORY_WEEKS", "MAX_GROUPS", "NETWORK_MAX", "SHOWN", "TOP", "build_report"]

#: Weeks of history the charts show, ending ``D``.
HISTORY_WEEKS: Final = 12
#: Top contributors listed.
TOP: Final = 10
#: Slipping members and strongest ties listed (all are counted).
SHOWN: Final = 5
#: Core members drawn in the tie network, the best tied first; the rest are counted.
NETWORK_MAX: Final = 40
#: Groups compared, the busiest of the period first; the rest are counted.
MAX_GROUPS: Final = 12
#: Catalog entries of the per-group comparison, each computed for the group alone.
GROUP_METRICS: Final = ("members_now", "new_members", "left_members", "wau", "interactions_per_day", "retention_N")
#: Units of the front page that are one value (the rest are series and matrices).
SCALAR_UNITS: Final = frozenset({"count", "share", "per_day", "hours", "money"})
#: Metrics whose rise is bad news; every other scalar is better higher.
BETTER_LOWER: Final = frozenset({"left_members", "lurker_share", "top10_share", "time_to_first_message"})
#: Decimal places floats are rounded to: engines may add floats in any order, and the last
#: digits of a sum must not make two reports of the same log differ.
DIGITS: Final = 6


def _tidy(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    return value


def _rows(ctx: MetricContext, expr: Any) -> list[dict[str, Any]]:
    return ctx.backend.to_pyarrow(expr).to_pylist()


def _scalar(ctx: MetricContext, expr: Any) -> Any:
    return ctx.backend.to_pyarrow(expr).as_py()


def _as_of(ctx: MetricContext, day: date) -> MetricContext:
    return dataclasses.replace(ctx, as_of=day)


# -- KPIs ---------------------------------------------------------------------------------


def _change(unit: str, value: Any, previous: Any) -> float | None:
    if unit == "money" or value is None or previous is None:
        return None
    return _tidy(float(value) - float(previous))


def _good(name: str, change: float | None) -> bool | None:
    if not change:
        return None
    return (change < 0) if name in BETTER_LOWER else (change > 0)


def kpis(now: dict[str, Any], before: dict[str, Any]) -> list[Kpi]:
    """The scalar front-page values as of ``D`` beside those of the previous period."""
    out = []
    for name, item in now.items():
        if item.unit not in SCALAR_UNITS:
            continue
        previous = before[name].value if name in before else None
        change = _change(item.unit, item.value, previous)
        out.append(Kpi(name, item.unit, _tidy(item.value), _tidy(previous), change, _good(name, change)))
    return out


# -- activity over time ---------------------------------------------------------------------


def daily(ctx: MetricContext, first: date) -> list[DayCount]:
    """Active members and counted messages per day from ``first`` to ``D``, days without any included."""
    rows = ctx.active_days
    rows = rows.filter(within(rows.day, first, ctx.day))
    per_day = rows.group_by("day").aggregate(active_members=rows.count(), messages=rows.messages.sum())
    found = {row["day"]: row for row in _rows(ctx, per_day)}
    out = []
    for offset in range((ctx.day - first).days + 1):
        day = first + timedelta(days=offset)
        row = found.get(day, {"active_members": 0, "messages": 0})
        out.append(DayCount(day, int(row["active_members"]), int(row["messages"] or 0)))
    return out


def weekday_hour(ctx: MetricContext, first: date) -> list[list[int]]:
    """Counted messages by local weekday (Monday first) and hour, from ``first`` to ``D``."""
    messages = without_non_humans(ctx, authored(ctx, "message"))
    messages = messages.filter(within(messages.day, first, ctx.day))
    local = local_time(messages.ts, ctx.steps)
    cells = messages.select(weekday=local.day_of_week.index(), hour=local.hour())
    cells = cells.group_by(["weekday", "hour"]).aggregate(messages=cells.count())
    grid = [[0] * 24 for _ in range(7)]
    for row in _rows(ctx, cells):
        grid[row["weekday"]][row["hour"]] = int(row["messages"])
    return grid


def level_history(ctx: MetricContext, weeks: int, now: dict[str, int]) -> list[LevelCounts]:
    """Members per level as of each of the ``weeks - 1`` weeks before ``D``, then ``now``, the
    counts as of ``D`` that the caller already has.

    One query per week: run side by side in one statement, the weeks' queries would hold
    their working sets at once (gigabytes on a 10-million-message log).
    """
    out = []
    for back in range(weeks - 1, 0, -1):
        day = ctx.day - timedelta(weeks=back)
        levels = member_levels(_as_of(ctx, day))
        counts = {row["level"]: int(row["members"]) for row in _rows(ctx, levels.level.value_counts(name="members"))}
        out.append(LevelCounts(day, {level: counts.get(level, 0) for level in LEVELS}))
    out.append(LevelCounts(ctx.day, {level: now.get(level, 0) for level in LEVELS}))
    return out


# -- people -------------------------------------------------------------------------------


def _names(ctx: MetricContext, member_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    names = member_names(ctx.backend)
    return {row["member_id"]: row["name"] for row in _rows(ctx, names.filter(names.member_id.isin(wanted)))}


def _top_posters(ctx: MetricContext, first: date) -> list[dict[str, Any]]:
    """The :data:`TOP` members with the most counted messages from ``first`` to ``D``, with their score.

    The scores are asked for those members only, so that the engine scores ten members,
    not everyone.
    """
    rows = ctx.active_days
    rows = rows.filter(within(rows.day, first, ctx.day))
    posters = rows.group_by("member_id").aggregate(messages=rows.messages.sum())
    posters = posters.filter(posters.messages > 0)
    top = _rows(ctx, posters.order_by([ibis.desc("messages"), "member_id"]).limit(TOP))
    if not top:
        return []
    scores = activity_score(ctx)
    scores = scores.filter(scores.member_id.isin([row["member_id"] for row in top]))
    score_of = {row["member_id"]: row["score"] for row in _rows(ctx, scores.select("member_id", "score"))}
    return [{**row, "score": score_of.get(row["member_id"])} for row in top]


def _slipping(ctx: MetricContext) -> tuple[int, list[dict[str, Any]]]:
    rows = _rows(ctx, slipping(ctx))
    rows.sort(key=lambda r: (-r["before"], r["member_id"]))
    return len(rows), rows[:SHOWN]


def _ties(ctx: MetricContext, core: set[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The :data:`SHOWN` strongest ties of the community, and every tie between two core members.

    The ties are computed once (a temporary table) for both questions.
    """
    with ties(ctx).select("a", "b", "weight", "interactions", "strong").cache() as pairs:
        strongest = _rows(ctx, pairs.order_by([ibis.desc("weight"), "a", "b"]).limit(SHOWN))
        if not core:
            return strongest, []
        members = ibis.memtable({"member_id": sorted(core)}, schema={"member_id": "int64"})
        among = pairs.semi_join(members, pairs.a == members.member_id)
        others = members.view()
        among = among.semi_join(others, among.b == others.member_id)
        return strongest, _rows(ctx, among.order_by(["a", "b"]))


def _core_degrees(core: set[int], edges: list[dict[str, Any]]) -> tuple[dict[int, int], dict[int, int]]:
    """Per core member, their ties and strong ties to other core members."""
    degree = dict.fromkeys(core, 0)
    strong = dict.fromkeys(core, 0)
    for edge in edges:
        for end in (edge["a"], edge["b"]):
            degree[end] += 1
            strong[end] += bool(edge["strong"])
    return degree, strong


def network_members(core: set[int], edges: list[dict[str, Any]]) -> set[int]:
    """The :data:`NETWORK_MAX` best-tied core members: most strong ties to other core members,
    then most ties."""
    degree, strong = _core_degrees(core, edges)
    return set(sorted(core, key=lambda member: (-strong[member], -degree[member], member))[:NETWORK_MAX])


def _network(core: set[int], edges: list[dict[str, Any]], shown: set[int], names: dict[int, str]) -> Network:
    """The ``shown`` core members and the ties among them, with the counts of the whole core."""
    degree, strong = _core_degrees(core, edges)
    nodes = [
        NetworkNode(member, names.get(member, str(member)), degree[member], strong[member]) for member in sorted(shown)
    ]
    links = [
        NetworkEdge(e["a"], e["b"], _tidy(e["weight"]), bool(e["strong"]))
        for e in edges
        if e["a"] in shown and e["b"] in shown
    ]
    return Network(nodes, links, len(core), len(edges), sum(bool(e["strong"]) for e in edges))


# -- groups -------------------------------------------------------------------------------


def _group_table(ctx: MetricContext) -> Any:
    groups = ctx.backend.table("groups")
    groups = groups.filter(groups.community_id == ctx.community_id)
    if ctx.group_ids is not None:
        groups = groups.filter(groups.group_id.isin(list(ctx.group_ids)))
    return groups.select("group_id", "carrier", "purpose", name=groups.name.fill_null(groups.native_id))


def _ad_rates(ctx: MetricContext, first: date) -> dict[int, float | None] | None:
    """Per group, the share of the period's counted messages flagged as ads (``ad_rate``);
    None when no message has an ad score (``shequn moderate scan`` has not run)."""
    rows = ad_rate(ctx)
    rows = rows.filter(rows.period_start >= as_day(first))
    per_group = rows.group_by("group_id").aggregate(messages=rows.messages.sum(), flagged=rows.flagged.sum())
    found = _rows(ctx, per_group)
    if not found:
        return None
    return {r["group_id"]: (r["flagged"] / r["messages"] if r["messages"] else None) for r in found}


def group_rows(ctx: MetricContext, first: date) -> tuple[list[GroupRow], int, bool]:
    """The busiest groups of the period with their own catalog values, how many groups there
    are, and whether ad rates are known.

    Each group's values are the catalog's, computed for the group alone (as ``shequn
    metrics --group`` would), so a row reads like the community's KPIs.
    """
    groups = _group_table(ctx)
    activity = ctx.activity
    activity = activity.filter(within(activity.day, first, ctx.day))
    messages = activity.group_by("group_id").aggregate(messages=activity.messages.sum())
    ranked = groups.left_join(messages, "group_id")
    ranked = ranked.select(
        groups.group_id, groups.name, groups.carrier, groups.purpose, messages=ranked.messages.fill_null(0)
    )
    found = _rows(ctx, ranked.order_by([ibis.desc("messages"), "name", "group_id"]))
    rates = _ad_rates(ctx, first)
    out = []
    for row in found[:MAX_GROUPS]:
        alone = dataclasses.replace(ctx, group_ids=(row["group_id"],))
        values = {name: _tidy(item.value) for name, item in compute(alone, GROUP_METRICS).items()}
        rate = rates.get(row["group_id"]) if rates is not None else None
        out.append(
            GroupRow(
                row["group_id"],
                row["name"],
                row["carrier"],
                row["purpose"],
                int(row["messages"]),
                values,
                _tidy(rate),
            )
        )
    return out, len(found), rates is not None


# -- the whole report ---------------------------------------------------------------------


def _period_totals(ctx: MetricContext, before: MetricContext, days: int, series: list[DayCount]) -> dict[str, int]:
    by_day = {row.day: row.messages for row in series}

    def messages(last: date) -> int:
        return sum(by_day.get(last - timedelta(days=i), 0) for i in range(days))

    return {
        "new": int(_scalar(ctx, new_members(ctx, days))),
        "left": int(_scalar(ctx, left_members(ctx, days))),
        "messages": messages(ctx.day),
        "new_before": int(_scalar(before, new_members(before, days))),
        "left_before": int(_scalar(before, left_members(before, days))),
        "messages_before": messages(before.day),
    }


def build_report(
    log: Any,
    community: str,
    *,
    as_of: date | None = None,
    period: str = "week",
    groups: Iterable[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Report:
    """The report of ``community`` as of ``as_of`` (default: its last active day).

    ``log`` is a :class:`~shequn.store.Store` or an Ibis backend over the log's tables;
    ``groups`` narrows it to some groups (names or native ids); ``overrides`` change
    settings as ``shequn metrics --set`` does.
    """
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    group_names = list(groups or ())
    ctx = context_for(log, community, as_of=as_of, groups=group_names or None, overrides=overrides)
    day = ctx.day
    days = PERIODS[period]
    before = _as_of(ctx, day - timedelta(days=days))
    history_first = window_start(day, HISTORY_WEEKS * 7)
    period_first = window_start(day, days)

    front = compute(ctx)
    previous = compute(before, [name for name, item in front.items() if item.unit in SCALAR_UNITS])
    series = daily(ctx, history_first)
    level_of = {row["member_id"]: row["level"] for row in _rows(ctx, member_levels(ctx).select("member_id", "level"))}
    levels = level_history(ctx, HISTORY_WEEKS, dict(Counter(level_of.values())))
    core = {member for member, level in level_of.items() if level == "core"}
    posters = _top_posters(ctx, period_first)
    slipping_total, slipping_rows = _slipping(ctx)
    strongest, core_edges = _ties(ctx, core)
    drawn = network_members(core, core_edges)
    names = _names(
        ctx,
        [
            *(row["member_id"] for row in posters),
            *(row["member_id"] for row in slipping_rows),
            *(end for row in strongest for end in (row["a"], row["b"])),
            *drawn,
        ],
    )
    rows, groups_total, ad_known = group_rows(ctx, period_first)
    return Report(
        community=community,
        timezone=ctx.tz,
        groups=group_names,
        period=period,
        period_days=days,
        as_of=day,
        previous_as_of=before.day,
        kpis=kpis(front, previous),
        period_totals=_period_totals(ctx, before, days, series),
        daily=series,
        flow=[FlowWeek(**row) for row in front["membership_flow"].value],
        cohorts=[Cohort(row["cohort"], row["size"], _tidy(row["cells"])) for row in front["cohort_activity"].value],
        levels=levels,
        weekday_hour=weekday_hour(ctx, history_first),
        contributors=[
            Contributor(
                row["member_id"],
                names.get(row["member_id"], str(row["member_id"])),
                level_of.get(row["member_id"]),
                int(row["messages"]),
                _tidy(row["score"]),
            )
            for row in posters
        ],
        slipping_total=slipping_total,
        slipping=[
            SlippingMember(
                row["member_id"],
                names.get(row["member_id"], str(row["member_id"])),
                row["level_then"],
                int(row["recent"]),
                _tidy(row["mean_before"]),
            )
            for row in slipping_rows
        ],
        prune_candidates=int(_scalar(ctx, prune_candidates(ctx).count())),
        ties=[
            Tie(
                row["a"],
                names.get(row["a"], str(row["a"])),
                row["b"],
                names.get(row["b"], str(row["b"])),
                _tidy(row["weight"]),
                int(row["interactions"]),
                bool(row["strong"]),
            )
            for row in strongest
        ],
        network=_network(core, core_edges, drawn, names),
        group_rows=rows,
        groups_total=groups_total,
        ad_rate_known=ad_known,
        settings=dict(sorted(ctx.params.items())),
    )
