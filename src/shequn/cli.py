"""The ``shequn`` command: a thin layer over the Python API.

Every command opens the log named by ``--db`` / ``SHEQUN_DB`` (default ``shequn.duckdb``).
A :class:`~shequn.errors.ShequnError` prints as one line on stderr and exits 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shequn import sources
from shequn.cli_common import DbOption, err, errors, out
from shequn.errors import ShequnError
from shequn.export import DERIVED, FORMATS, TABLES, export_tables
from shequn.importer import import_paths
from shequn.info import log_info
from shequn.settings import SETTINGS, parse_setting
from shequn.store import ImportSummary, Store, default_path

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Measure and run online communities.")
community_app = typer.Typer(no_args_is_help=True, help="A community's settings.")
group_app = typer.Typer(no_args_is_help=True, help="What the operator says about a group.")
app.add_typer(community_app, name="community")
app.add_typer(group_app, name="group")

CommunityOption = Annotated[str, typer.Option("--community", "-c", help="Community name.")]


def _open(db: str | None, *, read_only: bool = False) -> Store:
    return Store(db or default_path(), read_only=read_only)


def _progress_factory(progress: Progress) -> Callable[[Path, int], Callable[[int], None]]:
    def make(path: Path, size: int) -> Callable[[int], None]:
        task = progress.add_task(path.name, total=size)
        return lambda done: progress.update(task, completed=done)

    return make


def _print_summary(summaries: list[ImportSummary]) -> None:
    """One row per file; skips are summed by reason below the table (80 columns wide)."""
    table = Table(title="Import", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("format")
    for col in ("added", "dupes", "members"):
        table.add_column(col, justify="right")
    table.add_column("from")
    table.add_column("to")
    for s in summaries:
        table.add_row(
            Path(s.path).name,
            s.importer,
            f"{s.events_added:,}",
            f"{s.duplicates:,}",
            f"{s.members_seen:,}",
            f"{s.first_ts:%Y-%m-%d}" if s.first_ts else "-",
            f"{s.last_ts:%Y-%m-%d}" if s.last_ts else "-",
        )
    out.print(table)
    skipped: dict[str, int] = {}
    for s in summaries:
        for reason, n in s.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    if skipped:
        out.print("skipped: " + ", ".join(f"{reason} {n}" for reason, n in sorted(skipped.items())))


def _refresh_derived(store: Store, community: str) -> None:
    """Rebuild the metrics' derived tables once after a command's imports, not per file."""
    from shequn.metrics.derived import refresh_derived

    com = store.community(community)
    if com is not None:
        settings = store.settings(com)
        refresh_derived(store.ibis, com.community_id, com.timezone, count_reactions=bool(settings["COUNT_REACTIONS"]))


def _print_front_page(store: Store, community: str) -> None:
    from shequn.cli_metrics import print_values
    from shequn.metrics import context_for
    from shequn.metrics.values import front_page

    ctx = context_for(store, community)
    print_values(f"{community} as of {ctx.day.isoformat()}", front_page(ctx))


@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Export files, zips or folders of them.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto, or one of the importers.")] = "auto",
    community: CommunityOption = "default",
    group: Annotated[str | None, typer.Option(help="Name of the chat, where the file does not say.")] = None,
    tz: Annotated[str | None, typer.Option(help="Zone of times without offset (default: community's).")] = None,
    day: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date of a log whose lines carry times only (IRC).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on anything the importer would skip.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Import chat exports into the log (each file all or nothing; re-imports add nothing twice)."""
    with errors():
        if fmt != "auto" and fmt not in sources.names():
            raise ShequnError(f"unknown format {fmt!r}; use auto or one of {', '.join(sources.names())}")
        with _open(db) as store:
            kwargs: dict[str, Any] = {
                "community": community,
                "fmt": fmt,
                "tz": tz,
                "group": group,
                "day": day.date() if day else None,
                "strict": strict,
            }
            if sys.stderr.isatty() and not as_json:
                columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
                with Progress(*columns, console=err, transient=True) as progress:
                    summaries = import_paths(store, paths, progress=_progress_factory(progress), **kwargs)
            else:
                summaries = import_paths(store, paths, **kwargs)
            _refresh_derived(store, community)
        if as_json:
            out.print_json(json.dumps([s.as_dict() for s in summaries]))
        else:
            _print_summary(summaries)


