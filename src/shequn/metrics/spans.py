"""Membership spans: when each member was in each group, derived from the log's events.

A span is never stored as mutable state. It is computed from ``join``, ``leave`` and
``removal`` events (``target_identity_id`` is the member whose membership changes), taken per
member and group in ``(ts, seq)`` order: a join opens a span, a join while one is open is
ignored, and a leave or removal closes it (a close while none is open is ignored too).
Because the state after each event depends only on that event's kind, spans come out of two
window functions, with no loop and no engine-specific SQL.

Exports see membership only partly, so where no join is seen before a member's first counted
activity in a group, a span opens at that activity (``join_inferred``). The first activity is
read from ``member_day``, whatever the member's flags, so that bots and staff have spans of
their own for the rows that show them.

:func:`presence` merges a member's spans across groups into the stretches of days during
which the member was in the community: the question "in at the end of day d?" that most
Health KPIs ask.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from shequn.metrics._localtime import OffsetSteps, local_day

__all__ = ["FAR_DAY", "member_first_expr", "presence", "spans_expr"]

#: Stands for "not closed" in day arithmetic, so that open spans compare as later than any day.
FAR_DAY = date(9999, 12, 31)

_MEMBERSHIP_KINDS = ("join", "leave", "removal")


def _membership_events(events: Any, members: Any, community_id: int) -> Any:
    e = events.filter(
        (events.community_id == community_id)
        & events.kind.isin(_MEMBERSHIP_KINDS)
        & events.target_identity_id.notnull()
    )
    targets = members.rename(target_identity_id="identity_id")
    e = e.join(targets, "target_identity_id")
    is_join = e.kind == "join"
    return e.select(
        group_id=e.group_id,
        member_id=e.member_id,
        ts=e.ts,
        seq=e.seq.fill_null(0),
        tiebreak=e.event_id,
        opens=is_join,
        inferred=ibis.literal(False),
        join_kind=ibis.ifelse(is_join, e.subkind, ibis.null("string")),
        close_reason=ibis.cases(
            (e.kind == "leave", "leave"),
            (e.kind == "removal", e.subkind.nullif("").fill_null("removal")),
            else_=ibis.null("string"),
        ),
    )


def _inferred_joins(membership: Any, member_day: Any) -> Any:
    """A synthetic join at each member's first counted activity in a group with no join before it."""
    first_join = (
        membership.filter(membership.opens)
        .group_by(["group_id", "member_id"])
        .aggregate(first_join=membership.ts.min())
    )
    active = member_day.filter(member_day.first_counted_ts.notnull())
    first_activity = active.group_by(["group_id", "member_id"]).aggregate(first_ts=active.first_counted_ts.min())
    joined = first_activity.left_join(first_join, ["group_id", "member_id"])
    unseen = joined.filter(joined.first_join.isnull() | (joined.first_join > joined.first_ts))
    return unseen.select(
        group_id=unseen.group_id,
        member_id=unseen.member_id,
        ts=unseen.first_ts,
        seq=ibis.literal(-1, "int64"),
        tiebreak=ibis.literal(""),
        opens=ibis.literal(True),
        inferred=ibis.literal(True),
        join_kind=ibis.literal("inferred"),
        close_reason=ibis.null("string"),
    )


