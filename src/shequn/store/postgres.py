"""The log on a PostgreSQL server: what differs from DuckDB, and nothing else.

A team that shares one log points ``--db`` at ``postgresql://user@host/db``. The tables are
the same (types translated: VARCHAR becomes TEXT, TIMESTAMP stays without zone and holds
UTC), and so are the guarantees: an import is staged, then moved in one transaction that
skips known event ids. What PostgreSQL needs on top:

- statements are translated from DuckDB's spelling by sqlglot (``?`` becomes ``%s``);
- rows arrive by ``COPY … FROM STDIN`` as CSV that pyarrow writes from the Arrow batches, so
  a million rows never pass through Python objects one by one;
- the stage is a TEMP table, so a killed import leaves nothing behind on the server;
- several people may import at once, so writers take an advisory lock on the database;
- ``events.event_id`` gets an index, so the skip-known-ids step does not scan the log.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from shequn import ids
from shequn.errors import StoreError
from shequn.store._dialect import Dialect, Rows, Stage, TableStage, batches_of

__all__ = ["PostgresDialect", "is_postgres_url", "redact"]

_SCHEMES = ("postgresql://", "postgres://")

#: Arrow types of the log's columns and the PostgreSQL types that hold them.
_PG_TYPES: dict[pa.DataType, str] = {
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.string(): "TEXT",
    pa.large_string(): "TEXT",
    pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE PRECISION",
    pa.date32(): "DATE",
    pa.timestamp("us"): "TIMESTAMP",
    pa.list_(pa.int64()): "BIGINT[]",
}

#: What PostgreSQL adds to a migration, by the version it creates.
_EXTRA_DDL: dict[int, str] = {
    1: "CREATE INDEX events_event_id ON events (event_id)",
}

_WRITER_LOCK = ids.int_id("shequn", "writer")  # one advisory lock per database: one writer per log
_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")


def is_postgres_url(db: str) -> bool:
    """Does ``--db`` name a PostgreSQL server rather than a DuckDB file?"""
    return db.startswith(_SCHEMES)


def redact(url: str) -> str:
    """The URL with its password replaced, fit for messages and ``store.path``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


@functools.lru_cache(maxsize=512)
def _translate(sql: str, *, with_params: bool) -> str:
    """A DuckDB-spelled statement (or script) in PostgreSQL's spelling.

    With parameters, psycopg reads every ``%`` as the start of a placeholder, so the ``%`` of
    string literals (``LIKE 'x%'``) is doubled.
    """
    import sqlglot
    from sqlglot import exp

    statements = sqlglot.parse(sql, read="duckdb")
    out = []
    for statement in statements:
        if statement is None:
            continue
        if with_params:
            statement = statement.transform(
                lambda node: (
                    exp.Literal.string(node.this.replace("%", "%%"))
                    if isinstance(node, exp.Literal) and node.is_string
                    else node
                )
            )
        out.append(statement.sql(dialect="postgres"))
    return ";\n".join(out)


def _as_pg_array_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A list<int64> column as PostgreSQL array literals (``{1,2,NULL}``), for CSV."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = []
    for chunk in chunks:
        if chunk.offset:
            chunk = pa.concat_arrays([chunk])  # a copy that starts at 0: from_arrays takes no sliced nulls
        items = pc.fill_null(chunk.values.cast(pa.string()), "NULL")
        texts = pa.ListArray.from_arrays(chunk.offsets, items, mask=chunk.is_null())
        joined = pc.binary_join(texts, ",")
        out.append(pc.binary_join_element_wise("{", joined, "}", ""))
    return pa.chunked_array(out, pa.string()).combine_chunks()


