"""Time to produce the operator's report of a large log, step by step.

The steps, in one process on one read-only connection (the cached log is left as it is, so
its derived tables are built as temporary tables first):

- ``derived``: the metrics' derived tables (an import builds them once; here every run);
- ``front page``: the catalog's front page, as ``shequn metrics`` computes it;
- ``report data``: everything else the report reads (the previous period's KPIs, levels
  over twelve weeks, contributors, slipping, prune candidates, ties, per-group values);
  the front page is remembered from the step before;
- ``html``, ``terminal``, ``json``: each rendering of the report's data.

    python bench/report.py                                  # 10 M messages (bench/gen_log.py)
    python bench/report.py --db demo.duckdb --community demo
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shequn.metrics import compute, context_for
from shequn.report import build_report, render_html, report_json, terminal_text, words
from shequn.store import Store

HERE = Path(__file__).resolve().parent


def _bench_log() -> tuple[Path, str]:
    """The 10 M-message log of ``bench/gen_log.py`` (generated on first use) and its community."""
    spec = importlib.util.spec_from_file_location("gen_log", HERE / "gen_log.py")
    if spec is None or spec.loader is None:
        raise SystemExit("no bench/gen_log.py")
    gen_log = importlib.util.module_from_spec(spec)
    sys.modules["gen_log"] = gen_log  # its dataclasses look their module up
    spec.loader.exec_module(gen_log)
    return gen_log.cached(gen_log.LogShape()), gen_log.COMMUNITY


def _timed(label: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    print(f"{label:<14} {time.perf_counter() - start:>8.2f}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a DuckDB log (default: the 10 M-message bench log)")
    parser.add_argument("--community", help="its community (default: the bench log's)")
    parser.add_argument("--period", default="week", choices=("week", "month"))
    parser.add_argument("--html", type=Path, help="also write the HTML report here")
    args = parser.parse_args()
    path, community = (args.db, args.community) if args.db else _bench_log()
    print(f"# report bench, {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"# {path} ({path.stat().st_size / 1e6:,.0f} MB), community {community!r}, period {args.period}")
    print(f"{'step':<14} {'seconds':>8}")
    with Store(path, read_only=True) as store:
        ctx = context_for(store, community)
        _timed("derived", ctx.current)
        _timed("front page", lambda: compute(ctx, cached=False))
        report = _timed("report data", lambda: build_report(store, community, period=args.period))
    language = words("en")
    html = _timed("html", lambda: render_html(report, language))
    _timed("terminal", lambda: terminal_text(report, language))
    _timed("json", lambda: report_json(report, language))
    if args.html:
        args.html.write_text(html, encoding="utf-8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# html {len(html.encode()) / 1e6:.1f} MB; peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
