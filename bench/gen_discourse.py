"""A generated Discourse topic answer of any size, for measuring the importer.

The shape is ``/t/{id}.json`` (FORMATS.md §10) with every post in ``post_stream.posts`` — what
``?print=true`` returns, only longer: ``cooked`` HTML with mentions, replies by post number,
likes in ``actions_summary``, the reactions plugin on some posts, a staff member and the
``system`` user's small actions. An API answer is read whole by design (its category and
title follow the posts), so memory follows the size of the file, not of a forum.
Randomness is seeded, so a size always gives the same file.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

__all__ = ["bench_sample"]

_START = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
_WORDS = ["release", "bug", "thanks", "works", "config", "upgrade", "docs", "plugin", "theme", "question"]


def bench_sample(path: Path, n_messages: int, *, members: int = 3000) -> Path:
    """Write a topic of ``n_messages`` posts to ``path`` with ``.json``; returns the file written."""
    rng = random.Random(n_messages)
    users = [f"user{i}" for i in range(members)]
    moment = _START
    posts = []
    for number in range(1, n_messages + 1):
        moment += timedelta(seconds=rng.randint(1, 600))
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        username = rng.choice(users)
        words = " ".join(rng.choices(_WORDS, k=rng.randint(4, 40)))
        cooked = f"<p>{words}</p>"
        if rng.random() < 0.1:
            other = rng.choice(users)
            cooked = f'<p><a class="mention" href="/u/{other}">@{other}</a> {words}</p>'
        post: dict = {
            "id": 100_000 + number,
            "post_number": number,
            "topic_id": 42,
            "username": username,
            "name": username.title(),
            "user_id": int(username[4:]) + 10,
            "created_at": stamp,
            "updated_at": stamp,
            "cooked": cooked,
            "post_type": 1,
            "reply_to_post_number": rng.randint(1, number - 1) if number > 1 and rng.random() < 0.4 else None,
            "actions_summary": [{"id": 2, "count": rng.randint(1, 9)}] if rng.random() < 0.2 else [],
            "staff": username == "user0",
            "version": 1,
        }
        if rng.random() < 0.05:
            post["reactions"] = [{"id": "heart", "type": "emoji", "count": rng.randint(1, 5)}]
        if rng.random() < 0.002:
            post.update(username="system", name="system", user_id=-1, post_type=3, action_code="pinned.enabled")
        posts.append(post)
    topic = {
        "post_stream": {"posts": posts, "stream": [p["id"] for p in posts]},
        "id": 42,
        "title": "A very long topic",
        "category_id": 5,
        "posts_count": n_messages,
    }
    out = path.with_suffix(".json")
    out.write_bytes(orjson.dumps(topic))
    return out
