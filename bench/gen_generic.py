"""A generated file in the generic layout (docs/formats-generic.md), of any size.

Rows mix what the layout allows: several groups, ids on most messages (a few rely on the
content hash), replies and threads, ISO times with and without offsets and epoch seconds,
joins (self and added), leaves, removals, reactions, mentions and multi-line quoted text.
``layout="jsonl"`` writes the same rows as JSON lines. Randomness is seeded, so a size always
gives the same file; rows are written as they are made.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

__all__ = ["bench_sample"]

_START = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
_WORDS = ["hello", "meetup", "slides", "thanks", "question", "link", "agenda", "venue", "welcome", "rsvp"]
_COLUMNS = [
    "group",
    "time",
    "sender_id",
    "sender_name",
    "text",
    "id",
    "reply_to",
    "thread",
    "kind",
    "target_id",
    "mentions",
]


def bench_sample(path: Path, n_messages: int, *, layout: str = "csv", groups: int = 20, members: int = 5000) -> Path:
    """Write ``n_messages`` rows to ``path`` with ``.csv`` or ``.jsonl``; returns the file written."""
    rng = random.Random(n_messages)
    out_path = path.with_suffix(f".{layout}")
    moment = _START
    recent: list[str] = []
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out) if layout == "csv" else None
        if writer is not None:
            writer.writerow(_COLUMNS)
        for i in range(n_messages):
            moment += timedelta(seconds=rng.randint(0, 30))
            row = _row(rng, i, moment, recent, groups, members)
            if writer is not None:
                writer.writerow([row.get(c, "") for c in _COLUMNS])
            else:
                out.write(orjson.dumps({k: v for k, v in row.items() if v != ""}).decode() + "\n")
    return out_path


def _row(rng: random.Random, i: int, moment: datetime, recent: list[str], groups: int, members: int) -> dict:
    user = rng.randrange(members)
    row: dict = {"group": f"group-{user % groups}", "sender_id": f"u{user}", "sender_name": f"User {user}"}
    style = i % 3
    if style == 0:
        row["time"] = moment.isoformat()
    elif style == 1:
        row["time"] = moment.replace(tzinfo=None).isoformat(sep=" ")
    else:
        row["time"] = str(int(moment.timestamp()))
    roll = rng.random()
    if roll < 0.03:
        row.update(kind="join", text="")
    elif roll < 0.04:
        row.update(kind="leave", text="")
    elif roll < 0.045:
        row.update(kind="removal", text="", target_id=f"u{rng.randrange(members)}")
    elif roll < 0.1 and recent:
        row.update(kind="reaction", text="👍", reply_to=rng.choice(recent))
    else:
        text = " ".join(rng.choices(_WORDS, k=rng.randint(2, 25)))
        if rng.random() < 0.05:
            text += "\nsecond line, with a comma"
        row["text"] = text
        if rng.random() < 0.95:
            row["id"] = f"m{i}"
            recent.append(row["id"])
            del recent[:-100]
        if recent and rng.random() < 0.3:
            row["reply_to"] = row["thread"] = rng.choice(recent)
        if rng.random() < 0.1:
            row["mentions"] = f"u{rng.randrange(members)};u{rng.randrange(members)}"
    return row