@app.command()
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """What the log holds: per community and group, members, messages, joins, leaves, time span."""
    with errors(), _open(db, read_only=True) as store:
        data = log_info(store)
    if as_json:
        out.print_json(json.dumps(data))
        return
    out.print(f"{data['path']}: {data['imports_done']} files imported")
    for com in data["communities"]:
        out.print(
            f"\n[bold]{com['community']}[/bold] ({com['timezone']}): {com['members']:,} members, "
            f"{com['messages']:,} messages, {com['joins']:,} joins, {com['leaves']:,} leaves, "
            f"{com['removals']:,} removals, {(com['first_message'] or '-')[:10]} → {(com['last_message'] or '-')[:10]}"
        )
        table = Table(show_edge=False)
        for col in ("group", "carrier", "purpose", "members", "messages", "joins", "leaves", "removals", "span"):
            table.add_column(
                col, justify="right" if col in {"members", "messages", "joins", "leaves", "removals"} else "left"
            )
        for g in com["group_list"]:
            table.add_row(
                g["group_name"] or g["native_id"],
                g["carrier"],
                g["purpose"] or "",
                f"{g['members']:,}",
                f"{g['messages']:,}",
                f"{g['joins']:,}",
                f"{g['leaves']:,}",
                f"{g['removals']:,}",
                f"{(g['first_message'] or '-')[:10]} → {(g['last_message'] or '-')[:10]}",
            )
        out.print(table)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "parquet",
    table: Annotated[
        list[str] | None, typer.Option("--table", "-t", help=f"Tables ({', '.join((*TABLES, *DERIVED))}).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("export"),
    db: DbOption = None,
) -> None:
    """Write the log's tables as Parquet, CSV or JSON lines."""
    with errors(), _open(db, read_only=True) as store:
        written = export_tables(store, out_dir, fmt, table)
    for path in written:
        out.print(str(path))


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where the demo's export files go.")] = Path(
        "demo-exports"
    ),
    scale: Annotated[float, typer.Option(help="Size multiplier (1 = about 6 months of a small community).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes the same files.")] = 7,
    community: CommunityOption = "demo",
    no_import: Annotated[bool, typer.Option("--no-import", help="Only write the export files.")] = False,
    db: DbOption = None,
) -> None:
    """Write the demo community's exports (Telegram JSON, WhatsApp .txt) and import them."""
    from shequn.demo import write_demo

    with errors():
        files = write_demo(out_dir, scale=scale, seed=seed)
        for f in files:
            out.print(f"wrote {f.path} ({f.fmt}, {f.group})")
        if no_import:
            return
        with _open(db) as store:
            summaries = [
                s
                for f in files
                for s in import_paths(store, [f.path], community=community, fmt=f.fmt, tz=f.tz, group=f.group)
            ]
            for f in files:
                if f.purpose:
                    store.set_group_purpose(f.group, f.purpose)
            _refresh_derived(store, community)
            _print_summary(summaries)
            data = log_info(store)
            _print_front_page(store, community)
    info_table = [c for c in data["communities"] if c["community"] == community]
    for com in info_table:
        out.print(
            f"[bold]{com['community']}[/bold]: {com['groups']} groups, {com['members']:,} members, "
            f"{com['messages']:,} messages, {com['joins']:,} joins, {com['leaves']:,} leaves, "
            f"{com['removals']:,} removals, {(com['first_message'] or '-')[:10]} → {(com['last_message'] or '-')[:10]}"
        )


@community_app.command("show")
def community_show(community: CommunityOption = "default", db: DbOption = None) -> None:
    """Every setting of a community, with its value and what it means."""
    with errors(), _open(db, read_only=True) as store:
        com = store.community(community)
        if com is None:
            raise ShequnError(f"no community named {community!r}")
        values = store.settings(com)
    table = Table(title=f"{community}")
    for col in ("setting", "value", "default", "meaning"):
        table.add_column(col)
    for name, setting in SETTINGS.items():
        table.add_row(name, str(values[name]), str(setting.default), setting.help)
    out.print(table)


@community_app.command("set")
def community_set(
    name: Annotated[str, typer.Argument(help="Setting name, e.g. TIMEZONE or RETENTION_DAYS.")],
    value: Annotated[str, typer.Argument(help="New value.")],
    community: CommunityOption = "default",
    db: DbOption = None,
) -> None:
    """Change one setting of a community (creating the community if new)."""
    with errors(), _open(db) as store:
        key, parsed = parse_setting(name, value)
        if key == "TIMEZONE":
            from shequn.sources._base import zone

            zone(parsed)
        com = store.ensure_community(community)
        store.set_setting(com, key, parsed)
    out.print(f"{community}: {key} = {parsed}")


@group_app.command("purpose")
def group_purpose(
    group: Annotated[str, typer.Argument(help="Group name or native id.")],
    purpose: Annotated[str, typer.Argument(help="topic, reading, recruitment, announcements, …")],
    db: DbOption = None,
) -> None:
    """Say what a group is for; reports compare groups of the same purpose."""
    with errors(), _open(db) as store:
        store.set_group_purpose(group, purpose)
    out.print(f"{group}: purpose = {purpose}")


def _register_commands() -> None:
    """Commands that live in their own modules, one per area (metrics, members, identities)."""
    from shequn import cli_classify, cli_identities, cli_members, cli_metrics, cli_moderate, cli_qa, cli_report

    cli_metrics.register(app)
    cli_members.register(app)  # before identities: it owns `members`, identities adds `members flag`
    cli_identities.register(app)
    cli_moderate.register(app)
    cli_classify.register(app)
    cli_qa.register(app)
    cli_report.register(app)
    cli_moderate.register_classify(cli_classify.classify_app)


_register_commands()
