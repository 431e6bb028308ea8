"""``shequn members``, ``shequn member`` and ``shequn prune``: the Members and Ties metrics per person.

Wired into the main command by :func:`register`. Options mean what they mean for ``shequn
metrics``, and errors follow ``shequn.cli``: a :class:`~shequn.errors.ShequnError` prints as one
line on stderr and exits 1.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from shequn.cli_common import (
    AsOfOption,
    CommunityOption,
    DbOption,
    GroupsOption,
    JsonOption,
    SettingsOption,
    community_name,
    errors,
    open_store,
    out,
    parse_day,
    parse_overrides,
    print_json,
)
from shequn.errors import ConfigError
from shequn.metrics import MetricContext, context_for
from shequn.metrics._profile import member_profile
from shequn.metrics._who import member_names, resolve_member
from shequn.metrics.levels import LEVELS, level_facts
from shequn.metrics.members import member_list, score_weights
from shequn.metrics.prune import (
    KEPT_REASONS,
    apply_prune,
    plan_prune,
    prune_review,
    prune_rows,
    removal_time,
    undo_prune,
)

__all__ = ["member", "members", "prune", "register"]

SORTS = ("score", "last_active", "name")


def _facts_text(facts: dict[str, Any]) -> str:
    return " ".join(f"{key}={'-' if value is None else value}" for key, value in facts.items())


def _weights_text(ctx: MetricContext) -> str:
    weights = ", ".join(f"{kind} {weight:g}" for kind, weight in score_weights(ctx).items())
    return f"score weights: {weights}; half-life {ctx.param('HALF_LIFE')} days"


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "score":
        return sorted(rows, key=lambda r: (-r["score"], r["name"], r["member_id"]))
    if sort == "last_active":
        return sorted(
            rows, key=lambda r: (r["last_active"] is None, -(r["last_active"] or date.min).toordinal(), r["name"])
        )
    return sorted(rows, key=lambda r: (r["name"].casefold(), r["member_id"]))


def _member_rows(ctx: MetricContext, level: str | None, sort: str, limit: int | None) -> list[dict[str, Any]]:
    listing = member_list(ctx)
    if level is not None:
        listing = listing.filter(listing.level == level)
    rows = _sorted(ctx.backend.to_pyarrow(listing).to_pylist(), sort)
    columns = ("member_id", "name", "level", "score", "last_active", "active_days_30", "strong_ties", "first_day")
    shown = [{**{c: row[c] for c in columns}, "facts": level_facts(row)} for row in rows]
    return shown[:limit] if limit is not None else shown


def _print_csv(rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    columns = ("member_id", "name", "level", "score", "last_active", "active_days_30", "strong_ties", "first_day")
    writer.writerow([*columns, "facts"])
    for row in rows:
        values = ["" if row[c] is None else row[c] for c in columns]
        writer.writerow([*values, orjson.dumps(row["facts"]).decode()])


def members(
    cli: typer.Context,
    level: Annotated[str | None, typer.Option("--level", help=f"Only this level: {', '.join(LEVELS)}.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="score, last_active or name.")] = "score",
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N members.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (facts as JSON).")] = False,
    as_of: AsOfOption = None,
    group: GroupsOption = None,
    community: CommunityOption = None,
    settings: SettingsOption = None,
    db: DbOption = None,
) -> None:
    """Members in the community as of a day: level and why, activity score, last activity."""
    if cli.invoked_subcommand is not None:
        return  # `shequn members flag …`: the sub-command does the work
    with errors():
        if level is not None and level not in LEVELS:
            raise ConfigError(f"--level {level!r}: use one of {', '.join(LEVELS)}")
        if sort not in SORTS:
            raise ConfigError(f"--sort {sort!r}: use one of {', '.join(SORTS)}")
        if as_json and as_csv:
            raise ConfigError("choose one of --json and --csv")
        day, overrides = parse_day(as_of), parse_overrides(settings)
        with open_store(db) as store:
            name = community_name(store, community)
            ctx = context_for(store, name, as_of=day, groups=group, overrides=overrides or None)
            rows = _member_rows(ctx, level, sort, limit)
            shown_day, weights, caption = ctx.day, score_weights(ctx), _weights_text(ctx)
            half_life = ctx.param("HALF_LIFE")
    if as_csv:
        _print_csv(rows)
        return
    if as_json:
        print_json(
            {
                "community": name,
                "as_of": shown_day,
                "weights": weights,
                "half_life_days": half_life,
                "members": rows,
            }
        )
        return
    table = Table(title=f"{name} members as of {shown_day.isoformat()}", caption=caption)
    table.add_column("member", no_wrap=True)  # the id `shequn member` takes: never cut
    for column in ("name", "level", "score", "last active", "why"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for row in rows:
        last = row["last_active"].isoformat() if row["last_active"] else "never"
        table.add_row(
            str(row["member_id"]), row["name"], row["level"], f"{row['score']:.2f}", last, _facts_text(row["facts"])
        )
    out.print(table)


def _print_profile(profile: dict[str, Any]) -> None:
    out.print(f"[bold]{profile['name']}[/bold] (member {profile['member_id']}) as of {profile['as_of'].isoformat()}")
    flags = [name for name, on in profile["flags"].items() if on]
    if flags:
        out.print(f"flags: {', '.join(flags)}")
    for identity in profile["identities"]:
        account = identity["native_id"] or f"name {identity['name_key']!r}"
        seen = f" seen as {', '.join(identity['names'])}" if identity["names"] else ""
        out.print(f"identity {identity['identity_id']}: {identity['carrier']} {account}{seen}")
    level = profile["level"]
    if level is None:
        out.print("level: none (not in the community at the end of D, or flagged bot or staff)")
    else:
        out.print(f"level: [bold]{level['level']}[/bold] ({_facts_text(level['facts'])})")
    score = profile["score"]
    parts = ", ".join(f"{score['counts'][k]} {k} × {w:g}" for k, w in score["weights"].items())
    out.print(f"score: {score['score']:.2f} ({parts}; half-life {score['half_life_days']} days)")
    spans = Table(title="membership spans", show_edge=False)
    for column in ("group", "opened", "how", "closed", "reason"):
        spans.add_column(column)
    for span in profile["spans"]:
        how = "inferred" if span["join_inferred"] else (span["join_kind"] or "join")
        closed = span["closed_day"].isoformat() if span["closed_day"] else "open"
        spans.add_row(span["group"], span["opened_day"].isoformat(), how, closed, span["close_reason"] or "")
    out.print(spans)
    ties = Table(title="top ties (90 days)", show_edge=False)
    for column in ("with", "weight", "tie", "days out", "days in", "last"):
        ties.add_column(column)
    for tie in profile["ties"]:
        ties.add_row(
            tie["other_name"] or str(tie["other"]),
            f"{tie['weight']:.2f}",
            "strong" if tie["strong"] else "weak",
            str(tie["days_out"]),
            str(tie["days_in"]),
            tie["last_day"].isoformat(),
        )
    out.print(ties)
    recent = Table(title="recent activity", show_edge=False)
    for column in ("when (UTC)", "group", "kind", "text"):
        recent.add_column(column)
    for event in profile["recent"]:
        recent.add_row(event["ts"].strftime("%Y-%m-%d %H:%M"), event["group"], event["kind"], event["text"] or "")
    out.print(recent)


def member(
    reference: Annotated[
        str, typer.Argument(metavar="ID", help="Member id, identity id, carrier:native_id, or a name seen in the log.")
    ],
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
    group: GroupsOption = None,
    community: CommunityOption = None,
    settings: SettingsOption = None,
    db: DbOption = None,
) -> None:
    """One member: identities, spans, score with weights, level with reasons, top ties, recent activity."""
    with errors():
        day, overrides = parse_day(as_of), parse_overrides(settings)
        with open_store(db) as store:
            name = community_name(store, community)
            ctx = context_for(store, name, as_of=day, groups=group, overrides=overrides or None)
            profile = member_profile(ctx, resolve_member(ctx.backend, reference))
    if as_json:
        print_json(profile)
    else:
        _print_profile(profile)


def _kept_text(review: list[dict[str, Any]]) -> str:
    """``protected 2, paid_order 1``: how many dormant members each protection keeps."""
    kept = [row["kept_because"] for row in review]
    return ", ".join(f"{reason} {kept.count(reason)}" for reason in KEPT_REASONS if reason in kept)


def _dry_run(ctx: MetricContext, community: str, as_json: bool) -> None:
    review = prune_review(ctx)
    review = review.left_join(member_names(ctx.backend), "member_id").select(*review.columns, "name")
    reviewed = ctx.backend.to_pyarrow(review).to_pylist()
    candidates = prune_rows([r for r in reviewed if r["kept_because"] is None])
    removals = plan_prune(ctx, removal_time(ctx))
    kept = [
        {"member_id": r["member_id"], "name": r["name"], "kept_because": r["kept_because"]}
        for r in reviewed
        if r["kept_because"] is not None
    ]
    if as_json:
        payload = {"community": community, "as_of": ctx.day, "candidates": candidates, "kept": kept}
        print_json({**payload, "removals": len(removals)})
        return
    table = Table(title=f"{community}: prune candidates as of {ctx.day.isoformat()} (dry run)")
    table.add_column("member", no_wrap=True)
    for column in ("name", "first day", "last active", "reason"):
        table.add_column(column)
    for row in candidates:
        last = row["last_active"].isoformat() if row["last_active"] else "never"
        table.add_row(
            str(row["member_id"]),
            row["name"] or "",
            row["first_day"].isoformat(),
            last,
            row["reason"],
        )
    out.print(table)
    if kept:
        out.print(f"dormant but kept: {_kept_text(reviewed)}")
    members_hit = len({r.member_id for r in removals})
    out.print(f"--apply would record {len(removals)} removals of {members_hit} members (nothing is deleted)")


def prune(
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--apply", help="List the candidates (default), or record their removal.")
    ] = True,
    undo: Annotated[
        str | None, typer.Option("--undo", metavar="BATCH", help="Reopen the spans a pruning batch closed.")
    ] = None,
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
    group: GroupsOption = None,
    community: CommunityOption = None,
    settings: SettingsOption = None,
    db: DbOption = None,
) -> None:
    """Dormant members that nothing protects: list them, record their removal, or undo a removal."""
    with errors():
        if undo is not None and not dry_run:
            raise ConfigError("--undo and --apply do not go together: --undo BATCH records the joins itself")
        day, overrides = parse_day(as_of), parse_overrides(settings)
        with open_store(db) as store:
            name = community_name(store, community)
            if undo is not None:
                found = store.community(name)
                assert found is not None
                run = undo_prune(store, found, undo)
                result = {"batch": run.batch, "members": run.members, "joins": run.added}
                message = f"undid {undo}: {run.added} spans of {run.members} members reopened"
            else:
                ctx = context_for(store, name, as_of=day, groups=group, overrides=overrides or None)
                if dry_run:
                    _dry_run(ctx, name, as_json)
                    return
                last_active = context_for(store, name).day
                if day is not None and day < last_active:
                    raise ConfigError(
                        f"--apply as of {day.isoformat()} would remove members who were active after it "
                        f"(last activity {last_active.isoformat()}); drop --as-of"
                    )
                run = apply_prune(store, ctx)
                result = {"batch": run.batch, "members": run.members, "removals": run.added}
                message = (
                    f"pruned {run.members} members: {run.added} removal events in batch {run.batch}; "
                    f"undo with: shequn prune --undo {run.batch}"
                )
    if as_json:
        print_json(result)
    else:
        out.print(message)


def register(app: typer.Typer) -> None:
    """Add ``members``, ``member`` and ``prune`` to the ``shequn`` command.

    ``members`` is a group that lists members when called alone, so that other modules can
    add sub-commands to it (``members flag``).
    """
    members_app = typer.Typer(help="Members of a community: listed when called alone.")
    members_app.callback(invoke_without_command=True)(members)
    app.add_typer(members_app, name="members")
    app.command("member")(member)
    app.command("prune")(prune)
