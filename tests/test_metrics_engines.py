"""Every metric of the catalog gives the same value on DuckDB, PostgreSQL and Spark.

One hand-built log (joins, leaves, a re-join, inferred joins, a removal, replies and mentions
between members, a bot, a staff member, orders, messages either side of a local midnight,
questions answered and not) is
written once to DuckDB, copied to each engine the way users move a log (``copy_log`` to
PostgreSQL, ``shequn export`` Parquet for Spark), and every catalog entry is computed there.
DuckDB's values are checked against numbers worked out by hand for the headline KPIs; the
other engines must agree with DuckDB on every entry.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engines import EngineUnderTest, load_log
from metrics_fixtures import QUIET, LogBuilder
from shequn.metrics import METRICS, context_for, evaluate
from shequn.store import Store

pytestmark = QUIET

AS_OF = date(2024, 3, 31)


def scenario() -> LogBuilder:
    """Seven people in two groups over March 2024, read in Asia/Shanghai (UTC+8)."""
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01").join("A", "bob", "2024-03-01").join("B", "ann", "2024-03-02")
    log.join("A", "cat", "2024-03-05").join("B", "dan", "2024-03-10")
    log.join("A", "bot", "2024-03-01").flag("A", "bot", "bot", "2024-03-01")
    log.join("A", "sue", "2024-03-01").flag("A", "sue", "staff", "2024-03-01")
    for day in ("2024-03-02", "2024-03-09", "2024-03-16", "2024-03-23", "2024-03-30", "2024-03-31"):
        question = log.message("A", "ann", day, text="How do I renew my membership?")
        log.message("A", "bob", f"{day} 13:00", reply_to=question)
        answer = log.message("A", "cat", f"{day} 14:00", reply_to=question)
        log.message("A", "ann", f"{day} 15:00", reply_to=answer)
    log.messages("A", "bot", "2024-03-05", "2024-03-31")
    log.messages("A", "sue", "2024-03-06", "2024-03-31")
    log.leave("A", "cat", "2024-03-20").join("A", "cat", "2024-03-25")  # left and came back
    log.messages("B", "dan", "2024-03-11", "2024-03-30 16:30")  # 16:30 UTC is 00:30 on the 31st in Shanghai
    log.messages("B", "eve", "2024-03-12", "2024-03-29")  # never seen joining: inferred join
    log.message("B", "eve", "2024-03-29 09:00", text="有没有人知道周六的活动在哪里？")  # nobody answers
    log.removal("B", "dan", "2024-03-31 02:00", reason="admin")
    log.order("A", "ann", "2024-03-15", 99.0, "CNY", "paid").order("A", "bob", "2024-03-16", 50.0, "CNY", "refunded")
    return log


@pytest.fixture(scope="module")
def duckdb_log(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("metrics-engines") / "log.duckdb")
    scenario().write(store, timezone="Asia/Shanghai")
    yield store
    store.close()


def _plain(value: Any) -> Any:
    """A value in a form that compares across engines: floats rounded, rows sorted."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if all(isinstance(v, dict) for v in items) else items
    return value


def _all_values(log: Any) -> dict[str, Any]:
    ctx = context_for(log, "c", as_of=AS_OF)
    return {metric.name(ctx.params): _plain(evaluate(ctx, metric)) for metric in METRICS.values()}


@pytest.fixture(scope="module")
def expected(duckdb_log: Store) -> dict[str, Any]:
    return _all_values(duckdb_log)


def test_duckdb_headline_values_by_hand(expected: dict[str, Any]) -> None:
    # Humans: ann, bob, cat (A), dan (B, removed on the 31st), eve (B, inferred); bot and sue are
    # flagged and left out. joined_total = ann, bob, cat, dan, eve = 5.
    assert expected["joined_total"] == 5
    # At the end of 31 March (Shanghai): dan was removed at 10:00 local on the 31st -> out.
    # In: ann, bob, cat (re-joined on the 25th), eve (span open since her first message) = 4.
    assert expected["members_now"] == 4
    assert expected["survival"] == round(4 / 5, 9)
    # Active on the 31st (local): ann, bob, cat (thread at 12:00-15:00 UTC = 20:00-23:00 local)
    # and dan (16:30 UTC on the 30th = 00:30 local on the 31st, before his removal) = 4.
    assert expected["active_today"] == 4
    # Income over the 30 days ending D: 99 paid minus 50 refunded.
    assert expected["income"] == {"CNY": 49.0}
    # Questions: ann's six (12:00 UTC, each first answered by bob's reply at 13:00) and eve's
    # unanswered one (09:00 UTC on the 29th, 55 hours before the end of the 31st in Shanghai).
    assert expected["answer_rate"] == round(6 / 7, 9)
    assert expected["time_to_first_response"][0]["median_hours"] == 1.0
    assert [(q["author"], q["age_hours"]) for q in expected["unanswered"]] == [("telegram:eve", 55.0)]
    assert [(h["name"], h["answers"]) for h in expected["top_helpers"]] == [("telegram:bob", 6)]


@pytest.mark.parametrize("engine", ["postgres", "spark"], indirect=True)
def test_every_metric_agrees_with_duckdb(
    engine: EngineUnderTest, duckdb_log: Store, expected: dict[str, Any], tmp_path: Path
) -> None:
    backend = load_log(engine, duckdb_log)
    got = _all_values(backend)
    assert set(got) == set(expected) and len(got) == len(METRICS)
    differing = {name: (got[name], expected[name]) for name in expected if got[name] != expected[name]}
    assert not differing, differing
