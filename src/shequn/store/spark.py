"""The log on Spark: the Parquet files of ``shequn export`` read by PySpark in local mode.

For logs too large for one DuckDB process, the same Ibis metric expressions run on Spark
over the exported tables. Times in the log are UTC without zone; Spark would read them in
the JVM's zone unless told otherwise, so the session pins every zone it knows to UTC and
reads Parquet timestamps without zone as ``TIMESTAMP_NTZ``. A day bucket is then the same
UTC day on every engine.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from shequn.errors import StoreError
from shequn.store.schema import LOG_TABLES, MIGRATIONS

__all__ = ["find_java", "open_spark_log", "spark_session"]

_UTC_JVM = "-Duser.timezone=UTC"


def find_java() -> str | None:
    """The ``java`` that PySpark will start: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def spark_session(*, master: str = "local[2]", shuffle_partitions: int = 4, conf: dict[str, str] | None = None) -> Any:
    """A local SparkSession set up for the log: UTC everywhere, few partitions, quiet logs.

    ``shuffle_partitions`` stays small because a local session has a core or two; Spark's
    default of 200 makes every group-by 200 tiny tasks. ``conf`` adds or overrides settings
    (``spark.driver.memory`` for a large log).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise StoreError("the Spark engine needs PySpark: pip install 'shequn[spark]'") from exc
    if find_java() is None:
        raise StoreError("the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)")
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": _UTC_JVM,
        "spark.executor.extraJavaOptions": _UTC_JVM,
        "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(shuffle_partitions),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.catalogImplementation": "in-memory",
        # Derived tables live for one session: a warehouse per process, so a second run
        # never finds the first run's table folders.
        "spark.sql.warehouse.dir": tempfile.mkdtemp(prefix="shequn-spark-warehouse-"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName("shequn")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _view_definitions() -> dict[str, str]:
    """The log's views (``identity_names``…) as Spark SQL, translated from the migrations."""
    import sqlglot
    from sqlglot import exp

    views: dict[str, str] = {}
    for script in MIGRATIONS:
        for statement in sqlglot.parse(script, read="duckdb"):
            if isinstance(statement, exp.Create) and statement.kind == "VIEW":
                name = statement.this.name
                views[name] = f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {statement.expression.sql(dialect='spark')}"
            elif isinstance(statement, exp.Drop) and statement.kind == "VIEW":
                views.pop(statement.this.name, None)
    return views


def open_spark_log(parquet_dir: str | Path, *, session: Any = None) -> Any:
    """An Ibis PySpark backend over the log's tables exported to ``parquet_dir``.

    Each ``<table>.parquet`` that ``shequn export --format parquet`` wrote becomes a
    temporary view named after its table, and the log's views are defined over them. Views
    belong to the session: opening a second log on the same session replaces the first.
    """
    import ibis

    folder = Path(parquet_dir)
    found = {name: folder / f"{name}.parquet" for name in LOG_TABLES if (folder / f"{name}.parquet").exists()}
    if "events" not in found:
        raise StoreError(
            f"{folder}: no events.parquet; write the log there first with "
            f"'shequn export --format parquet --out {folder}'"
        )
    backend = ibis.pyspark.connect(session if session is not None else spark_session())
    for name, path in found.items():
        backend.read_parquet(path, table_name=name)
    for ddl in _view_definitions().values():
        backend.raw_sql(ddl)
    return backend
