"""Which member each identity belongs to, derived from merge and unmerge events.

A ``merge`` event says its actor identity and its target identity are one person; an
``unmerge`` of the same pair, later in the log, takes that back. The members are the
connected components of the merges still standing; a member's id is the smallest identity
id in its component, so it stays put when unrelated merges come and go.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

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


def rebuild_identity_member(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``identity_member`` from the log (inside the caller's transaction)."""
    rows = con.execute(
        """
        SELECT kind, least(identity_id, target_identity_id), greatest(identity_id, target_identity_id)
        FROM events
        WHERE kind IN ('merge', 'unmerge') AND identity_id IS NOT NULL AND target_identity_id IS NOT NULL
        ORDER BY ts, import_id, seq
        """
    ).fetchall()
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
    con.register("_members", table)
    try:
        con.execute("DELETE FROM identity_member")
        con.execute(
            """INSERT INTO identity_member
               SELECT i.identity_id, coalesce(m.member_id, i.identity_id)
               FROM identities i LEFT JOIN _members m USING (identity_id)"""
        )
    finally:
        con.unregister("_members")
