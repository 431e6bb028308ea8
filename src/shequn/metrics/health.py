"""Health KPIs: the operator's front page (``docs/metrics.md#health-kpis-the-operators-front-page``).

Each function takes a :class:`~shequn.metrics.context.MetricContext` and returns an Ibis
expression: a scalar, or a small table for series. Nothing here knows which engine runs it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis

from shequn.metrics.activity import (
    active_member_days,
    active_members,
    as_day,
    calendar,
    in_at_end_of,
    members_in_at,
    ratio,
    window_start,
    within,
)
from shequn.metrics.context import MetricContext

__all__ = [
    "active_rate_n",
    "active_share_n",
    "active_today",
    "groups_active_today",
    "interactions_per_day",
    "joined_total",
    "left_members",
    "mau",
    "members_now",
    "membership_flow",
    "net_growth",
    "new_members",
    "participation_today",
    "retention_n",
    "stickiness",
    "survival",
    "wau",
]

WEEK = 7
MONTH = 30


def joined_total(ctx: MetricContext) -> Any:
    """``joined_total``: members whose first span opened on or before ``D``."""
    firsts = ctx.firsts
    return firsts.filter(firsts.first_day <= as_day(ctx.day)).count()


def members_now(ctx: MetricContext) -> Any:
    """``members_now``: members in the community at the end of ``D``."""
    return members_in_at(ctx, ctx.day).count()


def survival(ctx: MetricContext) -> Any:
    """``survival``: ``members_now / joined_total``, the share of everyone who ever joined still in."""
    return ratio(members_now(ctx), joined_total(ctx))


def retention_n(ctx: MetricContext, n: int | None = None) -> Any:
    """``retention_N`` (N = ``RETENTION_DAYS``): of members whose first span opened on or before
    ``D-N``, the share still in the community at the end of day ``join_day + N``."""
    n = int(n if n is not None else ctx.param("RETENTION_DAYS"))
    firsts = ctx.firsts
    cohort = firsts.filter(firsts.first_day <= as_day(ctx.day - timedelta(days=n))).select("member_id", "first_day")
    stretches = ctx.presence
    joined = cohort.join(stretches, "member_id")
    retained = joined.filter(in_at_end_of(joined, joined.first_day + ibis.interval(days=n)))
    return ratio(retained.member_id.nunique(), cohort.count())


def _members_per_day(stretches: Any, days: list[date]) -> Any:
    """``(day, members)``: members in at the end of each of ``days`` (days before anyone: absent).

    Counted as a running sum of stretch starts (+1) and ends (-1), which touches a few rows
    per day of change instead of every member on every day.
    """
    starts = stretches.select(change_day=stretches.start_day, delta=ibis.literal(1, "int64"))
    ends = stretches.select(change_day=stretches.end_day, delta=ibis.literal(-1, "int64"))
    changes = starts.union(ends, distinct=False)
    changes = changes.group_by("change_day").aggregate(delta=changes.delta.sum())
    cal = calendar(days)
    joined = cal.join(changes, changes.change_day <= cal.day)
    return joined.group_by("day").aggregate(members=joined.delta.sum())


def active_rate_n(ctx: MetricContext, n: int | None = None) -> Any:
    """``active_rate_N`` (N = ``ACTIVE_DAYS``): mean over the days ``d`` of ``(D-N, D]`` of the
    share of members in at the end of ``d`` who had counted activity on ``d``; days with no
    members are left out."""
    n = int(n if n is not None else ctx.param("ACTIVE_DAYS"))
    first = window_start(ctx.day, n)
    members = _members_per_day(ctx.presence, [first + timedelta(days=i) for i in range(n)])
    rows = ctx.active_days
    rows = rows.filter(rows.in_at_end & within(rows.day, first, ctx.day))
    active = rows.group_by("day").aggregate(active=rows.count())
    per_day = members.filter(members.members > 0).left_join(active, "day")
    shares = per_day.select(share=per_day.active.fill_null(0).cast("float64") / per_day.members.cast("float64"))
    return shares.share.mean()


def active_share_n(ctx: MetricContext, n: int | None = None) -> Any:
    """``active_share_N`` (N = ``ACTIVE_DAYS``): of ``members_now``, the share with counted
    activity in ``(D-N, D]``."""
    n = int(n if n is not None else ctx.param("ACTIVE_DAYS"))
    now = members_in_at(ctx, ctx.day)
    active = active_members(ctx, window_start(ctx.day, n), ctx.day)
    return ratio(now.join(active, "member_id").count(), now.count())


def active_today(ctx: MetricContext) -> Any:
    """``active_today`` (DAU): distinct members with counted activity on ``D``, including those
    who left later that day."""
    return active_members(ctx, ctx.day, ctx.day).count()


def participation_today(ctx: MetricContext) -> Any:
    """``participation_today``: ``active_today / members_now``."""
    return ratio(active_today(ctx), members_now(ctx))


def groups_active_today(ctx: MetricContext) -> Any:
    """``groups_active_today``: of the groups with at least one open membership span at the end
    of ``D``, the share with counted activity on ``D``."""
    spans = ctx.spans
    day = as_day(ctx.day)
    open_groups = spans.filter(
        (spans.opened_day <= day) & (spans.closed_day.isnull() | (spans.closed_day > day))
    ).select("group_id")
    open_groups = open_groups.distinct()
    rows = ctx.activity
    active_groups = rows.filter(rows.day == day).select("group_id").distinct()
    return ratio(open_groups.join(active_groups, "group_id").count(), open_groups.count())


def interactions_per_day(ctx: MetricContext, n: int | None = None) -> Any:
    """``interactions_per_day``: counted messages in ``(D-N, D]`` divided by N
    (N = ``INTERACTION_DAYS``)."""
    n = int(n if n is not None else ctx.param("INTERACTION_DAYS"))
    rows = ctx.member_day
    rows = rows.filter(rows.human & within(rows.day, window_start(ctx.day, n), ctx.day))
    return rows.messages.sum().fill_null(0).cast("float64") / float(n)


def wau(ctx: MetricContext) -> Any:
    """``wau``: distinct members with counted activity in the 7 days ending ``D``."""
    return active_members(ctx, window_start(ctx.day, WEEK), ctx.day).count()


def mau(ctx: MetricContext) -> Any:
    """``mau``: distinct members with counted activity in the 30 days ending ``D``."""
    return active_members(ctx, window_start(ctx.day, MONTH), ctx.day).count()


def stickiness(ctx: MetricContext) -> Any:
    """``stickiness``: mean DAU over the 30 days ending ``D``, divided by ``mau``."""
    member_days = active_member_days(ctx, window_start(ctx.day, MONTH), ctx.day).count()
    return ratio(member_days.cast("float64") / float(MONTH), mau(ctx))


def new_members(ctx: MetricContext, n: int = WEEK) -> Any:
    """``new_members``: members whose first span opened in the N days ending ``D`` (a week)."""
    firsts = ctx.firsts
    return firsts.filter(within(firsts.first_day, window_start(ctx.day, n), ctx.day)).count()


def left_members(ctx: MetricContext, n: int = WEEK) -> Any:
    """``left_members``: members who stopped being in the community on a day of the N days
    ending ``D`` (a week): in at the end of the day before, not at the end of that day."""
    stretches = ctx.presence
    ended = stretches.filter(within(stretches.end_day, window_start(ctx.day, n), ctx.day))
    return ended.member_id.nunique()


def net_growth(ctx: MetricContext, n: int = WEEK) -> Any:
    """``net_growth``: ``members_now`` at ``D`` minus ``members_now`` N days earlier (a week)."""
    now = members_in_at(ctx, ctx.day).count()
    before = members_in_at(ctx, ctx.day - timedelta(days=n)).count()
    return now.as_scalar() - before.as_scalar()


def membership_flow(ctx: MetricContext, period: str = "week", periods: int = 12) -> Any:
    """``membership_flow``: ``new_members`` and ``left_members`` per day or week, with the
    members in at the end of each period.

    Periods end on ``D`` and go back: a week is the 7 days ending on its last day, as for
    the front page's ``new_members``. Rows: ``period_start, period_end, new, left, members``.
    """
    length = {"day": 1, "week": WEEK}[period]
    ends = [ctx.day - timedelta(days=length * i) for i in range(periods)]
    bounds = ibis.memtable(
        {"period_start": [end - timedelta(days=length - 1) for end in ends], "period_end": ends},
        schema={"period_start": "date", "period_end": "date"},
    )
    firsts = ctx.firsts
    new = bounds.join(firsts, (firsts.first_day >= bounds.period_start) & (firsts.first_day <= bounds.period_end))
    new = new.group_by("period_end").aggregate(new=new.member_id.nunique())
    stretches = ctx.presence
    left = bounds.join(stretches, (stretches.end_day >= bounds.period_start) & (stretches.end_day <= bounds.period_end))
    left = left.group_by("period_end").aggregate(left=left.member_id.nunique())
    members = _members_per_day(stretches, ends).rename(period_end="day")
    flow = bounds.left_join(new, "period_end").left_join(left, "period_end").left_join(members, "period_end")
    return flow.select(
        period_start=flow.period_start,
        period_end=flow.period_end,
        new=flow.new.fill_null(0),
        left=flow.left.fill_null(0),
        members=flow.members.fill_null(0),
    ).order_by("period_start")
