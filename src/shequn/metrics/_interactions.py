"""Raw events read per member: who wrote what, who replied to or mentioned whom.

The derived ``member_day`` table counts activity per day, but the Members and Ties metrics
need to know *whose* message a reply answers and *whom* a message mentions, which only the
raw events say. Everything here reads ``events`` through the context (its community and
groups), maps identities to members through ``identity_member``, dates events by their
local day and drops what happened after ``D``, so later imports never change a value as of
an earlier day.
"""

from __future__ import annotations

from typing import Any

import ibis

from shequn.metrics._localtime import local_day
from shequn.metrics.activity import as_day
from shequn.metrics.context import MetricContext

__all__ = ["authored", "decay", "interactions", "non_humans", "owned", "reply_targets", "without_non_humans"]


def _members(ctx: MetricContext) -> Any:
    return ctx.table("identity_member")


def non_humans(ctx: MetricContext) -> Any:
    """``member_id`` of members flagged ``bot`` or ``staff`` (the latest flag event wins)."""
    flags = ctx.flags
    return flags.filter(flags.bot | flags.staff).select("member_id")


def without_non_humans(ctx: MetricContext, rows: Any, column: str = "member_id") -> Any:
    """``rows`` without those whose ``column`` names a bot or staff member."""
    others = non_humans(ctx).rename(_flagged="member_id").view()  # a fresh reference: callers use it twice
    return rows.anti_join(others, rows[column] == others._flagged)


def _dated(ctx: MetricContext, events: Any) -> Any:
    events = events.mutate(day=local_day(events.ts, ctx.steps))
    return events.filter(events.day <= as_day(ctx.day))


def authored(ctx: MetricContext, *kinds: str) -> Any:
    """Events of ``kinds`` up to the end of ``D``, with the author's ``member_id`` and local ``day``.

    Every author, bots and staff included: callers drop them where the catalog says so.
    """
    events = ctx.events(*kinds)
    events = events.filter(events.identity_id.notnull())
    return _dated(ctx, events.join(_members(ctx), "identity_id"))


def owned(ctx: MetricContext, *kinds: str) -> Any:
    """Events of ``kinds`` up to the end of ``D`` with the ``member_id`` they belong to.

    For check-ins and orders the member is the target where one is named (an operator
    recording "ann checked in" is the actor of the record, ann its target), else the actor
    (an imported order placed by the member).
    """
    events = ctx.events(*kinds)
    events = events.mutate(owner_identity=events.target_identity_id.fill_null(events.identity_id))
    events = events.filter(events.owner_identity.notnull())
    members = _members(ctx).rename(owner_identity="identity_id", owner_member="member_id")
    joined = events.join(members, "owner_identity")
    return _dated(ctx, joined.mutate(member_id=joined.owner_member))


def reply_targets(ctx: MetricContext, messages: Any) -> Any:
    """``(event_id, target)`` for each of ``messages`` that replies to a message by another member.

    A reply whose message is not in the log (deleted, or before the export began) is left
    out: nothing says who wrote it.
    """
    replies = messages.filter(messages.reply_to_event_id.notnull())
    replies = replies.select(replies.event_id, replies.member_id, replies.reply_to_event_id)
    originals = ctx.events("message")
    originals = originals.filter(originals.identity_id.notnull()).join(_members(ctx), "identity_id")
    originals = originals.select(original_id=originals.event_id, target=originals.member_id)
    joined = replies.join(originals, replies.reply_to_event_id == originals.original_id)
    joined = joined.filter(joined.target != joined.member_id)
    return joined.select("event_id", "target")


def interactions(ctx: MetricContext) -> Any:
    """Interactions up to the end of ``D``, per ordered pair and day: rows ``source, target,
    day, interactions`` (how many that day, in the chosen groups).

    An interaction from ``a`` to ``b`` is a message by ``a`` that replies to a message of
    ``b`` or mentions ``b``; ``a != b`` and both human. A message that both replies to and
    mentions the same member is one interaction, not two. Read from the derived table
    ``interactions``, built once per import.
    """
    rows = ctx.interactions
    rows = rows.filter(rows.day <= as_day(ctx.day))
    return rows.group_by(["source", "target", "day"]).aggregate(interactions=rows.interactions.sum())


def decay(ctx: MetricContext, day: Any) -> Any:
    """``0.5 ^ (age_days / HALF_LIFE)``, the age counted in whole days from ``day`` to ``D``."""
    half_life = float(ctx.param("HALF_LIFE"))
    age = as_day(ctx.day).delta(day, unit="day")
    return ibis.literal(0.5) ** (age.cast("float64") / half_life)
