"""Prune candidates (``docs/metrics.md#members``), and pruning recorded as removal events.

A candidate is a ``dormant`` member that nothing protects: not flagged ``staff``, ``bot`` or
``protected``, no paid order in the last ``PRUNE_PROTECT_PAID_DAYS``, no event check-in in the
last ``PRUNE_DAYS``. :func:`prune_review` lists every dormant member with what keeps them,
if anything, so a dry run can show who was spared and why.

Pruning deletes nothing. :func:`apply_prune` records one ``removal`` action (subkind
``pruned``) per candidate and group where their span is still open, all under one batch id;
the spans close with reason ``pruned`` and the members are out of the community from ``D``
on. :func:`undo_prune` records a ``join`` (subkind ``unpruned``) one microsecond after each
removal of a batch, which reopens the spans as if the removal had not happened.

A removal is dated on ``D``, the day the members were judged dormant, so that metrics as of
``D`` see them out: one second before the day ends (or now, if that is earlier; never in the
future), or, for a span reopened later that day by an undo, a microsecond after it reopened.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final

import ibis

from shequn.errors import ConfigError
from shequn.metrics._interactions import owned
from shequn.metrics._json import json_text
from shequn.metrics.activity import as_day, window_start
from shequn.metrics.context import MetricContext
from shequn.metrics.levels import member_levels
from shequn.model import Action
from shequn.sources._base import utc_us, zone
from shequn.store import Community, Store

__all__ = [
    "KEPT_REASONS",
    "PruneRun",
    "Removal",
    "apply_prune",
    "candidate_reason",
    "plan_prune",
    "prune_batches",
    "prune_candidates",
    "prune_review",
    "prune_rows",
    "removal_time",
    "undo_prune",
]

#: What keeps a dormant member from pruning, in the order they are named.
KEPT_REASONS: Final = ("staff", "bot", "protected", "paid_order", "checkin")

_CANDIDATE_COLUMNS = ("member_id", "first_day", "last_active", "days_since_active")


def _last_day_of(rows: Any, name: str) -> Any:
    return rows.group_by("member_id").aggregate(**{name: rows.day.max()})


def prune_review(ctx: MetricContext) -> Any:
    """Every ``dormant`` member as of ``D`` with ``kept_because`` (null for a candidate).

    Columns: ``member_id, first_day, last_active, days_since_active, kept_because,
    paid_day, checkin_day`` (the last paid order and check-in that protect, if any).
    """
    day = ctx.day
    dormant = member_levels(ctx)
    dormant = dormant.filter(dormant.level == "dormant").select(*_CANDIDATE_COLUMNS)
    orders = owned(ctx, "order")
    status = json_text(orders.attrs, "status").lower()
    paid_since = window_start(day, int(ctx.param("PRUNE_PROTECT_PAID_DAYS")))
    paid = _last_day_of(orders.filter((status == "paid") & (orders.day >= as_day(paid_since))), "paid_day")
    checkins = owned(ctx, "checkin")
    checked = _last_day_of(
        checkins.filter(checkins.day >= as_day(window_start(day, int(ctx.param("PRUNE_DAYS"))))), "checkin_day"
    )
    flags = ctx.flags.select("member_id", "staff", "bot", "protected")
    rows = dormant.left_join(flags, "member_id").left_join(paid, "member_id").left_join(checked, "member_id")
    keeps = {
        "staff": rows.staff.fill_null(False),
        "bot": rows.bot.fill_null(False),
        "protected": rows.protected.fill_null(False),
        "paid_order": rows.paid_day.notnull(),
        "checkin": rows.checkin_day.notnull(),
    }
    kept = ibis.cases(*((keeps[reason], reason) for reason in KEPT_REASONS), else_=ibis.null("string"))
    return rows.select(
        *(rows[name] for name in _CANDIDATE_COLUMNS),
        kept_because=kept,
        paid_day=rows.paid_day,
        checkin_day=rows.checkin_day,
    )


def prune_candidates(ctx: MetricContext) -> Any:
    """``prune_candidates``: dormant members that nothing protects from pruning.

    Columns: ``member_id, first_day, last_active, days_since_active`` (the last two null for
    members who never had counted activity).
    """
    review = prune_review(ctx)
    return review.filter(review.kept_because.isnull()).select(*_CANDIDATE_COLUMNS)


def candidate_reason(row: dict[str, Any]) -> str:
    """Why a member is a candidate, in words: the facts that made them dormant."""
    if row["last_active"] is None:
        return "no counted activity ever"
    return f"no counted activity for {row['days_since_active']} days (last {row['last_active'].isoformat()})"


def prune_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Executed candidates with their ``reason``, the longest silent first."""
    out = [{**row, "reason": candidate_reason(row)} for row in rows]
    return sorted(out, key=lambda r: (r["last_active"] is not None, r["last_active"] or r["first_day"], r["member_id"]))


def removal_time(ctx: MetricContext, now: datetime | None = None) -> int:
    """UTC epoch microseconds at which a prune as of ``D`` is dated: one second before the end
    of ``D`` in the community's zone, or ``now`` if that is earlier.

    The second left over is room for :func:`undo_prune`'s joins, which must fall on the same day.
    """
    midnight = datetime.combine(ctx.day + timedelta(days=1), time(), tzinfo=zone(ctx.tz))
    end_of_day = utc_us(midnight) - 1_000_000
    moment = now if now is not None else datetime.now(UTC)
    return min(end_of_day, utc_us(moment))


