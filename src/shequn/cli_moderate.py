"""``shequn moderate scan|ban``, ``shequn rules check`` and ``shequn classify ads``.

Wired into the main command by :func:`register` (``moderate`` and ``rules``) and
:func:`register_classify` (``ads`` under the ``classify`` group). Errors follow
``shequn.cli``: a :class:`~shequn.errors.ShequnError` prints as one line on stderr and exits 1.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
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

__all__ = ["classify_ads", "moderate_app", "register", "register_classify", "rules_app"]

moderate_app = typer.Typer(no_args_is_help=True, help="Find ads and spam in the log, and remove their posters.")
rules_app = typer.Typer(no_args_is_help=True, help="The community's group rules file (docs/rules.md).")

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Rules file (TOML; default: the RULES_FILE setting, else ./shequn-rules.toml)."),
]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only from this day on, YYYY-MM-DD.")]


def _day(text: str | None, option: str = "--since") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a day (use YYYY-MM-DD)") from None


def _why(reasons: list[dict[str, Any]], n: int = 3) -> str:
    return "; ".join(f"{r['code']}: {r['detail']}" for r in reasons[:n])


@moderate_app.command("scan")
def moderate_scan(
    since: SinceOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many messages.")] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Flag from this score (default: AD_THRESHOLD).")
    ] = None,
    rules: RulesOption = None,
    community: CommunityOption = None,
    db: DbOption = None,
) -> None:
    """List messages flagged as ads or spam, newest first, with score and reasons."""
    from shequn.moderation import ensure_ad_scores, flagged_messages, load_rules

    with errors():
        day = _day(since)
        with open_store(db) as store:
            com = choose_community(store, community)
            settings = store.settings(com)
            loaded = load_rules(rules, com.settings)
            cutoff = threshold if threshold is not None else loaded.ad_rules(float(settings["AD_THRESHOLD"])).threshold
            if not 0 <= cutoff <= 1:
                raise ConfigError(f"--threshold {cutoff}: use a score from 0 to 1")
            ensure_ad_scores(store, com, loaded, threshold=cutoff)
            found = flagged_messages(store, com, cutoff, since=day, limit=limit)
    if as_json:
        print_json([f.as_dict() for f in found])
        return
    table = Table(title=f"{com.name}: {len(found)} messages with ad score ≥ {cutoff:g}")
    for col in ("time (UTC)", "group", "member", "score", "reasons", "message"):
        table.add_column(col, justify="right" if col == "score" else "left", overflow="fold")
    for f in found:
        text = " ".join(f.text.split())
        table.add_row(f.ts.strftime("%Y-%m-%d %H:%M"), f.group, f.member, f"{f.score:.2f}", _why(f.reasons), text[:80])
    out.print(table)


@moderate_app.command("ban")
def moderate_ban(
    member: Annotated[str, typer.Argument(help="Member id, identity id, native id or display name.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, kept with the removals.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be recorded, record nothing.")] = False,
    as_json: JsonOption = False,
    community: CommunityOption = None,
    db: DbOption = None,
) -> None:
    """Record the member's removal for ads from every group where they are in (one batch)."""
    from shequn.moderation import ban_member

    with errors(), open_store(db) as store:
        com = choose_community(store, community)
        result = ban_member(store, com, member, note=note, dry_run=dry_run)
        names = dict(
            store.query(
                "SELECT group_id, coalesce(name, native_id) FROM groups WHERE community_id = ?", [com.community_id]
            )
        )
    groups = [names.get(a.group_id, str(a.group_id)) for a in result.actions]
    if as_json:
        print_json(
            {
                "member_id": result.member.member_id,
                "member": result.member.label,
                "groups": groups,
                "recorded": result.added,
                "dry_run": dry_run,
                "batch": result.actions[0].batch if result.actions else None,
            }
        )
        return
    who = f"{result.member.label} (member {result.member.member_id})"
    if not result.actions:
        out.print(f"{who} has no open membership in {com.name}: nothing to record")
    elif dry_run:
        out.print(f"would remove {who} for ads from {len(groups)} groups: {', '.join(groups)}")
    else:
        out.print(f"removed {who} for ads from {len(groups)} groups: {', '.join(groups)} ({result.added} recorded)")


@rules_app.command("check")
def rules_check(
    rules: RulesOption = None,
    since: SinceOption = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only this rule: links, nickname, flood, newcomer; repeatable.")
    ] = None,
    as_json: JsonOption = False,
    community: CommunityOption = None,
    db: DbOption = None,
) -> None:
    """Report every violation of the group rules in the history: member, group, time, rule, excerpt."""
    from shequn.moderation import RULE_NAMES, check_rules, load_rules

    with errors():
        day = _day(since)
        unknown = sorted(set(rule or ()) - set(RULE_NAMES))
        if unknown:
            raise ConfigError(f"--rule {unknown[0]!r}: use one of {', '.join(RULE_NAMES)}")
        with open_store(db) as store:
            com = choose_community(store, community)
            loaded = load_rules(rules, com.settings)
            found = check_rules(store, com, loaded, since=day, only=set(rule) if rule else None)
    if as_json:
        print_json([v.as_dict() for v in found])
        return
    table = Table(title=f"{com.name}: {len(found)} violations ({loaded.source})")
    for col in ("time (UTC)", "group", "member", "rule", "detail", "message"):
        table.add_column(col, overflow="fold")
    for v in found:
        table.add_row(v.ts.strftime("%Y-%m-%d %H:%M"), v.group, v.member, v.rule, v.detail, v.excerpt)
    out.print(table)


def classify_ads(
    input_file: Annotated[
        Path,
        typer.Option("--input", "-i", help='Messages: one per line, or JSON lines with "text" (.jsonl); - for stdin.'),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output: text (score, label, message) or jsonl.")] = "text",
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Flag from this score (default: the rules file's, else 0.5).")
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Score messages for ads and spam; print each with its score, label and reasons."""
    from shequn.classify.ads import AdContext, score_ads
    from shequn.cli_classify import input_texts, open_input
    from shequn.moderation.rules import load_rules

    with errors():
        if fmt not in {"text", "jsonl"}:
            raise ConfigError(f"--format {fmt!r}: use text or jsonl")
        ad_rules = load_rules(rules).ad_rules()
        if threshold is not None:
            if not 0 <= threshold <= 1:
                raise ConfigError(f"--threshold {threshold}: use a score from 0 to 1")
            ad_rules = replace(ad_rules, threshold=threshold)
        context = AdContext(ad_rules)
        batch: list[str] = []
        write = sys.stdout.write

        def flush() -> None:
            for text, result in zip(batch, score_ads(batch, context=context), strict=True):
                label = result.score >= context.rules.threshold
                if fmt == "jsonl":
                    row = {"text": text, "score": round(result.score, 4), "label": label}
                    write(orjson.dumps({**row, "reasons": result.reasons_list()}).decode() + "\n")
                else:
                    write(f"{result.score:.3f} {'AD' if label else '-'} {text}\n")
            batch.clear()

        with open_input(input_file) as handle:
            for text in input_texts(input_file, handle):
                batch.append(text)
                if len(batch) >= 10_000:
                    flush()
            flush()


def register(app: typer.Typer) -> None:
    """Add ``moderate`` and ``rules`` to the ``shequn`` command."""
    app.add_typer(moderate_app, name="moderate")
    app.add_typer(rules_app, name="rules")


def register_classify(classify_app: typer.Typer) -> None:
    """Add ``ads`` to the ``classify`` group (``shequn classify ads --input FILE``)."""
    classify_app.command("ads")(classify_ads)
