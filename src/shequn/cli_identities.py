"""``shequn identities …`` and ``shequn members flag``: who is whom, and which members are bots, staff, protected.

Wired into the main command by :func:`register`. Every change is written as actions in
the log (``merge``, ``unmerge``, ``flag``) with a batch that ``identities undo`` takes
back. Errors follow ``shequn.cli``: a :class:`~shequn.errors.ShequnError` prints as one
line on stderr and exits 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shequn.cli_common import (
    CommunityOption,
    DbOption,
    JsonOption,
    choose_community,
    errors,
    open_store,
    out,
    print_json,
)
from shequn.errors import ConfigError
from shequn.identities import (
    FLAGS,
    MergePlan,
    Outcome,
    apply_suggestions,
    batches,
    flag_member,
    import_mapping,
    list_members,
    member_view,
    merge_pairs,
    resolve_identity,
    resolve_member,
    suggest,
    undo_batch,
    unmerge_pair,
)
from shequn.store import Community, Store

__all__ = ["identities_app", "register"]

identities_app = typer.Typer(no_args_is_help=True, help="One person, one member: merge identities across carriers.")


def _report(outcome: Outcome, what: str, as_json: bool) -> None:
    if as_json:
        print_json({"batch": outcome.batch, "written": outcome.written, "notes": outcome.notes})
        return
    if outcome.written:
        out.print(f"{what}: {outcome.written} written, batch [bold]{outcome.batch}[/bold]", highlight=False)
        out.print(f"  undo with: shequn identities undo {outcome.batch}", highlight=False)
    else:
        out.print(f"{what}: nothing to write, the log already says so", highlight=False)
    for note in outcome.notes:
        out.print(f"  note: {note}", highlight=False)


@identities_app.command("import")
def import_cmd(
    mapping: Annotated[Path, typer.Argument(help="CSV with person, carrier, native_id or group + name.")],
    community: CommunityOption = None,
    skip_missing: Annotated[
        bool, typer.Option("--skip-missing", help="Skip rows naming identities the log lacks (listed).")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Merge the identities of each person in a mapping file (one batch; see docs/identities.md)."""
    with errors():
        if not mapping.is_file():
            raise ConfigError(f"{mapping}: no such file")
        with open_store(db) as store:
            com = choose_community(store, community)
            outcome, resolved = import_mapping(store, mapping, com, skip_missing=skip_missing)
        outcome.notes.extend(f"line {line} skipped: {problem}" for line, problem in resolved.missing)
        _report(outcome, f"{mapping.name}: {len(resolved.persons)} persons", as_json)


