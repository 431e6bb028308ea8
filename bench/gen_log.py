"""A large generated activity log, written straight into a DuckDB file, for bench/metrics.py.

Importing a 10-million-message export to get a log would take minutes and measure the
importers, not the metrics; this writes the log's tables directly instead. The store
(:class:`shequn.store.Store`) creates the schema and the community; groups, identities and
events are rows made by DuckDB SQL. Every random choice is a hash of a row number and a
salt (``h(i, 'who')``), never ``random()``, so the same parameters give the same log on
any number of threads.

The community's shape, over ``days`` days from ``--start``:

- members join over the period (a founding batch in the first three days, the rest spread
  evenly); most joins are logged, some are not (the member's first message then opens a
  span, as in exports that miss joins); a few joins are logged twice;
- each member has a home group (group sizes skewed) and some a second group;
- some leave (a few are removed by staff instead) and a few of those come back later;
- activity is Zipf-like: of the members who ever post, the n-th most active writes in
  proportion to about ``n ** -0.8``; the others only read. Messages fall inside their
  author's span in the group;
- replies point at one of the few messages before them in the same group, and mentions
  name the author of one of them, so regular posters form ties both ways;
- a few top posters are flagged bots (one unflagged later) and a few members staff;
- a few members have a second identity, merged into them, which writes some of their messages;
- a few hundred orders, paid, refunded or pending, in two currencies (one written in lower case).

    python bench/gen_log.py                                # 10 M messages, 200 000 members
    python bench/gen_log.py --messages 20000 --members 2000 --groups 5 --days 120
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from shequn import ids
from shequn.store import Store

__all__ = ["COMMUNITY", "LogShape", "default_path", "generate"]

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
COMMUNITY = "bench"
CARRIER = "telegram"

_DAY_US = 86_400_000_000
_SEP = "chr(31)"  # shequn.ids joins the parts of what an id hashes with the unit separator

#: Shares and counts that shape the community (see the module docstring).
POSTER_SHARE = 0.6
ZIPF_POWER = 5  # member rank = posters × u**5: density ∝ rank**-0.8
FOUNDER_SHARE = 0.15
SECOND_GROUP_SHARE = 0.3
SECOND_GROUP_MESSAGE_SHARE = 0.3
JOIN_SEEN_SHARE = 0.85
LEAVE_SHARE = 0.3
SECOND_LEAVE_SHARE = 0.2
REMOVED_SHARE = 0.1
REJOIN_SHARE = 0.1
DOUBLE_JOIN_SHARE = 0.02
REPLY_SHARE = 0.25
MENTION_SHARE = 0.05
ALIAS_EVERY = 97  # members with m % 97 == 5 have a second, merged identity
ALIAS_MESSAGE_SHARE = 0.3
BOT_RANKS = (0, 3, 7, 12, 20, 33, 50, 80)  # poster ranks flagged bot; the last is unflagged later
STAFF_RANKS = (1, 10, 40, 90, 150, 400)


@dataclass(frozen=True)
class LogShape:
    """What a generated log holds; the same shape always gives the same log."""

    messages: int = 10_000_000
    members: int = 200_000
    groups: int = 50
    days: int = 365
    start: date = date(2024, 1, 1)
    tz: str = "Asia/Shanghai"

    def file_name(self) -> str:
        zone = self.tz.replace("/", "_")
        return f"log-{self.messages}-{self.members}-{self.groups}-{self.days}-{self.start:%Y%m%d}-{zone}.duckdb"


def default_path(shape: LogShape) -> Path:
    """Where the log of ``shape`` is cached: ``bench/out/`` (git-ignored)."""
    return OUT / shape.file_name()


def _start_us(shape: LogShape) -> int:
    return int(datetime(shape.start.year, shape.start.month, shape.start.day, tzinfo=UTC).timestamp()) * 1_000_000


def _macros(con: Any) -> None:
    """``h(i, salt)``: a 64-bit hash of row number ``i`` for one purpose (``salt``); ``u(i, salt)``: a
    uniform number in [0, 1) from its 53 high bits; ``int_id(key)``: :func:`shequn.ids.int_id` in
    SQL; ``us_ts(us)``: epoch µs as a timestamp.

    The salt's hash is xor-ed into the number before hashing: DuckDB's ``hash(i, salt)`` of two
    values combines their hashes so that the draws of one row for two salts come out correlated
    (about 0.9), while a hash of the mixed number is independent.
    """
    con.execute("CREATE OR REPLACE TEMP MACRO h(i, salt) AS hash(xor(i::UBIGINT, hash(salt)))")
    con.execute("CREATE OR REPLACE TEMP MACRO u(i, salt) AS (h(i, salt) >> 11)::DOUBLE / 9007199254740992.0")
    con.execute("CREATE OR REPLACE TEMP MACRO int_id(key) AS (md5_number_upper(key) >> 1)::BIGINT")
    con.execute("CREATE OR REPLACE TEMP MACRO us_ts(us) AS make_timestamp(us::BIGINT)")


def _groups(store: Store, community_id: int, shape: LogShape) -> None:
    """The community's groups, with the ids an import of chats ``group0``… would give them."""
    natives = [f"group{g}" for g in range(shape.groups)]
    table = pa.table(
        {
            "group_id": pa.array([ids.group_id(CARRIER, n) for n in natives], pa.int64()),
            "community_id": pa.array([community_id] * shape.groups, pa.int64()),
            "carrier": pa.array([CARRIER] * shape.groups),
            "native_id": pa.array(natives),
            "name": pa.array([f"Group {g}" for g in range(shape.groups)]),
            "chat_type": pa.array(["private_supergroup"] * shape.groups),
            "purpose": pa.array([None] * shape.groups, pa.string()),
            "first_import_id": pa.array([1] * shape.groups, pa.int64()),
        }
    )
    store.dialect.append("groups", table)