def _csv_bytes(batch: pa.RecordBatch) -> bytes:
    """One batch as CSV that ``COPY … (FORMAT csv)`` reads back exactly.

    Every non-null value is quoted and nulls are left empty, which is how PostgreSQL's CSV
    tells an empty string from NULL.
    """
    columns = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        columns.append(_as_pg_array_text(column) if pa.types.is_list(field.type) else column)
    table = pa.Table.from_arrays(columns, names=batch.schema.names)
    sink = io.BytesIO()
    pa_csv.write_csv(table, sink, _CSV)
    return sink.getvalue()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresDialect(Dialect):
    """A log in one PostgreSQL database, reached through psycopg 3 in autocommit mode."""

    name = "postgres"

    def __init__(self, url: str, *, read_only: bool) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError("a PostgreSQL log needs psycopg: pip install 'shequn[postgres]'") from exc
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.display = redact(url)
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"{self.display}: cannot open the log: {exc}".strip()) from exc
        # Timestamps are stored without zone and hold UTC; the session zone keeps casts honest.
        self.con.execute("SET TimeZone = 'UTC'")
        if read_only:
            self.con.execute("SET default_transaction_read_only = on")

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        self.con.execute(_translate(sql, with_params=params is not None), params)

    def query(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        cur = self.con.execute(_translate(sql, with_params=params is not None), params)
        return cur.fetchall() if cur.description else []

    def execute_count(self, sql: str, params: list | tuple | None = None) -> int:
        cur = self.con.execute(_translate(sql, with_params=params is not None), params)
        return max(cur.rowcount, 0)

    def run_script(self, script: str) -> None:
        self.con.execute(_translate(script, with_params=False))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    @contextlib.contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[None]:
        columns = ", ".join(f"{_quote(f.name)} {self._pg_type(f.type)}" for f in table.schema)
        self.con.execute(f"CREATE TEMP TABLE {_quote(name)} ({columns})")
        try:
            self.append(name, table)
            yield
        except BaseException:
            # In a failed transaction the drop fails too; the rollback that follows removes the table.
            with contextlib.suppress(*self.errors):
                self.con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
            raise
        self.con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")

    @staticmethod
    def _pg_type(arrow_type: pa.DataType) -> str:
        try:
            return _PG_TYPES[arrow_type]
        except KeyError:
            raise StoreError(f"no PostgreSQL column type for Arrow type {arrow_type}") from None

    def append(self, table_name: str, rows: Rows) -> int:
        batches = batches_of(rows)
        first = next(batches, None)
        if first is None:
            return 0
        columns = ", ".join(_quote(n) for n in first.schema.names)
        loaded = 0
        with (
            self.con.cursor() as cur,
            cur.copy(f"COPY {_quote(table_name)} ({columns}) FROM STDIN (FORMAT csv)") as copy,
        ):
            for batch in itertools.chain([first], batches):
                if batch.num_rows:
                    copy.write(_csv_bytes(batch))
                    loaded += batch.num_rows
        return loaded

    def read_batches(self, table_name: str, chunk_rows: int) -> pa.RecordBatchReader:
        backend = self.ibis_backend()  # Ibis reads through a server-side cursor, chunk by chunk
        return backend.to_pyarrow_batches(backend.table(table_name), chunk_size=chunk_rows)

    def open_stage(self, name: str, schema: pa.Schema) -> Stage:
        return TableStage(self, name, f"CREATE TEMP TABLE {_quote(name)} (LIKE events)")

    def clear_stale_stages(self) -> None:
        """Nothing to clear: stages are TEMP tables, dropped by the server with their session."""

    def stage_loaded(self, name: str) -> None:
        # Temporary tables get no automatic statistics; without them the planner guesses one row.
        self.con.execute(f"ANALYZE {_quote(name)}")

    @contextlib.contextmanager
    def writer_lock(self, *, wait: bool = True) -> Iterator[bool]:
        if wait:
            self.con.execute("SELECT pg_advisory_lock(%s)", [_WRITER_LOCK])
            got = True
        else:
            got = bool(self.con.execute("SELECT pg_try_advisory_lock(%s)", [_WRITER_LOCK]).fetchone()[0])
        try:
            yield got
        finally:
            if got:
                self.con.execute("SELECT pg_advisory_unlock(%s)", [_WRITER_LOCK])

    def migration(self, version: int, script: str) -> str:
        extra = _EXTRA_DDL.get(version)
        return f"{script.rstrip().rstrip(';')};\n{extra}" if extra else script

    def ibis_backend(self) -> Any:
        import ibis

        return ibis.postgres.from_connection(self.con)
