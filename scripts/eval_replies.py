"""Reply-link accuracy on the Ubuntu IRC disentanglement gold links (and training the model).

    python scripts/eval_replies.py                     # accuracy of the shipped model on dev and test
    python scripts/eval_replies.py --split test --files 2
    python scripts/eval_replies.py --baseline          # every message answers the message before it
    python scripts/eval_replies.py --train             # fit on train, tune on dev, refit on train+dev,
                                                       # write src/shequn/classify/models/replies-v2.json

The corpus (``../shared/samples/irc/ubuntu-irc-disentanglement``, CC BY 4.0, Kummerfeld et
al., ACL 2019) has raw ``#ubuntu`` day logs and, per file, ``A B -`` lines: raw line ``B``
replies to raw line ``A`` (0-based over the raw file); ``A == B`` means ``B`` starts a
conversation. Only lines from 1000 on are annotated; earlier lines are context.

This script reads the raw files itself (``[HH:MM] <nick> text`` and ``[HH:MM]  * nick
action`` are messages, ``===`` lines are not) and feeds the messages to
:func:`shequn.classify.replies.infer_replies` in file order, one group per file.

Scores:

- **link accuracy**: of the annotated links ``A B`` with ``A != B`` where ``B`` is a message,
  the share whose predicted parent of ``B`` is ``A`` (a message with two gold parents can
  have only one of its two links right);
- **message accuracy**: of the messages with at least one such link, the share whose
  predicted parent is one of their gold parents;
- **starts**: of the messages linked only to themselves, the share predicted to have no parent.

Training (``--train``, needs scipy) fits the weights of the candidate ranking, a conditional
logit (softmax over each message's candidates, L2-penalised), on the ``train`` files, with
the gold parents of earlier messages as the links already decided; the penalty is chosen by
link accuracy on ``dev``; the final model is refitted on ``train`` + ``dev``. ``test`` is only
ever scored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shequn.classify._replies_features import NO_PARENT, WINDOW, GroupState, candidate_features
from shequn.classify.replies import MODEL_FILE, ReplyInput, ReplyModel, default_reply_model, infer_replies

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "samples" / "irc" / "ubuntu-irc-disentanglement"
OUT = ROOT / "src" / "shequn" / "classify" / "models" / MODEL_FILE
_MESSAGE = re.compile(r"^\[(\d\d):(\d\d)\] (?:<([^>]+)>|\s*\* (\S+)) ?(.*)$")
L2_GRID = (0.3, 1.0, 3.0, 10.0)


@dataclass
class Day:
    """One raw file: its messages ``(line, seconds, nick, text)`` and gold parents by line."""

    name: str
    messages: list[tuple[int, float, str, str]]
    gold: dict[int, set[int]]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # two train files mix in Latin-1 lines


def read_day(raw_path: Path) -> Day:
    messages = []
    day_offset = 0.0
    last = -1.0
    for line_no, raw in enumerate(raw_path.read_bytes().split(b"\n")):
        found = _MESSAGE.match(_decode(raw).rstrip("\r"))
        if found is None:
            continue
        seconds = int(found.group(1)) * 3600 + int(found.group(2)) * 60 + day_offset
        if seconds < last - 12 * 3600:  # past midnight
            day_offset += 86400
            seconds += 86400
        last = seconds
        messages.append((line_no, seconds, found.group(3) or found.group(4), found.group(5)))
    gold: dict[int, set[int]] = defaultdict(set)
    annotation = raw_path.with_name(raw_path.name.replace(".raw.txt", ".annotation.txt"))
    for line in annotation.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            gold[int(parts[1])].add(int(parts[0]))
    return Day(raw_path.name, messages, dict(gold))


def days(split: str, files: int | None = None, corpus: Path = CORPUS) -> list[Day]:
    paths = sorted((corpus / split).glob("*.raw.txt"))
    return [read_day(p) for p in paths[:files] if p.with_name(p.name.replace(".raw.txt", ".annotation.txt")).exists()]


def predict(day: Day, model: ReplyModel) -> dict[int, int | None]:
    """Predicted parent line of every message line (None: starts a conversation)."""
    stream = (ReplyInput(str(line), day.name, seconds, nick, text) for line, seconds, nick, text in day.messages)
    parents: dict[int, int | None] = {line: None for line, *_ in day.messages}
    for link in infer_replies(stream, model=model):
        parents[int(link.event_id)] = int(link.reply_to_event_id)
    return parents


def score(days_: list[Day], model: ReplyModel) -> dict[str, float | int]:
    links = links_ok = messages = messages_ok = starts = starts_ok = 0
    for day in days_:
        predicted = predict(day, model)
        for child, parents in day.gold.items():
            if child not in predicted:
                continue  # a system line
            others = parents - {child}
            if not others:
                starts += 1
                starts_ok += predicted[child] is None
                continue
            messages += 1
            messages_ok += predicted[child] in others
            links += len(others)
            links_ok += predicted[child] in others
    return {
        "files": len(days_),
        "links": links,
        "link_accuracy": links_ok / links if links else 0.0,
        "messages": messages,
        "message_accuracy": messages_ok / messages if messages else 0.0,
        "starts": starts,
        "start_accuracy": starts_ok / starts if starts else 0.0,
    }


# -- training -------------------------------------------------------------------------


def examples(day: Day, window: int = WINDOW) -> Iterator[tuple[list[list[str]], list[bool]]]:
    """Each annotated message's candidates' features and which candidates are gold parents.

    Earlier messages' links are their gold parents (the nearest one, for several), as if the
    model had decided them right; messages before the annotated part have none.
    """
    state = GroupState(window=window)
    index_of: dict[int, int] = {}
    for line, seconds, nick, text in day.messages:
        current = state.read(line, seconds, nick, text)
        gold = day.gold.get(line)
        if gold:
            candidates = candidate_features(state, current, text)
            mask = [(c.seen.key in gold) if c.seen is not None else (line in gold) for c in candidates]
            if any(mask):
                yield [c.all_features() for c in candidates], mask
        earlier = [p for p in (gold or ()) if p != line and p in index_of]
        index_of[line] = current.index
        state.add(current, index_of[max(earlier)] if earlier else NO_PARENT)


def fit(days_: list[Day], l2: float) -> dict[str, float]:
    import numpy as np
    from scipy.optimize import minimize

    data = [ex for day in days_ for ex in examples(day)]
    names = sorted({f for feats, _ in data for cand in feats for f in cand})
    column = {n: i for i, n in enumerate(names)}
    rows, cols, segment, gold = [], [], [], []
    row = 0
    for seg, (feats, mask) in enumerate(data):
        for cand, is_gold in zip(feats, mask, strict=True):
            for f in set(cand):
                rows.append(row)
                cols.append(column[f])
            segment.append(seg)
            gold.append(is_gold)
            row += 1
    from scipy.sparse import csr_matrix

    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(row, len(names)))
    seg = np.array(segment)
    y = np.array(gold, dtype=float)
    n = len(data)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, seg, s)
        e = np.exp(s - top[seg])
        den = np.bincount(seg, e, n)
        num = np.bincount(seg, e * y, n)
        value = -(np.log(num) - np.log(den)).sum() + l2 * (w @ w) / 2
        grad = x.T @ (e / den[seg] - e * y / num[seg]) + l2 * w
        return float(value), grad

    result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return {name: round(float(w), 4) for name, w in zip(names, result.x, strict=True) if abs(w) >= 1e-4}


def train(out: Path) -> ReplyModel:
    train_days, dev_days = days("train"), days("dev")
    tried = {}
    for l2 in L2_GRID:
        model = ReplyModel("candidate", WINDOW, fit(train_days, l2), {})
        tried[l2] = score(dev_days, model)["link_accuracy"]
        print(f"l2={l2}: dev link accuracy {tried[l2]:.4f}", file=sys.stderr)
    best = max(tried, key=lambda k: (tried[k], k))
    weights = fit(train_days + dev_days, best)
    trained = {
        "corpus": "Ubuntu IRC disentanglement (Kummerfeld et al. 2019), CC BY 4.0",
        "fitted_on": f"{len(train_days)} train + {len(dev_days)} dev files",
        "l2": best,
        "dev_link_accuracy_train_only": round(tried[best], 4),
    }
    model = ReplyModel("2", WINDOW, weights, trained)
    out.write_bytes(model.as_json())
    print(f"wrote {out}", file=sys.stderr)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", action="append", choices=("train", "dev", "test"), help="default: dev and test")
    parser.add_argument("--files", type=int, default=None, help="only the first N files of each split")
    parser.add_argument("--train", action="store_true", help="fit the model and write it into the package")
    parser.add_argument(
        "--baseline", action="store_true", help="score the previous-message baseline instead of the model"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    if args.baseline:  # every message answers the one before it: only the nearest candidate has weight
        model = ReplyModel("previous-message baseline", WINDOW, {"d1": 10.0}, {})
    else:
        model = train(OUT) if args.train else default_reply_model()
    results = {split: score(days(split, args.files), model) for split in args.split or ["dev", "test"]}
    if args.json:
        print(json.dumps({"model_version": model.version, "results": results}, indent=2))
        return 0
    print(f"reply model v{model.version}, window {model.window}")
    print("split  files  links  link acc  messages  msg acc  starts  start acc")
    for split, r in results.items():
        print(
            f"{split:<6} {r['files']:>5} {r['links']:>6} {r['link_accuracy']:>9.3f} {r['messages']:>9}"
            f" {r['message_accuracy']:>8.3f} {r['starts']:>7} {r['start_accuracy']:>10.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
