"""Member levels as of ``D`` (``docs/metrics.md#members``), with the facts behind each.

The rules, first match wins, for every human member in the community at the end of ``D``:

- ``newcomer``: the first span opened within the last ``NEWCOMER_DAYS``;
- ``core``: active on at least ``CORE_DAYS`` distinct days of ``(D-30, D]`` and a strong tie;
- ``active``: active on at least 2 distinct days of ``(D-30, D]``;
- ``casual``: some counted activity in ``(D-PRUNE_DAYS, D]``;
- ``dormant``: none in ``(D-PRUNE_DAYS, D]``, including members who never posted.

One row per member, so the five levels partition the members by construction. The facts
are columns of the same row; :func:`level_facts` picks the ones that decided the level, so
an operator can see why ``ann`` is ``active`` and not ``core`` (``strong_ties: 0``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import ibis
import pyarrow as pa

from shequn._nogc import collector_paused
from shequn.metrics.activity import as_day, members_in_at, window_start
from shequn.metrics.context import MetricContext
from shequn.metrics.ties import strong_ties_per_member

__all__ = [
    "ACTIVE_MIN_DAYS",
    "LEVELS",
    "LEVEL_WINDOW_DAYS",
    "catalog_levels",
    "level_facts",
    "level_table_rows",
    "member_levels",
]

LEVELS: Final = ("newcomer", "core", "active", "casual", "dormant")
#: The window ``(D-30, D]`` in which ``core`` and ``active`` count active days.
LEVEL_WINDOW_DAYS: Final = 30
#: Active days in the window that make a member ``active``.
ACTIVE_MIN_DAYS: Final = 2


def member_levels(ctx: MetricContext) -> Any:
    """``member_levels``: each member in the community at the end of ``D`` with a level and its facts.

    Columns: ``member_id, level, first_day, days_since_join, active_days_30, strong_ties,
    last_active, days_since_active`` (the last two null for members without counted activity
    up to ``D``).
    """
    day = ctx.day
    now = members_in_at(ctx, day)
    firsts = ctx.firsts.select("member_id", "first_day")
    rows = ctx.active_days
    rows = rows.filter(rows.day <= as_day(day))
    recent = window_start(day, LEVEL_WINDOW_DAYS)
    activity = rows.group_by("member_id").aggregate(
        active_days_30=rows.count(where=rows.day >= as_day(recent)),
        last_active=rows.day.max(),
    )
    strong = strong_ties_per_member(ctx).select("member_id", "strong_ties")
    joined = now.left_join(firsts, "member_id").left_join(activity, "member_id").left_join(strong, "member_id")
    facts = joined.select(
        member_id=now.member_id,
        first_day=joined.first_day,
        days_since_join=as_day(day).delta(joined.first_day, unit="day"),
        active_days_30=joined.active_days_30.fill_null(0),
        strong_ties=joined.strong_ties.fill_null(0),
        last_active=joined.last_active,
        days_since_active=as_day(day).delta(joined.last_active, unit="day"),
    )
    newcomer_since = window_start(day, int(ctx.param("NEWCOMER_DAYS")))
    casual_since = window_start(day, int(ctx.param("PRUNE_DAYS")))
    level = ibis.cases(
        (facts.first_day >= as_day(newcomer_since), "newcomer"),
        ((facts.active_days_30 >= int(ctx.param("CORE_DAYS"))) & (facts.strong_ties > 0), "core"),
        (facts.active_days_30 >= ACTIVE_MIN_DAYS, "active"),
        (facts.last_active >= as_day(casual_since), "casual"),
        else_="dormant",
    )
    return facts.mutate(level=level).relocate("member_id", "level")


def _iso(day: date | str | None) -> str | None:
    return day.isoformat() if isinstance(day, date) else day


def level_facts(row: dict[str, Any]) -> dict[str, Any]:
    """The facts that put a member (a row of :func:`member_levels`) at their level.

    The rule that matched, plus for ``active`` the fact that kept the member out of ``core``
    and for ``casual`` the one that kept them out of ``active``.
    """
    level = row["level"]
    if level == "newcomer":
        return {"first_day": _iso(row["first_day"]), "days_since_join": row["days_since_join"]}
    if level in {"core", "active"}:
        return {"active_days_30": row["active_days_30"], "strong_ties": row["strong_ties"]}
    facts = {"last_active": _iso(row["last_active"]), "days_since_active": row["days_since_active"]}
    if level == "casual":
        return {"active_days_30": row["active_days_30"], **facts}
    return facts


def catalog_levels(ctx: MetricContext) -> Any:
    """``member_levels`` as the catalog shows it (:func:`member_levels`): in level order, days as text.

    Ordering and writing days in the engine spares the Python side per-row work on every
    member of a large community (the levels are part of the front page).
    """
    rows = member_levels(ctx)
    rank = ibis.cases(*((rows.level == name, i) for i, name in enumerate(LEVELS)), else_=len(LEVELS))
    rows = rows.mutate(first_day=rows.first_day.cast("string"), last_active=rows.last_active.cast("string"))
    return rows.order_by([rank, rows.member_id])


def level_table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """:func:`catalog_levels` executed (an Arrow table, already in level order) as the catalog shows it.

    ``{member_id, level, facts}`` per member, the facts those :func:`level_facts` picks, built
    column by column: with every member of a large community on the front page, reading each
    column once and building each row's facts by its level (with the cycle collector paused)
    costs a fifth of going through one dict per row.
    """
    columns = [
        table.column(name).to_pylist()
        for name in (
            "member_id",
            "level",
            "first_day",
            "days_since_join",
            "active_days_30",
            "strong_ties",
            "last_active",
            "days_since_active",
        )
    ]
    out: list[dict[str, Any]] = []
    append = out.append
    with collector_paused():
        for member, level, first, since_join, days_30, ties, last, since_active in zip(*columns, strict=True):
            if level == "newcomer":
                facts: dict[str, Any] = {"first_day": first, "days_since_join": since_join}
            elif level == "core" or level == "active":
                facts = {"active_days_30": days_30, "strong_ties": ties}
            elif level == "casual":
                facts = {"active_days_30": days_30, "last_active": last, "days_since_active": since_active}
            else:
                facts = {"last_active": last, "days_since_active": since_active}
            append({"member_id": member, "level": level, "facts": facts})
    return out
