"""The derived ``reply_links`` table: who answers whom, explicit and inferred, per community.

Columns: ``community_id, group_id, event_id, reply_to_event_id, rule, confidence``. A row
says that message ``event_id`` answers ``reply_to_event_id`` (both ``events.event_id``):

- ``rule = 'explicit'`` (confidence 1): the carrier linked them (a quote, a reply);
- ``rule = 'thread'`` (confidence 1): the message is in the thread that message started
  (Slack); it answers the thread's first message;
- any other rule: inferred by :func:`shequn.classify.replies.infer_replies`, for groups of
  carriers that keep no reply links (:data:`INFER_CARRIERS`); messages with a carrier link
  keep it there too.

The table is derived: each build deletes the community's rows and writes them anew, in one
transaction, so it is never edited and a rerun gives the same rows. Messages are read in
order through Ibis (any engine of the log); links go to a Parquet file beside them while
they are read, then into the table, so memory holds a batch, not the community.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from shequn.classify.replies import ReplyInference, ReplyInput, ReplyLink, ReplyModel
from shequn.errors import ConfigError

__all__ = ["INFER_CARRIERS", "REPLY_LINKS", "REPLY_LINKS_SCHEMA", "build_reply_links"]

REPLY_LINKS: Final = "reply_links"
#: Carriers whose exports keep no (or few) reply links: their replies are inferred.
INFER_CARRIERS: Final = frozenset({"whatsapp", "irc", "qq", "wechat", "generic"})
REPLY_LINKS_SCHEMA: Final = pa.schema(
    [
        ("community_id", pa.int64()),
        ("group_id", pa.int64()),
        ("event_id", pa.string()),
        ("reply_to_event_id", pa.string()),
        ("rule", pa.string()),
        ("confidence", pa.float64()),
    ]
)
_CREATE: Final = f"""CREATE TABLE IF NOT EXISTS {REPLY_LINKS} (
    community_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    event_id VARCHAR NOT NULL,
    reply_to_event_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    confidence DOUBLE PRECISION NOT NULL
)"""
_BATCH: Final = 50_000


def _messages(store: Any, community_id: int, chunk: int) -> Iterator[dict]:
    """The community's messages in chat order, with their group's carrier, a batch at a time."""
    events = store.table("events")
    groups = store.table("groups").select("group_id", "carrier")
    msgs = events.filter((events.community_id == community_id) & (events.kind == "message"))
    msgs = msgs.join(groups, "group_id")
    msgs = msgs.select(
        "group_id", "event_id", "ts", "seq", "actor_name", "identity_id", "text", "reply_to_event_id", "thread_id",
        "carrier",
    ).order_by(["group_id", "ts", "seq", "event_id"])  # fmt: skip
    for batch in _batches(store, msgs, chunk):
        yield from batch.to_pylist()


def _batches(store: Any, expr: Any, chunk: int) -> Iterator[pa.RecordBatch]:
    """An Ibis expression's rows as Arrow batches, streamed.

    Ibis streams through ``fetch_record_batch``, which DuckDB 2 no longer has; on DuckDB the
    expression's SQL goes through DuckDB's own Arrow reader instead.
    """
    if store.engine == "duckdb":
        import ibis

        yield from store.con.sql(ibis.to_sql(expr, dialect="duckdb")).to_arrow_reader(chunk)
    else:
        yield from store.ibis.to_pyarrow_batches(expr, chunk_size=chunk)


def _links(rows: Iterator[dict], infer: frozenset[str], model: ReplyModel | None) -> Iterator[tuple[int, ReplyLink]]:
    """``(group_id, link)`` for every message with a carrier link or an inferred one."""
    inference = ReplyInference(model=model)
    for row in rows:
        explicit, rule = row["reply_to_event_id"], "explicit"
        if explicit is None and row["thread_id"] is not None and row["thread_id"] != row["event_id"]:
            explicit, rule = row["thread_id"], "thread"
        if row["carrier"] in infer:
            member = row["actor_name"] or (str(row["identity_id"]) if row["identity_id"] is not None else None)
            link = inference.feed(
                ReplyInput(row["event_id"], row["group_id"], row["ts"], member, row["text"], explicit)
            )
            if link is not None:
                yield row["group_id"], (link._replace(rule=rule) if link.rule == "explicit" else link)
        elif explicit is not None:
            yield row["group_id"], ReplyLink(row["event_id"], explicit, rule, 1.0)


def build_reply_links(
    store: Any,
    community: str | None = None,
    *,
    infer_carriers: frozenset[str] = INFER_CARRIERS,
    model: ReplyModel | None = None,
    chunk: int = _BATCH,
) -> int:
    """Rebuild ``reply_links`` for ``community`` (every community when None); rows written."""
    if community is None:
        targets = store.communities()
    else:
        found = store.community(community)
        if found is None:
            raise ConfigError(f"no community named {community!r}")
        targets = [found]
    store.dialect.execute(_CREATE)
    written = 0
    for com in targets:
        with tempfile.TemporaryDirectory(prefix="shequn-replies-") as folder:
            path = Path(folder) / "links.parquet"
            count = _stage(store, com.community_id, path, infer_carriers, model, chunk)
            with store.dialect.writer_lock(), store.dialect.transaction():
                store.dialect.execute(f"DELETE FROM {REPLY_LINKS} WHERE community_id = ?", [com.community_id])
                if count:
                    store.dialect.append(REPLY_LINKS, pq.ParquetFile(path).iter_batches(batch_size=chunk))
            written += count
    return written


def _stage(
    store: Any, community_id: int, path: Path, infer: frozenset[str], model: ReplyModel | None, chunk: int
) -> int:
    """Write the community's links to a Parquet file; how many."""
    count = 0
    columns: dict[str, list] = {name: [] for name in REPLY_LINKS_SCHEMA.names}
    with pq.ParquetWriter(path, REPLY_LINKS_SCHEMA) as writer:

        def flush() -> None:
            writer.write_table(pa.table(columns, schema=REPLY_LINKS_SCHEMA))
            for values in columns.values():
                values.clear()

        for group_id, link in _links(_messages(store, community_id, chunk), infer, model):
            columns["community_id"].append(community_id)
            columns["group_id"].append(group_id)
            columns["event_id"].append(link.event_id)
            columns["reply_to_event_id"].append(link.reply_to_event_id)
            columns["rule"].append(link.rule)
            columns["confidence"].append(link.confidence)
            count += 1
            if len(columns["event_id"]) >= chunk:
                flush()
        if columns["event_id"]:
            flush()
    return count
