"""Remove a member for ads from every group where they are still in: ``shequn moderate ban``.

A ban is recorded, never carried out by deleting anything: one ``removal`` event with
subkind ``ads`` per group where the member has an open membership span, all in one batch of
operator actions (:meth:`Store.record_actions`), so that the spans close with reason
``ads`` and the batch can be found and undone as one. The spans are the metrics' own
(:mod:`shequn.metrics.spans`), so a ban closes exactly the memberships the reports count.

Each removal's key names the group, the member and the start of the span it closes:
banning the same member twice adds nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shequn.errors import ConfigError
from shequn.metrics import context_for
from shequn.model import Action
from shequn.sources._base import utc_us
from shequn.store import Community, ImportSummary, Store

__all__ = ["Ban", "Member", "ban_member", "open_groups", "resolve_member"]


@dataclass(frozen=True)
class Member:
    """A member as the operator named them: id, a display name, and how they were found."""

    member_id: int
    label: str


@dataclass(frozen=True)
class Ban:
    member: Member
    actions: list[Action]
    summary: ImportSummary | None

    @property
    def added(self) -> int:
        return self.summary.events_added if self.summary is not None else 0


def resolve_member(store: Store, community: Community, who: str) -> Member:
    """The member that ``who`` names: a member or identity id, a native id, or a display name.

    A display name shared by several members is refused with the candidates listed, so a ban
    never hits the wrong person.
    """
    cid = community.community_id
    found: dict[int, str] = {}
    if who.lstrip("-").isdigit():
        rows = store.query(
            """SELECT DISTINCT m.member_id FROM identity_member m
               WHERE (m.member_id = ? OR m.identity_id = ?)
                 AND m.identity_id IN (SELECT identity_id FROM events WHERE community_id = ?
                                       UNION SELECT target_identity_id FROM events WHERE community_id = ?)""",
            [int(who), int(who), cid, cid],
        )
        found.update((r[0], who) for r in rows)
    if not found:
        rows = store.query(
            """SELECT DISTINCT m.member_id, i.native_id FROM identities i
               JOIN identity_member m ON m.identity_id = i.identity_id
               WHERE i.native_id = ?
                 AND i.identity_id IN (SELECT identity_id FROM events WHERE community_id = ?)""",
            [who, cid],
        )
        found.update((r[0], r[1]) for r in rows)
    if not found:
        rows = store.query(
            """SELECT DISTINCT m.member_id, e.actor_name FROM events e
               JOIN identity_member m ON m.identity_id = e.identity_id
               WHERE e.community_id = ? AND lower(e.actor_name) = lower(?)""",
            [cid, who],
        )
        found.update((r[0], r[1]) for r in rows)
    if not found:
        raise ConfigError(f"no member {who!r} in community {community.name!r} (give a member id, native id or name)")
    if len(found) > 1:
        ids = ", ".join(str(m) for m in sorted(found))
        raise ConfigError(f"{who!r} names several members ({ids}); ban one of them by id")
    member_id, label = next(iter(found.items()))
    return Member(member_id, label)


def open_groups(store: Store, community: Community, member_id: int) -> list[tuple[int, datetime]]:
    """``(group_id, opened_at)`` of the member's open membership spans, by group."""
    ctx = context_for(store, community.name)
    spans = ctx.all_spans
    rows = store.ibis.to_pyarrow(
        spans.filter((spans.member_id == member_id) & spans.closed_at.isnull())
        .select("group_id", "opened_at")
        .order_by("group_id")
    ).to_pylist()
    return [(r["group_id"], r["opened_at"]) for r in rows]


def _identity_in_group(store: Store, member_id: int, group_id: int) -> int:
    """The member's identity most recently seen in the group (the one the carrier removes)."""
    rows = store.query(
        """SELECT who FROM (
               SELECT e.identity_id AS who, e.ts FROM events e
               JOIN identity_member m ON m.identity_id = e.identity_id
               WHERE m.member_id = ? AND e.group_id = ?
               UNION ALL
               SELECT e.target_identity_id AS who, e.ts FROM events e
               JOIN identity_member m ON m.identity_id = e.target_identity_id
               WHERE m.member_id = ? AND e.group_id = ?
           ) seen ORDER BY ts DESC, who LIMIT 1""",
        [member_id, group_id, member_id, group_id],
    )
    return int(rows[0][0]) if rows else member_id


def ban_member(
    store: Store,
    community: Community,
    who: str,
    *,
    at: datetime | None = None,
    note: str | None = None,
    dry_run: bool = False,
) -> Ban:
    """Record the member's removal for ads from every group where they are in, as one batch."""
    member = resolve_member(store, community, who)
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    ts_us = utc_us(when)
    batch = f"ban-ads-{member.member_id}-{ts_us}"
    actions = []
    for group_id, opened_at in open_groups(store, community, member.member_id):
        opened_us = utc_us(opened_at.replace(tzinfo=UTC))
        actions.append(
            Action(
                kind="removal",
                subkind="ads",
                key=f"ban:ads:{group_id}:{member.member_id}:{opened_us}",
                ts_us=ts_us,
                target_identity_id=_identity_in_group(store, member.member_id, group_id),
                group_id=group_id,
                text=note,
                attrs={"member_id": member.member_id},
                batch=batch,
            )
        )
    if dry_run or not actions:
        return Ban(member, actions, None)
    summary = store.record_actions(actions, community=community, source=f"moderate ban {who}")
    return Ban(member, actions, summary)