def spans_expr(events: Any, members: Any, member_day: Any, flags: Any, community_id: int, steps: OffsetSteps) -> Any:
    """Every membership span of the community, one row per span.

    Columns: ``community_id, group_id, member_id, opened_at, opened_day, join_inferred,
    join_kind, closed_at, closed_day, close_reason, human``. Times are UTC, days local;
    ``closed_*`` are null while the span is open; ``close_reason`` is ``leave`` or the
    removal's subkind (``pruned``, ``admin``, ``ads``; ``removal`` when none is given).
    """
    membership = _membership_events(events, members, community_id)
    day_rows = member_day.filter(member_day.community_id == community_id)
    changes_in = membership.union(_inferred_joins(membership, day_rows), distinct=False)
    order = ibis.window(group_by=["group_id", "member_id"], order_by=["ts", "seq", "tiebreak"])
    marked = changes_in.mutate(was_open=changes_in.opens.lag().over(order).fill_null(False))
    changes = marked.filter(marked.opens != marked.was_open)
    paired = changes.mutate(
        closed_at=changes.ts.lead().over(order),
        closed_reason=changes.close_reason.lead().over(order),
    )
    opened = paired.filter(paired.opens)
    with_flags = opened.left_join(flags.filter(flags.community_id == community_id), "member_id")
    return with_flags.select(
        community_id=ibis.literal(community_id, "int64"),
        group_id=with_flags.group_id,
        member_id=with_flags.member_id,
        opened_at=with_flags.ts,
        opened_day=local_day(with_flags.ts, steps),
        join_inferred=with_flags.inferred,
        join_kind=with_flags.join_kind,
        closed_at=with_flags.closed_at,
        closed_day=local_day(with_flags.closed_at, steps),
        close_reason=with_flags.closed_reason,
        human=~(with_flags.bot.fill_null(False) | with_flags.staff.fill_null(False)),
    )


def presence(spans: Any) -> Any:
    """Per member, the stretches of days ``[start_day, end_day)`` in which the member was in.

    A member is *in at the end of day d* exactly when ``start_day <= d < end_day`` for one of
    their stretches (``end_day`` is :data:`FAR_DAY` while still in). Spans that open and
    close on the same day never cover the end of a day and drop out; overlapping or touching
    spans of different groups merge, so each member's stretches are disjoint and counting
    rows counts members. Columns: ``member_id, stretch, start_day, end_day, human``.
    """
    s = spans.select(
        member_id=spans.member_id,
        start=spans.opened_day,
        # a cast of text, not a date literal: some engines' SQL for date literals breaks in CREATE TABLE
        stop=spans.closed_day.fill_null(ibis.literal(FAR_DAY.isoformat()).cast("date")),
        human=spans.human,
    )
    s = s.filter(s.start < s.stop)
    order = ibis.window(group_by="member_id", order_by=["start", "stop"], rows=(None, -1))
    s = s.mutate(reach=s.stop.max().over(order))
    s = s.mutate(new_stretch=ibis.ifelse(s.reach.isnull() | (s.start > s.reach), 1, 0))
    running = ibis.window(group_by="member_id", order_by=["start", "stop"], rows=(None, 0))
    s = s.mutate(stretch=s.new_stretch.sum().over(running))
    return s.group_by(["member_id", "stretch"]).aggregate(
        start_day=s.start.min(), end_day=s.stop.max(), human=s.human.any()
    )


def member_first_expr(spans: Any, member_day: Any) -> Any:
    """Per member with a span: when they first came, whether that join was seen, first activity.

    Columns: ``member_id, human, first_day, first_at, seen_join, first_activity_ts,
    first_activity_day, first_message_ts, first_message_day``. ``seen_join`` is false when
    the earliest span was inferred from the member's first counted activity: the log does
    not know when such a member joined. Activity columns are null for members who never
    had counted activity (messages only for ``first_message_*``).
    """
    firsts = spans.group_by("member_id").aggregate(
        human=spans.human.any(),
        first_day=spans.opened_day.min(),
        first_at=spans.opened_at.min(),
        first_seen_at=spans.opened_at.min(where=~spans.join_inferred),
    )
    active = member_day.filter(member_day.counted > 0)
    activity = active.group_by("member_id").aggregate(
        first_activity_ts=active.first_counted_ts.min(),
        first_activity_day=active.day.min(),
        first_message_ts=active.first_message_ts.min(),
        first_message_day=active.day.min(where=active.messages > 0),
    )
    joined = firsts.left_join(activity, "member_id")
    return joined.select(
        member_id=joined.member_id,
        human=joined.human,
        first_day=joined.first_day,
        first_at=joined.first_at,
        seen_join=joined.first_seen_at.notnull() & (joined.first_seen_at == joined.first_at),
        first_activity_ts=joined.first_activity_ts,
        first_activity_day=joined.first_activity_day,
        first_message_ts=joined.first_message_ts,
        first_message_day=joined.first_message_day,
    )
