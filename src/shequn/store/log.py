"""The activity log on DuckDB: open, migrate, import a file atomically, read through Ibis.

Writes go through :meth:`Store.import_records`, the one writer: a file's events are staged
in a table of their own while the file is read, then moved into ``events`` in a single
transaction that skips every event id the log already has. A file that fails halfway never
reaches ``events``; a file read twice adds nothing the second time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import orjson
import pyarrow as pa

from shequn import ids
from shequn.errors import ShequnError, StoreError
from shequn.model import Alias, Chat, Event, Skip
from shequn.settings import resolve
from shequn.store._rows import ARROW_EVENTS, RowBuilder
from shequn.store.identities import rebuild_identity_member
from shequn.store.schema import MIGRATIONS, SCHEMA_VERSION
from shequn.store.summary import Community, ImportMeta, ImportSummary

__all__ = ["DEFAULT_DB", "Store", "default_path"]

DEFAULT_DB = "shequn.duckdb"
BATCH = 50_000


def default_path() -> str:
    """``$SHEQUN_DB``, else ``shequn.duckdb`` in the working directory."""
    return os.environ.get("SHEQUN_DB") or DEFAULT_DB


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, or None (fetching all, so the connection is free again)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """One log in one DuckDB file (or ``:memory:``)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = str(path or default_path())
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such log; run 'shequn import' or 'shequn demo' first")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the log: {exc}") from exc
        self.read_only = read_only
        if not read_only:
            self.migrate()
            self._drop_stale_stages()
        elif self.schema_version() != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: log is at schema {self.schema_version()}, need {SCHEMA_VERSION}")
        self._ibis: Any = None

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ibis(self) -> Any:
        """The log as an Ibis backend: metrics read it through this."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table(self, name: str) -> Any:
        return self.ibis.table(name)

    def schema_version(self) -> int:
        exists = _one(self.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
        if not exists or not exists[0]:
            return 0
        row = _one(self.con, "SELECT max(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    def migrate(self) -> None:
        """Bring the file to ``SCHEMA_VERSION``, one transaction per step."""
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: log is at schema {current}; this shequn knows up to {SCHEMA_VERSION}")
        for version in range(current, SCHEMA_VERSION):
            self.con.begin()
            try:
                self.con.execute(MIGRATIONS[version])
                self.con.execute("INSERT INTO schema_version VALUES (?, ?)", [version + 1, _now()])
                self.con.commit()
            except duckdb.Error as exc:
                self.con.rollback()
                raise StoreError(f"{self.path}: migration to schema {version + 1} failed: {exc}") from exc

    def _drop_stale_stages(self) -> None:
        """Stages left by an import that was killed: never part of the log, so drop them."""
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_stage\\_%' ESCAPE '\\'"
        ).fetchall()
        for (name,) in rows:
            self.con.execute(f'DROP TABLE "{name}"')
        self.con.execute("UPDATE imports SET status = 'failed', error = 'interrupted' WHERE status = 'running'")

    # -- communities -------------------------------------------------------------------

    def community(self, name: str) -> Community | None:
        row = _one(self.con, "SELECT community_id, name, timezone, settings FROM communities WHERE name = ?", [name])
        if row is None:
            return None
        return Community(row[0], row[1], row[2], orjson.loads(row[3]))

    def communities(self) -> list[Community]:
        rows = self.con.execute(
            "SELECT community_id, name, timezone, settings FROM communities ORDER BY name"
        ).fetchall()
        return [Community(r[0], r[1], r[2], orjson.loads(r[3])) for r in rows]

    def ensure_community(self, name: str, timezone: str | None = None) -> Community:
        """The community ``name``, created with ``timezone`` (default UTC) if new."""
        found = self.community(name)
        if found is not None:
            return found
        tz = timezone or "UTC"
        self.con.execute(
            "INSERT INTO communities VALUES (?, ?, ?, ?, ?)",
            [ids.community_id(name), name, tz, orjson.dumps({"TIMEZONE": tz}).decode(), _now()],
        )
        found = self.community(name)
        assert found is not None
        return found

    def set_setting(self, community: Community, name: str, value: Any) -> Community:
        settings = dict(community.settings)
        settings[name] = value
        tz = settings.get("TIMEZONE", community.timezone)
        self.con.execute(
            "UPDATE communities SET settings = ?, timezone = ? WHERE community_id = ?",
            [orjson.dumps(settings).decode(), tz, community.community_id],
        )
        return Community(community.community_id, community.name, tz, settings)

    def settings(self, community: Community, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        return resolve(community.settings, overrides)

    # -- the one writer ----------------------------------------------------------------

    def _next_import_id(self) -> int:
        row = _one(self.con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")
        return int(row[0]) if row else 1

    def import_records(
        self, records: Iterable[Chat | Event | Alias | Skip], *, community: Community, meta: ImportMeta
    ) -> ImportSummary:
        """Write one file's records, all or nothing, skipping events the log already has."""
        import_id = self._next_import_id()
        self.con.execute(
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
        stage = f"_stage_{import_id}"
        self.con.execute(f'CREATE TABLE "{stage}" AS SELECT * FROM events LIMIT 0')
        builder = RowBuilder(community.community_id, import_id, meta.path, meta.importer, meta.importer_version)
        summary = ImportSummary(path=meta.path, importer=meta.importer, import_id=import_id)
        try:
            self._stage(records, builder, stage, summary)
            self._commit_stage(builder, stage, summary, community)
        except BaseException as exc:
            self._fail(import_id, exc)
            raise
        finally:
            self.con.execute(f'DROP TABLE IF EXISTS "{stage}"')
        return summary

    def _stage(self, records: Iterable, builder: RowBuilder, stage: str, summary: ImportSummary) -> None:
        batch: list[Event] = []
        seq = 0
        for rec in records:
            if type(rec) is Event:
                batch.append(rec)
                if len(batch) >= BATCH:
                    self._append_stage(builder.events_table(batch), stage)
                    summary.records_read += len(batch)
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
            self._append_stage(builder.events_table(batch), stage)
            summary.records_read += len(batch)

    def _append_stage(self, table: pa.Table, stage: str) -> None:
        self.con.register("_batch", table)
        try:
            self.con.execute(f'INSERT INTO "{stage}" SELECT * FROM _batch')
        finally:
            self.con.unregister("_batch")

    def _commit_stage(self, builder: RowBuilder, stage: str, summary: ImportSummary, community: Community) -> None:
        con = self.con
        con.begin()
        try:
            for info in builder.chats.values():
                self._add_group(info.chat, info.group_id, community, summary.import_id)
            if builder.identities:
                rows = list(builder.identities.values())
                ident = pa.table(
                    {
                        "identity_id": pa.array([r[0] for r in rows], pa.int64()),
                        "carrier": [r[1] for r in rows],
                        "native_id": pa.array([r[2] for r in rows], pa.string()),
                        "scope_group_id": pa.array([r[3] for r in rows], pa.int64()),
                        "name_key": pa.array([r[4] for r in rows], pa.string()),
                    }
                )
                con.register("_ident", ident)
                con.execute(
                    "INSERT INTO identities SELECT i.*, ? FROM _ident i"
                    " WHERE NOT EXISTS (SELECT 1 FROM identities x WHERE x.identity_id = i.identity_id)",
                    [summary.import_id],
                )
                con.unregister("_ident")
            columns = ", ".join(ARROW_EVENTS.names)
            added = _one(
                con,
                f"""
                INSERT INTO events
                SELECT {columns} FROM (
                    SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY seq) AS _n FROM "{stage}"
                ) s
                WHERE _n = 1 AND NOT EXISTS (
                    SELECT 1 FROM events e
                    WHERE e.event_id = s.event_id
                      AND e.group_id IN (SELECT DISTINCT group_id FROM "{stage}")
                )
                """,
            )
            summary.events_added = int(added[0]) if added else 0
            summary.duplicates = summary.records_read - summary.events_added
            stats = _one(
                con,
                f"""SELECT min(ts) FILTER (kind = 'message'), max(ts) FILTER (kind = 'message'),
                           count(DISTINCT identity_id) FILTER (kind = 'message'),
                           count(*) FILTER (kind = 'message')
                    FROM "{stage}" """,
            )
            assert stats is not None
            summary.first_ts, summary.last_ts = stats[0], stats[1]
            summary.members_seen = int(stats[2] or 0)
            summary.messages_read = int(stats[3] or 0)
            summary.groups_seen = len(builder.chats)
            if any(
                r[0] in {"merge", "unmerge"} for r in con.execute(f'SELECT DISTINCT kind FROM "{stage}"').fetchall()
            ):
                rebuild_identity_member(con)
            else:
                con.execute(
                    "INSERT INTO identity_member SELECT identity_id, identity_id FROM identities i"
                    " WHERE NOT EXISTS (SELECT 1 FROM identity_member m WHERE m.identity_id = i.identity_id)"
                )
            con.execute(
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
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def _add_group(self, chat: Chat, group_id: int, community: Community, import_id: int) -> None:
        row = _one(self.con, "SELECT community_id FROM groups WHERE group_id = ?", [group_id])
        if row is None:
            self.con.execute(
                "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                [group_id, community.community_id, chat.carrier, chat.native_id, chat.name, chat.chat_type, import_id],
            )
        elif row[0] != community.community_id:
            other = _one(self.con, "SELECT name FROM communities WHERE community_id = ?", [row[0]])
            raise StoreError(
                f"{chat.carrier} chat {chat.name or chat.native_id!r} already belongs to community "
                f"{other[0] if other else row[0]!r}; import it with --community {other[0] if other else ''}".rstrip()
            )

    def _fail(self, import_id: int, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, ShequnError) else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(duckdb.Error):  # the failure is already being raised
            self.con.execute(
                "UPDATE imports SET status = 'failed', finished_at = ?, error = ? WHERE import_id = ?",
                [_now(), message, import_id],
            )

    # -- operator's settings on groups -------------------------------------------------

    def set_group_purpose(self, group_name: str, purpose: str) -> int:
        rows = self.con.execute(
            "UPDATE groups SET purpose = ? WHERE name = ? OR native_id = ? RETURNING group_id",
            [purpose, group_name, group_name],
        ).fetchall()
        if not rows:
            raise StoreError(f"no group named {group_name!r}")
        return len(rows)