@identities_app.command("suggest")
def suggest_cmd(
    community: CommunityOption = None,
    min_confidence: Annotated[float, typer.Option(help="Show pairs at least this confident (0–1).")] = 0.6,
    apply_above: Annotated[
        float | None, typer.Option("--apply-above", help="Merge the suggestions at or above this (one batch).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Propose merges with a confidence and the evidence; merges only with --apply-above."""
    with errors():
        if not 0 <= min_confidence <= 1 or (apply_above is not None and not 0 < apply_above <= 1):
            raise ConfigError("confidences are between 0 and 1")
        with open_store(db, read_only=apply_above is None) as store:
            com = choose_community(store, community)
            found = suggest(store, com.community_id, min_confidence=min_confidence)
            outcome = apply_suggestions(store, com, found, apply_above) if apply_above is not None else None
    if as_json:
        payload: dict = {"suggestions": [s.as_dict() for s in found[:limit]]}
        if outcome is not None:
            payload["applied"] = {"batch": outcome.batch, "written": outcome.written, "notes": outcome.notes}
        print_json(payload)
        return
    table = Table(title=f"{len(found)} suggested merges in {com.name}")
    for col in ("confidence", "identity", "identity", "evidence"):
        table.add_column(col, justify="right" if col == "confidence" else "left")
    for s in found[:limit]:
        evidence = "; ".join(f"{e.kind} {e.detail} ({e.confidence:.2f})" for e in s.evidence)
        table.add_row(f"{s.confidence:.2f}", s.label_a, s.label_b, evidence)
    out.print(table)
    if outcome is not None:
        _report(outcome, f"applied suggestions ≥ {apply_above}", False)


def _pair(store: Store, community: str | None, first: str, second: str) -> tuple[Community, int, int]:
    """The community and the two identities a merge or unmerge names."""
    com = choose_community(store, community)
    a, b = (resolve_identity(store, ref, com.community_id) for ref in (first, second))
    return com, a, b


@identities_app.command("merge")
def merge_cmd(
    first: Annotated[str, typer.Argument(help="Identity id, carrier:native_id or carrier:group:name.")],
    second: Annotated[str, typer.Argument(help="The other identity.")],
    community: CommunityOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Say that two identities are one person."""
    with errors(), open_store(db) as store:
        com, a, b = _pair(store, community, first, second)
        outcome = merge_pairs(store, com, [MergePlan(a, b)], subkind="manual", source=f"identities merge {a} {b}")
    _report(outcome, f"merge {a} {b}", as_json)


@identities_app.command("unmerge")
def unmerge_cmd(
    first: Annotated[str, typer.Argument(help="Identity id, carrier:native_id or carrier:group:name.")],
    second: Annotated[str, typer.Argument(help="The other identity.")],
    community: CommunityOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Take back the merge of two identities."""
    with errors(), open_store(db) as store:
        com, a, b = _pair(store, community, first, second)
        outcome = unmerge_pair(store, com, a, b, source=f"identities unmerge {a} {b}")
    _report(outcome, f"unmerge {a} {b}", as_json)


@identities_app.command("undo")
def undo_cmd(
    batch: Annotated[str, typer.Argument(help="The batch a command printed (see 'identities batches').")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Undo one batch: unmerge its merges, merge its unmerges, reverse its flags (an undo can be undone)."""
    with errors(), open_store(db) as store:
        outcome = undo_batch(store, batch, source=f"identities undo {batch}")
    _report(outcome, f"undo {batch}", as_json)


@identities_app.command("batches")
def batches_cmd(community: CommunityOption = None, as_json: JsonOption = False, db: DbOption = None) -> None:
    """The operator's batches of merges, unmerges and flags, latest first."""
    with errors(), open_store(db, read_only=True) as store:
        com = choose_community(store, community)
        found = batches(store, com.community_id)
    if as_json:
        print_json([b.as_dict() for b in found])
        return
    table = Table(title=f"batches in {com.name}")
    for col in ("batch", "when (UTC)", "actions", "source"):
        table.add_column(col)
    for b in found:
        counts = ", ".join(f"{n} {what}" for what, n in sorted(b.counts.items()))
        table.add_row(b.batch, b.first_ts.strftime("%Y-%m-%d %H:%M"), counts, b.source)
    out.print(table)


@identities_app.command("list")
def list_cmd(
    community: CommunityOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also members with a single identity.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Members and their identities (by default only members of several identities)."""
    with errors(), open_store(db, read_only=True) as store:
        com = choose_community(store, community)
        rows = list_members(store, com.community_id, merged_only=not show_all)
    if as_json:
        print_json([{"member_id": m, "identities": labels} for m, labels in rows])
        return
    table = Table(title=f"{len(rows)} members in {com.name}")
    table.add_column("member", justify="right")
    table.add_column("identities")
    for member, labels in rows:
        table.add_row(str(member), "\n".join(labels))
    out.print(table)


@identities_app.command("show")
def show_cmd(
    member: Annotated[str, typer.Argument(help="Member id, or any of its identities.")],
    community: CommunityOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A member's identities: carrier, native id, names over time, groups, flags."""
    with errors(), open_store(db, read_only=True) as store:
        com = choose_community(store, community)
        view = member_view(store, resolve_member(store, member, com.community_id), com.community_id)
    if as_json:
        print_json(view.as_dict())
        return
    flags = f" — flagged {', '.join(sorted(view.flags))}" if view.flags else ""
    out.print(f"[bold]member {view.member_id}[/bold]{flags}", highlight=False)
    table = Table()
    table.add_column("identity", no_wrap=True)
    for col in ("carrier", "native id / scope", "names (first → last, events)", "groups"):
        table.add_column(col)
    for ident in view.identities:
        names = "\n".join(
            f"{n.name} ({n.first_ts:%Y-%m-%d} → {n.last_ts:%Y-%m-%d}, {n.events})" for n in ident.names
        ) or (ident.name_key or "")
        scope = ident.native_id or f"name in {ident.scope_group}"
        table.add_row(str(ident.identity_id), ident.carrier, scope, names, "\n".join(ident.groups))
    out.print(table)


def flag(
    member: Annotated[str, typer.Argument(help="Member id, or any of its identities.")],
    bot: Annotated[bool, typer.Option("--bot", help="A bot: left out of member metrics.")] = False,
    staff: Annotated[bool, typer.Option("--staff", help="Staff: left out of member metrics, shown apart.")] = False,
    protected: Annotated[bool, typer.Option("--protected", help="Never proposed for pruning.")] = False,
    off: Annotated[bool, typer.Option("--off", help="Clear the flags instead of setting them.")] = False,
    community: CommunityOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Flag a member as bot, staff or protected (or clear it with --off)."""
    chosen = [name for name, on in zip(FLAGS, (bot, staff, protected), strict=True) if on]
    with errors():
        if not chosen:
            raise ConfigError("say which flag: --bot, --staff or --protected")
        with open_store(db) as store:
            com = choose_community(store, community)
            member_id = resolve_member(store, member, com.community_id)
            outcomes = [
                (name, flag_member(store, com, member_id, name, not off, source=f"members flag {member_id}"))
                for name in chosen
            ]
    if as_json:
        print_json(
            [
                {"member_id": member_id, "flag": name, "value": not off, "batch": o.batch, "written": o.written}
                for name, o in outcomes
            ]
        )
        return
    for name, outcome in outcomes:
        _report(outcome, f"member {member_id} {name} {'off' if off else 'on'}", False)


def _group(app: typer.Typer, name: str) -> typer.Typer | None:
    """A sub-app already added under ``name`` (another module may own ``members``)."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    return None


def register(app: typer.Typer) -> None:
    """Add ``identities`` and ``members flag`` to the ``shequn`` command.

    ``flag`` joins a ``members`` sub-app if one is already there, else creates it.
    """
    app.add_typer(identities_app, name="identities")
    members = _group(app, "members")
    if members is None:
        members = typer.Typer(no_args_is_help=True, help="Members of a community.")
        app.add_typer(members, name="members")
    members.command("flag")(flag)
