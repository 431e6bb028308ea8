"""Reading the log in the order moderation needs: messages by time, joins by member and group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Final

from shequn.store import Community, Store

__all__ = ["CHUNK", "epoch_us", "joins", "messages"]

#: Messages per page: a page is fetched whole, so memory holds one page at a time.
CHUNK: Final = 20_000
_EPOCH: Final = datetime(1970, 1, 1)


def epoch_us(ts: datetime) -> int:
    """Epoch microseconds of a naive UTC timestamp of the log."""
    delta = ts - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def joins(store: Store, community: Community) -> dict[tuple[int, int], list[int]]:
    """When each member joined each group (every join, in order), in epoch microseconds."""
    rows = store.query(
        """SELECT coalesce(m.member_id, e.target_identity_id), e.group_id, e.ts FROM events e
           LEFT JOIN identity_member m ON m.identity_id = e.target_identity_id
           WHERE e.community_id = ? AND e.kind = 'join' AND e.target_identity_id IS NOT NULL
             AND coalesce(e.subkind, '') <> 'inferred'
           ORDER BY e.ts""",
        [community.community_id],
    )
    found: dict[tuple[int, int], list[int]] = {}
    for member, group, ts in rows:
        found.setdefault((member, group), []).append(epoch_us(ts))
    return found


def messages(store: Store, community: Community) -> Iterator[list[tuple]]:
    """The community's messages in ``(ts, event_id)`` order, a page at a time."""
    last: tuple[datetime, str] | None = None
    base = """SELECT e.event_id, e.group_id, coalesce(m.member_id, e.identity_id), e.actor_name, e.ts,
                     e.text, e.attrs
              FROM events e LEFT JOIN identity_member m ON m.identity_id = e.identity_id
              WHERE e.community_id = ? AND e.kind = 'message'"""
    while True:
        if last is None:
            rows = store.query(base + " ORDER BY e.ts, e.event_id LIMIT ?", [community.community_id, CHUNK])
        else:
            rows = store.query(
                base + " AND (e.ts > ? OR (e.ts = ? AND e.event_id > ?)) ORDER BY e.ts, e.event_id LIMIT ?",
                [community.community_id, last[0], last[0], last[1], CHUNK],
            )
        if not rows:
            return
        yield rows
        last = (rows[-1][4], rows[-1][0])
        if len(rows) < CHUNK:
            return
