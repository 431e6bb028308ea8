"""Precision, recall and F1 of question detection on the held-out labels.

    python scripts/eval_questions.py                 # both test files, model and rules-only
    python scripts/eval_questions.py --json          # the same as JSON
    python scripts/eval_questions.py --limit 50      # the first 50 messages of each file (a smoke test)
    python scripts/eval_questions.py --errors 20     # also print up to 20 misclassified messages per file

Reads ``data/labels/questions-{zh,en}-{test,holdout}.jsonl`` (see ``docs/quality.md`` for
where the labels come from; ``holdout`` was labelled after the rules and the model were
frozen and has been scored once), scores every message with the model shipped in the package and with the
rules alone, and counts a message as a question when its score reaches the model's threshold.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import orjson

from shequn.classify._questions_model import default_model
from shequn.classify.questions import rules_only, score_questions

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "labels"


def counts(truth: list[bool], predicted: list[bool]) -> dict[str, float]:
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def evaluate(lang: str, *, split: str = "test", limit: int | None = None, labels: Path = LABELS) -> dict:
    """Scores of the model and of the rules alone on one language's ``test`` (or ``holdout``) file."""
    rows = [orjson.loads(line) for line in (labels / f"questions-{lang}-{split}.jsonl").read_bytes().splitlines()]
    rows = rows[:limit] if limit else rows
    texts = [r["text"] for r in rows]
    truth = [bool(r["label"]) for r in rows]
    scored = score_questions(texts)
    by_model = [s.label for s in scored]
    by_rules = [rules_only(t) for t in texts]
    return {
        "lang": lang,
        "split": split,
        "messages": len(rows),
        "questions": sum(truth),
        "model": counts(truth, by_model),
        "rules": counts(truth, by_rules),
        "errors": [
            {"text": t, "label": int(y), "score": round(s.score, 3), "reasons": list(s.reasons)}
            for t, y, s in zip(texts, truth, scored, strict=True)
            if s.label != y
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N messages of each file")
    parser.add_argument(
        "--split", action="append", choices=("test", "holdout"), help="label files to score (default: both)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misclassified messages per file")
    args = parser.parse_args(argv)
    results = [
        evaluate(lang, split=split, limit=args.limit)
        for split in args.split or ["test", "holdout"]
        for lang in ("zh", "en")
    ]
    if args.json:
        for r in results:
            r["errors"] = r["errors"][: args.errors]
        print(json.dumps({"model_version": default_model().version, "results": results}, ensure_ascii=False, indent=2))
        return 0
    print(f"question model v{default_model().version}, threshold {default_model().threshold}")
    print("split    lang  messages  questions  method  precision  recall     F1")
    for r in results:
        for method in ("model", "rules"):
            c = r[method]
            print(
                f"{r['split']:<8} {r['lang']:<5} {r['messages']:>8} {r['questions']:>10}  {method:<6} "
                f"{c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f}"
            )
        for e in r["errors"][: args.errors]:
            print(f"    {'FN' if e['label'] else 'FP'} {e['score']:.2f} {e['text'][:100]!r} {' '.join(e['reasons'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
