"""What the log holds, per community and group: the answer to ``shequn info``."""

from __future__ import annotations

from typing import Any

from shequn.store import Store

__all__ = ["log_info"]

_PER_GROUP = """
SELECT c.name AS community, g.name AS group_name, g.carrier, g.native_id, g.purpose,
       count(DISTINCT m.member_id) FILTER (e.kind IN ('message', 'join')) AS members,
       count(*) FILTER (e.kind = 'message') AS messages,
       count(*) FILTER (e.kind = 'join') AS joins,
       count(*) FILTER (e.kind = 'leave') AS leaves,
       count(*) FILTER (e.kind = 'removal') AS removals,
       min(e.ts) FILTER (e.kind = 'message') AS first_message,
       max(e.ts) FILTER (e.kind = 'message') AS last_message
FROM groups g
JOIN communities c USING (community_id)
LEFT JOIN events e USING (group_id)
LEFT JOIN identity_member m ON m.identity_id = e.identity_id
GROUP BY ALL
ORDER BY community, group_name
"""

_PER_COMMUNITY = """
SELECT c.name AS community, c.timezone,
       count(DISTINCT e.group_id) AS groups,
       count(DISTINCT m.member_id) FILTER (e.kind IN ('message', 'join')) AS members,
       count(*) FILTER (e.kind = 'message') AS messages,
       count(*) FILTER (e.kind = 'join') AS joins,
       count(*) FILTER (e.kind = 'leave') AS leaves,
       count(*) FILTER (e.kind = 'removal') AS removals,
       count(*) AS events,
       min(e.ts) FILTER (e.kind = 'message') AS first_message,
       max(e.ts) FILTER (e.kind = 'message') AS last_message
FROM communities c
LEFT JOIN events e USING (community_id)
LEFT JOIN identity_member m ON m.identity_id = e.identity_id
GROUP BY ALL
ORDER BY community
"""


def _rows(store: Store, sql: str) -> list[dict[str, Any]]:
    cur = store.con.execute(sql)
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        item = dict(zip(names, row, strict=True))
        for key in ("first_message", "last_message"):
            if item.get(key) is not None:
                item[key] = item[key].isoformat()
        out.append(item)
    return out


def log_info(store: Store) -> dict[str, Any]:
    """Communities and groups with members, messages, joins, leaves and time span."""
    communities = _rows(store, _PER_COMMUNITY)
    groups = _rows(store, _PER_GROUP)
    for com in communities:
        com["group_list"] = [g for g in groups if g["community"] == com["community"]]
    imports = store.con.execute("SELECT count(*) FILTER (status = 'done'), count(*) FROM imports").fetchall()[0]
    return {
        "path": store.path,
        "imports_done": int(imports[0]) if imports else 0,
        "imports_total": int(imports[1]) if imports else 0,
        "communities": communities,
    }
