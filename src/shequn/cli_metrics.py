"""``shequn metrics``: the catalog's values for a community, as a table or as JSON.

Wired into the main command by :func:`register`. Errors follow ``shequn.cli``: a
:class:`~shequn.errors.ShequnError` prints as one line on stderr and exits 1.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from shequn.cli_common import community_name, errors, open_log, out, parse_day, parse_overrides
from shequn.metrics import MetricValue, compute, context_for

__all__ = ["format_value", "metrics", "register"]


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
    with errors():
        day = parse_day(as_of)
        overrides = parse_overrides(settings)
        with open_log(db, engine) as log:
            name = community_name(log, community)
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
