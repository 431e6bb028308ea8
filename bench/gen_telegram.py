"""A large single-chat Telegram Desktop export for bench/import.py.

Written in Telegram Desktop's own layout (one space per nesting level, one key per line),
streamed message by message. The mix: plain text, entity arrays with mentions and links,
replies, photos, joins by link, edits and reactions, from 5 000 members with a long tail.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

T0 = 1_750_000_000


def _s(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _dump(value: object, level: int) -> str:
    pad = " " * (level + 1)
    if isinstance(value, dict):
        inner = ",".join(f"\n{pad}{_s(k)}: {_dump(v, level + 1)}" for k, v in value.items())
        return "{" + inner + "\n" + " " * level + "}" if value else "{\n" + " " * level + "}"
    if isinstance(value, list):
        inner = ",".join(f"\n{pad}{_dump(v, level + 1)}" for v in value)
        return "[" + inner + "\n" + " " * level + "]" if value else "[]"
    return _s(value)


def _messages(n: int) -> Iterator[dict]:
    rnd = random.Random(7)
    members = [(f"user{1000 + i}", f"Member {i} 成员") for i in range(5000)]
    t = T0
    for i in range(1, n + 1):
        t += rnd.randint(1, 30)
        uid, name = members[int(rnd.paretovariate(1.2)) % len(members)]
        when = {"date": "2025-06-15T10:00:00", "date_unixtime": str(t)}
        r = rnd.random()
        if r < 0.02:
            yield {"id": i, "type": "service", **when, "actor": name, "actor_id": uid,
                   "action": "join_group_by_link", "inviter": "Group", "text": "", "text_entities": []}  # fmt: skip
            continue
        m: dict = {"id": i, "type": "message", **when, "from": name, "from_id": uid}
        if r < 0.60:
            text = f"message {i}: 今天的话题大家怎么看? some words to look like chat"
            m |= {"text": text, "text_entities": [{"type": "plain", "text": text}]}
            if rnd.random() < 0.3:
                m["reply_to_message_id"] = max(1, i - rnd.randint(1, 20))
        elif r < 0.85:
            parts = [
                "hey ",
                {"type": "mention", "text": "@someone"},
                " look at ",
                {"type": "link", "text": "https://example.com/x"},
            ]
            entities = [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in parts]
            m |= {"text": parts, "text_entities": entities}
        else:
            m |= {"photo": "(File not included. Change data exporting settings to download.)",
                  "photo_file_size": 12345, "width": 800, "height": 600, "text": "", "text_entities": []}  # fmt: skip
        if rnd.random() < 0.05:
            m |= {"edited": "2025-06-15T10:05:00", "edited_unixtime": str(t + 60)}
        if rnd.random() < 0.05:
            ruid, rname = members[rnd.randrange(len(members))]
            recent = [{"from": rname, "from_id": ruid, "date": "2025-06-15T10:06:00"}]
            m["reactions"] = [{"type": "emoji", "count": 3, "emoji": "👍", "recent": recent}]
        yield m


def bench_sample(path: Path, n_messages: int) -> Path:
    """Write ``n_messages`` messages as ``path.json``; returns the file."""
    out = path.with_suffix(".json")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('{\n "name": "Bench group",\n "type": "private_supergroup",\n "id": 1234567890,\n "messages": [')
        for k, message in enumerate(_messages(n_messages)):
            fh.write(("\n  " if k == 0 else ",\n  ") + _dump(message, 2))
        fh.write("\n ]\n}")
    return out
