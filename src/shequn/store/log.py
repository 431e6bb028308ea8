"""The activity log: open, migrate, import a file atomically, read through Ibis.

The log lives in a DuckDB file by default, or in a PostgreSQL database when ``--db`` is a
``postgresql://`` URL; a :class:`~shequn.store._dialect.Dialect` carries what differs.

Writes go through :meth:`Store.import_records`, the one writer: a file's events are staged
in a table of their own while the file is read, then moved into ``events`` in a single
transaction that skips every event id the log already has. A file that fails halfway never
reaches ``events``; a file read twice adds nothing the second time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from shequn import ids
from shequn.errors import ShequnError, StoreError
from shequn.model import Action, Alias, Chat, Event, Skip
from shequn.settings import resolve
from shequn.store._dialect import Dialect, DuckDBDialect, Stage
from shequn.store._rows import ARROW_EVENTS, ARROW_STAGE, RowBuilder, action_rows
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
                meta.sha256,
                meta.importer,
                meta.importer_version,
                _now(),
            ],
        )
        stage = self.dialect.open_stage(f"_stage_{import_id}", ARROW_STAGE)
        builder = RowBuilder(community.community_id, import_id, meta.path, meta.importer, meta.importer_version)
        summary = ImportSummary(path=meta.path, importer=meta.importer, import_id=import_id)
        try:
            self._stage(records, builder, stage, summary)
            stage.loaded()
            self._commit_stage(builder, stage.ref, summary, community)
        except BaseException as exc:
            self._fail(import_id, exc)
            raise
        finally:
            with contextlib.suppress(*self.dialect.errors, OSError):  # never hide the import's own error
                stage.drop()
        return summary

    def _stage(self, records: Iterable, builder: RowBuilder, stage: Stage, summary: ImportSummary) -> None:
        """Read the importer's records into the stage, a batch at a time.

        Writing a batch (Parquet encoding, or COPY to the server) runs in a second thread
        while the next batch is parsed: both release the GIL, so reading and writing overlap.
        At most one batch is being written while one is being built.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shequn-stage") as writer:
            pending: Future | None = None

            def flush(batch: list[Event]) -> None:
                nonlocal pending
                table = builder.events_table(batch)
                if pending is not None:
                    pending.result()
                pending = writer.submit(stage.append, table)
                summary.records_read += len(batch)

            self._read_records(records, builder, summary, flush)
            if pending is not None:
                pending.result()

    def _read_records(
        self, records: Iterable, builder: RowBuilder, summary: ImportSummary, flush: Callable[[list[Event]], None]
    ) -> None:
        batch: list[Event] = []
        seq = 0
        for rec in records:
            if type(rec) is Event:
                batch.append(rec)
                if len(batch) >= BATCH:
                    flush(batch)
                    batch = []
            elif type(rec) is Chat:
                builder.add_chat(rec)
            elif type(rec) is Alias:
                seq += 1
                batch.append(builder.alias_event(rec, seq))
            elif type(rec) is Skip:
                summary.skipped[rec.reason] = summary.skipped.get(rec.reason, 0) + 1
            else:
                raise StoreError(f"{builder.source_file}: importer yielded {type(rec).__name__}, not a record")
        if batch:
            flush(batch)

    def _commit_stage(self, builder: RowBuilder, stage: str, summary: ImportSummary, community: Community) -> None:
        """Move the stage (``stage`` is SQL that reads it) into the log in one transaction."""
        db = self.dialect
        with db.transaction(), db.bounded_memory():
            for info in builder.chats.values():
                self._add_group(info.chat, info.group_id, community, summary.import_id)
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
            # The stage holds what the ids hash (shequn.ids.event_key); they are hashed here, a
            # column at a time, and rows whose id the log has are skipped.
            hashed = {"event_id", "reply_to_event_id", "thread_id"}
            constants = {
                "community_id": community.community_id,
                "source_file": builder.source_file,
                "importer": builder.importer,
                "importer_version": builder.importer_version,
                "import_id": summary.import_id,
            }
            columns = ", ".join(
                f"md5(s.{c}) AS {c}"
                if c in hashed
                else f"CAST(? AS {'BIGINT' if c in {'community_id', 'import_id'} else 'VARCHAR'}) AS {c}"
                if c in constants
                else f"s.{c}"
                for c in ARROW_EVENTS.names
            )
            params = [constants[c] for c in ARROW_EVENTS.names if c in constants]
            stats = self._one(
                f"""SELECT count(*) - count(DISTINCT event_id),
                           min(ts) FILTER (WHERE kind = 'message'), max(ts) FILTER (WHERE kind = 'message'),
                           count(DISTINCT identity_id) FILTER (WHERE kind = 'message'),
                           count(*) FILTER (WHERE kind = 'message')
                    FROM {stage} """,
            )
            assert stats is not None
            known = f"""NOT EXISTS (
                SELECT 1 FROM events e
                WHERE e.event_id = md5({{key}}) AND e.group_id IN (SELECT DISTINCT group_id FROM {stage})
            )"""
            if stats[0]:  # a key repeats within the file (rare): keep each key's first occurrence
                first = f"(SELECT DISTINCT ON (event_id) * FROM {stage} ORDER BY event_id, seq)"
                insert = f"INSERT INTO events SELECT {columns} FROM {first} s WHERE {known.format(key='s.event_id')}"
            else:  # the usual case: every key once, so only the log's own events need skipping
                insert = f"INSERT INTO events SELECT {columns} FROM {stage} s WHERE {known.format(key='s.event_id')}"
            summary.events_added = db.execute_count(insert, params)
            summary.duplicates = summary.records_read - summary.events_added
            summary.first_ts, summary.last_ts = stats[1], stats[2]
            summary.members_seen = int(stats[3] or 0)
            summary.messages_read = int(stats[4] or 0)
            summary.groups_seen = len(builder.chats)
            if db.query(f"SELECT 1 FROM {stage} WHERE kind IN ('merge', 'unmerge') LIMIT 1"):
                rebuild_identity_member(db)
            else:
                db.execute(
                    "INSERT INTO identity_member SELECT identity_id, identity_id FROM identities i"
                    " WHERE NOT EXISTS (SELECT 1 FROM identity_member m WHERE m.identity_id = i.identity_id)"
                )
            db.execute(
                """UPDATE imports SET status = 'done', finished_at = ?, records_read = ?, events_added = ?,
                   duplicates = ?, skipped = ?, first_ts = ?, last_ts = ? WHERE import_id = ?""",
                [
                    _now(),
                    summary.records_read,
                    summary.events_added,
                    summary.duplicates,
                    orjson.dumps(summary.skipped).decode(),
                    summary.first_ts,
                    summary.last_ts,
                    summary.import_id,
                ],
            )

    def _add_group(self, chat: Chat, group_id: int, community: Community, import_id: int) -> None:
        row = self._one("SELECT community_id FROM groups WHERE group_id = ?", [group_id])
        if row is None:
            self.dialect.execute(
                "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                [group_id, community.community_id, chat.carrier, chat.native_id, chat.name, chat.chat_type, import_id],
            )
        elif row[0] != community.community_id:
            other = self._one("SELECT name FROM communities WHERE community_id = ?", [row[0]])
            raise StoreError(
                f"{chat.carrier} chat {chat.name or chat.native_id!r} already belongs to community "
                f"{other[0] if other else row[0]!r}; import it with --community {other[0] if other else ''}".rstrip()
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

    def _fail(self, import_id: int, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, ShequnError) else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(*self.dialect.errors):  # the failure is already being raised
            self.dialect.execute(
                "UPDATE imports SET status = 'failed', finished_at = ?, error = ? WHERE import_id = ?",
                [_now(), message, import_id],
            )

    # -- operator's settings on groups -------------------------------------------------

    def set_group_purpose(self, group_name: str, purpose: str) -> int:
        rows = self.query(
            "UPDATE groups SET purpose = ? WHERE name = ? OR native_id = ? RETURNING group_id",
            [purpose, group_name, group_name],
        )
        if not rows:
            raise StoreError(f"no group named {group_name!r}")
        return len(rows)
