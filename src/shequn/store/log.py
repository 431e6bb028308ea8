"""The activity log: open, migrate, import a file atomically, read through Ibis.

The log lives in a DuckDB file by default, or in a PostgreSQL database when ``--db`` is a
``postgresql://`` URL; a :class:`~shequn.store._dialect.Dialect` carries what differs.

Writes go through :meth:`Store.import_records`, the one writer. A file is imported in one
transaction, opened before its first record is read: events of a chat the log has none of
yet go straight into ``events`` while the file is read (in a second thread, beside the
parser), and keys repeated within the file are dropped at the end; events of a chat the log
already has are staged, then moved in by one statement that skips every event id the log
holds. A file that fails halfway leaves nothing in ``events``; a file read twice adds
nothing the second time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from shequn import ids
from shequn._nogc import fewer_collections
from shequn.errors import ShequnError, StoreError
from shequn.model import Action, Alias, Chat, Event, EventRows, Skip
from shequn.settings import resolve
from shequn.store._dialect import Dialect, DuckDBDialect, Stage
from shequn.store._rows import ARROW_EVENTS, ARROW_STAGE, RowBuilder, _ChatInfo, action_rows
from shequn.store.identities import rebuild_identity_member
from shequn.store.schema import MIGRATIONS, SCHEMA_VERSION
from shequn.store.summary import Community, ImportMeta, ImportSummary

__all__ = ["DEFAULT_DB", "Store", "default_path", "open_dialect"]

DEFAULT_DB = "shequn.duckdb"
BATCH = 20_000


def default_path() -> str:
    """``$SHEQUN_DB``, else ``shequn.duckdb`` in the working directory."""
    return os.environ.get("SHEQUN_DB") or DEFAULT_DB


def open_dialect(db: str, *, read_only: bool = False) -> Dialect:
    """The engine that ``db`` names: a ``postgresql://`` URL, else a DuckDB file.

    The PostgreSQL module is imported only when asked for, so a DuckDB user needs no driver.
    """
    from shequn.store.postgres import is_postgres_url

    if is_postgres_url(db):
        from shequn.store.postgres import PostgresDialect

        return PostgresDialect(db, read_only=read_only)
    return DuckDBDialect(db, read_only=read_only)


def _version() -> str:
    from shequn import __version__

    return __version__


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """One log: a DuckDB file (or ``:memory:``), or a PostgreSQL database given by URL."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.dialect = open_dialect(str(path or default_path()), read_only=read_only)
        self.path = self.dialect.display
        self.con = self.dialect.con
        self.read_only = read_only
        if not read_only:
            self.migrate()
            self._recover()
        elif (found := self.schema_version()) != SCHEMA_VERSION:
            if found == 0:
                raise StoreError(f"{self.path}: no log here; run 'shequn import' or 'shequn demo' first")
            raise StoreError(f"{self.path}: log is at schema {found}, need {SCHEMA_VERSION}")
        self._ibis: Any = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def engine(self) -> str:
        """``duckdb`` or ``postgres``."""
        return self.dialect.name

    def close(self) -> None:
        self.dialect.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ibis(self) -> Any:
        """The log as an Ibis backend: metrics read it through this, on either engine."""
        if self._ibis is None:
            self._ibis = self.dialect.ibis_backend()
        return self._ibis

    def table(self, name: str) -> Any:
        return self.ibis.table(name)

    def query(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        """Rows of one statement in DuckDB's spelling with ``?`` parameters, on either engine."""
        return self.dialect.query(sql, params)

    def _one(self, sql: str, params: list | None = None) -> tuple | None:
        rows = self.dialect.query(sql, params)
        return rows[0] if rows else None

    def schema_version(self) -> int:
        exists = self._one(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_name = 'schema_version'"
        )
        if not exists or not exists[0]:
            return 0
        row = self._one("SELECT max(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    def migrate(self) -> None:
        """Bring the log to ``SCHEMA_VERSION``, one transaction per step."""
        self.dialect.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: log is at schema {current}; this shequn knows up to {SCHEMA_VERSION}")
        for version in range(current, SCHEMA_VERSION):
            try:
                with self.dialect.writer_lock(), self.dialect.transaction():
                    if self.schema_version() > version:
                        continue  # another writer migrated it while this one waited
                    self.dialect.run_script(self.dialect.migration(version + 1, MIGRATIONS[version]))
                    self.dialect.execute("INSERT INTO schema_version VALUES (?, ?)", [version + 1, _now()])
            except self.dialect.errors as exc:
                raise StoreError(f"{self.path}: migration to schema {version + 1} failed: {exc}") from exc

    def _recover(self) -> None:
        """Clear what an import that was killed left behind, unless an import runs right now."""
        with self.dialect.writer_lock(wait=False) as free:
            if not free:
                return
            self.dialect.clear_stale_stages()
            self.dialect.execute("UPDATE imports SET status = 'failed', error = 'interrupted' WHERE status = 'running'")

    # -- communities -------------------------------------------------------------------

    def community(self, name: str) -> Community | None:
        row = self._one("SELECT community_id, name, timezone, settings FROM communities WHERE name = ?", [name])
        if row is None:
            return None
        return Community(row[0], row[1], row[2], orjson.loads(row[3]))

    def communities(self) -> list[Community]:
        rows = self.query("SELECT community_id, name, timezone, settings FROM communities ORDER BY name")
        return [Community(r[0], r[1], r[2], orjson.loads(r[3])) for r in rows]

    def ensure_community(self, name: str, timezone: str | None = None) -> Community:
        """The community ``name``, created with ``timezone`` (default UTC) if new."""
        found = self.community(name)
        if found is not None:
            return found
        tz = timezone or "UTC"
        self.dialect.execute(
            "INSERT INTO communities VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",  # another writer may win
            [ids.community_id(name), name, tz, orjson.dumps({"TIMEZONE": tz}).decode(), _now()],
        )
        found = self.community(name)
        assert found is not None
        return found

    def set_setting(self, community: Community, name: str, value: Any) -> Community:
        settings = dict(community.settings)
        settings[name] = value
        tz = settings.get("TIMEZONE", community.timezone)
        self.dialect.execute(
            "UPDATE communities SET settings = ?, timezone = ? WHERE community_id = ?",
            [orjson.dumps(settings).decode(), tz, community.community_id],
        )
        return Community(community.community_id, community.name, tz, settings)

    def settings(self, community: Community, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        return resolve(community.settings, overrides)

    # -- the one writer ----------------------------------------------------------------

    def _next_import_id(self) -> int:
        row = self._one("SELECT coalesce(max(import_id), 0) + 1 FROM imports")
        return int(row[0]) if row else 1

    def import_records(
        self, records: Iterable[Chat | Event | Alias | Skip], *, community: Community, meta: ImportMeta
    ) -> ImportSummary:
        """Write one file's records, all or nothing, skipping events the log already has."""
        with self.dialect.writer_lock():
            return self._import(records, community, meta)

    def _import(self, records: Iterable, community: Community, meta: ImportMeta) -> ImportSummary:
        import_id = self._next_import_id()
        self.dialect.execute(
            "INSERT INTO imports (import_id, community_id, path, size, sha256, format, importer_version,"
            " started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')",
            [
                import_id,
                community.community_id,
                meta.path,
                meta.size,
                meta.sha256 if isinstance(meta.sha256, str) else None,  # filled in at the end if pending
                meta.importer,
                meta.importer_version,
                _now(),
            ],
        )
        builder = RowBuilder(community.community_id, import_id, meta.path, meta.importer, meta.importer_version)
        summary = ImportSummary(path=meta.path, importer=meta.importer, import_id=import_id)
        sink = _EventSink(self.dialect, builder, community, import_id)
        db = self.dialect
        try:
            with db.transaction(), db.bounded_memory():
                self._write(records, builder, sink, summary)
                self._finish(builder, sink, summary, meta.digest())
        except BaseException as exc:
            self._fail(import_id, exc, meta)
            raise
        finally:
            with contextlib.suppress(*self.dialect.errors, OSError):  # never hide the import's own error
                sink.drop()
        return summary

    def _write(self, records: Iterable, builder: RowBuilder, sink: _EventSink, summary: ImportSummary) -> None:
        """Read the importer's records into the log's open transaction, a batch at a time.

        Writing a batch (DuckDB's insert, Parquet encoding, or COPY to the server) runs in a
        second thread while the next batch is parsed: they release the GIL, so reading and
        writing overlap. At most one batch is being written while one is being built, and the
        connection is only ever used by one thread at a time.
        """
        with (
            fewer_collections(),
            self.dialect.beside_reader(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="shequn-write") as writer,
        ):
            pending: Future | None = None

            def wait() -> None:
                nonlocal pending
                if pending is not None:
                    pending.result()
                    pending = None

            def flush(batch: list[Event] | EventRows) -> None:
                nonlocal pending
                table = builder.events_table(batch) if type(batch) is list else builder.rows_table(batch)
                wait()
                pending = writer.submit(sink.append, table)
                summary.records_read += len(batch)

            def chat(record: Chat) -> None:
                if record.native_id not in builder.chats:
                    wait()  # the connection is the writer's until its batch is in
                    builder.add_chat(record)
                    sink.add_group(builder.chats[record.native_id])

            self._read_records(records, builder, summary, flush, chat)
            wait()

    def _read_records(
        self,
        records: Iterable,
        builder: RowBuilder,
        summary: ImportSummary,
        flush: Callable[[list[Event] | EventRows], None],
        chat: Callable[[Chat], None],
    ) -> None:
        batch: list[Event] = []
        append = batch.append
        seq = 0
        for rec in records:
            if type(rec) is Event:  # the hot path: a million of these per large export
                append(rec)
                if len(batch) >= BATCH:
                    flush(batch)
                    batch = []
                    append = batch.append
            elif type(rec) is EventRows:  # events handed over as columns: already a batch
                if rec:
                    flush(rec)
            elif type(rec) is Chat:
                chat(rec)
            elif type(rec) is Alias:
                seq += 1
                batch.append(builder.alias_event(rec, seq))
            elif type(rec) is Skip:
                summary.skipped[rec.reason] = summary.skipped.get(rec.reason, 0) + 1
            else:
                raise StoreError(f"{builder.source_file}: importer yielded {type(rec).__name__}, not a record")
        if batch:
            flush(batch)

    def _finish(self, builder: RowBuilder, sink: _EventSink, summary: ImportSummary, sha256: str) -> None:
        """Inside the import's transaction: identities, the staged rows, duplicates, the summary."""
        db = self.dialect
        if builder.identities:
            rows = list(builder.identities.values())
            ident = pa.table(
                {
                    "identity_id": pa.array([r[0] for r in rows], pa.int64()),
                    "carrier": pa.array([r[1] for r in rows], pa.string()),
                    "native_id": pa.array([r[2] for r in rows], pa.string()),
                    "scope_group_id": pa.array([r[3] for r in rows], pa.int64()),
                    "name_key": pa.array([r[4] for r in rows], pa.string()),
                }
            )
            with db.registered("_ident", ident):
                db.execute(
                    "INSERT INTO identities SELECT i.*, CAST(? AS BIGINT) FROM _ident i"
                    " WHERE NOT EXISTS (SELECT 1 FROM identities x WHERE x.identity_id = i.identity_id)",
                    [summary.import_id],
                )
        summary.events_added = sink.finish()
        summary.duplicates = summary.records_read - summary.events_added
        facts = sink.facts
        summary.first_ts, summary.last_ts = facts.first_ts, facts.last_ts
        summary.members_seen = len(facts.members)
        summary.messages_read = facts.messages
        summary.groups_seen = len(builder.chats)
        if facts.merges:
            rebuild_identity_member(db)
        else:
            db.execute(
                "INSERT INTO identity_member SELECT identity_id, identity_id FROM identities i"
                " WHERE NOT EXISTS (SELECT 1 FROM identity_member m WHERE m.identity_id = i.identity_id)"
            )
        db.execute(
            """UPDATE imports SET status = 'done', finished_at = ?, records_read = ?, events_added = ?,
               duplicates = ?, skipped = ?, first_ts = ?, last_ts = ?, sha256 = ? WHERE import_id = ?""",
            [
                _now(),
                summary.records_read,
                summary.events_added,
                summary.duplicates,
                orjson.dumps(summary.skipped).decode(),
                summary.first_ts,
                summary.last_ts,
                sha256,
                summary.import_id,
            ],
        )

    def record_actions(self, actions: list[Action], *, community: Community, source: str) -> ImportSummary:
        """Write operator actions into the log, all or nothing; an action already there is skipped.

        ``source`` says what made them (``identities import mapping.csv``, ``prune --apply``)
        and becomes their provenance, like a file's name for imported events.
        """
        with self.dialect.writer_lock():
            import_id = self._next_import_id()
            self.dialect.execute(
                "INSERT INTO imports (import_id, community_id, path, format, importer_version, started_at, status)"
                " VALUES (?, ?, ?, 'shequn', ?, ?, 'running')",
                [import_id, community.community_id, source, _version(), _now()],
            )
            summary = ImportSummary(path=source, importer="shequn", import_id=import_id)
            try:
                table = action_rows(actions, community.community_id, import_id, source, _version())
                summary.records_read = len(actions)
                with self.dialect.transaction(), self.dialect.registered("_actions", table):
                    summary.events_added = self.dialect.execute_count(
                        "INSERT INTO events SELECT * FROM _actions a"
                        " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = a.event_id)"
                    )
                    summary.duplicates = summary.records_read - summary.events_added
                    if any(a.kind in {"merge", "unmerge"} for a in actions):
                        rebuild_identity_member(self.dialect)
                    self.dialect.execute(
                        "UPDATE imports SET status = 'done', finished_at = ?, records_read = ?, events_added = ?,"
                        " duplicates = ? WHERE import_id = ?",
                        [_now(), summary.records_read, summary.events_added, summary.duplicates, import_id],
                    )
            except BaseException as exc:
                self._fail(import_id, exc)
                raise
        return summary

    def _fail(self, import_id: int, exc: BaseException, meta: ImportMeta | None = None) -> None:
        message = str(exc) if isinstance(exc, ShequnError) else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(*self.dialect.errors):  # the failure is already being raised
            self.dialect.execute(
                "UPDATE imports SET status = 'failed', finished_at = ?, error = ? WHERE import_id = ?",
                [_now(), message, import_id],
            )
        if meta is not None:
            with contextlib.suppress(*self.dialect.errors, OSError):  # a file that cannot be hashed keeps none
                self.dialect.execute("UPDATE imports SET sha256 = ? WHERE import_id = ?", [meta.digest(), import_id])

    # -- operator's settings on groups -------------------------------------------------

    def set_group_purpose(self, group_name: str, purpose: str) -> int:
        rows = self.query(
            "UPDATE groups SET purpose = ? WHERE name = ? OR native_id = ? RETURNING group_id",
            [purpose, group_name, group_name],
        )
        if not rows:
            raise StoreError(f"no group named {group_name!r}")
        return len(rows)


@dataclass
class _Facts:
    """What the summary tells of the rows read (duplicates included), gathered batch by batch."""

    messages: int = 0
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    members: set[int] = field(default_factory=set)  # identities that wrote a message: grows with members only
    merges: bool = False

    def add(self, table: pa.Table) -> None:
        kinds = table["kind"]
        is_message = pc.equal(kinds, "message")
        count = pc.sum(is_message).as_py() or 0
        if count:
            self.messages += count
            span = pc.min_max(table["ts"].filter(is_message)).as_py()
            self.first_ts = span["min"] if self.first_ts is None else min(self.first_ts, span["min"])
            self.last_ts = span["max"] if self.last_ts is None else max(self.last_ts, span["max"])
            self.members.update(pc.unique(table["identity_id"].filter(is_message)).drop_null().to_pylist())
        if not self.merges:
            self.merges = bool(pc.any(pc.is_in(kinds, value_set=pa.array(["merge", "unmerge"]))).as_py())


class _EventSink:
    """Where one import's event rows go, inside the import's transaction.

    A chat the log holds no events of yet (the first import of a chat, the usual bulk case)
    has nothing to skip: its rows go straight into ``events`` as they are read, on engines
    that can do so inside a transaction at full speed (DuckDB), and keys repeated within the
    file are removed once at the end. A chat the log already has events of (a re-import, an
    overlapping export) goes through a stage and one move that skips every id the log holds.
    Either way nothing is visible before the commit, and a failure rolls everything back.
    """

    def __init__(self, dialect: Dialect, builder: RowBuilder, community: Community, import_id: int) -> None:
        self.dialect = dialect
        self.builder = builder
        self.community = community
        self.import_id = import_id
        self.facts = _Facts()
        self.direct_groups: set[int] = set()
        self.direct_rows = 0
        self.staged_rows = 0
        self.stage: Stage | None = None
        self.columns, self.params = _insert_columns(builder, community, import_id)

    def add_group(self, info: _ChatInfo) -> None:
        """Record the chat's group (once per community), and decide where its rows go."""
        chat, group_id = info.chat, info.group_id
        db = self.dialect
        row = db.query("SELECT community_id FROM groups WHERE group_id = ?", [group_id])
        if not row:
            db.execute(
                "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                [group_id, self.community.community_id, chat.carrier, chat.native_id, chat.name, chat.chat_type,
                 self.import_id],
            )  # fmt: skip
        elif row[0][0] != self.community.community_id:
            other = db.query("SELECT name FROM communities WHERE community_id = ?", [row[0][0]])
            name = other[0][0] if other else row[0][0]
            raise StoreError(
                f"{chat.carrier} chat {chat.name or chat.native_id!r} already belongs to community "
                f"{name!r}; import it with --community {other[0][0] if other else ''}".rstrip()
            )
        if db.direct_events and not db.query("SELECT 1 FROM events WHERE group_id = ? LIMIT 1", [group_id]):
            self.direct_groups.add(group_id)

    def append(self, table: pa.Table) -> None:
        """A batch of staged rows (``ARROW_STAGE``): into ``events`` or the stage, by chat."""
        self.facts.add(table)
        groups = table["group_id"]
        direct = pc.is_in(groups, value_set=pa.array(list(self.direct_groups), pa.int64()))
        count = pc.sum(direct).as_py() or 0
        if count == table.num_rows:
            self._insert(table)
        elif count == 0:
            self._stage(table)
        else:
            self._insert(table.filter(direct))
            self._stage(table.filter(pc.invert(direct)))

    def _insert(self, table: pa.Table) -> None:
        self.dialect.insert_rows(table, f"INSERT INTO events SELECT {self.columns} FROM {{rows}} s", self.params)
        self.direct_rows += table.num_rows

    def _stage(self, table: pa.Table) -> None:
        if self.stage is None:
            self.stage = self.dialect.open_stage(f"_stage_{self.import_id}", ARROW_STAGE)
        self.stage.append(table)
        self.staged_rows += table.num_rows

    def finish(self) -> int:
        """Drop keys repeated within the file, move the stage in; the number of events added."""
        added = 0
        if self.direct_rows:
            added += self.direct_rows - self._drop_repeats()
        if self.stage is not None:
            self.stage.loaded()
            added += self._move(self.stage.ref)
        return added

    def _drop_repeats(self) -> int:
        """Rows inserted straight whose key came earlier in the file: all but the first go."""
        db = self.dialect
        found = db.query("SELECT count(*) - count(DISTINCT event_id) FROM events WHERE import_id = ?", [self.import_id])
        if not found or not found[0][0]:
            return 0
        return db.execute_count(
            """DELETE FROM events WHERE import_id = ? AND rowid IN (
                   SELECT rowid FROM (
                       SELECT rowid, row_number() OVER (PARTITION BY event_id ORDER BY seq) AS n
                       FROM events WHERE import_id = ?
                   ) WHERE n > 1
               )""",
            [self.import_id, self.import_id],
        )

    def _move(self, stage: str) -> int:
        """Move the stage (``stage`` is SQL that reads it) into the log, skipping the ids it has."""
        db = self.dialect
        repeats = db.query(f"SELECT count(*) - count(DISTINCT event_id) FROM {stage}")
        known = f"""NOT EXISTS (
            SELECT 1 FROM events e
            WHERE e.event_id = md5(s.event_id) AND e.group_id IN (SELECT DISTINCT group_id FROM {stage})
        )"""
        if repeats and repeats[0][0]:  # a key repeats within the file (rare): keep each key's first occurrence
            source = f"(SELECT DISTINCT ON (event_id) * FROM {stage} ORDER BY event_id, seq)"
        else:  # the usual case: every key once, so only the log's own events need skipping
            source = stage
        return db.execute_count(f"INSERT INTO events SELECT {self.columns} FROM {source} s WHERE {known}", self.params)

    def drop(self) -> None:
        if self.stage is not None:
            self.stage.drop()


def _insert_columns(builder: RowBuilder, community: Community, import_id: int) -> tuple[str, list]:
    """The SELECT list that makes ``events`` rows of staged rows ``s``, and its parameters.

    Staged rows hold what the ids hash (:func:`shequn.ids.event_key`); they are hashed here, a
    column at a time, and the import's constants are filled in.
    """
    hashed = {"event_id", "reply_to_event_id", "thread_id"}
    constants = {
        "community_id": community.community_id,
        "source_file": builder.source_file,
        "importer": builder.importer,
        "importer_version": builder.importer_version,
        "import_id": import_id,
    }
    columns = ", ".join(
        f"md5(s.{c}) AS {c}"
        if c in hashed
        else f"CAST(? AS {'BIGINT' if c in {'community_id', 'import_id'} else 'VARCHAR'}) AS {c}"
        if c in constants
        else f"s.{c}"
        for c in ARROW_EVENTS.names
    )
    return columns, [constants[c] for c in ARROW_EVENTS.names if c in constants]
