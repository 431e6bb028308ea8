"""Import speed and peak memory per importer on large generated exports.

Each format has a generator ``bench/gen_<format>.py`` with ``bench_sample(path, n_messages)``.
Every measurement runs in a fresh Python process so that its peak RSS is its own:

- ``parse``: the importer's records alone (``read()`` drained, nothing written);
- ``import``: the whole ``shequn import`` path into a new DuckDB log (fingerprint, parse, ids,
  the inserts into ``events`` beside the parser, the end of the transaction).

Each line gives the wall time and the CPU time of the process (user + system, all threads:
more CPU than wall means a second core was busy), events and message events per wall second,
and peak RSS. The machine's load average is printed before and after: other work on the
machine shows in the wall times.

    python bench/import.py                       # telegram and whatsapp, 1 M messages each
    python bench/import.py --formats discord,slack --n 200000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, fmt, path, db = sys.argv[1:5]
path = Path(path)
usage0 = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = usage0.ru_utime + usage0.ru_stime
t0 = time.perf_counter()
if mode == "parse":
    from shequn import sources
    from shequn import model
    from shequn.sources._base import ReadOptions
    options = ReadOptions(tz="Asia/Shanghai", chat_name="bench")
    rows = getattr(model, "EventRows", None)  # absent from versions before runs of rows
    n = 0
    for r in sources.get(fmt).read(path, options):
        if type(r) is model.Event:
            n += 1
        elif type(r) is rows:
            n += len(r)
    result = {"events": n}
else:
    from shequn.importer import import_file
    from shequn.store import Store
    with Store(db) as store:
        s = import_file(store, path, fmt=fmt, tz="Asia/Shanghai", group="bench")
    result = {"events": s.events_added, "messages": s.messages_read}
result["seconds"] = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
result["cpu_seconds"] = usage.ru_utime + usage.ru_stime - cpu0
result["peak_rss_mb"] = usage.ru_maxrss / 1024
print(json.dumps(result))
"""


def _generator(fmt: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"gen_{fmt}", HERE / f"gen_{fmt}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no generator bench/gen_{fmt}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bench_sample


def _sample(fmt: str, n: int) -> Path:
    OUT.mkdir(exist_ok=True)
    existing = sorted(OUT.glob(f"{fmt}-{n}.*"))
    if existing:
        return existing[0]
    path = OUT / f"{fmt}-{n}"
    t0 = time.perf_counter()
    made = _generator(fmt)(path, n)
    path = Path(made) if made else path
    print(f"  generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
    return path


def _run(mode: str, fmt: str, path: Path) -> dict:
    db = OUT / f"{fmt}.duckdb"
    db.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, fmt, str(path), str(db)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{mode} {fmt} failed:\n{done.stderr}")
    db.unlink(missing_ok=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="telegram,whatsapp")
    parser.add_argument("--n", type=int, default=1_000_000, help="messages (lines for line formats) per sample")
    args = parser.parse_args()
    print(f"# import bench, {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"# load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'format':<10} {'mode':<7} {'events':>10} {'messages':>10} {'MB':>7} {'seconds':>8} {'cpu s':>7}"
        f" {'events/s':>10} {'msgs/s':>10} {'peak MB':>8}"
    )
    for fmt in args.formats.split(","):
        path = _sample(fmt, args.n)
        size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.rglob("*") if path.is_dir() else []))
        for mode in ("parse", "import"):
            r = _run(mode, fmt, path)
            rate = r["events"] / r["seconds"]
            messages = r.get("messages")
            msg_count = f"{messages:>10,}" if messages else f"{'':>10}"
            msg_rate = f"{messages / r['seconds']:>10,.0f}" if messages else f"{'':>10}"
            print(
                f"{fmt:<10} {mode:<7} {r['events']:>10,} {msg_count} {size / 1e6:>7.0f} {r['seconds']:>8.2f}"
                f" {r['cpu_seconds']:>7.2f} {rate:>10,.0f} {msg_rate} {r['peak_rss_mb']:>8.0f}"
            )
    print(f"# load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
