"""Which member each identity belongs to, derived from merge and unmerge events.

A ``merge`` event says its actor identity and its target identity are one person; an
``unmerge`` of the same pair, later in the log, takes that back. The members are the
connected components of the merges still standing; a member's id is the smallest identity
id in its component, so it stays put when unrelated merges come and go.
"""

from __future__ import annotations

import pyarrow as pa

from shequn.store._dialect import Dialect

__all__ = ["components", "rebuild_identity_member"]


def components(edges: list[tuple[int, int]]) -> dict[int, int]:
    """identity -> smallest identity of its component, for identities on some edge."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def rebuild_identity_member(db: Dialect) -> None:
    """Recompute ``identity_member`` from the log (inside the caller's transaction)."""
    rows = db.query(
        """
        SELECT kind, least(identity_id, target_identity_id), greatest(identity_id, target_identity_id)
        FROM events
        WHERE kind IN ('merge', 'unmerge') AND identity_id IS NOT NULL AND target_identity_id IS NOT NULL
        ORDER BY ts, import_id, seq
        """
    )
    standing: dict[tuple[int, int], bool] = {}
    for kind, a, b in rows:
        standing[(a, b)] = kind == "merge"
    mapping = components([pair for pair, on in standing.items() if on])
    table = pa.table(
        {
            "identity_id": pa.array(list(mapping), pa.int64()),
            "member_id": pa.array(list(mapping.values()), pa.int64()),
        }
    )
    with db.registered("_members", table):
        db.execute("DELETE FROM identity_member")
        db.execute(
            """INSERT INTO identity_member
               SELECT i.identity_id, coalesce(m.member_id, i.identity_id)
               FROM identities i LEFT JOIN _members m ON m.identity_id = i.identity_id"""
        )
