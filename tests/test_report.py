"""``shequn report``: the report's data against the catalog and the raw log, its readings,
the terminal and JSON reports of the demo community (golden files), the HTML file, the CLI.

The demo community is built once per session as ``shequn demo`` builds it (its exports
written, imported, derived tables refreshed) plus an ad scan, so the group table has ad
rates. Golden files are rewritten with ``SHEQUN_UPDATE_GOLDEN=1``; review the diff.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from metrics_fixtures import QUIET, LogBuilder
from shequn.cli_report import register
from shequn.demo import write_demo
from shequn.importer import import_paths
from shequn.metrics import compute, context_for
from shequn.metrics.derived import refresh_derived
from shequn.metrics.health import new_members
from shequn.metrics.levels import member_levels
from shequn.metrics.ties import ties
from shequn.moderation.rules import Rules
from shequn.moderation.scan import refresh_ad_scores
from shequn.report import build_report, readings, render_html, report_data, report_json, terminal_text, words
from shequn.report.charts import CHARTS
from shequn.report.collect import GROUP_METRICS
from shequn.report.data import Cohort, Report
from shequn.report.html import plotly_js
from shequn.report.i18n import _TABLES
from shequn.report.terminal import sparkline
from shequn.store import Store

pytestmark = QUIET

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SHEQUN_UPDATE_GOLDEN") == "1"
DEMO = "demo"
D = date(2026, 6, 30)  # the demo's last day
SHANGHAI = "INTERVAL 8 HOUR"  # the demo's zone, Asia/Shanghai: UTC+8 all year, no daylight saving


def build_demo(folder: Path) -> Path:
    """The demo community's log, as ``shequn demo`` writes it, with ad scores; built once per folder."""
    db = folder / "demo.duckdb"
    done = folder / "built"
    if done.exists():
        return db
    files = write_demo(folder / "exports", scale=1.0, seed=7)
    with Store(db) as store:
        for f in files:
            import_paths(store, [f.path], community=DEMO, fmt=f.fmt, tz=f.tz, group=f.group)
        for f in files:
            if f.purpose:
                store.set_group_purpose(f.group, f.purpose)
        community = store.community(DEMO)
        assert community is not None
        refresh_derived(store.ibis, community.community_id, community.timezone)
        refresh_ad_scores(store, community, Rules())
    done.touch()
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "report-demo"
    folder.mkdir(exist_ok=True)
    return build_demo(folder)


@pytest.fixture(scope="module")
def demo_store(demo_db: Path) -> Iterator[Store]:
    with Store(demo_db) as store:
        yield store


@pytest.fixture(scope="module")
def demo(demo_store: Store) -> Report:
    return build_report(demo_store, DEMO)


@pytest.fixture(scope="module")
def demo_month(demo_store: Store) -> Report:
    return build_report(demo_store, DEMO, period="month")


def raw(store: Store, sql: str, *params: Any) -> list[tuple]:
    return store.con.execute(sql, list(params)).fetchall()


