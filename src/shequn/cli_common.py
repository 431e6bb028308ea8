"""What every ``shequn`` sub-command shares: consoles, error handling, opening the log,
choosing the community, and the options spelled the same everywhere.

Each area's commands live in their own module (``cli_metrics``, ``cli_members``…) and take
these pieces from here, so that ``--db``, ``--community`` or ``--as-of`` mean one thing and
an error prints the same one line whichever command raised it.
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

from shequn.errors import ConfigError, ShequnError, StoreError
from shequn.settings import parse_setting
from shequn.store import Community, Store, default_path

__all__ = [
    "ENGINES",
    "AsOfOption",
    "CommunityOption",
    "DbOption",
    "GroupsOption",
    "JsonOption",
    "SettingsOption",
    "choose_community",
    "community_name",
    "err",
    "errors",
    "open_log",
    "open_store",
    "out",
    "parse_day",
    "parse_overrides",
    "print_json",
]

out = Console()
err = Console(stderr=True)

ENGINES = ("duckdb", "postgres", "spark")

DbOption = Annotated[
    str | None, typer.Option("--db", envvar="SHEQUN_DB", help="Log: a DuckDB file or a postgresql:// URL.")
]
CommunityOption = Annotated[
    str | None, typer.Option("--community", "-c", help="Community name (default: the log's only one).")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Day D, YYYY-MM-DD (default: the last day with activity).")
]
GroupsOption = Annotated[
    list[str] | None, typer.Option("--group", "-g", help="Only this group (name or native id); repeatable.")
]
SettingsOption = Annotated[
    list[str] | None, typer.Option("--set", help="Override a setting, NAME=VALUE (e.g. ACTIVE_DAYS=30).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@contextmanager
def errors() -> Iterator[None]:
    """A :class:`ShequnError` inside the block prints as one line on stderr and exits 1."""
    try:
        yield
    except ShequnError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def open_store(db: str | None, *, read_only: bool = False) -> Store:
    """The log named by ``--db`` (or ``SHEQUN_DB``); a missing file is an error, not a new log."""
    path = db or default_path()
    if "://" not in path and path != ":memory:" and not Path(path).exists():
        raise StoreError(f"{path}: no such log; run 'shequn import' or 'shequn demo' first")
    return Store(path, read_only=read_only)


@contextmanager
def open_log(db: str | None, engine: str | None) -> Iterator[Any]:
    """The log to measure: a :class:`Store` (writable, so that stale derived tables are rebuilt
    once and kept), or for Spark an Ibis backend over the Parquet folder ``--db`` names."""
    if engine is not None and engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "spark":
        from shequn.engines import open_log as open_engine_log

        yield open_engine_log(db, engine="spark")
        return
    with open_store(db) as store:
        if engine is not None and store.engine != engine:
            raise ConfigError(f"{store.path} is a {store.engine} log, not {engine}")
        yield store


def choose_community(store: Store, name: str | None) -> Community:
    """The community named, or the log's only one; an error that says what to pass otherwise."""
    if name is not None:
        found = store.community(name)
        if found is None:
            known = ", ".join(c.name for c in store.communities()) or "none yet"
            raise ConfigError(f"no community named {name!r} (communities: {known})")
        return found
    communities = store.communities()
    if len(communities) == 1:
        return communities[0]
    if not communities:
        raise ConfigError("the log holds no community yet; run 'shequn import' first")
    names = ", ".join(c.name for c in communities)
    raise ConfigError(f"the log holds several communities ({names}); choose one with --community")


def community_name(log: Store | Any, name: str | None) -> str:
    """The community's name, from a store or an Ibis backend over the log (Spark)."""
    if isinstance(log, Store):
        return choose_community(log, name).name
    if name is not None:
        return name
    names = sorted(log.to_pyarrow(log.table("communities").select("name")).column("name").to_pylist())
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConfigError("the log holds no community yet; run 'shequn import' first")
    raise ConfigError(f"the log holds several communities ({', '.join(names)}); choose one with --community")


def parse_day(text: str | None, option: str = "--as-of") -> date | None:
    """A day typed as ``YYYY-MM-DD``, or None."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a day (use YYYY-MM-DD)") from None


def parse_overrides(pairs: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` pairs as typed settings."""
    overrides: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, raw = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set {pair!r}: use NAME=VALUE, e.g. ACTIVE_DAYS=30")
        key, parsed = parse_setting(name, raw)
        overrides[key] = parsed
    return overrides


def print_json(payload: Any) -> None:
    """Indented JSON on stdout, written as is (a listing of thousands of rows is too long for
    Rich's highlighter); dates and non-string keys are allowed."""
    typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode())
