"""What differs between the engines that hold the log, and DuckDB's answers.

The store writes its SQL once, in DuckDB's spelling, with ``?`` parameters. A dialect states
only how its engine differs: how to run (and, if need be, translate) a statement, how to
make an Arrow table readable by name for a moment, how to bulk-load rows, where an import's
stage lives and how two writers are kept apart. So the store has no ``if duckdb … else …``
(as Ibis keeps one compiler and lets each engine list its differences).
"""

from __future__ import annotations

import abc
import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from shequn.errors import StoreError

__all__ = ["Dialect", "DuckDBDialect", "ParquetStage", "Rows", "Stage", "TableStage", "batches_of"]

#: What a bulk load accepts: one table, a stream of batches, or any iterable of batches.
Rows = pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch]


def batches_of(rows: Rows) -> Iterator[pa.RecordBatch]:
    """The record batches of ``rows``, one at a time, so a load never holds more than one."""
    if isinstance(rows, pa.Table):
        yield from rows.to_batches()
    else:
        yield from rows


class Stage(abc.ABC):
    """Where one import collects its rows until they move into ``events`` in one transaction.

    Nothing in a stage is part of the log: a failed or killed import only leaves a stage
    behind, which the next writer clears.
    """

    #: SQL that reads the stage where a table name would stand (``FROM {ref}``).
    ref: str

    @abc.abstractmethod
    def append(self, table: pa.Table) -> None:
        """Add a batch of staged event rows."""

    def loaded(self) -> None:  # noqa: B027 - most stages need nothing here
        """All rows are in; the stage is about to be read."""

    @abc.abstractmethod
    def drop(self) -> None:
        """Remove the stage; safe to call twice."""


class TableStage(Stage):
    """A stage that is a table of the engine (PostgreSQL keeps it TEMP, per session)."""

    def __init__(self, dialect: Dialect, name: str, create_sql: str) -> None:
        self.dialect = dialect
        self.name = name
        self.ref = f'"{name}"'
        dialect.execute(create_sql)

    def append(self, table: pa.Table) -> None:
        self.dialect.append(self.name, table)

    def loaded(self) -> None:
        self.dialect.stage_loaded(self.name)

    def drop(self) -> None:
        self.dialect.execute(f"DROP TABLE IF EXISTS {self.ref}")


class ParquetStage(Stage):
    """A stage that is a Parquet file beside the log, written batch by batch.

    DuckDB reads it back with ``read_parquet`` as fast as a table, while writing it costs a
    fraction of inserting into a table of the log file (no WAL, no checkpoint), and memory
    holds one batch at a time.
    """

    def __init__(self, folder: Path, name: str, schema: pa.Schema) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{name}.parquet"
        self.schema = schema
        self.ref = "read_parquet('" + str(self.path).replace("'", "''") + "')"
        self._writer: pq.ParquetWriter | None = None

    def append(self, table: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="snappy")
        self._writer.write_table(table)

    def loaded(self) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="snappy")
        self._writer.close()

    def drop(self) -> None:
        if self._writer is not None and self._writer.is_open:
            self._writer.close()
        self.path.unlink(missing_ok=True)


