"""The registry against the catalog: every documented metric is there, linked, and portable."""

from __future__ import annotations

import re
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import pytest

from metrics_fixtures import QUIET, SHARED_METRICS, LogBuilder, measure
from shequn.errors import ConfigError
from shequn.metrics import METRICS, lookup

__all__ = ["measure"]
pytestmark = QUIET

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
SECTIONS = ("Health KPIs", "Retention and newcomers")


def section_names(text: str, title: str) -> set[str]:
    """Metric names in a section: backticked lower-case identifiers (``UPPER`` are parameters,
    single letters such as ``d`` or ``k`` are days and indices)."""
    body = re.split(r"^## ", text, flags=re.M)
    (section,) = [part for part in body if part.startswith(title)]
    return {name for name in re.findall(r"`([a-z][a-z0-9_]*(?:_N)?)`", section) if len(name) > 1}


def headings(text: str) -> set[str]:
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("title", SECTIONS)
def test_every_catalog_entry_is_registered(title: str) -> None:
    names = section_names(DOCS.read_text(encoding="utf-8"), title)
    assert names, f"no metric names found in section {title!r}"
    missing = sorted(names - set(METRICS))
    assert not missing, f"docs/metrics.md {title}: no registry entry for {missing}"


@pytest.mark.parametrize("title", SECTIONS)
def test_project_copy_keeps_every_name_of_the_shared_catalog(title: str) -> None:
    if not SHARED_METRICS.is_file():
        pytest.skip(f"{SHARED_METRICS} not found (../shared is absent)")
    shared = section_names(SHARED_METRICS.read_text(encoding="utf-8"), title)
    assert shared <= section_names(DOCS.read_text(encoding="utf-8"), title)


def test_links_point_at_headings_of_the_catalog() -> None:
    from shequn.metrics.registry import anchor

    anchors = {anchor(h) for h in headings(DOCS.read_text(encoding="utf-8"))}
    for metric in METRICS.values():
        assert metric.link in anchors, metric.key


def test_each_function_names_its_entry_in_its_docstring() -> None:
    for metric in METRICS.values():
        assert f"``{metric.key}``" in (metric.function.__doc__ or ""), metric.key


def test_names_carry_their_parameter() -> None:
    assert METRICS["retention_N"].name() == "retention_80"
    assert METRICS["active_rate_N"].name({"ACTIVE_DAYS": 30}) == "active_rate_30"
    assert METRICS["members_now"].name({"ACTIVE_DAYS": 30}) == "members_now"


def test_lookup_reads_the_parameter_from_the_name() -> None:
    assert lookup("retention_80") == (METRICS["retention_N"], {"RETENTION_DAYS": 80})
    assert lookup("active_share_7") == (METRICS["active_share_N"], {"ACTIVE_DAYS": 7})
    assert lookup("wau") == (METRICS["wau"], {})
    with pytest.raises(ConfigError, match="unknown metric 'retention'"):
        lookup("retention")
    with pytest.raises(ConfigError, match="unknown metric 'wau_3'"):
        lookup("wau_3")


#: Operations the installed Ibis turns into SQL some engine cannot run: date literals become
#: DATE_FROM_PARTS on PostgreSQL (depending on which module first used sqlglot's PostgreSQL
#: dialect), typed JSON unwrapping becomes ``->> VARIADIC`` there and Python UDFs on Spark.
#: Metrics avoid them (``shequn.metrics._localtime.day_value``, ``shequn.metrics._json``).
TRAPS = (ops.DateFromYMD, ops.UnwrapJSONBoolean, ops.UnwrapJSONFloat64, ops.UnwrapJSONInt64, ops.UnwrapJSONString)


def engine_traps(expr: ibis.Expr) -> list[str]:
    found = [type(op).__name__ for op in expr.op().find(TRAPS)]
    found += ["date literal" for op in expr.op().find(ops.Literal) if op.dtype.is_date()]
    return found


@pytest.mark.parametrize("dialect", ["postgres", "pyspark"])
def test_every_metric_compiles_for_other_engines(measure, dialect: str) -> None:
    # the compiler of an engine reads that engine's options, registered when its backend loads
    pytest.importorskip(f"ibis.backends.{dialect}", reason=f"Ibis {dialect} backend not installed")
    getattr(ibis, dialect)
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01").messages("A", "ann", "2024-03-02")
    log.order("A", "ann", "2024-03-02", 10, "CNY", "paid")
    for groups in (None, ["A"]):  # the whole community reads derived tables, a group filter computes them
        ctx = measure(log, groups=groups, timezone="Europe/Berlin")
        for metric in METRICS.values():
            expr = metric.function(ctx)
            assert "SELECT" in ibis.to_sql(expr, dialect=dialect).upper(), metric.key
            assert not engine_traps(expr), (metric.key, engine_traps(expr))


def test_derived_tables_avoid_the_engine_traps(measure) -> None:
    from shequn.metrics._localtime import offset_steps
    from shequn.metrics.derived import member_day_expr, member_flags_expr

    log = LogBuilder()
    log.flag("A", "robo", "bot", "2024-03-01").messages("A", "ann", "2024-03-02")
    ctx = measure(log, timezone="Europe/Berlin")
    steps = offset_steps("Europe/Berlin", None, None)
    flags = member_flags_expr(ctx.backend, ctx.community_id)
    assert not engine_traps(flags)
    assert not engine_traps(member_day_expr(ctx.backend, ctx.community_id, steps, False, flags))