# -- golden files: the demo's JSON and terminal reports, field by field ----------------------


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where two JSON values differ, as JSON paths; floats agree to nine digits."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(expected.keys() | actual.keys()):
            if key not in actual or key not in expected:
                found.append(f"{path}.{key}: only in {'golden' if key in expected else 'report'}")
            else:
                found += differences(expected[key], actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items in golden, {len(actual)} in report"]
        return [
            d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in differences(e, a, f"{path}[{i}]")
        ]
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(expected, int | float) and isinstance(actual, int | float) and actual == pytest.approx(expected):
            return []
    elif expected == actual:
        return []
    return [f"{path}: golden {expected!r}, report {actual!r}"]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with SHEQUN_UPDATE_GOLDEN=1"
    golden = path.read_text(encoding="utf-8")
    if name.endswith(".json"):
        found = differences(orjson.loads(golden), orjson.loads(text))
        assert not found, f"{len(found)} fields differ from {name}:\n" + "\n".join(found[:30])
    else:
        for number, (want, got) in enumerate(zip(golden.splitlines(), text.splitlines(), strict=False), 1):
            assert got == want, f"{name} line {number}:\n golden: {want!r}\n report: {got!r}"
        assert len(text.splitlines()) == len(golden.splitlines())


def test_json_report_of_the_demo_matches_the_golden_file(demo: Report) -> None:
    # The numbers in it are checked against the catalog and the raw log by the tests below:
    # e.g. 1,227 messages and 71 active members on 2026-06-30 (count of kind='message' events
    # by local day in Asia/Shanghai), members_now 274 (shequn metrics).
    check_golden("report-demo-week.json", report_json(demo, words("en")).decode())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_terminal_report_of_the_demo_matches_the_golden_file(demo: Report, lang: str) -> None:
    check_golden(f"report-demo-week.{lang}.txt", terminal_text(demo, words(lang)))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("period", ["week", "month"])
def test_terminal_report_fits_80_columns(demo: Report, demo_month: Report, lang: str, period: str) -> None:
    report = demo if period == "week" else demo_month
    wide = [line for line in terminal_text(report, words(lang)).splitlines() if cell_len(line) > 80]
    assert not wide


# -- the data against the catalog -------------------------------------------------------------


def test_kpis_are_the_catalog_values_now_and_one_period_before(demo_store: Store, demo: Report) -> None:
    ctx = context_for(demo_store, DEMO)
    now = compute(ctx)
    before = compute(dataclasses.replace(ctx, as_of=D - timedelta(days=7)))
    assert demo.as_of == D and demo.previous_as_of == date(2026, 6, 23)
    assert [k.name for k in demo.kpis] == [n for n, v in now.items() if v.unit not in {"series", "matrix", "table"}]
    for kpi in demo.kpis:
        assert kpi.value == pytest.approx(now[kpi.name].value, abs=1e-6), kpi.name
        assert kpi.previous == pytest.approx(before[kpi.name].value, abs=1e-6), kpi.name
    left, joined = demo.kpi("left_members"), demo.kpi("joined_total")
    assert joined is not None and joined.change == joined.value - joined.previous and joined.good is True
    assert left is not None and left.change == 0 and left.good is None  # 4 left in both weeks


def test_month_compares_with_30_days_before(demo_store: Store, demo_month: Report) -> None:
    report = demo_month
    assert (report.period, report.period_days, report.previous_as_of) == ("month", 30, date(2026, 5, 31))
    ctx = context_for(demo_store, DEMO)
    assert report.period_totals["new"] == ctx.backend.to_pyarrow(new_members(ctx, 30)).as_py()
    members = report.kpi("members_now")
    assert members is not None
    assert (
        members.previous
        == compute(context_for(demo_store, DEMO, as_of=date(2026, 5, 31)), ["members_now"])["members_now"].value
    )


def test_daily_series_counts_the_raw_messages_by_local_day(demo_store: Store, demo: Report) -> None:
    # independent count: message events per Asia/Shanghai day, distinct members through identity_member
    rows = raw(
        demo_store,
        f"""SELECT CAST(e.ts + {SHANGHAI} AS DATE) AS day, count(DISTINCT m.member_id), count(*)
            FROM events e JOIN identity_member m USING (identity_id)
            WHERE e.kind = 'message' GROUP BY 1""",
    )
    expected = {day: (active, messages) for day, active, messages in rows}
    assert len(demo.daily) == 84 and demo.daily[0].day == date(2026, 4, 8) and demo.daily[-1].day == D
    assert {r.day: (r.active_members, r.messages) for r in demo.daily} == {
        r.day: expected.get(r.day, (0, 0)) for r in demo.daily
    }
    assert (demo.daily[-1].active_members, demo.period_totals["messages"]) == (71, 1227)


def test_weekday_hour_counts_the_raw_messages_by_local_time(demo_store: Store, demo: Report) -> None:
    rows = raw(
        demo_store,
        f"""SELECT isodow(e.ts + {SHANGHAI}) - 1, hour(e.ts + {SHANGHAI}), count(*)
            FROM events e JOIN identity_member m USING (identity_id)
            WHERE e.kind = 'message' AND CAST(e.ts + {SHANGHAI} AS DATE) BETWEEN ? AND ? GROUP BY 1, 2""",
        date(2026, 4, 8),
        D,
    )
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, count in rows:
        grid[weekday][hour] = count
    assert demo.weekday_hour == grid
    assert sum(map(sum, grid)) == sum(r.messages for r in demo.daily)


def test_new_and_left_of_the_week_are_the_catalogs(demo: Report) -> None:
    new, left = demo.kpi("new_members"), demo.kpi("left_members")
    assert new is not None and left is not None
    assert (demo.period_totals["new"], demo.period_totals["left"]) == (new.value, left.value)
    assert (demo.flow[-1].new, demo.flow[-1].left, demo.flow[-1].period_end) == (new.value, left.value, D)
    assert (demo.period_totals["new_before"], demo.period_totals["left_before"]) == (new.previous, left.previous)
    assert len(demo.flow) == 12


def test_levels_partition_the_members_on_each_week(demo_store: Store, demo: Report) -> None:
    assert [p.day for p in demo.levels] == [D - timedelta(weeks=w) for w in range(11, -1, -1)]
    ctx = context_for(demo_store, DEMO)
    for point in (demo.levels[0], demo.levels[5], demo.levels[-1]):
        members = compute(dataclasses.replace(ctx, as_of=point.day), ["members_now"])["members_now"].value
        assert sum(point.counts.values()) == members, point.day
    rows = ctx.backend.to_pyarrow(member_levels(ctx).select("level")).column("level").to_pylist()
    assert demo.levels[-1].counts == {level: rows.count(level) for level in demo.levels[-1].counts}


def test_contributors_are_the_periods_top_posters(demo_store: Store, demo: Report) -> None:
    rows = raw(
        demo_store,
        f"""SELECT m.member_id, count(*) AS n FROM events e JOIN identity_member m USING (identity_id)
            WHERE e.kind = 'message' AND CAST(e.ts + {SHANGHAI} AS DATE) BETWEEN ? AND ?
            GROUP BY 1 ORDER BY n DESC, m.member_id LIMIT 10""",
        D - timedelta(days=6),
        D,
    )
    assert [(c.member_id, c.messages) for c in demo.contributors] == rows
    assert all(c.name and c.level == "core" and c.score and c.score > 0 for c in demo.contributors)


def test_network_is_the_core_members_and_their_ties(demo_store: Store, demo: Report) -> None:
    ctx = context_for(demo_store, DEMO)
    levels = ctx.backend.to_pyarrow(member_levels(ctx)).to_pylist()
    core = {r["member_id"] for r in levels if r["level"] == "core"}
    pairs = {(r["a"], r["b"]): r["strong"] for r in ctx.backend.to_pyarrow(ties(ctx)).to_pylist()}
    assert {n.member_id for n in demo.network.nodes} == core and len(core) == 25
    among = {pair: strong for pair, strong in pairs.items() if set(pair) <= core}
    assert {(e.a, e.b): e.strong for e in demo.network.edges} == among


def test_strongest_ties_are_the_heaviest(demo_store: Store, demo: Report) -> None:
    ctx = context_for(demo_store, DEMO)
    rows = ctx.backend.to_pyarrow(ties(ctx)).to_pylist()
    rows.sort(key=lambda r: (-r["weight"], r["a"], r["b"]))
    assert [(t.a, t.b, t.interactions) for t in demo.ties] == [(r["a"], r["b"], r["interactions"]) for r in rows[:5]]


def test_groups_carry_their_own_catalog_values_and_raw_ad_rates(demo_store: Store, demo: Report) -> None:
    counts = dict(
        raw(
            demo_store,
            f"""SELECT e.group_id, count(*) FROM events e JOIN identity_member m USING (identity_id)
                WHERE e.kind = 'message' AND CAST(e.ts + {SHANGHAI} AS DATE) BETWEEN ? AND ? GROUP BY 1""",
            D - timedelta(days=6),
            D,
        )
    )
    assert [(g.group_id, g.messages) for g in demo.group_rows] == sorted(counts.items(), key=lambda kv: -kv[1])
    assert demo.groups_total == 4 and demo.ad_rate_known
    first = demo.group_rows[0]
    alone = compute(context_for(demo_store, DEMO, groups=[first.name]), GROUP_METRICS)
    assert first.values == {name: pytest.approx(item.value, abs=1e-6) for name, item in alone.items()}
    flagged = dict(
        raw(
            demo_store,
            f"""SELECT group_id, avg(CASE WHEN score >= 0.5 THEN 1.0 ELSE 0.0 END) FROM ad_scores
                WHERE CAST(ts + {SHANGHAI} AS DATE) BETWEEN ? AND ? GROUP BY 1""",
            D - timedelta(days=6),
            D,
        )
    )
    assert {g.group_id: g.ad_rate for g in demo.group_rows} == pytest.approx(flagged)


def test_a_group_filter_narrows_everything(demo_store: Store) -> None:
    report = build_report(demo_store, DEMO, groups=["周末读书会"])
    assert report.groups == ["周末读书会"] and [g.name for g in report.group_rows] == ["周末读书会"]
    alone = compute(context_for(demo_store, DEMO, groups=["周末读书会"]), ["members_now"])
    members = report.kpi("members_now")
    assert members is not None and members.value == alone["members_now"].value == 60


# -- a small hand-made log: bots, escaping, unknown ad rates -----------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    group = "<A&B>"  # a name that HTML would read as markup
    log = LogBuilder()
    log.join(group, "ann", "2024-03-01").join(group, "bob", "2024-03-01").join(group, "</script><b>x", "2024-03-01")
    log.join(group, "robot", "2024-03-01").flag(group, "robot", "bot", "2024-03-01")
    log.messages(group, "robot", *(f"2024-03-0{d} 09:{m:02d}" for d in (4, 5) for m in range(10)))
    log.messages(group, "ann", "2024-03-04 09:30", "2024-03-05 10:15", "2024-03-05 10:20")
    log.messages(group, "</script><b>x", "2024-03-05 21:00")
    log.leave(group, "bob", "2024-03-05")
    with Store(tmp_path_factory.mktemp("small") / "log.duckdb") as store:
        log.write(store, community="club")
        yield store


@pytest.fixture(scope="module")
def small_report(small: Store) -> Report:
    return build_report(small, "club")


def test_bots_are_left_out_of_activity_and_contributors(small_report: Report) -> None:
    report = small_report
    assert report.as_of == date(2024, 3, 5)
    # ann: 09:30 on the 4th, 10:15 and 10:20 on the 5th; the bot's 20 messages are not counted
    assert [(r.day, r.active_members, r.messages) for r in report.daily[-2:]] == [
        (date(2024, 3, 4), 1, 1),
        (date(2024, 3, 5), 2, 3),
    ]
    assert sum(map(sum, report.weekday_hour)) == 4 and report.weekday_hour[1][10] == 2  # Tuesday 10:00
    assert [(c.messages, c.level) for c in report.contributors] == [(3, "newcomer"), (1, "newcomer")]
    assert (report.period_totals["new"], report.period_totals["left"]) == (3, 1)  # the bot is no member
    assert not report.ad_rate_known and all(g.ad_rate is None for g in report.group_rows)
    assert not report.network.nodes
    assert readings(report, words("en"))["network"] == "No core members as of 2024-03-05."


def test_names_cannot_break_out_of_the_html(small_report: Report) -> None:
    page = render_html(small_report, words("en"))
    assert "</script><b>x" not in page and "<A&B>" not in page
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in page  # the member, in the figures' JSON
    assert "<td>&lt;A&amp;B&gt;</td>" in page  # the group, in the table


# -- readings: written from the data ---------------------------------------------------------


def test_reading_of_the_cohorts_picks_the_largest_cohort_observed_four_weeks(demo: Report) -> None:
    cohorts = [
        Cohort(date(2026, 3, 2), 12, [0.58, 0.5, 0.41, 0.41, None]),
        Cohort(date(2026, 3, 9), 40, [0.75, 0.6, 0.5, 0.45, 0.4]),
        Cohort(date(2026, 3, 16), 90, [0.9, 0.8, 0.7, None, None]),  # observed three weeks only
    ]
    text = readings(dataclasses.replace(demo, cohorts=cohorts), words("en"))["cohorts"]
    assert text == (
        "Of the 40 members who joined in the week of 2026-03-09, 75% were active in their first week and 40% in week 4."
    )
    text = readings(dataclasses.replace(demo, cohorts=cohorts), words("zh"))["cohorts"]
    assert text == "2026-03-09 那一周加入的 40 人中，第一周活跃 75%，第 4 周活跃 40%。"


def test_reading_of_the_hours_names_the_busiest_cell(demo: Report) -> None:
    grid = [[0] * 24 for _ in range(7)]
    grid[2][20], grid[2][9], grid[6][3] = 30, 10, 0  # Wednesday 20:00 is 30 of 40 messages; Sunday empty
    grid[0][12] = 0
    text = readings(dataclasses.replace(demo, weekday_hour=grid), words("en"))["weekday_hour"]
    assert text == "The busiest hour is Wed 20:00–21:00 (75.0% of messages); the quietest day is Mon."


def test_readings_of_the_demo(demo: Report) -> None:
    notes = readings(demo, words("en"))
    assert set(notes) == {
        "kpis",
        "daily",
        "flow",
        "cohorts",
        "levels",
        "weekday_hour",
        "contributors",
        "network",
        "groups",
    }
    assert notes["kpis"] == "Members: 274 (0 this week); 132 active in the last 7 days."
    assert notes["flow"].startswith("4 joined and 4 left this week (5 and 4 last week); over 12 weeks 55 joined")
    assert notes["network"].startswith("25 core members share 224 ties (35 strong);")


def test_both_languages_have_the_same_words() -> None:
    assert set(_TABLES["en"]) == set(_TABLES["zh"])


def test_sparkline_spans_the_values() -> None:
    assert sparkline([0, 7, 14]) == "▁▅█" and sparkline([3, 3]) == "▁▁" and sparkline([]) == ""


# -- the HTML file ---------------------------------------------------------------------------


def test_html_is_one_self_contained_file_with_every_chart(demo: Report) -> None:
    page = render_html(demo, words("zh"))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert page.count(plotly_js()) == 1  # plotly.min.js inlined once
    assert "<link" not in page and "src=" not in page.replace(plotly_js(), "")
    start = page.index('<script type="application/json" id="figures">') + len(
        '<script type="application/json" id="figures">'
    )
    figures = orjson.loads(page[start : page.index("</script>", start)])
    assert list(figures) == list(CHARTS)
    for key, figure in figures.items():
        layout = figure["layout"]
        assert layout["title"]["text"] and layout["xaxis"]["title"]["text"], key
        assert "Noto Sans CJK SC" in layout["font"]["family"]
        assert figure["data"] and all(len(trace.get("x") or trace.get("z") or []) for trace in figure["data"]), key
        if key != "network":
            assert layout["yaxis"]["title"]["text"], key
        assert f'id="chart-{key}"' in page
    assert page.count('class="reading"') == len(readings(demo, words("zh")))


def test_the_same_log_and_day_give_the_same_files(demo_db: Path, tmp_path: Path) -> None:
    made = []
    for _ in range(2):  # two connections: nothing remembered from the first build
        with Store(demo_db) as store:
            report = build_report(store, DEMO, as_of=D)
        made.append((render_html(report, words("en")), report_json(report, words("en"))))
    assert made[0] == made[1]


# -- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A stand-in for the shequn command, with only ``report`` on it."""

    register(app)
    return app


def run(cli: typer.Typer, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", *args], env=env)
    return result.exit_code, result.output


def test_command_prints_the_terminal_report(cli: typer.Typer, demo_db: Path) -> None:
    code, output = run(cli, "--db", str(demo_db), "--lang", "zh")
    assert code == 0, output
    assert output.startswith("demo：截至 2026-06-30 的每周报告")
    assert "可清理成员：117 名沉睡且不受保护" in output


def test_command_json_is_the_reports_data(cli: typer.Typer, demo_db: Path, demo: Report) -> None:
    code, output = run(cli, "--db", str(demo_db), "--json", "--as-of", "2026-06-30")
    assert code == 0, output
    assert orjson.loads(output) == orjson.loads(orjson.dumps(report_data(demo, words("en"))))


def test_command_writes_html(cli: typer.Typer, demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, output = run(cli, "--db", str(demo_db), "--html", str(target), "--period", "month")
    assert code == 0, output
    assert f"wrote {target}" in output.replace("\n", "")
    assert "demo: monthly report as of 2026-06-30" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "year"], "error: --period 'year': use one of week, month"),
        (["--lang", "fr"], "error: unknown report language 'fr'; use one of en, zh"),
        (["--as-of", "June"], "error: --as-of 'June' is not a day (use YYYY-MM-DD)"),
        (["-g", "nope"], "error: no group named 'nope' in this community"),
    ],
)
def test_command_errors_are_one_line(cli: typer.Typer, demo_db: Path, args: list[str], message: str) -> None:
    code, output = run(cli, "--db", str(demo_db), *args)
    assert code == 1 and output.startswith(message) and output.count("\n") <= 2


def test_pdf_without_a_browser_says_what_to_install(cli: typer.Typer, demo_db: Path, tmp_path: Path) -> None:
    env = {"SHEQUN_CHROMIUM": str(tmp_path / "no-such-browser")}
    code, output = run(cli, "--db", str(demo_db), "--pdf", str(tmp_path / "r.pdf"), env=env)
    assert code == 1, output
    assert "no Chromium-based browser found" in output and "apt-get install chromium" in output
    assert not (tmp_path / "r.pdf").exists()
