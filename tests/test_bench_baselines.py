"""The metrics bench is an honest comparison: pandas and Polars compute shequn's front page.

A small generated log (``bench/gen_log.py``) carries the traps of a real one: joins missing
(spans inferred from first messages), leaves, removals and rejoins, a second group for some
members, bots and staff (one bot unflagged later), merged identities, replies and mentions
that make strong ties, orders in two currencies, and a zone with a daylight-saving change
inside the log. Every front-page value and every member's level must agree with shequn's.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import metrics as bench_metrics  # noqa: E402
from baselines import FRONT_PAGE, LEVELS, LEVELS_KEY, differences, shequn_front_page  # noqa: E402
from gen_log import COMMUNITY, LogShape, generate  # noqa: E402
from shequn.store import Store  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

#: 90 days from 2024-02-15 in Berlin: the clocks go forward on 2024-03-31, inside the log.
SHAPE = LogShape(messages=20_000, members=500, groups=4, days=90, start=date(2024, 2, 15), tz="Europe/Berlin")


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("bench") / "log.duckdb", SHAPE)


@pytest.fixture(scope="module")
def expected(log_path: Path) -> dict:
    with Store(log_path) as store:
        return shequn_front_page(store, COMMUNITY)


def test_generated_log_has_the_asked_shape(log_path: Path) -> None:
    with Store(log_path, read_only=True) as store:
        counts = dict(store.query("SELECT kind, count(*) FROM events GROUP BY kind"))
        identities = store.query("SELECT count(*), count(DISTINCT member_id) FROM identity_member")[0]
        groups = store.query("SELECT count(*) FROM groups")[0][0]
        first, last = store.query("SELECT min(ts), max(ts) FROM events WHERE kind = 'message'")[0]
    assert counts["message"] == SHAPE.messages
    # members with m % 97 == 5 have a merged second identity: 5, 102, 199, 296, 393, 490
    assert identities == (SHAPE.members + 6, SHAPE.members)
    assert counts["merge"] == 6
    assert groups == SHAPE.groups
    assert {"join", "leave", "removal", "flag", "order"} <= set(counts)
    assert date(2024, 2, 15) <= first.date() and last.date() <= date(2024, 5, 14)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    shape = LogShape(messages=3_000, members=200, groups=3, days=30)
    digests = []
    for name in ("a.duckdb", "b.duckdb"):
        with Store(generate(tmp_path / name, shape), read_only=True) as store:
            digests.append(
                store.query(
                    "SELECT count(*), md5(string_agg(event_id || coalesce(reply_to_event_id, '') || ts::VARCHAR"
                    " || coalesce(identity_id, 0)::VARCHAR, ',' ORDER BY event_id)) FROM events"
                )[0]
            )
    assert digests[0] == digests[1]
    assert digests[0][0] > shape.messages


def test_the_log_exercises_every_rule(expected: dict) -> None:
    """Agreement means little on a log without the hard cases; these values show they are there."""
    levels = {row["level"] for row in expected[LEVELS_KEY]}
    assert levels == set(LEVELS)  # core needs strong ties: replies and mentions make some
    assert expected["strong_tie_share"] > 0
    assert expected["left_members"] > 0 and expected["new_members"] > 0
    assert 0 < expected["activation_rate"] < 1  # seen joins, some silent for a week
    assert expected["absence_factor"] >= 1
    flow = expected["membership_flow"]
    assert len(flow) == 12 and all(row["members"] > 0 for row in flow)
    assert any(cell is None for row in expected["cohort_activity"] for cell in row["cells"])  # weeks after D


def test_front_page_is_what_the_baselines_compute(expected: dict) -> None:
    # a metric added to the front page needs its baseline too, or the comparison is no longer whole
    assert list(expected) == [*FRONT_PAGE, LEVELS_KEY]


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_baseline_agrees_with_shequn(engine: str, log_path: Path, expected: dict) -> None:
    pytest.importorskip(engine, reason=f"{engine} is a dev dependency of the bench")
    module = __import__(f"baselines.{engine}_front", fromlist=["load", "front_page"])
    got = module.front_page(module.load(log_path, COMMUNITY))
    assert differences(expected, got) == []


def test_differences_finds_every_kind_of_disagreement() -> None:
    page = {"share": 0.5, "count": 3, "rows": [{"day": date(2024, 1, 1), "cells": [0.25, None]}]}
    assert differences(page, {**page, "share": 0.5 + 1e-12}) == []
    assert differences(page, {**page, "share": 0.5 + 1e-6}) == [".share: 0.5 != 0.500001"]
    assert differences(page, {**page, "count": 3.0}) == [".count: 3 (int) != 3.0 (float)"]
    assert differences(page, {"share": 0.5, "count": 3}) == [".rows: missing"]
    changed = {**page, "rows": [{"day": date(2024, 1, 1), "cells": [0.25, 0.0]}]}
    assert differences(page, changed) == [".rows[0].cells[1]: None (NoneType) != 0.0 (float)"]


def test_record_replaces_only_its_own_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Bench results\n\n## Imports (bench/import.py)\n\nimport table\n\n"
        f"{bench_metrics.SECTION}\n\nintro\n\n### run A\n\nold numbers\n\n### notes\n\nby hand\n\n"
        "## Later bench\n\nkept\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(bench_metrics, "RESULTS", results)
    bench_metrics._record("new numbers", "run A")
    bench_metrics._record("other numbers", "run B")
    text = results.read_text(encoding="utf-8")
    assert "old numbers" not in text
    order = ["import table", "intro", "### run A\n\nnew numbers", "### notes\n\nby hand", "### run B", "## Later"]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    assert text.endswith("## Later bench\n\nkept\n")


def test_record_starts_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "RESULTS.md"
    monkeypatch.setattr(bench_metrics, "RESULTS", results)
    bench_metrics._record("numbers", "run A")
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Bench results")
    assert f"{bench_metrics.SECTION}\n\n" in text and text.endswith("### run A\n\nnumbers\n")
