"""Classifier speed: question scores (and ad scores) on 1 M messages, reply inference on a stream.

    python bench/classify.py                          # 1 M messages, 200 k for reply inference
    python bench/classify.py --n 100000 --replies 20000
    python bench/classify.py --only questions

Messages are drawn from the labelled chat lines in ``data/labels`` (real IRC lines and
written Chinese group-chat messages, about 38 characters on average). Nine in ten get a
number appended, so that the per-batch memo of repeated texts (``ok``, ``谢谢``) helps no more
than it would in a real export; one in ten is a repeat. Scorers run on one core, in batches
of 10 000, as ``shequn classify`` does. Wall-clock and CPU seconds are both recorded, with
the machine's load average: on a shared machine the wall clock also counts other work.

Reply inference runs on a synthetic stream: 20 groups of 150 members each, a message every
few seconds to minutes, a third of them addressed to an earlier speaker (``nick: …``), a
fifth of them questions.

Results go to ``bench/out/classify.json``. Each scorer is one entry of :data:`SCORERS`: a
classifier added later (the ads scorer is there already) needs one function and one line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BATCH = 10_000


def corpus(n: int, seed: int = 0) -> list[str]:
    """``n`` chat messages, mostly distinct, from the labelled lines."""
    texts = [
        orjson.loads(line)["text"]
        for path in sorted((ROOT / "data" / "labels").glob("questions-*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]
    rng = random.Random(seed)
    picked = rng.choices(texts, k=n)
    return [t if i % 10 == 0 else f"{t} {i}" for i, t in enumerate(picked)]


def _questions(texts: list[str]) -> None:
    from shequn.classify.questions import question_scores

    for start in range(0, len(texts), BATCH):
        question_scores(texts[start : start + BATCH])


def _ads(texts: list[str]) -> None:
    from shequn.classify.ads import score_ads

    for start in range(0, len(texts), BATCH):
        score_ads(texts[start : start + BATCH])


#: name -> scorer over a list of texts. Add a classifier here.
SCORERS: dict[str, Callable[[list[str]], None]] = {"questions": _questions, "ads": _ads}


def reply_stream(n: int, seed: int = 1) -> Iterator[tuple]:
    """``(event_id, group_id, ts, member, text, explicit_reply)`` for ``n`` synthetic messages."""
    rng = random.Random(seed)
    lines = corpus(2_000, seed)
    groups = 20
    members = [[f"user{g}_{m}" for m in range(150)] for g in range(groups)]
    clocks = [0.0] * groups
    recent: list[list[str]] = [[] for _ in range(groups)]
    for i in range(n):
        g = rng.randrange(groups)
        clocks[g] += rng.expovariate(1 / 40.0)
        who = rng.choice(members[g][:30] if rng.random() < 0.7 else members[g])
        text = rng.choice(lines)
        if recent[g] and rng.random() < 0.33:
            text = f"{rng.choice(recent[g][-10:])}: {text}"
        if rng.random() < 0.2:
            text += "?"
        recent[g].append(who)
        if len(recent[g]) > 50:
            recent[g].pop(0)
        yield (f"e{i}", g, clocks[g], who, text, None)


def bench_replies(n: int) -> dict:
    from shequn.classify.replies import infer_replies

    stream = list(reply_stream(n))
    start, cpu = time.perf_counter(), time.process_time()
    links = sum(1 for _ in infer_replies(stream))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "messages": n,
        "links": links,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "per_1m_seconds": round(seconds * 1e6 / n, 1),
        "per_1m_cpu_seconds": round(cpu * 1e6 / n, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="messages to score")
    parser.add_argument("--replies", type=int, default=200_000, help="messages for reply inference (0: skip)")
    parser.add_argument("--only", action="append", choices=sorted(SCORERS), help="run only these scorers")
    args = parser.parse_args(argv)
    texts = corpus(args.n)
    results: dict = {"machine": platform.processor() or platform.machine(), "python": platform.python_version()}
    results["messages"] = args.n
    total = total_cpu = 0.0
    results["load_average"] = os.getloadavg()[0]  # other work on the machine slows every figure
    for name in args.only or list(SCORERS):
        try:
            start, cpu = time.perf_counter(), time.process_time()
            SCORERS[name](texts)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        except ImportError as exc:
            results[name] = {"skipped": str(exc)}
            continue
        total += seconds
        total_cpu += cpu
        results[name] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "messages_per_second": round(args.n / seconds),
        }
        print(
            f"{name:<10} {args.n:>9,} messages  {seconds:6.2f} s (cpu {cpu:6.2f} s)  {args.n / seconds:>10,.0f} msg/s"
        )
    results["scorers_total_seconds"] = round(total, 2)
    results["scorers_total_cpu_seconds"] = round(total_cpu, 2)
    print(f"{'together':<10} {args.n:>9,} messages  {total:6.2f} s (cpu {total_cpu:6.2f} s)")
    if args.replies:
        results["replies"] = bench_replies(args.replies)
        r = results["replies"]
        print(
            f"{'replies':<10} {r['messages']:>9,} messages  {r['seconds']:6.2f} s (cpu {r['cpu_seconds']:6.2f} s)"
            f"  ({r['per_1m_cpu_seconds']} cpu s per 1 M)"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "classify.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
