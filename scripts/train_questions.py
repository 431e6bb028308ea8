"""Train the question model and write ``src/shequn/classify/models/questions-v1.json``.

    python scripts/train_questions.py            # train on data/labels/questions-*-train.jsonl
    python scripts/train_questions.py --check    # also print cross-validated F1 on the training labels

Needs scikit-learn (a development tool, not a dependency of shequn: scoring reads the JSON).
Only the ``train`` label files are read; the ``test`` files are for ``scripts/eval_questions.py``
and never seen here. Features are :func:`shequn.classify._questions_features.features`, the
same function that scoring uses. Per language, a logistic regression (L2) is fitted on
binary features seen in at least two training messages, the rule features scaled up so that
they are regularised less than the n-grams; the strength ``C`` and the rules' scale are
chosen by 5-fold cross-validated F1 on the training labels. Weights are rounded to
four decimals and those below 0.001 dropped, so the file stays small and diffs stay readable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import orjson
from scipy.sparse import diags
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

from shequn.classify._questions_features import features, prepare

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "labels"
OUT = ROOT / "src" / "shequn" / "classify" / "models" / "questions-v1.json"
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
#: Rule features enter the regression scaled by this, which regularises them less than the
#: thousands of n-grams: with a thousand labels per language, the rules' long-tested
#: knowledge should not be out-voted by a few chance words. Exported weights are per unit.
RULE_SCALES = (1.0, 3.0, 10.0)
THRESHOLD = 0.5


def load(lang: str, split: str) -> tuple[list[str], np.ndarray]:
    rows = [orjson.loads(line) for line in (LABELS / f"questions-{lang}-{split}.jsonl").read_bytes().splitlines()]
    return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows])


def without_question_marks(text: str) -> str | None:
    """A question as people also type it, without ``?``/``？``, if its form still shows it.

    In the labels, most questions carry a question mark, so a model learns to wait for one;
    chat often drops it (``anyone know how to restart alsa``). Each such question is added
    again without its marks, but only where another strong rule still fires, so that ``the
    singing?`` does not teach that ``the singing`` asks something.
    """
    if "?" not in text and "？" not in text:
        return None
    bare = text.replace("?", " ").replace("？", " ").strip()
    fired = prepare(bare).rules
    return bare if any(kind == "strong" for _, kind in fired) else None


def by_language(augment: bool = True) -> dict[str, tuple[list[list[str]], np.ndarray, np.ndarray]]:
    """Both training files' messages, grouped by the language scoring will detect for them.

    A Chinese chat has lines without a Chinese character (``+1``, ``OK``); they are scored by
    the English model, so they train it. The third array numbers the labelled message each
    example comes from, so cross-validation keeps a question and its copy in the same fold.
    """
    grouped: dict[str, tuple[list[list[str]], list[int], list[int]]] = {"en": ([], [], []), "zh": ([], [], [])}
    origin = 0
    for file_lang in ("en", "zh"):
        texts, y = load(file_lang, "train")
        for text, label in zip(texts, y, strict=True):
            origin += 1
            variants = [text]
            if augment and label and (bare := without_question_marks(text)):
                variants.append(bare)
            for variant in variants:
                prepared = prepare(variant)
                grouped[prepared.lang][0].append(features(prepared))
                grouped[prepared.lang][1].append(int(label))
                grouped[prepared.lang][2].append(origin)
    return {lang: (feats, np.array(labels), np.array(origins)) for lang, (feats, labels, origins) in grouped.items()}


def _vectoriser() -> CountVectorizer:
    return CountVectorizer(analyzer=lambda feats: feats, binary=True, min_df=2, lowercase=False)


def _matrix(vec: CountVectorizer, feats: list[list[str]], rule_scale: float, *, fit: bool) -> tuple:
    x = (vec.fit_transform(feats) if fit else vec.transform(feats)).astype(float).tocsc()
    names = vec.get_feature_names_out()
    scale = np.array([rule_scale if str(n).startswith("R:") else 1.0 for n in names])
    return (x @ diags(scale)).tocsr(), names, scale


def choose(
    feats: list[list[str]], y: np.ndarray, origins: np.ndarray
) -> tuple[tuple[float, float], dict[tuple[float, float], float]]:
    """The (C, rule scale) with the best 5-fold cross-validated F1 on the training labels."""
    folds = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0).split(feats, y, origins))
    results = {}
    for rule_scale in RULE_SCALES:
        x, _, _ = _matrix(_vectoriser(), feats, rule_scale, fit=True)
        for c in C_GRID:
            predicted = cross_val_predict(LogisticRegression(C=c, max_iter=5000), x, y, cv=folds)
            results[(c, rule_scale)] = float(f1_score(y, predicted))
    best = max(results, key=lambda k: (round(results[k], 4), -k[0]))
    return best, results


def fit(feats: list[list[str]], y: np.ndarray, c: float, rule_scale: float) -> dict:
    vec = _vectoriser()
    x, names, scale = _matrix(vec, feats, rule_scale, fit=True)
    clf = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    per_unit = clf.coef_[0] * scale
    weights = {str(name): round(float(w), 4) for name, w in zip(names, per_unit, strict=True) if abs(float(w)) >= 1e-3}
    return {"bias": round(float(clf.intercept_[0]), 4), "weights": dict(sorted(weights.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="print cross-validated F1 per C")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-augment", action="store_true", help="do not add questions without their ?")
    args = parser.parse_args(argv)
    languages, trained = {}, {}
    for lang, (feats, y, origins) in by_language(augment=not args.no_augment).items():
        (c, rule_scale), cv = choose(feats, y, origins)
        languages[lang] = fit(feats, y, c, rule_scale)
        trained[lang] = {
            "files": "data/labels/questions-{en,zh}-train.jsonl",
            "examples": len(feats),
            "augmented": not args.no_augment,
            "questions": int(y.sum()),
            "C": c,
            "rule_scale": rule_scale,
            "cv_f1": round(cv[(c, rule_scale)], 4),
            "features": len(languages[lang]["weights"]),
        }
        if args.check:
            print(lang, " ".join(f"C={k[0]}/x{k[1]}: {v:.3f}" for k, v in cv.items()), file=sys.stderr)
    model = {"format": "shequn-questions", "version": "1", "threshold": THRESHOLD, "languages": languages}
    model["trained"] = trained
    args.out.write_bytes(orjson.dumps(model, option=orjson.OPT_INDENT_2) + b"\n")
    for lang, info in trained.items():
        print(
            f"{lang}: {info['examples']} examples, C={info['C']}, rules x{info['rule_scale']},"
            f" cv F1 {info['cv_f1']}, {info['features']} weights"
        )
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
