"""Front-page speed and memory: shequn on DuckDB against pandas and Polars baselines.

On a generated log (``bench/gen_log.py``; by default 10 M messages, 200 000 members, 50
groups, one year) this measures:

- ``refresh_derived``: rebuilding the derived tables, which an import does once;
- the full front page (every Health KPI, both cohort matrices, and every member's level)
  on shequn's DuckDB engine, and the same values computed by the pandas and Polars
  baselines (``bench/baselines/``) from the log read into memory;
- a repeated front page on the unchanged log, in the same process.

Each measurement runs in a fresh Python process, so its peak RSS is its own, three times
(``--runs``); the table shows medians. The first run of each engine also writes its values,
and the bench checks that the baselines' agree with shequn's before printing any time.

    python bench/metrics.py                               # the 10 M log, all engines
    python bench/metrics.py --messages 200000 --members 5000 --runs 1
    python bench/metrics.py --profile                     # time of each metric on DuckDB
    python bench/metrics.py --record                      # also write bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from baselines import differences
from gen_log import COMMUNITY, LogShape, cached, default_path

HERE = Path(__file__).resolve().parent

ENGINES = ("duckdb", "polars", "pandas")
RESULTS = HERE / "RESULTS.md"
SECTION = "## Metrics (bench/metrics.py)"

#: The issue's targets for the DuckDB engine.
TARGET_FIRST_S = 2.0
TARGET_REPEATED_S = 0.3
TARGET_PEAK_MB = 2048
TARGET_PANDAS_FACTOR = 10.0


# -- what runs in a child process -------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process so far (all threads, user and system): a figure that a busy
    machine disturbs less than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _quiet() -> None:
    import warnings

    warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*")


def child_refresh(path: Path) -> dict[str, Any]:
    """Rebuild the derived tables of the log's community, as an import does after its files."""
    _quiet()
    from shequn.metrics import refresh_derived
    from shequn.store import Store

    with Store(path) as store:
        community = store.community(COMMUNITY)
        assert community is not None
        settings = store.settings(community)
        t0 = time.perf_counter()
        refresh_derived(
            store.ibis, community.community_id, community.timezone, count_reactions=bool(settings["COUNT_REACTIONS"])
        )
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def _duckdb_front(path: Path, dump: Path | None) -> dict[str, Any]:
    import ibis.backends.duckdb.converter  # noqa: F401 - Ibis imports it (and pandas) on the first result

    import shequn.metrics  # noqa: F401 - as the baselines' modules are imported before their clocks
    from baselines import shequn_front_page
    from shequn.store import Store

    t0 = time.perf_counter()  # after the imports: they are no part of any time
    store = Store(path, read_only=True)
    loaded = time.perf_counter()
    cpu = _cpu_s()
    values = shequn_front_page(store, COMMUNITY)
    cpu = _cpu_s() - cpu
    first = time.perf_counter()
    shequn_front_page(store, COMMUNITY)
    repeated = time.perf_counter()
    store.close()
    if dump is not None:
        dump.write_bytes(pickle.dumps(values))
    return {"load": loaded - t0, "first": first - loaded, "repeated": repeated - first, "cpu": cpu}


def _baseline_front(engine: str, path: Path, dump: Path | None) -> dict[str, Any]:
    import importlib

    module = importlib.import_module(f"baselines.{engine}_front")
    t0 = time.perf_counter()  # after the imports: they are no part of any time
    log = module.load(path, COMMUNITY)
    loaded = time.perf_counter()
    cpu = _cpu_s()
    values = module.front_page(log)
    cpu = _cpu_s() - cpu
    first = time.perf_counter()
    module.front_page(log)
    repeated = time.perf_counter()
    if dump is not None:
        dump.write_bytes(pickle.dumps(values))
    return {"load": loaded - t0, "first": first - loaded, "repeated": repeated - first, "cpu": cpu}


def child_front(engine: str, path: Path, dump: Path | None) -> dict[str, Any]:
    """One engine's first and repeated front page, after opening (DuckDB) or loading the log."""
    _quiet()
    result = _duckdb_front(path, dump) if engine == "duckdb" else _baseline_front(engine, path, dump)
    return {**result, "peak_mb": _peak_mb()}


def child_profile(path: Path) -> list[tuple[str, float]]:
    """Seconds of each front-page metric (and the levels) on DuckDB, computed one at a time."""
    _quiet()
    from baselines import FRONT_PAGE, LEVELS_KEY
    from shequn.metrics import context_for, evaluate, lookup
    from shequn.store import Store

    out = []
    with Store(path, read_only=True) as store:
        t0 = time.perf_counter()
        ctx = context_for(store, COMMUNITY)
        ctx.day  # noqa: B018 - the context's own queries: derived tables checked, D found
        out.append(("(context: derived tables checked, D)", time.perf_counter() - t0))
        for name in (*FRONT_PAGE, LEVELS_KEY):
            metric, _ = lookup(name)
            t0 = time.perf_counter()
            evaluate(ctx, metric)
            out.append((name, time.perf_counter() - t0))
    return out


