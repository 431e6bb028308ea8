"""The moderation metrics of ``docs/metrics.md`` (*Moderation*), as Ibis expressions.

They read ``ad_scores`` (built by :mod:`shequn.moderation.scan`, which ``shequn moderate
scan`` keeps current) together with the log and the metrics' derived tables, so they run on
every engine the log runs on. Where ``ad_scores`` has not been built yet they see no scored
messages (an empty table of the same shape) rather than failing.

- ``ad_rate``: per group and week (the 7 days ending ``D`` and the 11 weeks before), counted
  messages (human members' messages), those flagged (score ≥ ``AD_THRESHOLD``) and the
  share flagged;
- ``repeat_offenders``: members with flagged messages in more than one group;
- ``leaves_after_ads``: per group with ad waves (a local day with at least
  :data:`WAVE_MIN` flagged messages), the members who left within 7 days after a wave
  day, against the group's usual leave rate on the other days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import ibis
import ibis.common.exceptions as ibis_errors

from shequn.metrics._localtime import day_value, local_day
from shequn.metrics.context import MetricContext
from shequn.metrics.registry import METRICS, Metric, anchor, register

__all__ = ["WAVE_DAYS", "WAVE_MIN", "ad_rate", "leaves_after_ads", "repeat_offenders", "scores"]

#: Flagged messages in one group on one local day that make an ad wave.
WAVE_MIN: Final = 3
#: Days after a wave day in which leaves count as leaves after ads.
WAVE_DAYS: Final = 7
WEEK: Final = 7
MODERATION: Final = anchor("Moderation")

_SCHEMA: Final = ibis.schema(
    {
        "community_id": "int64",
        "event_id": "string",
        "group_id": "int64",
        "member_id": "int64",
        "actor_name": "string",
        "ts": "timestamp",
        "score": "float64",
        "reasons": "string",
        "model_version": "string",
    }
)


def scores(ctx: MetricContext) -> Any:
    """The community's ``ad_scores`` rows in the context's groups (none if never built)."""
    try:
        table = ctx.backend.table("ad_scores")
    except ibis_errors.TableNotFound:
        table = ibis.memtable(_SCHEMA.to_pyarrow().empty_table())
    table = table.filter(table.community_id == ctx.community_id)
    if ctx.group_ids is not None:
        table = table.filter(table.group_id.isin(list(ctx.group_ids)))
    return table


def _human(ctx: MetricContext, rows: Any) -> Any:
    """Rows of members not flagged bot or staff."""
    flags = ctx.flags
    robots = flags.filter(flags.bot | flags.staff).select(robot=flags.member_id)
    joined = rows.left_join(robots, rows.member_id == robots.robot)
    return joined.filter(joined.robot.isnull()).drop("robot")


def ad_rate(ctx: MetricContext, periods: int = 12) -> Any:
    """``ad_rate``: per group and week ending ``D`` (12 weeks), counted messages, flagged
    messages (score ≥ ``AD_THRESHOLD``) and their share. Rows: ``group_id, period_start,
    period_end, messages, flagged, ad_rate`` (null where a week had no messages)."""
    threshold = float(ctx.param("AD_THRESHOLD"))
    ends = [ctx.day - timedelta(days=WEEK * i) for i in range(periods)]
    bounds = ibis.memtable(
        {"period_start": [end - timedelta(days=WEEK - 1) for end in ends], "period_end": ends},
        schema={"period_start": "date", "period_end": "date"},
    )
    rows = _human(ctx, scores(ctx))
    rows = rows.mutate(day=local_day(rows.ts, ctx.steps), flagged=ibis.ifelse(rows.score >= threshold, 1, 0))
    joined = rows.join(bounds, (rows.day >= bounds.period_start) & (rows.day <= bounds.period_end))
    counted = joined.group_by(["group_id", "period_start", "period_end"]).aggregate(
        messages=joined.event_id.count(), flagged=joined.flagged.sum()
    )
    return counted.select(
        group_id=counted.group_id,
        period_start=counted.period_start,
        period_end=counted.period_end,
        messages=counted.messages,
        flagged=counted.flagged,
        ad_rate=ibis.ifelse(counted.messages > 0, counted.flagged / counted.messages, ibis.null("float64")),
    ).order_by(["group_id", "period_start"])


def repeat_offenders(ctx: MetricContext) -> Any:
    """``repeat_offenders``: members with flagged messages (score ≥ ``AD_THRESHOLD``) in
    more than one group up to ``D``. Rows: ``member_id, name, groups, flagged, first_flagged,
    last_flagged``, most groups first."""
    threshold = float(ctx.param("AD_THRESHOLD"))
    rows = scores(ctx)
    rows = rows.filter((rows.score >= threshold) & rows.member_id.notnull())
    rows = rows.filter(local_day(rows.ts, ctx.steps) <= day_value(ctx.day))
    per = rows.group_by("member_id").aggregate(
        name=rows.actor_name.max(),
        groups=rows.group_id.nunique(),
        flagged=rows.event_id.count(),
        first_flagged=rows.ts.min(),
        last_flagged=rows.ts.max(),
    )
    return per.filter(per.groups > 1).order_by([ibis.desc("groups"), ibis.desc("flagged"), "member_id"])


def leaves_after_ads(ctx: MetricContext) -> Any:
    """``leaves_after_ads``: per group with ad waves up to ``D``, the members who left (a
    ``leave`` event) within 7 days after a wave day, the days those windows cover, and the
    leave rate per day there against the group's usual rate on the other days since its first
    message. Rows: ``group_id, waves, leaves_after, days_after, rate_after, usual_rate,
    ratio``."""
    threshold = float(ctx.param("AD_THRESHOLD"))
    steps = ctx.steps
    rows = scores(ctx)
    rows = rows.mutate(day=local_day(rows.ts, steps))
    rows = rows.filter(rows.day <= day_value(ctx.day))
    per_day = rows.group_by(["group_id", "day"]).aggregate(
        flagged=ibis.ifelse(rows.score >= threshold, 1, 0).sum(), first=rows.day.min()
    )
    waves = per_day.filter(per_day.flagged >= WAVE_MIN).select("group_id", wave_day=per_day.day)
    offsets = ibis.memtable({"offset": list(range(1, WAVE_DAYS + 1))}, schema={"offset": "int64"})
    after = waves.cross_join(offsets)
    after = after.select(group_id=after.group_id, day=after.wave_day + after.offset.as_interval("D"))
    after = after.filter(after.day <= day_value(ctx.day)).distinct()
    leaves = ctx.events("leave")
    leaves = leaves.filter(leaves.target_identity_id.notnull())
    leaves = leaves.mutate(day=local_day(leaves.ts, steps)).filter(lambda t: t.day <= day_value(ctx.day))
    leaves = leaves.select("group_id", "day", who=leaves.target_identity_id)
    marked = leaves.left_join(after.mutate(covered=ibis.literal(True)), ["group_id", "day"])
    marked = marked.select(group_id=marked.group_id, who=marked.who, covered=marked.covered.fill_null(False))
    leave_counts = marked.group_by("group_id").aggregate(
        leaves_after=marked.who.nunique(where=marked.covered),
        leaves_other=marked.who.count(where=~marked.covered),
    )
    wave_counts = waves.group_by("group_id").aggregate(waves=waves.wave_day.nunique())
    covered = after.group_by("group_id").aggregate(days_after=after.day.nunique())
    first = rows.group_by("group_id").aggregate(first_day=rows.day.min())
    out = wave_counts.join(covered, "group_id").join(first, "group_id").left_join(leave_counts, "group_id")
    total_days = day_value(ctx.day).delta(out.first_day, unit="day") + 1
    other_days = total_days - out.days_after
    leaves_after = out.leaves_after.fill_null(0)
    rate_after = leaves_after / out.days_after
    usual = ibis.ifelse(other_days > 0, out.leaves_other.fill_null(0) / other_days, ibis.null("float64"))
    return out.select(
        group_id=out.group_id,
        waves=out.waves,
        leaves_after=leaves_after,
        days_after=out.days_after,
        rate_after=rate_after,
        usual_rate=usual,
        ratio=ibis.ifelse(usual > 0, rate_after / usual, ibis.null("float64")),
    ).order_by("group_id")


for _metric in (
    Metric(
        "ad_rate",
        "table",
        "per group and week: share of counted messages flagged as ads",
        MODERATION,
        ad_rate,
        ("AD_THRESHOLD",),
        front_page=False,
    ),
    Metric(
        "repeat_offenders",
        "table",
        "members flagged for ads in more than one group",
        MODERATION,
        repeat_offenders,
        ("AD_THRESHOLD",),
        front_page=False,
    ),
    Metric(
        "leaves_after_ads",
        "table",
        "leaves within 7 days after an ad wave, against the usual rate",
        MODERATION,
        leaves_after_ads,
        ("AD_THRESHOLD",),
        front_page=False,
    ),
):
    if _metric.key not in METRICS:
        register(_metric)
