"""What ``identities show``, ``list`` and ``batches`` print: members, their identities, batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shequn.identities.flags import current_flags
from shequn.identities.profiles import load_profiles
from shequn.identities.state import parse_attrs
from shequn.store import Store

__all__ = ["BatchView", "IdentityView", "MemberView", "NameSpan", "batches", "list_members", "member_view"]


@dataclass(frozen=True)
class NameSpan:
    """A name an identity wrote under, and when."""

    name: str
    first_ts: datetime
    last_ts: datetime
    events: int


@dataclass
class IdentityView:
    identity_id: int
    carrier: str
    native_id: str | None
    scope_group: str | None
    name_key: str | None
    names: list[NameSpan] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "identity_id": self.identity_id,
            "carrier": self.carrier,
            "native_id": self.native_id,
            "scope_group": self.scope_group,
            "name_key": self.name_key,
            "names": [
                {"name": n.name, "first": n.first_ts.isoformat(), "last": n.last_ts.isoformat(), "events": n.events}
                for n in self.names
            ],
            "groups": self.groups,
        }


@dataclass
class MemberView:
    member_id: int
    identities: list[IdentityView]
    flags: set[str]

    def as_dict(self) -> dict:
        return {
            "member_id": self.member_id,
            "flags": sorted(self.flags),
            "identities": [i.as_dict() for i in self.identities],
        }


@dataclass(frozen=True)
class BatchView:
    batch: str
    first_ts: datetime
    source: str
    counts: dict[str, int]  # "merge/mapping" -> actions of the batch

    def as_dict(self) -> dict:
        return {"batch": self.batch, "ts": self.first_ts.isoformat(), "source": self.source, "actions": self.counts}


def member_view(store: Store, member_id: int, community_id: int | None = None) -> MemberView:
    """A member's identities with names over time and the groups they were seen in."""
    rows = store.query(
        """
        SELECT i.identity_id, i.carrier, i.native_id, coalesce(g.name, g.native_id), i.name_key
        FROM identity_member m
        JOIN identities i ON i.identity_id = m.identity_id
        LEFT JOIN groups g ON g.group_id = i.scope_group_id
        WHERE m.member_id = ?
        ORDER BY i.identity_id
        """,
        [member_id],
    )
    identities = [IdentityView(*row) for row in rows]
    for view in identities:
        view.names = [
            NameSpan(*row)
            for row in store.query(
                "SELECT name, first_ts, last_ts, events FROM identity_names WHERE identity_id = ?"
                " ORDER BY first_ts, name",
                [view.identity_id],
            )
        ]
        view.groups = [
            f"{carrier}:{name}"
            for carrier, name in store.query(
                """
                SELECT DISTINCT g.carrier, coalesce(g.name, g.native_id)
                FROM events e JOIN groups g ON g.group_id = e.group_id
                WHERE e.identity_id = ? OR e.target_identity_id = ?
                ORDER BY 1, 2
                """,
                [view.identity_id, view.identity_id],
            )
        ]
    flags = current_flags(store, community_id).get(member_id, set()) if community_id is not None else set()
    return MemberView(member_id, identities, flags)


def list_members(store: Store, community_id: int, *, merged_only: bool = True) -> list[tuple[int, list[str]]]:
    """``(member, identity labels)`` of the community, members of several identities only by default."""
    by_member: dict[int, list[str]] = {}
    for profile in load_profiles(store, community_id):
        by_member.setdefault(profile.member_id, []).append(profile.label)
    return [(m, labels) for m, labels in sorted(by_member.items()) if len(labels) > 1 or not merged_only]


def batches(store: Store, community_id: int) -> list[BatchView]:
    """The operator's batches in the community (merges, unmerges, flags), latest first."""
    rows = store.query(
        """
        SELECT attrs, kind, subkind, ts, source_file FROM events
        WHERE community_id = ? AND importer = 'shequn' AND attrs LIKE '%"batch"%'
        ORDER BY ts, import_id, seq
        """,
        [community_id],
    )
    found: dict[str, BatchView] = {}
    for attrs, kind, subkind, ts, source in rows:
        batch = parse_attrs(attrs).get("batch")
        if not batch:
            continue
        view = found.setdefault(batch, BatchView(batch, ts, source, {}))
        what = f"{kind}/{subkind}" if subkind else kind
        view.counts[what] = view.counts.get(what, 0) + 1
    return sorted(found.values(), key=lambda b: b.first_ts, reverse=True)