# -- the parent -------------------------------------------------------------------------


def _run_child(*args: str) -> Any:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False, cwd=HERE.parent
    )
    if done.returncode:
        raise SystemExit(f"child {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and library versions, for the record."""
    model = platform.processor() or platform.machine()
    try:
        found = re.search(r"Model name:\s*(.+)", subprocess.run(["lscpu"], capture_output=True, text=True).stdout)
        model = found.group(1).strip() if found else model
    except OSError:
        pass
    ram = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo.read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    from importlib.metadata import version

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    libs = ", ".join(f"{lib} {version(lib)}" for lib in ("duckdb", "ibis-framework", "pandas", "polars", "pyarrow"))
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": libs,
        "commit": commit or "unknown",
    }


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _check_values(dumps: dict[str, Path]) -> list[str]:
    """Every baseline's values against shequn's; an empty list when all agree."""
    expected = pickle.loads(dumps["duckdb"].read_bytes())
    problems = []
    for engine, dump in dumps.items():
        if engine != "duckdb":
            found = differences(expected, pickle.loads(dump.read_bytes()))
            problems += [f"{engine}: {line}" for line in found[:10]]
    return problems


def _table(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = [
        "| engine | first front page (s) | its CPU time (s) | repeated (s) | load (s) | load + first (s)"
        " | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for engine, runs in results.items():
        first, repeated, load = _median(runs, "first"), _median(runs, "repeated"), _median(runs, "load")
        lines.append(
            f"| {engine} | {first:.2f} | {_median(runs, 'cpu'):.2f} | {repeated:.3f} | {load:.2f} |"
            f" {load + first:.2f} | {_median(runs, 'peak_mb'):.0f} |"
        )
    return lines


def _verdict(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The issue's targets for DuckDB, each met or missed, with the figures compared."""
    if "duckdb" not in results:
        return []
    first = _median(results["duckdb"], "first")
    out = [
        f"- full front page < {TARGET_FIRST_S:g} s: {first:.2f} s, {'met' if first < TARGET_FIRST_S else 'MISSED'}",
    ]
    if "pandas" in results:
        pandas = _median(results["pandas"], "first")
        from_log = (pandas + _median(results["pandas"], "load")) / (first + _median(results["duckdb"], "load"))
        out.append(
            f"- ≥ {TARGET_PANDAS_FACTOR:g}× faster than pandas, from the log file to the front page (load + first):"
            f" {from_log:.1f}×, {'met' if from_log >= TARGET_PANDAS_FACTOR else 'MISSED'}"
        )
        factor = pandas / first
        out.append(
            f"- the same, pandas' computing alone (its log already in memory, {pandas:.2f} s): {factor:.1f}×,"
            f" {'met' if factor >= TARGET_PANDAS_FACTOR else 'MISSED'}"
        )
    if "polars" in results:
        polars = _median(results["polars"], "first")
        out.append(f"- not slower than Polars: {polars:.2f} s, {'met' if first <= polars else 'MISSED'}")
    peak = _median(results["duckdb"], "peak_mb")
    out.append(f"- peak memory < 2 GB: {peak:.0f} MB, {'met' if peak < TARGET_PEAK_MB else 'MISSED'}")
    repeated = _median(results["duckdb"], "repeated")
    met = "met" if repeated < TARGET_REPEATED_S else "MISSED"
    out.append(f"- repeated front page < {TARGET_REPEATED_S:g} s: {repeated:.3f} s, {met}")
    return out


_HEADER = (
    "# Bench results\n\nOne section per bench; each bench rewrites only its own.\n\n"
    "## Imports (bench/import.py)\n\nNot recorded here yet: `python bench/import.py` prints its table.\n"
)
_INTRO = (
    "Full front page = every Health KPI, both cohort matrices and every member's level, as"
    " `shequn metrics` computes them in a fresh process (derived tables already built by the"
    " import). *Repeated*: the same again in that process on the unchanged log. *Load*: opening"
    " the log (DuckDB) or reading it into memory (baselines). Run: `python bench/metrics.py --record`."
)


def _record(body: str, label: str) -> None:
    """Put ``body`` as the subsection ``label`` of the metrics section of RESULTS.md, keeping
    every other section and subsection (notes written by hand among them)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _HEADER
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{_INTRO}\n"
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    end = len(text) if end < 0 else end + 1
    section = text[start:end].rstrip("\n") + "\n"
    heading = f"### {label}\n"
    entry = f"{heading}\n{body.strip()}\n"
    at = section.find(heading)
    if at < 0:
        section = f"{section}\n{entry}"
    else:
        following = section.find("\n### ", at + len(heading))
        section = section[:at] + entry + (section[following:] if following >= 0 else "")
    rest = text[end:]
    RESULTS.write_text(text[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shape = LogShape()
    parser.add_argument("--messages", type=int, default=shape.messages)
    parser.add_argument("--members", type=int, default=shape.members)
    parser.add_argument("--groups", type=int, default=shape.groups)
    parser.add_argument("--days", type=int, default=shape.days)
    parser.add_argument("--tz", default=shape.tz)
    parser.add_argument("--log", type=Path, help="measure this log file instead of the cached generated one")
    parser.add_argument("--runs", type=int, default=3, help="processes per measurement; the table shows medians")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--profile", action="store_true", help="also time each metric on DuckDB")
    parser.add_argument("--record", action="store_true", help=f"write the results into {RESULTS.name}")
    parser.add_argument("--label", default="shequn as in the tree", help="the heading the results are recorded under")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "refresh":
            print(json.dumps(child_refresh(Path(rest[0]))))
        elif kind == "front":
            print(json.dumps(child_front(rest[0], Path(rest[1]), Path(rest[2]) if len(rest) > 2 else None)))
        else:
            print(json.dumps(child_profile(Path(rest[0]))))
        return

    shape = LogShape(args.messages, args.members, args.groups, args.days, tz=args.tz)
    engines = [e for e in args.engines.split(",") if e]
    path = args.log or default_path(shape)
    if not path.exists():
        t0 = time.perf_counter()
        cached(shape)
        print(f"generated {path.name} in {time.perf_counter() - t0:.1f}s")
    loads = [_load()]
    print(f"# metrics bench: {shape.messages:,} messages, {shape.members:,} members, {shape.groups} groups,"
          f" {shape.days} days; load average {loads[0]}")  # fmt: skip

    refresh = [_run_child("refresh", str(path)) for _ in range(args.runs)]
    refresh_s, refresh_mb = _median(refresh, "seconds"), _median(refresh, "peak_mb")
    print(f"refresh_derived: {refresh_s:.2f} s (median of {args.runs}), peak RSS {refresh_mb:.0f} MB")

    results: dict[str, list[dict[str, Any]]] = {}
    dumps: dict[str, Path] = {}
    for engine in engines:
        dumps[engine] = path.with_name(f"values-{engine}.pickle")
        runs = [_run_child("front", engine, str(path), str(dumps[engine]))]
        runs += [_run_child("front", engine, str(path)) for _ in range(args.runs - 1)]
        results[engine] = runs
        print(f"  {engine}: " + ", ".join(f"{r['load'] + r['first']:.2f}s" for r in runs), flush=True)
    loads.append(_load())
    problems = _check_values(dumps) if "duckdb" in dumps and len(dumps) > 1 else []
    for dump in dumps.values():
        dump.unlink(missing_ok=True)
    for line in problems:
        print("DISAGREE", line)
    agree = "the baselines' values agree with shequn's" if not problems else "VALUES DISAGREE (see above)"

    table = _table(results)
    verdict = _verdict(results)
    print("\n".join(table))
    print(agree)
    print("\n".join(verdict))
    profile: list[tuple[str, float]] = []
    if args.profile and "duckdb" in engines:
        profile = _run_child("profile", str(path))
        for name, seconds in profile:
            print(f"  {name:<40} {seconds:7.3f}s")

    if args.record:
        import shequn

        machine = _machine()
        where = Path(shequn.__file__).resolve().parent
        where_text = where.relative_to(HERE.parent) if where.is_relative_to(HERE.parent) else where
        lines = [
            f"Recorded {date.today().isoformat()} ({datetime.now().astimezone():%H:%M %Z}) on {machine['cpu']},"
            f" {machine['cores']} cores, {machine['ram']} RAM; {machine['os']}, Python {machine['python']};"
            f" {machine['libraries']}; shequn from `{where_text}` at commit {machine['commit']}.",
            f"Load average (1, 5, 15 min) before {loads[0]}, after {loads[-1]}.",
            "",
            f"Log: {shape.messages:,} messages, {shape.members:,} members, {shape.groups} groups, {shape.days} days,"
            f" zone {shape.tz}. Medians of {args.runs} runs, each in its own process.",
            f"`refresh_derived` (once per import): {refresh_s:.2f} s, peak RSS {refresh_mb:.0f} MB.",
            "",
            *table,
            "",
            f"Values: {agree}.",
            "",
            "Targets (DuckDB):",
            "",
            *verdict,
        ]
        if profile:
            lines += ["", "Per metric on DuckDB (one at a time, seconds):", "", "| metric | s |", "|---|---:|"]
            lines += [f"| {name} | {seconds:.3f} |" for name, seconds in profile]
        _record("\n".join(lines), args.label)
        print(f"recorded in {RESULTS} under '{args.label}'")


if __name__ == "__main__":
    main()
