"""Write the log's tables as Parquet, CSV or JSON lines for people's own notebooks.

DuckDB's ``COPY`` streams each table to the file, so an export never loads the log into
Python memory. Events carry their provenance (source file, position, importer, import id)
and their reply target; list and JSON columns are written as JSON text in CSV.
"""

from __future__ import annotations

from pathlib import Path

from shequn.errors import ConfigError
from shequn.store import Store

__all__ = ["DERIVED", "FORMATS", "TABLES", "export_tables"]

TABLES = ("communities", "groups", "identities", "identity_member", "events", "imports")
#: Derived tables worth having in a notebook, exported when they have been built: reply links
#: (explicit and inferred, with rule and confidence), detected questions, and ad scores.
DERIVED = ("reply_links", "questions", "ad_scores")
FORMATS = {"parquet": "parquet", "csv": "csv", "jsonl": "json"}


def _select(store: Store, table: str, fmt: str) -> str:
    if table == "events" and fmt == "csv":
        cols = [r[0] for r in store.con.execute("DESCRIBE events").fetchall()]
        parts = ["to_json(mentions) AS mentions" if c == "mentions" else c for c in cols]
        return f"SELECT {', '.join(parts)} FROM events ORDER BY ts, group_id, seq"
    if table == "events":
        return "SELECT * FROM events ORDER BY ts, group_id, seq"
    return f"SELECT * FROM {table}"


def export_tables(store: Store, out_dir: Path, fmt: str, tables: list[str] | None = None) -> list[Path]:
    """Write each table to ``out_dir/<table>.<ext>``; returns the files written."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    exists = "SELECT 1 FROM information_schema.tables WHERE table_name = ?"
    built = {name for name in DERIVED if store.query(exists, [name])}
    chosen = tables or [*TABLES, *(name for name in DERIVED if name in built)]
    for table in chosen:
        if table in DERIVED and table not in built:
            raise ConfigError(f"table {table!r} is not built yet (shequn classify replies, qa or moderate scan)")
        if table not in TABLES and table not in DERIVED:
            raise ConfigError(f"unknown table {table!r}; tables: {', '.join((*TABLES, *DERIVED))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in chosen:
        target = out_dir / f"{table}.{fmt}"
        options = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER", "jsonl": "FORMAT json"}[fmt]
        escaped = str(target).replace("'", "''")
        store.con.execute(f"COPY ({_select(store, table, fmt)}) TO '{escaped}' ({options})")
        written.append(target)
    return written
