"""The engines that hold or read the log, named in one place for the CLI and the tests.

- ``duckdb``: the default; the log is one embedded file.
- ``postgres``: a team's server, ``--db postgresql://user@host/db``; the same :class:`Store`
  with the same guarantees, the SQL differences kept in :mod:`shequn.store.postgres`.
- ``spark``: PySpark in local mode over the log exported to Parquet
  (``shequn export --format parquet``); read-only, for logs too large for one process.

Metrics are Ibis expressions, so whichever engine :func:`open_log` returns, they run unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from shequn.errors import ConfigError, StoreError
from shequn.store import Store, default_path
from shequn.store.postgres import is_postgres_url
from shequn.store.schema import LOG_TABLES
from shequn.store.spark import open_spark_log, spark_session

__all__ = ["ENGINES", "copy_log", "engine_of", "open_log", "open_spark_log", "open_store", "spark_session"]

ENGINES: Final = ("duckdb", "postgres", "spark")


def engine_of(db: str | Path) -> str:
    """The engine that ``--db`` names when ``--engine`` is not given: a URL is PostgreSQL."""
    return "postgres" if is_postgres_url(str(db)) else "duckdb"


def open_store(db: str | Path | None = None, *, read_only: bool = False) -> Store:
    """The log in a DuckDB file or at a ``postgresql://`` URL (default ``$SHEQUN_DB``)."""
    return Store(db or default_path(), read_only=read_only)


def open_log(db: str | Path | None = None, *, engine: str | None = None) -> Any:
    """An Ibis backend reading the log, for metrics.

    With ``engine="spark"``, ``db`` is the folder that ``shequn export --format parquet``
    wrote; otherwise it is the log itself, opened read-only.
    """
    chosen = engine or engine_of(db or default_path())
    if chosen not in ENGINES:
        raise ConfigError(f"unknown engine {chosen!r}; use one of {', '.join(ENGINES)}")
    if chosen == "spark":
        if db is None:
            raise ConfigError("--engine spark reads a folder of Parquet files: give it with --db")
        return open_spark_log(db)
    store = open_store(db, read_only=True)
    if store.engine != chosen:
        raise ConfigError(f"{store.path} is a {store.engine} log, not {chosen}")
    return store.ibis


def copy_log(
    source: Store, target: Store, *, tables: tuple[str, ...] = LOG_TABLES, chunk_rows: int = 100_000
) -> dict[str, int]:
    """Copy a whole log into an empty one on any engine (a DuckDB file to the team's server).

    Rows stream through Arrow batches of ``chunk_rows``, so memory does not grow with the
    log; the target takes them in one transaction, so a failed copy leaves it empty.
    Returns the rows copied per table.
    """
    for name in tables:
        if target.query(f"SELECT count(*) FROM {name}")[0][0]:
            raise StoreError(f"{target.path}: table {name} is not empty; copy a log only into a new one")
    copied: dict[str, int] = {}
    with target.dialect.writer_lock(), target.dialect.transaction():
        for name in tables:
            copied[name] = target.dialect.append(name, source.dialect.read_batches(name, chunk_rows))
    return copied
