"""``shequn metrics``: table and JSON output, options, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from metrics_fixtures import QUIET, LogBuilder
from shequn.cli_metrics import format_value, register
from shequn.store import Store

pytestmark = QUIET


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A stand-in for the shequn command, with only ``metrics`` on it."""

    register(app)
    return app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "log.duckdb"
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01").join("A", "bob", "2024-03-01").messages("A", "ann", "2024-03-03")
    log.join("B", "cat", "2024-03-02").leave("B", "cat", "2024-03-03")
    with Store(path) as store:
        log.write(store, community="club")
    return str(path)


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["metrics", *args])
    return result.exit_code, result.output


def test_table_of_the_front_page(cli, db) -> None:
    code, output = run(cli, "--db", db)
    assert code == 0
    # the only community is taken; D is the last active day (ann's message)
    assert "club as of 2024-03-03" in output
    for name in ("joined_total", "members_now", "retention_80", "active_rate_80", "cohort_activity"):
        assert name in output


def test_json_keyed_by_metric_name(cli, db) -> None:
    code, output = run(cli, "--db", db, "members_now", "survival", "retention_1", "--json")
    assert code == 0
    data = json.loads(output)
    assert list(data) == ["members_now", "survival", "retention_1"]
    # ann and bob in; cat left B on 03-03  ->  2 of 3
    assert data["members_now"] == {
        "value": 2,
        "unit": "count",
        "as_of": "2024-03-03",
        "link": "docs/metrics.md#health-kpis-the-operators-front-page",
    }
    assert data["survival"]["value"] == pytest.approx(2 / 3)
    # retention_1: joined by 03-02 (all three); in one day later: ann, bob (cat left 03-03)
    assert data["retention_1"]["value"] == pytest.approx(2 / 3)


def test_as_of_group_and_settings(cli, db) -> None:
    code, output = run(
        cli, "--db", db, "members_now", "active_share_80", "--as-of", "2024-03-02", "-g", "B", "--set", "ACTIVE_DAYS=5"
    )
    assert code == 0, output
    # in B at the end of 03-02: cat; the setting renames the metric
    assert "club (B) as of 2024-03-02" in output
    assert "active_share_80" in output and "active_share_5" not in output  # asked for by name: N = 80
    code, output = run(cli, "--db", db, "active_share_N", "--set", "ACTIVE_DAYS=5", "--json")
    assert list(json.loads(output)) == ["active_share_5"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown metric 'nope'"),
        (["--as-of", "March"], "--as-of 'March' is not a day"),
        (["--group", "Z"], "no group named 'Z'"),
        (["--community", "other"], "no community named 'other'"),
        (["--set", "ACTIVE_DAYS"], "use NAME=VALUE"),
        (["--set", "ACTIVE_DAYS=many"], "is not a int"),
        (["--engine", "nope"], "unknown engine 'nope'"),
        (["--engine", "postgres"], "is a duckdb log, not postgres"),
    ],
)
def test_errors_are_one_line(cli, db, args: list[str], message: str) -> None:
    code, output = run(cli, "--db", db, *args)
    assert code == 1
    assert message in output and "Traceback" not in output


def test_missing_log_is_not_created(cli, tmp_path: Path) -> None:
    path = tmp_path / "none.duckdb"
    code, output = run(cli, "--db", str(path))
    assert code == 1 and "no such log" in output
    assert not path.exists()


def test_several_communities_need_a_choice(cli, tmp_path: Path) -> None:
    path = tmp_path / "two.duckdb"
    with Store(path) as store:
        store.ensure_community("one")
        store.ensure_community("two")
    code, output = run(cli, "--db", str(path))
    assert code == 1 and "several communities (one, two)" in output


def test_format_value_by_unit() -> None:
    assert format_value(1234, "count") == "1,234"
    assert format_value(0.6126, "share") == "61.3%"
    assert format_value(None, "share") == "-"
    assert format_value(1.5, "per_day") == "1.50"
    assert format_value(72.0, "hours") == "72.0 h"
    assert format_value({"CNY": 9900.0, "USD": 12.5}, "money") == "CNY 9,900.00; USD 12.50"
    assert format_value({}, "money") == "-"
    assert format_value([{}, {}], "matrix") == "2 rows (see --json)"
