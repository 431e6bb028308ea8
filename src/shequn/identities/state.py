"""What the log says now about who is whom: members, standing merges, and when to write next.

Operator actions are decided against this state and keyed by it: a merge names the last
event of its pair that it follows, so re-running a command against the same log finds
nothing to do, while merging a pair again after an unmerge writes a new event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import pyarrow as pa

from shequn.sources._base import utc_us
from shequn.store import Store

__all__ = [
    "PairEvent",
    "batch_id",
    "epoch_us",
    "members_of",
    "next_ts",
    "now_us",
    "pair_history",
    "parse_attrs",
]


@dataclass(frozen=True)
class PairEvent:
    """The latest merge or unmerge of one pair of identities (``a < b``)."""

    a: int
    b: int
    kind: str
    ts_us: int
    event_id: str
    community_id: int
    batch: str | None

    @property
    def standing(self) -> bool:
        return self.kind == "merge"


def now_us() -> int:
    return utc_us(datetime.now(UTC))


def epoch_us(ts: datetime) -> int:
    """Epoch microseconds of a timestamp read from the log (naive, UTC)."""
    return utc_us(ts if ts.tzinfo else ts.replace(tzinfo=UTC))


def next_ts(after_us: Iterable[int]) -> int:
    """Now, or just after the latest of ``after_us``: a new action must come after what it answers.

    Members are rebuilt from merges in time order, so an unmerge stamped before its merge
    (a clock set back, an export from the future) would be read as undone already.
    """
    return max([now_us(), *(t + 1 for t in after_us)])


def parse_attrs(text: str | None) -> dict:
    return orjson.loads(text) if text else {}


def batch_id(prefix: str, keys: Iterable[str]) -> str:
    """A batch name that says what made it and when: ``mapping-20240501T120000-3fa2c1``."""
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:6]
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{digest}"


def pair_history(store: Store) -> dict[tuple[int, int], PairEvent]:
    """The latest merge or unmerge of every pair, read in the order the store rebuilds members.

    Merges are few next to messages (at most a few per identity), so the whole map is held.
    """
    rows = store.query(
        """
        SELECT least(identity_id, target_identity_id), greatest(identity_id, target_identity_id),
               kind, ts, event_id, community_id, attrs
        FROM events
        WHERE kind IN ('merge', 'unmerge') AND identity_id IS NOT NULL AND target_identity_id IS NOT NULL
        ORDER BY ts, import_id, seq
        """
    )
    latest: dict[tuple[int, int], PairEvent] = {}
    for a, b, kind, ts, event_id, community_id, attrs in rows:
        batch = parse_attrs(attrs).get("batch")
        latest[(a, b)] = PairEvent(a, b, kind, epoch_us(ts), event_id, community_id, batch)
    return latest


def members_of(store: Store, identity_ids: Iterable[int]) -> dict[int, int]:
    """identity -> member for the given identities (identities the log lacks are left out)."""
    wanted = sorted(set(identity_ids))
    if not wanted:
        return {}
    table = pa.table({"identity_id": pa.array(wanted, pa.int64())})
    with store.dialect.registered("_wanted_identities", table):
        rows = store.query(
            "SELECT m.identity_id, m.member_id FROM identity_member m"
            " JOIN _wanted_identities w ON w.identity_id = m.identity_id"
        )
    return dict(rows)
