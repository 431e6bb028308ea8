"""Ad scores of every message of a community, in the derived table ``ad_scores``.

The log is read in time order, a chunk at a time (keyset pages on ``(ts, event_id)``), so
memory holds one chunk, the near-duplicate window and a few facts per member, never the
whole log. For each message the scan works out what the text cannot show
(:class:`~shequn.classify.ads.MessageFacts`): how many groups and posts the same or nearly
the same text had in the window before it, whether its author joined the group within the
newcomer quiet period, whether the export names an attached image as a QR code or a contact
card, and whether the author is on the allowed list or flagged staff or bot.

``ad_scores`` (``community_id, event_id, group_id, member_id, actor_name, ts, score,
reasons, model_version``; ``reasons`` is JSON) is derived: a refresh writes the community's
rows anew in one transaction, never edits them. ``ad_scores_state`` records what they were
built from (the log's last import, the rules that matter to scores, the model version);
:func:`ensure_ad_scores` rebuilds when any of it changed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

import orjson
import pyarrow as pa

from shequn.classify._ads_dupes import NearDuplicates
from shequn.classify._ads_normalize import normalize
from shequn.classify.ads import AdContext, MessageFacts, model_version, score_ads
from shequn.moderation._log import epoch_us, joins, messages
from shequn.moderation.rules import Rules
from shequn.store import Community, Store

__all__ = [
    "AD_SCORES",
    "AD_SCORES_STATE",
    "Flagged",
    "ensure_ad_scores",
    "flagged_messages",
    "refresh_ad_scores",
]

AD_SCORES: Final = "ad_scores"
AD_SCORES_STATE: Final = "ad_scores_state"

_SCHEMA: Final = pa.schema(
    [
        ("community_id", pa.int64()),
        ("event_id", pa.string()),
        ("group_id", pa.int64()),
        ("member_id", pa.int64()),
        ("actor_name", pa.string()),
        ("ts", pa.timestamp("us")),
        ("score", pa.float64()),
        ("reasons", pa.string()),
        ("model_version", pa.string()),
    ]
)
_DDL: Final = {
    AD_SCORES: """CREATE TABLE IF NOT EXISTS ad_scores (
        community_id BIGINT, event_id VARCHAR, group_id BIGINT, member_id BIGINT, actor_name VARCHAR,
        ts TIMESTAMP, score DOUBLE, reasons VARCHAR, model_version VARCHAR)""",
    AD_SCORES_STATE: """CREATE TABLE IF NOT EXISTS ad_scores_state (
        community_id BIGINT, import_id BIGINT, fingerprint VARCHAR, model_version VARCHAR, built_at TIMESTAMP)""",
}
_QR: Final = re.compile(r"qr|二维码|收款码|扫码|wx_camera")


@dataclass(frozen=True)
class Flagged:
    """One flagged message, as ``shequn moderate scan`` lists it."""

    event_id: str
    ts: datetime
    group: str
    member_id: int | None
    member: str
    score: float
    reasons: list[dict[str, Any]]
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "ts": self.ts.isoformat(),
            "group": self.group,
            "member_id": self.member_id,
            "member": self.member,
            "score": round(self.score, 4),
            "reasons": self.reasons,
            "text": self.text,
        }


def _qr_detail(attrs: str | None) -> str | None:
    """What in a message's attributes says "QR code" or "contact card", if anything."""
    if not attrs:
        return None
    lowered = attrs.lower()
    if '"contact_card"' in lowered:
        return "contact card"
    found = _QR.search(lowered)
    if found is None:
        return None
    start = max(0, found.start() - 20)
    return lowered[start : found.end() + 20].strip()


def _allowed_members(store: Store, community: Community, names: frozenset[str]) -> set[int]:
    """Members on the allowed list (by native id, display name or id) or flagged staff or bot."""
    members: set[int] = set()
    cid = community.community_id
    if names:
        wanted = sorted(names)
        marks = ", ".join("?" for _ in wanted)
        rows = store.query(
            f"""SELECT DISTINCT coalesce(m.member_id, i.identity_id) FROM identities i
                LEFT JOIN identity_member m ON m.identity_id = i.identity_id
                WHERE i.native_id IN ({marks})
                UNION
                SELECT DISTINCT coalesce(m.member_id, e.identity_id) FROM events e
                LEFT JOIN identity_member m ON m.identity_id = e.identity_id
                WHERE e.community_id = ? AND e.actor_name IN ({marks}) AND e.identity_id IS NOT NULL""",
            [*wanted, cid, *wanted],
        )
        members.update(r[0] for r in rows)
        members.update(int(n) for n in names if n.isdigit())
    flags = store.query(
        """SELECT coalesce(m.member_id, e.target_identity_id), e.attrs FROM events e
           LEFT JOIN identity_member m ON m.identity_id = e.target_identity_id
           WHERE e.community_id = ? AND e.kind = 'flag' AND e.subkind IN ('staff', 'bot')
             AND e.target_identity_id IS NOT NULL
           ORDER BY e.ts, e.import_id, e.seq""",
        [cid],
    )
    current: dict[int, bool] = {}
    for member, attrs in flags:
        value = orjson.loads(attrs).get("value", True) if attrs else True
        current[member] = bool(value)
    members.update(m for m, on in current.items() if on)
    return members


