"""One member seen whole, as of ``D``: what ``shequn member`` shows.

Each part reads the same expressions as the community-wide metrics, narrowed to the member,
so a member's page never disagrees with the lists.
"""

from __future__ import annotations

from typing import Any

import ibis

from shequn.metrics._interactions import authored, owned
from shequn.metrics._who import member_identities, member_names
from shequn.metrics.context import MetricContext
from shequn.metrics.levels import level_facts, member_levels
from shequn.metrics.members import activity_score, score_weights
from shequn.metrics.ties import member_ties

__all__ = ["member_profile"]

TOP_TIES = 5
RECENT = 10
SNIPPET = 80


def _rows(ctx: MetricContext, expr: Any) -> list[dict[str, Any]]:
    return ctx.backend.to_pyarrow(expr).to_pylist()


def _group_names(ctx: MetricContext) -> Any:
    groups = ctx.backend.table("groups")
    return groups.select("group_id", group=groups.name.fill_null(groups.native_id))


def _spans(ctx: MetricContext, member_id: int) -> list[dict[str, Any]]:
    spans = ctx.all_spans
    spans = spans.filter(spans.member_id == member_id).join(_group_names(ctx), "group_id")
    columns = ("group", "opened_day", "join_kind", "join_inferred", "closed_day", "close_reason")
    return _rows(ctx, spans.select(*columns).order_by(["opened_day", "group"]))


def _score(ctx: MetricContext, member_id: int) -> dict[str, Any]:
    scores = activity_score(ctx)
    found = _rows(ctx, scores.filter(scores.member_id == member_id))
    counts = found[0] if found else {"score": 0.0, "messages": 0, "replies": 0, "answers": 0, "checkins": 0}
    return {
        "score": counts["score"],
        "counts": {kind: counts[kind] for kind in score_weights(ctx)},
        "weights": score_weights(ctx),
        "half_life_days": ctx.param("HALF_LIFE"),
    }


def _level(ctx: MetricContext, member_id: int) -> dict[str, Any] | None:
    levels = member_levels(ctx)
    found = _rows(ctx, levels.filter(levels.member_id == member_id))
    if not found:
        return None
    return {"level": found[0]["level"], "facts": level_facts(found[0])}


def _ties(ctx: MetricContext, member_id: int) -> list[dict[str, Any]]:
    ends = member_ties(ctx)
    ends = ends.filter(ends.member_id == member_id)
    names = member_names(ctx.backend).rename(other="member_id", other_name="name")
    ends = ends.left_join(names, "other")
    top = ends.select("other", "other_name", "weight", "strong", "days_out", "days_in", "last_day")
    return _rows(ctx, top.order_by([ibis.desc("weight"), "other"]).limit(TOP_TIES))


def _recent(ctx: MetricContext, member_id: int) -> list[dict[str, Any]]:
    columns = ("ts", "group_id", "kind", "subkind", "text")
    messages = authored(ctx, "message")
    checkins = owned(ctx, "checkin")
    events = messages.filter(messages.member_id == member_id).select(*columns)
    events = events.union(checkins.filter(checkins.member_id == member_id).select(*columns), distinct=False)
    events = events.join(_group_names(ctx), "group_id")
    recent = events.select("ts", "group", "kind", "subkind", text=events.text.substr(0, SNIPPET))
    return _rows(ctx, recent.order_by(ibis.desc("ts")).limit(RECENT))


def _flags(ctx: MetricContext, member_id: int) -> dict[str, bool]:
    flags = ctx.flags
    found = _rows(ctx, flags.filter(flags.member_id == member_id).select("bot", "staff", "protected"))
    return found[0] if found else {"bot": False, "staff": False, "protected": False}


def member_profile(ctx: MetricContext, member_id: int) -> dict[str, Any]:
    """Identities, flags, spans, score with weights, level with facts, top ties and recent activity.

    ``level`` is None for a member who is not in the community at the end of ``D`` or is
    flagged ``bot`` or ``staff`` (levels are for human members in the community).
    """
    names = member_names(ctx.backend)
    name = _rows(ctx, names.filter(names.member_id == member_id).select("name"))
    return {
        "member_id": member_id,
        "name": name[0]["name"] if name else str(member_id),
        "as_of": ctx.day,
        "identities": member_identities(ctx.backend, member_id),
        "flags": _flags(ctx, member_id),
        "spans": _spans(ctx, member_id),
        "score": _score(ctx, member_id),
        "level": _level(ctx, member_id),
        "ties": _ties(ctx, member_id),
        "recent": _recent(ctx, member_id),
    }