def _members(con: Any, shape: LogShape) -> None:
    """``gm``: one row per member, with the spans of their home and second group (times in µs)."""
    start, end = _start_us(shape), _start_us(shape) + shape.days * _DAY_US
    g = shape.groups
    posters = max(1, int(shape.members * POSTER_SHARE))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gm AS
        WITH base AS (
            SELECT m,
                int_id('identity' || {_SEP} || '{CARRIER}' || {_SEP} || 'user' || m) AS ident,
                CASE WHEN m % {ALIAS_EVERY} = 5
                     THEN int_id('identity' || {_SEP} || 'whatsapp' || {_SEP} || 'alias' || m) END AS alias_ident,
                {start}::BIGINT + (CASE WHEN u(m, 'founder') < {FOUNDER_SHARE}
                     THEN u(m, 'join') * 3 ELSE u(m, 'join') * ({shape.days} - 1) END * {_DAY_US})::BIGINT AS open0,
                least({g - 1}, floor({g} * pow(u(m, 'home'), 1.6)))::INT AS g0,
                {g} > 1 AND u(m, 'second') < {SECOND_GROUP_SHARE} AS has_second,
                u(m, 'seen0') < {JOIN_SEEN_SHARE} AS seen0,
                u(m, 'seen1') < {JOIN_SEEN_SHARE} AS seen1,
                m < {posters} AS poster
            FROM range({shape.members}) t(m)
        ), spans AS (
            SELECT *,
                CASE WHEN u(m, 'leave0') < {LEAVE_SHARE} AND {end} - open0 > 2 * {_DAY_US}
                     THEN open0 + {_DAY_US} + (u(m, 'left0') * ({end} - open0 - 2 * {_DAY_US}))::BIGINT END AS close0,
                CASE WHEN has_second THEN (g0 + 1 + h(m, 'g1') % {max(g - 1, 1)}) % {g} END::INT AS g1,
                CASE WHEN has_second THEN open0 + (u(m, 'open1') * ({end} - open0) * 0.5)::BIGINT END AS open1
            FROM base
        )
        SELECT *,
            CASE WHEN close0 IS NOT NULL AND u(m, 'removed') < {REMOVED_SHARE} THEN 'removal'
                 WHEN close0 IS NOT NULL THEN 'leave' END AS close0_kind,
            CASE WHEN close0 IS NOT NULL AND u(m, 'rejoin') < {REJOIN_SHARE}
                 THEN close0 + (u(m, 'back') * ({end} - close0))::BIGINT END AS rejoin0,
            CASE WHEN u(m, 'double') < {DOUBLE_JOIN_SHARE}
                 THEN open0 + (u(m, 'again') * (coalesce(close0, {end}) - open0))::BIGINT END AS double0,
            CASE WHEN open1 IS NOT NULL AND u(m, 'leave1') < {SECOND_LEAVE_SHARE} AND {end} - open1 > 2 * {_DAY_US}
                 THEN open1 + {_DAY_US} + (u(m, 'left1') * ({end} - open1 - 2 * {_DAY_US}))::BIGINT END AS close1
        FROM spans
        """
    )


def _identities(con: Any) -> None:
    """Each member's identity, and the merged second identity of a few, in ``identity_member``."""
    con.execute(
        f"""
        INSERT INTO identities
        SELECT ident, '{CARRIER}', 'user' || m, NULL, NULL, 1 FROM gm
        UNION ALL
        SELECT alias_ident, 'whatsapp', 'alias' || m, NULL, NULL, 1 FROM gm WHERE alias_ident IS NOT NULL
        """
    )
    # a merged pair's member is the smaller identity (shequn.store.identities.components)
    con.execute(
        """
        INSERT INTO identity_member
        SELECT ident, least(ident, coalesce(alias_ident, ident)) FROM gm
        UNION ALL
        SELECT alias_ident, least(ident, alias_ident) FROM gm WHERE alias_ident IS NOT NULL
        """
    )


