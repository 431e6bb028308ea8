"""``shequn metrics``: the catalog's values for a community, as a table or as JSON.

Wired into the main command by :func:`register`. Errors follow ``shequn.cli``: a
:class:`~shequn.errors.ShequnError` prints as one line on stderr and exits 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from shequn.errors import ConfigError, ShequnError, StoreError
from shequn.metrics import MetricValue, compute, context_for
from shequn.settings import parse_setting
from shequn.store import Store, default_path

__all__ = ["format_value", "metrics", "register"]

out = Console()
err = Console(stderr=True)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ShequnError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


ENGINES = ("duckdb", "postgres", "spark")


@contextmanager
def _log(db: str | None, engine: str | None) -> Iterator[Any]:
    """The log to measure: a :class:`Store` (writable, so that stale derived tables are rebuilt
    once and kept), or for Spark an Ibis backend over the Parquet folder ``--db`` names."""
    if engine is not None and engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "spark":
        from shequn.engines import open_log

        yield open_log(db, engine="spark")
        return
    path = db or default_path()
    if "://" not in path and path != ":memory:" and not Path(path).exists():
        raise StoreError(f"{path}: no such log; run 'shequn import' or 'shequn demo' first")
    with Store(path) as store:
        if engine is not None and store.engine != engine:
            raise ConfigError(f"{store.path} is a {store.engine} log, not {engine}")
        yield store


def _community(log: Store | Any, name: str | None) -> str:
    if name is not None:
        return name
    backend = log.ibis if isinstance(log, Store) else log
    names = sorted(backend.to_pyarrow(backend.table("communities").select("name")).column("name").to_pylist())
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConfigError("the log holds no community yet; run 'shequn import' first")
    raise ConfigError(f"the log holds several communities ({', '.join(names)}); choose one with --community")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of {text!r} is not a day (use YYYY-MM-DD)") from None


def _overrides(pairs: list[str] | None) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, raw = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set {pair!r}: use NAME=VALUE, e.g. ACTIVE_DAYS=30")
        key, parsed = parse_setting(name, raw)
        overrides[key] = parsed
    return overrides


def format_value(value: Any, unit: str) -> str:
    """A value as the table shows it: counts with separators, shares as percentages…"""
    if value is None:
        return "-"
    if unit == "count":
        return f"{value:,}"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "per_day":
        return f"{value:,.2f}"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "money":
        return "; ".join(f"{currency} {amount:,.2f}" for currency, amount in value.items()) or "-"
    return f"{len(value)} rows (see --json)"


def print_values(title: str, values: dict[str, MetricValue]) -> None:
    """Metric values as one Rich table: name, value, unit, as_of."""
    table = Table(title=title)
    table.add_column("name")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("as_of")
    for item in values.values():
        table.add_row(item.name, format_value(item.value, item.unit), item.unit, item.as_of.isoformat())
    out.print(table)


def metrics(
    names: Annotated[
        list[str] | None, typer.Argument(help="Metric names, e.g. members_now retention_80 (default: front page).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day D, YYYY-MM-DD (default: the last day with activity).")
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="Only this group (name or native id); repeatable.")
    ] = None,
    community: Annotated[
        str | None, typer.Option("--community", "-c", help="Community name (default: the log's only one).")
    ] = None,
    settings: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting, NAME=VALUE (e.g. ACTIVE_DAYS=30).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object keyed by metric name.")] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="SHEQUN_DB", help="Log: a DuckDB file, a postgresql:// URL, a Parquet folder."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="duckdb, postgres or spark (default: what --db names).")
    ] = None,
) -> None:
    """Community health metrics as of a day (definitions: docs/metrics.md)."""
    with _errors():
        day = _day(as_of)
        overrides = _overrides(settings)
        with _log(db, engine) as log:
            name = _community(log, community)
            ctx = context_for(log, name, as_of=day, groups=group, overrides=overrides or None)
            values = compute(ctx, names or None)
            shown_day = ctx.day
    if as_json:
        payload = {
            key: {"value": item.value, "unit": item.unit, "as_of": item.as_of, "link": item.link}
            for key, item in values.items()
        }
        out.print_json(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode())
        return
    where = f" ({', '.join(group)})" if group else ""
    print_values(f"{name}{where} as of {shown_day.isoformat()}", values)


def register(app: typer.Typer) -> None:
    """Add ``metrics`` to the ``shequn`` command."""
    app.command("metrics")(metrics)
