"""One-line readings of each chart, written from the report's data.

A reading says what the chart shows in this community this time (which cohort fell, which
hour is busiest), never a canned sentence: every number in it is taken from the
:class:`~shequn.report.data.Report`. A chart with nothing to read gets no reading.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from shequn.report._format import change_text, percent
from shequn.report.data import Report
from shequn.report.i18n import Words

__all__ = ["READINGS", "readings"]

#: A cohort is read once it has been observed this many weeks (week 0 included).
COHORT_MIN_WEEKS = 4


def _trend(words: Words, now: float, before: float) -> str:
    """The change from ``before`` to ``now`` in words: up 12%, down 5%, or unchanged (as the
    averages are shown, in whole numbers)."""
    if round(now) == round(before):
        return words["flat"]
    if before == 0:
        return words["up"]
    change = now / before - 1
    return f"{words['up'] if change > 0 else words['down']} {abs(change):.0%}"


def kpis(report: Report, words: Words) -> str | None:
    members = report.kpi("members_now")
    active = report.kpi("wau")
    if members is None or members.change is None or active is None:
        return None
    return words.fill(
        "r_kpis",
        members=f"{members.value:,}",
        growth=change_text(members.change, "count"),
        period=words.period(report.period, prose=True),
        active=f"{active.value:,}",
    )


def daily(report: Report, words: Words) -> str | None:
    previous = report.previous_as_of
    now = [row for row in report.daily if row.day > previous]
    before = [row for row in report.daily if previous - timedelta(days=report.period_days) < row.day <= previous]
    if not now or not any(row.messages for row in report.daily):
        return None
    avg = sum(row.active_members for row in now) / len(now)
    avg_before = sum(row.active_members for row in before) / len(before) if before else 0.0
    text = words.fill(
        "r_daily",
        avg=avg,
        avg_before=avg_before,
        trend=_trend(words, avg, avg_before),
        period=words.period(report.period, prose=True),
        before=words.period(report.period, before=True, prose=True),
        messages=report.period_totals["messages"],
        messages_before=report.period_totals["messages_before"],
    )
    peak = max(now, key=lambda row: (row.active_members, row.day))
    return text + words.fill("r_daily_peak", day=peak.day.isoformat(), peak=peak.active_members)


def flow(report: Report, words: Words) -> str | None:
    if not report.flow:
        return None
    totals = report.period_totals
    return words.fill(
        "r_flow",
        new=totals["new"],
        left=totals["left"],
        new_before=totals["new_before"],
        left_before=totals["left_before"],
        period=words.period(report.period, prose=True),
        before=words.period(report.period, before=True, prose=True),
        weeks=len(report.flow),
        new_total=sum(row.new for row in report.flow),
        left_total=sum(row.left for row in report.flow),
    )


def cohorts(report: Report, words: Words) -> str:
    """The largest cohort observed for at least :data:`COHORT_MIN_WEEKS` weeks (the latest of equals):
    its share active in week 0 and in its last observed week."""
    observed = [
        (cohort, [cell for cell in cohort.cells if cell is not None])
        for cohort in report.cohorts
        if cohort.size > 0 and sum(cell is not None for cell in cohort.cells) >= COHORT_MIN_WEEKS
    ]
    if not observed:
        return words["r_cohort_none"]
    cohort, cells = max(observed, key=lambda item: (item[0].size, item[0].cohort))
    return words.fill(
        "r_cohort",
        size=cohort.size,
        cohort=cohort.cohort.isoformat(),
        first=percent(cells[0]),
        last=percent(cells[-1]),
        k=len(cells) - 1,
    )


def levels(report: Report, words: Words) -> str | None:
    if len(report.levels) < 2:
        return None
    then, now = report.levels[0].counts, report.levels[-1].counts
    return words.fill(
        "r_levels",
        core_then=then["core"],
        core_now=now["core"],
        dormant_then=then["dormant"],
        dormant_now=now["dormant"],
        weeks=len(report.levels) - 1,
    )


def weekday_hour(report: Report, words: Words) -> str | None:
    total = sum(map(sum, report.weekday_hour))
    if not total:
        return None
    weekday, hour = max(
        ((d, h) for d in range(7) for h in range(24)),
        key=lambda cell: (report.weekday_hour[cell[0]][cell[1]], -cell[0], -cell[1]),
    )
    quiet = min(range(7), key=lambda d: (sum(report.weekday_hour[d]), d))
    return words.fill(
        "r_weekday_hour",
        weekday=words.weekdays[weekday],
        hour=hour,
        hour_end=(hour + 1) % 24,
        share=f"{report.weekday_hour[weekday][hour] / total:.1%}",
        quiet_day=words.weekdays[quiet],
    )


def contributors(report: Report, words: Words) -> str | None:
    total = report.period_totals["messages"]
    top10 = report.kpi("top10_share")
    if not report.contributors or not total:
        return None
    return words.fill(
        "r_contributors",
        n=len(report.contributors),
        share=percent(sum(c.messages for c in report.contributors) / total),
        period=words.period(report.period, prose=True),
        total=total,
        top10=percent(top10.value if top10 else None),
    )


def network(report: Report, words: Words) -> str:
    net = report.network
    if not net.nodes:
        return words.fill("r_network_none", as_of=report.as_of.isoformat())
    best = max(net.nodes, key=lambda node: (node.strong_ties, node.ties, -node.member_id))
    text = words.fill(
        "r_network",
        members=f"{net.core_members:,}",
        ties=f"{net.core_ties:,}",
        strong=f"{net.core_strong_ties:,}",
        best=best.name,
        degree=best.ties,
        strong_degree=best.strong_ties,
    )
    if len(net.nodes) < net.core_members:
        text += words.fill("r_network_drawn", shown=len(net.nodes), total=f"{net.core_members:,}")
    return text


def groups(report: Report, words: Words) -> str | None:
    rows = report.group_rows
    if not rows:
        return None
    busiest = max(rows, key=lambda row: (row.values.get("interactions_per_day") or 0, row.name))
    per_day = f"{busiest.values.get('interactions_per_day') or 0:,.1f}"
    retention_name = next((name for name in busiest.values if name.startswith("retention_")), None)
    rated = [row for row in rows if retention_name and row.values.get(retention_name) is not None]
    if len(rows) < 2 or len(rated) < 2:
        return words.fill("r_groups_one", busiest=busiest.name, per_day=per_day)
    weakest = min(rated, key=lambda row: (row.values[retention_name], row.name))
    return words.fill(
        "r_groups",
        busiest=busiest.name,
        per_day=per_day,
        weakest=weakest.name,
        retention=percent(weakest.values[retention_name]),
        retention_name=words.metric(retention_name),
    )


#: Each chart's reading, by the chart's key.
READINGS: dict[str, Callable[[Report, Words], str | None]] = {
    "kpis": kpis,
    "daily": daily,
    "flow": flow,
    "cohorts": cohorts,
    "levels": levels,
    "weekday_hour": weekday_hour,
    "contributors": contributors,
    "network": network,
    "groups": groups,
}


def readings(report: Report, words: Words) -> dict[str, str]:
    """Every chart's reading that has something to say, keyed as :data:`READINGS`."""
    out = {}
    for key, read in READINGS.items():
        text = read(report, words)
        if text:
            out[key] = text
    return out