def _messages(con: Any, shape: LogShape) -> None:
    """``gmsg``: the messages, with replies and mentions of recent messages in the same group."""
    end = _start_us(shape) + shape.days * _DAY_US
    posters = max(1, int(shape.members * POSTER_SHARE))
    lags = range(1, 5)
    reply = " ".join(f"WHEN {k} THEN lag(event_id, {k}) OVER w" for k in lags)
    mention = " ".join(f"WHEN {k} THEN lag(identity_id, {k}) OVER w" for k in lags)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gmsg AS
        WITH picked AS (
            SELECT i, least({posters - 1}, floor({posters} * pow(u(i, 'who'), {ZIPF_POWER})))::BIGINT AS m
            FROM range({shape.messages}) t(i)
        ), placed AS (
            SELECT p.i, gm.m,
                CASE WHEN gm.alias_ident IS NOT NULL AND u(p.i, 'alias') < {ALIAS_MESSAGE_SHARE}
                     THEN gm.alias_ident ELSE gm.ident END AS identity_id,
                gm.open1 IS NOT NULL AND u(p.i, 'slot') < {SECOND_GROUP_MESSAGE_SHARE} AS second,
                CASE WHEN second THEN gm.g1 ELSE gm.g0 END AS g,
                CASE WHEN second THEN gm.open1 ELSE gm.open0 END AS lo,
                CASE WHEN second THEN coalesce(gm.close1, {end}) ELSE coalesce(gm.close0, {end}) END AS hi
            FROM picked p JOIN gm USING (m)
        )
        SELECT i, g, identity_id, lo + (u(i, 'when') * (hi - lo))::BIGINT AS us,
               md5('message' || {_SEP} || i) AS event_id
        FROM placed
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gmsg AS
        SELECT i, g, identity_id, us, event_id,
            CASE WHEN u(i, 'reply') < {REPLY_SHARE} THEN CASE 1 + h(i, 'back') % 4 {reply} END END AS reply_to,
            CASE WHEN u(i, 'mention') < {MENTION_SHARE} THEN CASE 1 + h(i, 'whom') % 4 {mention} END END
                AS mentioned
        FROM gmsg
        WINDOW w AS (PARTITION BY g ORDER BY us, i)
        """
    )


def _events(con: Any, community_id: int, shape: LogShape) -> int:
    """Every event row, written into ``events`` in one statement; returns how many."""
    start = _start_us(shape)
    posters = max(1, int(shape.members * POSTER_SHARE))
    bots = [r for r in BOT_RANKS if r < posters]
    staff = [r for r in STAFF_RANKS if r < posters and r not in bots] or [posters - 1]
    orders = max(20, shape.members // 500)
    end = start + shape.days * _DAY_US
    group_ids = ", ".join(f"({g}, {ids.group_id(CARRIER, f'group{g}')})" for g in range(shape.groups))
    texts = "['good morning', 'anyone tried the new version?', '好的，谢谢', '今天的话题大家怎么看？', 'see above']"
    common = f"{community_id}::BIGINT AS community_id"
    staff_ident = f"(SELECT ident FROM gm WHERE m = {staff[0]})"
    sql = f"""
        INSERT INTO events
        WITH gid AS (SELECT * FROM (VALUES {group_ids}) t(g, group_id)),
        membership AS (
            SELECT m, 0 AS slot, g0 AS g, 'join' AS kind, CASE WHEN u(m, 'how') < 0.2 THEN 'added' ELSE 'link' END
                   AS subkind, open0 AS us FROM gm WHERE seen0
            UNION ALL SELECT m, 0, g0, 'join', 'added', double0 FROM gm WHERE double0 IS NOT NULL
            UNION ALL SELECT m, 0, g0, close0_kind, CASE WHEN close0_kind = 'removal' THEN 'admin' END, close0
                FROM gm WHERE close0 IS NOT NULL
            UNION ALL SELECT m, 0, g0, 'join', 'link', rejoin0 FROM gm WHERE rejoin0 IS NOT NULL
            UNION ALL SELECT m, 1, g1, 'join', 'link', open1 FROM gm WHERE open1 IS NOT NULL AND seen1
            UNION ALL SELECT m, 1, g1, 'leave', NULL, close1 FROM gm WHERE close1 IS NOT NULL
        ),
        membership_rows AS (
            SELECT md5(kind || {_SEP} || m || {_SEP} || slot || {_SEP} || us) AS event_id, {common},
                gid.group_id, kind, subkind, NULL AS native_id,
                CASE WHEN kind = 'removal' OR subkind = 'added' THEN {staff_ident} ELSE gm.ident END AS identity_id,
                NULL AS actor_name, gm.ident AS target_identity_id, us_ts(us) AS ts,
                NULL AS reply_to_event_id, NULL AS text, NULL::BIGINT[] AS mentions, NULL AS attrs,
                row_number() OVER (ORDER BY us, m, slot) AS seq
            FROM membership JOIN gm USING (m) JOIN gid USING (g)
        ),
        message_rows AS (
            SELECT event_id, {common}, gid.group_id, 'message' AS kind, 'text' AS subkind, i::VARCHAR AS native_id,
                identity_id, NULL AS actor_name, NULL::BIGINT AS target_identity_id, us_ts(us) AS ts,
                reply_to AS reply_to_event_id, {texts}[(1 + h(i, 'text') % 5)::BIGINT] AS text,
                CASE WHEN mentioned IS NOT NULL THEN [mentioned] END AS mentions, NULL AS attrs, i AS seq
            FROM gmsg JOIN gid USING (g)
        ),
        flagged AS (
            SELECT unnest([{", ".join(map(str, bots))}]::BIGINT[]) AS m, 'bot' AS flag
            UNION ALL SELECT unnest([{", ".join(map(str, staff))}]::BIGINT[]), 'staff'
        ),
        flag_rows AS (
            SELECT md5('flag' || {_SEP} || flagged.m || {_SEP} || flag) AS event_id, {common},
                gid.group_id, 'flag' AS kind, flag AS subkind, NULL AS native_id, {staff_ident} AS identity_id,
                NULL AS actor_name, gm.ident AS target_identity_id, us_ts({start} + {_DAY_US} + flagged.m * 1000000)
                AS ts, NULL AS reply_to_event_id, NULL AS text, NULL::BIGINT[] AS mentions,
                '{{"value": true}}' AS attrs, flagged.m AS seq
            FROM flagged JOIN gm USING (m) JOIN gid ON gid.g = gm.g0
            UNION ALL
            SELECT md5('unflag' || {_SEP} || gm.m), {common}, gid.group_id, 'flag', 'bot', NULL, {staff_ident},
                NULL, gm.ident, us_ts({start} + 30 * {_DAY_US}), NULL, NULL, NULL::BIGINT[],
                '{{"value": false}}', 0
            FROM gm JOIN gid ON gid.g = gm.g0 WHERE gm.m = {bots[-1] if bots else -1}
        ),
        order_rows AS (
            SELECT md5('order' || {_SEP} || o) AS event_id, {common}, gid.group_id, 'order' AS kind, NULL AS subkind,
                NULL AS native_id, gm.ident AS identity_id, NULL AS actor_name, NULL::BIGINT AS target_identity_id,
                us_ts(greatest(gm.open0, {start}) + (u(o, 'paid') * ({end} - gm.open0))::BIGINT)
                AS ts, NULL AS reply_to_event_id, NULL AS text, NULL::BIGINT[] AS mentions,
                '{{"amount": ' || (9.9 * (1 + h(o, 'price') % 20)) || ', "currency": "'
                || CASE WHEN u(o, 'usd') < 0.1 THEN 'usd' ELSE 'CNY' END || '", "status": "'
                || CASE WHEN u(o, 'status') < 0.8 THEN 'paid' WHEN u(o, 'status') < 0.9 THEN 'refunded'
                        ELSE 'pending' END || '"}}' AS attrs, o AS seq
            FROM range({orders}) t(o) JOIN gm ON gm.m = h(o, 'buyer') % {shape.members} JOIN gid ON gid.g = gm.g0
        ),
        merge_rows AS (
            SELECT md5('merge' || {_SEP} || m) AS event_id, {common}, NULL::BIGINT AS group_id, 'merge' AS kind,
                'manual' AS subkind, NULL AS native_id, ident AS identity_id, NULL AS actor_name,
                alias_ident AS target_identity_id, us_ts({start}) AS ts, NULL AS reply_to_event_id, NULL AS text,
                NULL::BIGINT[] AS mentions, NULL AS attrs, m AS seq
            FROM gm WHERE alias_ident IS NOT NULL
        ),
        rows AS (
            SELECT * FROM membership_rows UNION ALL SELECT * FROM message_rows UNION ALL SELECT * FROM flag_rows
            UNION ALL SELECT * FROM order_rows UNION ALL SELECT * FROM merge_rows
        )
        SELECT event_id, community_id, group_id, kind, subkind, native_id, identity_id, actor_name,
            target_identity_id, ts, NULL AS ts_original, NULL AS tz_assumed, reply_to_event_id, NULL AS thread_id,
            text, mentions, attrs, seq, 'bench/gen_log' AS source_file, seq::VARCHAR AS source_pos,
            'gen_log' AS importer, '1' AS importer_version, 1::BIGINT AS import_id
        FROM rows
    """
    return int(con.execute(sql).fetchall()[0][0])


def _record_import(con: Any, community_id: int, events: int) -> None:
    """The one finished import the metrics see: the derived tables' staleness check reads it."""
    con.execute(
        """
        INSERT INTO imports (import_id, community_id, path, format, importer_version, started_at, finished_at,
                             status, records_read, events_added, duplicates, skipped, first_ts, last_ts)
        SELECT 1, ?, 'bench/gen_log', 'gen_log', '1', now()::TIMESTAMP, now()::TIMESTAMP, 'done', ?, ?, 0, '{}',
               min(ts), max(ts)
        FROM events WHERE kind = 'message'
        """,
        [community_id, events, events],
    )


