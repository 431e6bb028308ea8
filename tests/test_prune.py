"""Prune candidates, their protections, and pruning recorded, undone and redone as events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from metrics_fixtures import CARRIER, QUIET, LogBuilder, measure, utc, value
from shequn import ids
from shequn.cli_members import register
from shequn.errors import ConfigError
from shequn.metrics import context_for
from shequn.metrics.prune import (
    apply_prune,
    plan_prune,
    prune_batches,
    prune_candidates,
    prune_review,
    prune_rows,
    removal_time,
    undo_prune,
)
from shequn.store import Store

__all__ = ["measure"]
pytestmark = QUIET

D = date(2024, 6, 30)
NAMES = ("ann", "dor", "lurk", "prot", "unprot", "payer", "oldpay", "refund", "chk", "oldchk", "late", "sue", "bot")
CANDIDATES = {"dor", "lurk", "unprot", "oldpay", "refund", "oldchk", "late"}


def member(name: str) -> int:
    return ids.identity_id(CARRIER, name)


WHO = {member(name): name for name in NAMES}


def community() -> LogBuilder:
    """D = 2024-06-30 (ann's message). Everyone joins A on 2024-01-01; windows: PRUNE_DAYS 60 from
    05-02, PRUNE_PROTECT_PAID_DAYS 365 from 2023-07-02.

    ann     posts on 06-30                               -> not dormant
    dor     last message 04-01, also in B                -> candidate, 2 removals (A, B)
    lurk    never posted, left B on 03-01                -> candidate, 1 removal (A)
    prot    flagged protected                            -> kept: protected
    unprot  flagged protected, then unflagged            -> candidate (the latest flag event wins)
    payer   paid order on 2023-07-02                     -> kept: paid_order
    oldpay  paid order on 2023-07-01 (366 days before D) -> candidate
    refund  only a refunded order, 06-01                 -> candidate
    chk     check-in on 05-02                            -> kept: checkin
    oldchk  check-in on 05-01                            -> candidate
    late    leaves A on 07-05, after D                   -> candidate, but no span open to close
    sue, bot  staff and bot, never posted                -> never levelled, never candidates
    """
    log = LogBuilder()
    log.flag("A", "sue", "staff", "2024-01-01 00:00").flag("A", "bot", "bot", "2024-01-01 00:00")
    for name in NAMES:
        log.join("A", name, "2024-01-01 08:00")
    log.join("B", "dor", "2024-01-01 08:00").join("B", "lurk", "2024-01-01 08:00").leave("B", "lurk", "2024-03-01")
    log.messages("A", "ann", "2024-06-30 10:00")
    log.messages("A", "dor", "2024-04-01 10:00")
    log.flag("A", "prot", "protected", "2024-01-02")
    log.flag("A", "unprot", "protected", "2024-01-02").flag("A", "unprot", "protected", "2024-02-01", value=False)
    log.order("A", "payer", "2023-07-02", 99, "CNY", "paid")
    log.order("A", "oldpay", "2023-07-01", 99, "CNY", "paid")
    log.order("A", "refund", "2024-06-01", 99, "CNY", "refunded")
    log._add("A", "checkin", "2024-05-02", actor_id="chk")
    log._add("A", "checkin", "2024-05-01", actor_id="oldchk")
    log.leave("A", "late", "2024-07-05")
    return log


def names(rows: list[dict]) -> set[str]:
    return {WHO[r["member_id"]] for r in rows}


@pytest.fixture
def pruning(tmp_path: Path):
    """A fresh writable log of :func:`community` and a function giving a context as of D."""
    store = Store(tmp_path / "log.duckdb")
    community().write(store)

    def ctx():
        return context_for(store, "c", as_of=D)  # a new context: derived tables follow the log

    yield store, ctx
    store.close()


def test_candidates_and_what_keeps_the_others(measure) -> None:
    ctx = measure(community(), as_of=D)
    review = {WHO[r["member_id"]]: r for r in ctx.backend.to_pyarrow(prune_review(ctx)).to_pylist()}
    assert {name: row["kept_because"] for name, row in review.items()} == {
        **dict.fromkeys(CANDIDATES),
        "prot": "protected",
        "payer": "paid_order",
        "chk": "checkin",
    }
    assert review["payer"]["paid_day"] == date(2023, 7, 2)
    assert review["chk"]["checkin_day"] == date(2024, 5, 2)
    rows = prune_rows(ctx.backend.to_pyarrow(prune_candidates(ctx)).to_pylist())
    assert names(rows) == CANDIDATES
    reasons = {WHO[r["member_id"]]: r["reason"] for r in rows}
    assert reasons["dor"] == "no counted activity for 90 days (last 2024-04-01)"  # 04-01 + 90 days = 06-30
    assert reasons["lurk"] == "no counted activity ever"
    assert WHO[rows[-1]["member_id"]] == "dor"  # never-active first, then the longest silent


def test_protection_windows_are_settings(measure) -> None:
    # PRUNE_PROTECT_PAID_DAYS 366 reaches 2023-07-01; PRUNE_DAYS 61 reaches oldchk's 05-01 check-in
    ctx = measure(community(), as_of=D, PRUNE_PROTECT_PAID_DAYS=366, PRUNE_DAYS=61)
    rows = ctx.backend.to_pyarrow(prune_candidates(ctx)).to_pylist()
    assert names(rows) == CANDIDATES - {"oldpay", "oldchk"}


def test_removal_time_is_the_end_of_d_or_now(measure) -> None:
    ctx = measure(community(), as_of=D, timezone="Asia/Shanghai")
    # the end of 06-30 in Shanghai (UTC+8) is 16:00 UTC; one second before it
    assert removal_time(ctx, now=datetime(2026, 1, 1, tzinfo=UTC)) == utc("2024-06-30 15:59") + 59_000_000
    assert removal_time(ctx, now=datetime(2024, 6, 30, 10, 0, tzinfo=UTC)) == utc("2024-06-30 10:00")


def test_plan_closes_each_open_span(measure) -> None:
    ctx = measure(community(), as_of=D)
    planned = plan_prune(ctx, removal_time(ctx))
    assert sorted((WHO[r.member_id], r.group_id) for r in planned) == sorted(
        [
            ("dor", ids.group_id(CARRIER, "A")),
            ("dor", ids.group_id(CARRIER, "B")),
            ("lurk", ids.group_id(CARRIER, "A")),  # lurk left B already
            *((name, ids.group_id(CARRIER, "A")) for name in ("unprot", "oldpay", "refund", "oldchk")),
        ]
    )  # late's span closes on 07-05 in the log: nothing to close


def test_apply_then_undo_restores_members_now(pruning) -> None:
    store, ctx = pruning
    # in at the end of D: ann and the ten dormant humans (sue and bot are not counted)
    assert value(ctx(), "members_now") == 11
    run = apply_prune(store, ctx())
    assert (run.members, run.actions, run.added) == (6, 7, 7)
    assert run.batch.startswith("prune-")
    after = ctx()
    assert value(after, "members_now") == 5  # ann, prot, payer, chk, late
    closed = after.backend.to_pyarrow(after.all_spans.filter(after.all_spans.close_reason == "pruned")).to_pylist()
    assert sorted(WHO[s["member_id"]] for s in closed) == ["dor", "dor", "lurk", "oldchk", "oldpay", "refund", "unprot"]
    assert {s["closed_day"] for s in closed} == {D}
    # only late is left to prune, and has no open span: a second run records nothing
    assert names(after.backend.to_pyarrow(prune_candidates(after)).to_pylist()) == {"late"}
    assert apply_prune(store, after).actions == 0
    assert [b["batch"] for b in prune_batches(store, store.community("c"))] == [run.batch]

    undone = undo_prune(store, store.community("c"), run.batch)
    assert (undone.members, undone.added) == (6, 7)
    restored = ctx()
    assert value(restored, "members_now") == 11
    assert value(restored, "joined_total") == 11  # the reopened spans are no new joins
    assert names(restored.backend.to_pyarrow(prune_candidates(restored)).to_pylist()) == CANDIDATES
    assert undo_prune(store, store.community("c"), run.batch).added == 0  # undoing twice adds nothing

    again = apply_prune(store, restored)  # pruning the same members again is a new batch
    assert again.batch != run.batch and again.added == 7
    assert value(ctx(), "members_now") == 5


def test_undo_of_an_unknown_batch(pruning) -> None:
    store, ctx = pruning
    run = apply_prune(store, ctx())
    with pytest.raises(ConfigError, match=rf"no prune batch 'nope' in community 'c' \(batches: {run.batch}\)"):
        undo_prune(store, store.community("c"), "nope")


# -- the command ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A stand-in for the shequn command, with the member commands on it."""

    register(app)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["prune", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def events_in(path: Path) -> int:
    with Store(path) as store:
        return store.query("SELECT count(*) FROM events")[0][0]


def test_prune_command(cli, tmp_path: Path) -> None:
    path = tmp_path / "log.duckdb"
    with Store(path) as store:
        community().write(store)
    before = events_in(path)
    code, output = run(cli, "--db", str(path))
    assert code == 0, output
    assert "prune candidates as of 2024-06-30 (dry run)" in output
    assert "no counted activity for 90 days (last 2024-04-01)" in output
    assert "dormant but kept: protected 1, paid_order 1, checkin 1" in output
    assert "--apply would record 7 removals of 6 members" in output
    assert events_in(path) == before  # a dry run writes nothing

    code, output = run(cli, "--db", str(path), "--json")
    data = json.loads(output)
    assert {WHO[r["member_id"]] for r in data["candidates"]} == CANDIDATES and data["removals"] == 7

    code, output = run(cli, "--db", str(path), "--apply", "--json")
    assert code == 0, output
    applied = json.loads(output)
    assert (applied["members"], applied["removals"]) == (6, 7)
    assert events_in(path) == before + 7

    code, output = run(cli, "--db", str(path), "--undo", applied["batch"])
    assert code == 0, output
    assert f"undid {applied['batch']}: 7 spans of 6 members reopened" in output
    assert events_in(path) == before + 14  # nothing deleted: 7 removals and 7 joins


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--apply", "--as-of", "2024-06-01"], "would remove members who were active after it"),
        (["--apply", "--undo", "x"], "--undo and --apply do not go together"),
        (["--undo", "nope"], "no prune batch 'nope'"),
        (["--as-of", "June"], "--as-of 'June' is not a day"),
    ],
)
def test_prune_errors_are_one_line(cli, tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "log.duckdb"
    with Store(path) as store:
        community().write(store)
    code, output = run(cli, "--db", str(path), *args)
    assert code == 1
    assert message in output and "Traceback" not in output
