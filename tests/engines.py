"""Engines for the cross-engine tests: a PostgreSQL 15 server and a Spark session of their own.

Loaded as a pytest plugin (``pytest_plugins = ["engines"]`` in ``tests/conftest.py``). The
tests start what they need once per session and stop it at the end:

- ``pg_server``: ``initdb`` into a temporary folder and a server listening only on a Unix
  socket in it (as root, PostgreSQL refuses to run, so it runs as the ``postgres`` user);
  ``pg_server.create_database()`` gives each test a database of its own;
- ``spark``: a SparkSession in local mode, from :func:`shequn.engines.spark_session`;
- ``engine``: parametrised over ``duckdb``, ``postgres``, ``spark`` (each with its marker,
  so ``pytest -m postgres`` picks one), used with :func:`load_log`, which copies a small
  DuckDB log to the engine so one hand-built log is checked everywhere;
- ``log_store``: an empty :class:`Store` on DuckDB and on PostgreSQL, for the store's
  guarantees.

A missing component (PostgreSQL binaries, Java, a Python driver) skips with a message that
names it; with ``SHEQUN_REQUIRE_ENGINES=1`` (set in CI) it fails instead, so a broken CI
image cannot pass by skipping.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shequn.export import export_tables
from shequn.store import Store

MARKERS = {
    "duckdb": "runs on the DuckDB engine",
    "postgres": "runs on a PostgreSQL 15 server that the tests start (needs initdb/pg_ctl)",
    "spark": "runs on PySpark in local mode (needs Java 17)",
}
_STARTUP_SECONDS: dict[str, float] = {}


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _STARTUP_SECONDS:
        started = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(_STARTUP_SECONDS.items()))
        terminalreporter.write_line(f"engines started: {started}")


def _unavailable(what: str) -> None:
    """Skip, or fail where CI says every engine must be there."""
    if os.environ.get("SHEQUN_REQUIRE_ENGINES") == "1":
        pytest.fail(f"{what} (SHEQUN_REQUIRE_ENGINES=1)", pytrace=False)
    pytest.skip(what)


# -- PostgreSQL --------------------------------------------------------------------------


def find_pg_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: $PG_BINDIR, pg_config, Debian's path, PATH."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    candidates.append(Path("/usr/lib/postgresql/15/bin"))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server: one data folder, one Unix socket, trust authentication."""

    bindir: Path
    root: Path
    port: int = field(default_factory=_free_port)
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def _as_owner(self) -> list[str]:
        # PostgreSQL will not run as root; the Debian package creates a `postgres` user for it.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_owner, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> None:
        data = self.root / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions")  # fmt: skip
        # The server's own zone is not UTC on purpose: the log must never depend on it.
        options = (
            f"-k {self.root} -p {self.port} -c listen_addresses='' -c timezone=Asia/Shanghai"
            " -c fsync=off -c synchronous_commit=off"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        pg_ctl, data = str(self.bindir / "pg_ctl"), str(self.root / "data")
        try:
            self._run(pg_ctl, "-D", data, "-m", "fast", "-w", "stop")
        except RuntimeError:
            self._run(pg_ctl, "-D", data, "-m", "immediate", "-w", "stop")  # never leave a server behind

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.root}&port={self.port}"

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"t{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session, stopped and removed at its end."""
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("psycopg is not installed: pip install 'shequn[postgres]'")
    bindir = find_pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql-15")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="shequn-pg-"))  # not under pytest's tmp: that is private to root
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            _unavailable("running as root and no 'postgres' user to run PostgreSQL as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bindir, root)
    began = time.perf_counter()
    try:
        server.start()
    except RuntimeError as exc:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"PostgreSQL did not start: {exc}")
    _STARTUP_SECONDS["postgres"] = time.perf_counter() - began
    yield server
    try:
        server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- Spark -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local SparkSession for this test session."""
    from shequn.engines import spark_session
    from shequn.store.spark import find_java

    if importlib.util.find_spec("pyspark") is None:
        _unavailable("PySpark is not installed: pip install 'shequn[spark]'")
    if find_java() is None:
        _unavailable("Java not found (Spark 4 needs Java 17): apt-get install openjdk-17-jre-headless")
    began = time.perf_counter()
    try:
        session = spark_session(master="local[2]", shuffle_partitions=2)
    except Exception as exc:  # a JVM that does not start says why only in its own words
        _unavailable(f"Spark did not start: {exc}")
    _STARTUP_SECONDS["spark"] = time.perf_counter() - began
    yield session
    session.stop()


# -- one log on every engine ---------------------------------------------------------------


@dataclass
class EngineUnderTest:
    """One engine for one test, with what it needs to receive a log."""

    name: str
    tmp: Path
    pg: PostgresServer | None = None
    spark: Any = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self._closers):
            close()


def _engine_param(name: str) -> Any:
    return pytest.param(name, marks=getattr(pytest.mark, name), id=name)


@pytest.fixture(params=[_engine_param(name) for name in MARKERS])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EngineUnderTest]:
    """Each engine in turn; the PostgreSQL server and Spark session start only when asked for."""
    name = request.param
    under_test = EngineUnderTest(name, tmp_path)
    if name == "postgres":
        under_test.pg = request.getfixturevalue("pg_server")
    elif name == "spark":
        under_test.spark = request.getfixturevalue("spark")
    yield under_test
    under_test.close()


def load_log(engine: EngineUnderTest, duckdb_store: Store) -> Any:
    """The log in ``duckdb_store`` on ``engine``, as an Ibis backend.

    PostgreSQL gets a fresh database filled by :func:`shequn.engines.copy_log`; Spark reads
    the Parquet files that ``shequn export --format parquet`` writes, so each path is the one
    users take.
    """
    from shequn.engines import copy_log, open_spark_log

    if engine.name == "duckdb":
        return duckdb_store.ibis
    if engine.name == "postgres":
        assert engine.pg is not None
        target = Store(engine.pg.create_database())
        engine._closers.append(target.close)
        copy_log(duckdb_store, target)
        return target.ibis
    if engine.name == "spark":
        folder = engine.tmp / "parquet"
        export_tables(duckdb_store, folder, "parquet")
        return open_spark_log(folder, session=engine.spark)
    raise ValueError(f"unknown engine {engine.name!r}")


@pytest.fixture(params=[_engine_param("duckdb"), _engine_param("postgres")])
def log_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty writable log on each engine that can hold one."""
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("pg_server")
        store = Store(server.create_database())
    else:
        store = Store(tmp_path / "log.duckdb")
    yield store
    store.close()