def generate(path: Path, shape: LogShape = LogShape()) -> Path:
    """Write the log of ``shape`` to ``path`` (replacing it), all or nothing; returns ``path``."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(partial) as store:
        community = store.ensure_community(COMMUNITY, shape.tz)
        con = store.con
        _macros(con)
        _groups(store, community.community_id, shape)
        _members(con, shape)
        _identities(con)
        _messages(con, shape)
        added = _events(con, community.community_id, shape)
        _record_import(con, community.community_id, added)
        con.execute("CHECKPOINT")
    partial.replace(path)
    return path


def cached(shape: LogShape, *, force: bool = False) -> Path:
    """The cached log of ``shape`` in ``bench/out/``, generated first if missing (or ``force``)."""
    path = default_path(shape)
    if force or not path.exists():
        generate(path, shape)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=LogShape.messages)
    parser.add_argument("--members", type=int, default=LogShape.members)
    parser.add_argument("--groups", type=int, default=LogShape.groups)
    parser.add_argument("--days", type=int, default=LogShape.days)
    parser.add_argument("--start", type=date.fromisoformat, default=LogShape.start)
    parser.add_argument("--tz", default=LogShape.tz, help="the community's zone (local days are days in it)")
    parser.add_argument("--out", type=Path, help="the DuckDB file to write (default: cached in bench/out/)")
    parser.add_argument("--force", action="store_true", help="write it again even if cached")
    args = parser.parse_args()
    shape = LogShape(args.messages, args.members, args.groups, args.days, args.start, args.tz)
    t0 = time.perf_counter()
    path = generate(args.out, shape) if args.out else cached(shape, force=args.force)
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