def _last_import(store: Store) -> int:
    row = store.query("SELECT coalesce(max(import_id), 0) FROM imports WHERE status = 'done'")
    return int(row[0][0]) if row else 0


def _create_tables(store: Store) -> None:
    for ddl in _DDL.values():
        store.dialect.execute(ddl)


def refresh_ad_scores(store: Store, community: Community, rules: Rules, *, threshold: float = 0.5) -> int:
    """Score every message of the community and replace its rows of ``ad_scores``; the row count."""
    _create_tables(store)
    cid = community.community_id
    ad_rules = rules.ad_rules(threshold)
    allowed = _allowed_members(store, community, ad_rules.allowed_members)
    joined_at = joins(store, community)
    quiet_us = int(rules.newcomer_hours() * 3_600_000_000)
    dupes = NearDuplicates(window_us=int(rules.default.ads.duplicate_window_hours * 3_600_000_000))
    version = model_version()
    stage = f"_ad_scores_stage_{cid}"
    db = store.dialect
    db.execute(f'DROP TABLE IF EXISTS "{stage}"')
    db.execute(f'CREATE TABLE "{stage}" AS SELECT * FROM ad_scores WHERE 1 = 0')
    written = 0
    try:
        for rows in messages(store, community):
            norms = [normalize(r[5]) if r[5] else "" for r in rows]
            signatures = dupes.signatures(norms)
            facts: list[MessageFacts | None] = []
            for row, signature in zip(rows, signatures, strict=True):
                _, group, member, _, ts, _, attrs = row
                ts_us = epoch_us(ts)
                groups, posts = dupes.observe(signature, group, ts_us, member)
                joined = joined_at.get((member, group))
                new_member = False
                if joined:
                    at = bisect.bisect_right(joined, ts_us)
                    new_member = at > 0 and ts_us - joined[at - 1] <= quiet_us
                facts.append(
                    MessageFacts(
                        qr_image=_qr_detail(attrs),
                        new_member=new_member,
                        same_text_groups=groups,
                        same_text_posts=posts,
                        allowed_member=member in allowed,
                    )
                )
            scores = score_ads([r[5] for r in rows], context=AdContext(ad_rules, facts))
            table = pa.table(
                {
                    "community_id": pa.array([cid] * len(rows), pa.int64()),
                    "event_id": [r[0] for r in rows],
                    "group_id": pa.array([r[1] for r in rows], pa.int64()),
                    "member_id": pa.array([r[2] for r in rows], pa.int64()),
                    "actor_name": [r[3] for r in rows],
                    "ts": pa.array([r[4] for r in rows], pa.timestamp("us")),
                    "score": [s.score for s in scores],
                    "reasons": [orjson.dumps(s.reasons_list()).decode() if s.reasons else None for s in scores],
                    "model_version": [version] * len(rows),
                },
                schema=_SCHEMA,
            )
            db.append(stage, table)
            written += len(rows)
        with db.transaction():
            db.execute("DELETE FROM ad_scores WHERE community_id = ?", [cid])
            db.execute(f'INSERT INTO ad_scores SELECT * FROM "{stage}"')
            db.execute("DELETE FROM ad_scores_state WHERE community_id = ?", [cid])
            db.execute(
                "INSERT INTO ad_scores_state VALUES (?, ?, ?, ?, ?)",
                [cid, _last_import(store), rules.fingerprint(), version, datetime.now(UTC).replace(tzinfo=None)],
            )
    finally:
        db.execute(f'DROP TABLE IF EXISTS "{stage}"')
    return written


def ensure_ad_scores(store: Store, community: Community, rules: Rules, *, threshold: float = 0.5) -> bool:
    """Make the community's ``ad_scores`` current; True if they had to be rebuilt."""
    _create_tables(store)
    row = store.query(
        "SELECT import_id, fingerprint, model_version FROM ad_scores_state WHERE community_id = ?",
        [community.community_id],
    )
    if row and tuple(row[0]) == (_last_import(store), rules.fingerprint(), model_version()):
        return False
    refresh_ad_scores(store, community, rules, threshold=threshold)
    return True


def flagged_messages(
    store: Store, community: Community, threshold: float, *, since: date | None = None, limit: int | None = None
) -> list[Flagged]:
    """Messages scored at or above ``threshold``, newest first (scores must be current)."""
    params: list[Any] = [community.community_id, threshold]
    where = ""
    if since is not None:
        where = " AND s.ts >= ?"
        params.append(datetime(since.year, since.month, since.day))
    tail = ""
    if limit is not None:
        tail = " LIMIT ?"
        params.append(limit)
    rows = store.query(
        f"""SELECT s.event_id, s.ts, coalesce(g.name, g.native_id), s.member_id,
                   coalesce(s.actor_name, i.native_id, CAST(s.member_id AS VARCHAR)), s.score, s.reasons, e.text
            FROM ad_scores s
            JOIN events e ON e.event_id = s.event_id
            JOIN groups g ON g.group_id = s.group_id
            LEFT JOIN identities i ON i.identity_id = s.member_id
            WHERE s.community_id = ? AND s.score >= ?{where}
            ORDER BY s.ts DESC, s.event_id{tail}""",
        params,
    )
    return [
        Flagged(r[0], r[1], r[2], r[3], r[4] or "", float(r[5]), orjson.loads(r[6]) if r[6] else [], r[7] or "")
        for r in rows
    ]