@dataclass(frozen=True)
class PruneRun:
    """What one ``prune --apply`` or ``--undo`` recorded."""

    batch: str
    members: int  # members acted on
    actions: int  # actions planned: one per member and group
    added: int  # actions new to the log (0 when the same run is recorded twice)


@dataclass(frozen=True)
class Removal:
    """One span that pruning closes: a candidate in one group, and when."""

    member_id: int
    group_id: int
    ts_us: int
    reason: str


def plan_prune(ctx: MetricContext, ts_us: int) -> list[Removal]:
    """The spans to close at ``ts_us``: one per candidate and group where their span is open at
    the end of ``D``.

    A span that opened after ``ts_us`` on ``D`` itself (an undone prune's join) closes one
    microsecond after it opened, so that pruning again after an undo closes it. Spans closed
    later in the log (the member left after ``D``) are left alone: the member is already gone.
    """
    candidates = prune_candidates(ctx)
    spans = ctx.all_spans
    spans = spans.filter(spans.closed_at.isnull() & (spans.opened_day <= as_day(ctx.day)))
    rows = spans.join(candidates, "member_id")
    rows = rows.select("member_id", "group_id", "opened_at", "last_active", "days_since_active")
    found = ctx.backend.to_pyarrow(rows.order_by(["member_id", "group_id"])).to_pylist()
    return [
        Removal(
            row["member_id"],
            row["group_id"],
            max(ts_us, utc_us(row["opened_at"].replace(tzinfo=UTC)) + 1),
            candidate_reason(row),
        )
        for row in found
    ]


def _batch_id(moment: datetime, removals: list[Removal]) -> str:
    """``prune-20240501T120000-3fa2c1``: when, and a digest of what (with the microseconds, so
    that pruning the same members again after an undo makes a new batch)."""
    lines = [moment.astimezone(UTC).isoformat(), *(f"{r.member_id}:{r.group_id}" for r in removals)]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:6]
    return f"prune-{moment.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}-{digest}"


def _community(store: Store, community_id: int) -> Community:
    for community in store.communities():
        if community.community_id == community_id:
            return community
    raise ConfigError(f"no community with id {community_id}")


def apply_prune(store: Store, ctx: MetricContext, *, now: datetime | None = None) -> PruneRun:
    """Record the pruning of every candidate as of ``D`` in one new batch; nothing is deleted."""
    moment = now if now is not None else datetime.now(UTC)
    removals = plan_prune(ctx, removal_time(ctx, moment))
    batch = _batch_id(moment, removals)
    actions = [
        Action(
            kind="removal",
            subkind="pruned",
            key=f"prune:{batch}:{r.member_id}:{r.group_id}",
            ts_us=r.ts_us,
            target_identity_id=r.member_id,
            group_id=r.group_id,
            text=r.reason,
            attrs={"as_of": ctx.day.isoformat()},
            batch=batch,
        )
        for r in removals
    ]
    added = 0
    if actions:
        summary = store.record_actions(actions, community=_community(store, ctx.community_id), source="prune --apply")
        added = summary.events_added
    return PruneRun(batch, len({r.member_id for r in removals}), len(actions), added)


def _batch_removals(store: Store, community_id: int) -> Any:
    events = store.table("events")
    removals = events.filter(
        (events.community_id == community_id) & (events.kind == "removal") & (events.subkind == "pruned")
    )
    return removals.mutate(batch=removals.attrs.cast("json")["batch"].str)


def prune_batches(store: Store, community: Community) -> list[dict[str, Any]]:
    """The community's prune batches: ``batch, members, at`` (UTC), oldest first."""
    removals = _batch_removals(store, community.community_id)
    removals = removals.filter(removals.batch.notnull())
    batches = removals.group_by("batch").aggregate(members=removals.target_identity_id.nunique(), at=removals.ts.min())
    return store.ibis.to_pyarrow(batches.order_by("at")).to_pylist()


def undo_prune(store: Store, community: Community, batch: str) -> PruneRun:
    """Reopen every span that the prune ``batch`` closed: a ``join`` (subkind ``unpruned``) one
    microsecond after each of its removals. Undoing a batch twice adds nothing the second time."""
    removals = _batch_removals(store, community.community_id)
    removals = removals.filter(removals.batch == batch)
    rows = store.ibis.to_pyarrow(
        removals.select("target_identity_id", "group_id", "ts").order_by(["target_identity_id", "group_id"])
    ).to_pylist()
    if not rows:
        known = ", ".join(b["batch"] for b in prune_batches(store, community)) or "none"
        raise ConfigError(f"no prune batch {batch!r} in community {community.name!r} (batches: {known})")
    actions = [
        Action(
            kind="join",
            subkind="unpruned",
            key=f"unprune:{batch}:{row['target_identity_id']}:{row['group_id']}",
            ts_us=utc_us(row["ts"].replace(tzinfo=UTC)) + 1,
            target_identity_id=row["target_identity_id"],
            group_id=row["group_id"],
            attrs={"undoes": batch},
            batch=f"undo-{batch}",
        )
        for row in rows
    ]
    summary = store.record_actions(actions, community=community, source=f"prune --undo {batch}")
    members = len({a.target_identity_id for a in actions})
    return PruneRun(f"undo-{batch}", members, len(actions), summary.events_added)
