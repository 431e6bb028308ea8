"""A generated Slack workspace export of any size, for measuring the importer.

The shape follows the real exports (FORMATS.md §3): listings at the root, one folder per
channel, one JSON array per UTC day; threads, reactions with reactor lists, lower-cased
mentions as in the 10 Academy sample, channel joins with and without an inviter, and an
integration posting ``bot_message`` lines. Randomness is seeded, so a size always gives the
same export; day files are written as they fill, so the generator's memory stays small.
"""

from __future__ import annotations

import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import orjson

__all__ = ["bench_sample"]

_START = 1_700_000_000  # 2023-11-14T22:13:20Z
_WORDS = ["kafka", "docker", "sql", "join", "cohort", "deploy", "review", "question", "answer", "thanks"]


class _Sink:
    """Writes export files into a folder, or into a zip when the path ends in .zip."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) if path.suffix == ".zip" else None
        self._root = path

    def write(self, name: str, data: object) -> None:
        raw = orjson.dumps(data)
        if self._zip is not None:
            self._zip.writestr(name, raw)
            return
        target = self._root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def bench_sample(path: Path, n_messages: int, *, channels: int = 20, members: int = 400, per_day: int = 400) -> None:
    """Write an export with ``n_messages`` message lines to ``path`` (a folder, or a zip if it ends in .zip).

    ``per_day`` is the mean number of messages a channel gets per day.
    """
    rng = random.Random(n_messages)
    users = [f"U{n:08X}" for n in range(1, members + 1)]
    names = [f"ch-{n:03d}" for n in range(channels)]
    sink = _Sink(path)
    try:
        people = [{"id": u, "name": f"user{i}", "real_name": f"User {i}", "is_bot": False} for i, u in enumerate(users)]
        sink.write("users.json", [*people, {"id": "UBOT00001", "name": "ci", "real_name": "CI", "is_bot": True}])
        sink.write(
            "channels.json",
            [{"id": f"C{n:08X}", "name": name, "created": _START, "members": users} for n, name in enumerate(names)],
        )
        for n, name in enumerate(names):
            count = n_messages // channels + (1 if n < n_messages % channels else 0)
            _channel(sink, rng, name, count, users, max_gap=2 * 86_400 // per_day)
    finally:
        sink.close()


def _channel(sink: _Sink, rng: random.Random, name: str, count: int, users: list[str], max_gap: int) -> None:
    """The day files of one channel: joins first, then ``count`` message lines."""
    day: list[dict] = []
    day_name = _day_name(_START)
    ts = _START
    joined = rng.sample(users, min(len(users), 40))
    for i, uid in enumerate(joined):
        ts += 1
        join = {"type": "message", "subtype": "channel_join", "ts": f"{ts}.{i:06d}", "user": uid}
        join["text"] = f"<@{uid}> has joined the channel"
        if i and rng.random() < 0.3:
            join["inviter"] = joined[0]
        day.append(join)
    thread: str | None = None
    for i in range(count):
        ts += rng.randint(1, max_gap)
        if _day_name(ts) != day_name:
            sink.write(f"{name}/{day_name}", day)
            day, day_name = [], _day_name(ts)
        stamp = f"{ts}.{rng.randrange(1_000_000):06d}"
        if rng.random() < 0.02:
            day.append({"type": "message", "subtype": "bot_message", "bot_id": "B00000001", "ts": stamp, "text": "ok"})
            continue
        uid = rng.choice(users)
        text = " ".join(rng.choices(_WORDS, k=rng.randint(3, 25)))
        if rng.random() < 0.1:
            text = f"<@{rng.choice(users).lower()}> {text} &amp; <https://example.com/{i}|docs>"
        msg: dict = {"type": "message", "user": uid, "ts": stamp, "client_msg_id": f"m{i}", "text": text}
        if thread is not None and rng.random() < 0.35:
            msg["thread_ts"] = thread
            msg["parent_user_id"] = uid
        elif rng.random() < 0.1:
            thread = msg["thread_ts"] = stamp
        if rng.random() < 0.15:
            msg["reactions"] = [{"name": "+1", "users": rng.sample(users, 3), "count": 4}]
        if rng.random() < 0.03:
            msg["edited"] = {"user": uid, "ts": f"{ts + 60}.000000"}
        day.append(msg)
    if day:
        sink.write(f"{name}/{day_name}", day)


def _day_name(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d.json")
