"""Measure the ad score on data the model never saw; the numbers in ``docs/quality-ads.md``.

    .venv/bin/python scripts/eval_ads.py                 # precision and recall on the test sets
    .venv/bin/python scripts/eval_ads.py --samples ../shared/samples   # + flags on real chats
    .venv/bin/python scripts/eval_ads.py --bench 1000000               # + messages per second

Test sets (kept apart from training, see ``scripts/train_ads.py``):

- ``data/labels/ads-test.jsonl``: Chinese group-chat ads and ordinary messages, English
  Telegram-style spam and ordinary chat, written one by one by the shequn maintainers (not
  from the training templates);
- the test side of the SMS Spam Collection hash split.

``--samples`` imports real exports (none of them labelled) into a temporary log and scores
every message: what gets flagged there is either spam the exports really contain or a false
alarm, and the flagged messages are printed for a person to judge.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_ads import LABELS, UBUNTU_IRC, irc_rows, read_jsonl, sms_rows, sms_split

from shequn.classify.ads import score_ads

THRESHOLD = 0.5  # the AD_THRESHOLD setting's default


def test_sets() -> dict[str, list[dict]]:
    handwritten = read_jsonl(LABELS / "ads-test.jsonl")
    return {
        "zh group chat (handwritten)": [r for r in handwritten if r["lang"] == "zh"],
        "en Telegram-style (handwritten)": [r for r in handwritten if r["lang"] == "en"],
        "SMS Spam Collection (test split)": [r for r in sms_rows() if sms_split(r["text"]) == "test"],
    }


def irc_test() -> list[dict]:
    """The Ubuntu IRC test days: real chat that training never saw, taken as ordinary talk."""
    return list(irc_rows("test")) if UBUNTU_IRC.is_dir() else []


def confusion(rows: list[dict], scores: list[float], threshold: float) -> dict[str, float]:
    tp = sum(1 for r, s in zip(rows, scores, strict=True) if r["label"] and s >= threshold)
    fp = sum(1 for r, s in zip(rows, scores, strict=True) if not r["label"] and s >= threshold)
    fn = sum(1 for r, s in zip(rows, scores, strict=True) if r["label"] and s < threshold)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return {"n": len(rows), "ads": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall}


def report(threshold: float, show_errors: bool) -> bool:
    print(f"threshold {threshold}\n")
    print("| test set | messages | ads | flagged right | false alarms | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    every_row: list[dict] = []
    every_score: list[float] = []
    for name, rows in test_sets().items():
        scores = [s.score for s in score_ads([r["text"] for r in rows])]
        c = confusion(rows, scores, threshold)
        print(
            f"| {name} | {c['n']} | {c['ads']} | {c['tp']} | {c['fp']} | {c['fn']} "
            f"| {c['precision']:.3f} | {c['recall']:.3f} |"
        )
        every_row += rows
        every_score += scores
        if show_errors:
            for r, s in zip(rows, scores, strict=True):
                if (s >= threshold) != bool(r["label"]):
                    print(f"    {'FALSE ALARM' if s >= threshold else 'MISSED'} {s:.2f} {r['text'][:110]!r}")
    c = confusion(every_row, every_score, threshold)
    irc = irc_test()
    if irc:
        flagged = [
            r["text"] for r, s in zip(irc, score_ads([r["text"] for r in irc]), strict=True) if s.score >= threshold
        ]
        print(f"| Ubuntu IRC test days (presumed all ordinary) | {len(irc)} | - | - | {len(flagged)} | - | - | - |")
        if show_errors:
            for text in flagged:
                print(f"    FLAGGED {text[:110]!r}")
    print(
        f"| **all labelled** | {c['n']} | {c['ads']} | {c['tp']} | {c['fp']} | {c['fn']} "
        f"| **{c['precision']:.3f}** | **{c['recall']:.3f}** |"
    )
    return c["precision"] >= 0.95 and c["recall"] >= 0.85


def samples(folder: Path, threshold: float, limit: int) -> None:
    """Import the real exports under ``folder`` into a temporary log and score their messages."""
    from shequn.importer import import_paths
    from shequn.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "samples.duckdb")

        def load(path: Path, community: str, depth: int = 0) -> None:
            """Import a folder as one export; where that fails, its parts one by one."""
            try:
                import_paths(store, [path], community=community)
            except Exception as exc:  # a sample this build cannot read is reported, not fatal
                if depth < 2 and path.is_dir():
                    for part in sorted(p for p in path.iterdir() if p.name != "channels.json"):
                        load(part, community, depth + 1)
                else:
                    print(f"  skipped {path.relative_to(folder)}: {type(exc).__name__}: {str(exc)[:80]}")

        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            for export in sorted(p for p in sub.iterdir() if p.is_dir()) or [sub]:
                load(export, f"{sub.name}/{export.name}")
        rows = store.query(
            "SELECT c.name, e.text FROM events e JOIN communities c USING (community_id)"
            " WHERE e.kind = 'message' AND e.text IS NOT NULL AND e.text <> ''"
        )
        store.close()
    scores = score_ads([t for _, t in rows])
    per: dict[str, list[int]] = {}
    flagged = []
    for (community, text), score in zip(rows, scores, strict=True):
        counts = per.setdefault(community, [0, 0])
        counts[0] += 1
        if score.score >= threshold:
            counts[1] += 1
            flagged.append((score.score, community, text, score.reasons))
    print("\n| sample export (unlabelled) | messages | flagged | share |")
    print("|---|---:|---:|---:|")
    for community, (n, k) in sorted(per.items()):
        print(f"| {community} | {n} | {k} | {k / n:.2%} |")
    total, total_flagged = sum(n for n, _ in per.values()), sum(k for _, k in per.values())
    print(f"| **all** | {total} | {total_flagged} | {total_flagged / max(total, 1):.2%} |")
    print(f"\nflagged messages, highest scores first (first {limit}):")
    for score, community, text, reasons in sorted(flagged, key=lambda f: -f[0])[:limit]:
        why = "; ".join(f"{r.code}: {r.detail}" for r in reasons[:3])
        print(f"  {score:.2f} [{community}] {' '.join(text.split())[:120]!r}  <- {why}")


def bench(n: int) -> None:
    """Messages per second of the text part (:func:`score_ads` with no context).

    Three mixes, each repeated to ``n`` messages: real chat (the Ubuntu IRC test days),
    ordinary Chinese group chat (the normal rows of the labels) and the labelled test
    texts (long ads and SMS). The scorer
    keeps nothing between messages, so repeating texts does not make it faster.
    """
    labelled = read_jsonl(LABELS / "ads-train.jsonl") + read_jsonl(LABELS / "ads-test.jsonl")
    mixes = {
        "Chinese ordinary chat (labels, label 0)": [
            r["text"] for r in labelled if r["lang"] == "zh" and not r["label"]
        ],
        "labelled test texts": [r["text"] for rows in test_sets().values() for r in rows],
    }
    irc = [r["text"] for r in irc_test()]
    if irc:
        mixes = {"Ubuntu IRC lines": irc, **mixes}
    print()
    for name, texts in mixes.items():
        batch = (texts * (n // len(texts) + 1))[:n]
        start = time.perf_counter()
        score_ads(batch)
        took = time.perf_counter() - start
        mean = sum(map(len, texts)) / len(texts)
        print(f"{name} (mean {mean:.0f} characters): {n:,} messages in {took:.2f} s, {n / took:,.0f} messages/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="print every false alarm and missed ad")
    parser.add_argument("--samples", type=Path, help="folder of real exports (../shared/samples)")
    parser.add_argument("--show", type=int, default=40, help="flagged sample messages to print")
    parser.add_argument("--bench", type=int, help="score this many messages and report the speed")
    args = parser.parse_args(argv)
    passed = report(args.threshold, args.errors)
    print(f"\nacceptance (precision >= 0.95 at recall >= 0.85): {'met' if passed else 'NOT met'}")
    if args.samples:
        samples(args.samples, args.threshold, args.show)
    if args.bench:
        bench(args.bench)


if __name__ == "__main__":
    main()