class Dialect(abc.ABC):
    """One connection to one log, and what its engine does differently.

    ``con`` is the engine's own connection object, for callers that need the engine itself
    (DuckDB's ``COPY … TO`` in exports); everything the store does goes through the methods.
    """

    name: ClassVar[str]
    #: The engine's error classes, for the few places that must swallow a second failure.
    errors: ClassVar[tuple[type[BaseException], ...]]
    con: Any
    #: Where the log is, for messages: a path, or a URL with the password left out.
    display: str

    @abc.abstractmethod
    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        """Run one statement written in DuckDB's spelling."""

    @abc.abstractmethod
    def query(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        """Run one statement and fetch all its rows (so the connection is free again)."""

    @abc.abstractmethod
    def execute_count(self, sql: str, params: list | tuple | None = None) -> int:
        """Run an INSERT / UPDATE / DELETE and return how many rows it touched."""

    @abc.abstractmethod
    def run_script(self, script: str) -> None:
        """Run several statements (a migration), inside the caller's transaction."""

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """All statements in the block commit together or not at all."""

    @abc.abstractmethod
    def registered(self, name: str, table: pa.Table) -> contextlib.AbstractContextManager[None]:
        """``table`` is readable in SQL as ``name`` inside the block, and gone after it."""

    @abc.abstractmethod
    def append(self, table_name: str, rows: Rows) -> int:
        """Bulk-load Arrow rows (columns by name) into an existing table; the count loaded."""

    #: Whether an import may insert its rows into ``events`` as it reads them, inside its
    #: transaction (:meth:`insert_rows`), rather than collect them in a stage first.
    direct_events: ClassVar[bool] = False

    def insert_rows(self, table: pa.Table, sql: str, params: list | tuple | None = None) -> None:
        """Run ``sql``, an INSERT that reads ``table`` where it says ``{rows}``, in the open transaction."""
        raise NotImplementedError(f"{self.name} stages an import's rows; it does not insert them as they come")

    @abc.abstractmethod
    def read_batches(self, table_name: str, chunk_rows: int) -> pa.RecordBatchReader:
        """A whole table as a stream of Arrow batches of at most ``chunk_rows`` rows."""

    @abc.abstractmethod
    def open_stage(self, name: str, schema: pa.Schema) -> Stage:
        """An empty stage with the staged events' columns, for one import."""

    @abc.abstractmethod
    def clear_stale_stages(self) -> None:
        """Remove stages left behind by an import that was killed."""

    def stage_loaded(self, name: str) -> None:  # noqa: B027 - most engines need nothing here
        """A table stage is full and about to be read; a hook for planner statistics."""

    @contextlib.contextmanager
    def bounded_memory(self) -> Iterator[None]:
        """Work inside the block within a bounded memory, spilling to disk beyond it.

        The default suits engines that run elsewhere (a server manages its own memory).
        """
        yield

    @contextlib.contextmanager
    def beside_reader(self) -> Iterator[None]:
        """Work inside the block while a Python thread reads the file being imported.

        The default suits engines that run elsewhere (a server's cores are its own).
        """
        yield

    @contextlib.contextmanager
    def writer_lock(self, *, wait: bool = True) -> Iterator[bool]:
        """Keep other writers out while the block runs; yields False if not free and not waiting.

        The default suits engines whose log only one process can open for writing.
        """
        yield True

    def migration(self, version: int, script: str) -> str:
        """The script that takes the log to ``version``, with what this engine adds to it."""
        return script

    @abc.abstractmethod
    def ibis_backend(self) -> Any:
        """An Ibis backend reading this log over the same connection."""

    def close(self) -> None:
        self.con.close()


class DuckDBDialect(Dialect):
    """The default engine: one embedded file (or ``:memory:``), SQL taken as written."""

    name = "duckdb"
    errors = (duckdb.Error,)

    def __init__(self, path: str, *, read_only: bool) -> None:
        self.display = path
        self._stages: Path | None = None
        self._after_rollback: dict[str, str] = {}  # settings to restore once the transaction is undone
        if read_only and path != ":memory:" and not Path(path).exists():
            raise StoreError(f"{path}: no such log; run 'shequn import' or 'shequn demo' first")
        try:
            self.con = duckdb.connect(path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: cannot open the log: {exc}") from exc

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        self.con.execute(sql, params)

    def query(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def execute_count(self, sql: str, params: list | tuple | None = None) -> int:
        rows = self.con.execute(sql, params).fetchall()  # DuckDB answers a write with its row count
        return int(rows[0][0]) if rows else 0

    def run_script(self, script: str) -> None:
        self.con.execute(script)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            pending, self._after_rollback = self._after_rollback, {}
            for setting, value in pending.items():
                self._restore(setting, value)
            raise
        self.con.commit()

    @contextlib.contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[None]:
        self.con.register(name, table)
        try:
            yield
        finally:
            self.con.unregister(name)

    def append(self, table_name: str, rows: Rows) -> int:
        loaded = 0
        for batch in batches_of(rows):
            columns = ", ".join(f'"{c}"' for c in batch.schema.names)
            with self.registered("_append", pa.Table.from_batches([batch])):
                self.con.execute(f'INSERT INTO "{table_name}" ({columns}) SELECT {columns} FROM _append')
            loaded += batch.num_rows
        return loaded

    direct_events = True

    def insert_rows(self, table: pa.Table, sql: str, params: list | tuple | None = None) -> None:
        # Read by variable name (DuckDB's replacement scan), not registered: inside a transaction
        # a registered view keeps its Arrow table alive until the commit, so memory would grow
        # with the file; a scan by name lets each batch go as soon as it is inserted.
        _import_rows = table  # read by DuckDB through its name in the SQL
        self.con.execute(sql.format(rows="_import_rows"), params)

    def read_batches(self, table_name: str, chunk_rows: int) -> pa.RecordBatchReader:
        return self.con.sql(f'SELECT * FROM "{table_name}"').to_arrow_reader(chunk_rows)

    #: DuckDB's memory limit while an import moves its stage into the log: beyond it, joins
    #: and aggregates spill to disk, so an import's memory does not grow with the file.
    IMPORT_MEMORY = "128MB"

    @contextlib.contextmanager
    def bounded_memory(self) -> Iterator[None]:
        before = self.query("SELECT current_setting('memory_limit')")[0][0]
        self.execute(f"SET memory_limit = '{self.IMPORT_MEMORY}'")
        try:
            yield
        finally:
            self._restore("memory_limit", str(before))

    @contextlib.contextmanager
    def beside_reader(self) -> Iterator[None]:
        # Inserting a batch gains little from a second DuckDB thread, and that thread would take
        # the core the reader needs: one thread writes while the other reads.
        before = self.query("SELECT current_setting('threads')")[0][0]
        self.execute("SET threads = 1")
        try:
            yield
        finally:
            self._restore("threads", str(before))

    def _restore(self, setting: str, value: str) -> None:
        """Set ``setting`` back to ``value`` (as ``current_setting`` showed it).

        DuckDB shows sizes rounded ("18.7 GiB"), so setting the shown value back would shrink
        the limit a little with each import: a setting that was the default is reset instead.
        If a failed statement aborted the transaction (DuckDB then refuses even a SET), this
        happens right after the rollback, and the statement's own error goes through.
        """
        try:
            self.execute(f"RESET {setting}")
            if str(self.query(f"SELECT current_setting('{setting}')")[0][0]) != value:
                self.execute(f"SET {setting} = '{value}'")
        except duckdb.Error:
            self._after_rollback[setting] = value

    def _stage_folder(self) -> Path:
        if self._stages is None:
            if self.display == ":memory:":
                self._stages = Path(tempfile.mkdtemp(prefix="shequn-stage-"))
            else:
                path = Path(self.display)
                self._stages = path.with_name(f".{path.name}.stages")
        return self._stages

    def open_stage(self, name: str, schema: pa.Schema) -> Stage:
        return ParquetStage(self._stage_folder(), name, schema)

    def clear_stale_stages(self) -> None:
        # Stages of older versions were tables of the log file.
        rows = self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_stage\\_%' ESCAPE '\\'"
        )
        for (name,) in rows:
            self.execute(f'DROP TABLE "{name}"')
        shutil.rmtree(self._stage_folder(), ignore_errors=True)

    def ibis_backend(self) -> Any:
        import ibis

        return ibis.duckdb.from_connection(self.con)
