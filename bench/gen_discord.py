"""A large DiscordChatExporter JSON export for the import bench.

The file has the shape and indentation DiscordChatExporter writes (2-space indent, every
message with author, roles, attachments, embeds, reactions with reactors, mentions), with
what a busy server has: replies, mentions, reactions, edits, pins, joins, a bot, and long
and multi-line text. Deterministic: the same ``n_messages`` gives the same bytes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

__all__ = ["bench_sample"]

_GUILD = {"id": "81384788765712384", "name": "Bench Guild", "iconUrl": "https://cdn.discordapp.com/icons/1/a.png"}
_CHANNEL = {
    "id": "381889648827301889",
    "type": "GuildTextChat",
    "categoryId": "381887113391505410",
    "category": "Help",
    "name": "python-help",
    "topic": "Ask anything about Python",
}
_TEXT = (
    "the a to and is it you that of in for this on with be have not but are what can just so if "
    "python async await import error install version works thanks help docs pip venv type hint 👍 🙂 "
    "discord bot server channel thread message reply release build test fix issue question answer"
)
_WORDS = tuple(_TEXT.split(" "))
_EMOJI = (("👍", ""), ("😂", ""), ("🎉", ""), ("kekw", "782589696621805568"), ("pepeheart", "909107614120566886"))
_SNOWFLAKE_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)


def _snowflake(at: datetime, n: int) -> str:
    ms = int((at - _SNOWFLAKE_EPOCH).total_seconds() * 1000)
    return str((ms << 22) | (n & 0x3FFFFF))


def _user(uid: int, bot: bool = False) -> dict:
    return {
        "id": str(100_000_000_000_000_000 + uid),
        "name": f"user{uid}",
        "discriminator": "0000" if uid % 3 else f"{uid % 10000:04d}",
        "nickname": f"User {uid}",
        "color": None,
        "isBot": bot,
        "avatarUrl": f"https://cdn.discordapp.com/avatars/{uid}/a.png",
    }


def _message(rng: random.Random, i: int, at: datetime, ids: list[str], members: int) -> dict:
    uid = min(int(rng.paretovariate(1.2)), members) if rng.random() < 0.9 else rng.randrange(1, members + 1)
    bot = i % 97 == 0
    author = _user(0 if bot else uid, bot=bot)
    author["roles"] = [{"id": "1", "name": "member", "color": None, "position": 1}]
    words = rng.choices(_WORDS, k=max(1, int(rng.expovariate(1 / 12))))
    content = " ".join(words)
    if rng.random() < 0.05:
        content += "\n```py\nprint('hello')\n```"
    msg_id = _snowflake(at, i)
    kind = "Default"
    if i % 500 == 1:
        kind, content = "GuildMemberJoin", "Joined the server."
    reference = None
    if ids and rng.random() < 0.3:
        kind = "Reply" if kind == "Default" else kind
        reference = {"type": "Default", "messageId": rng.choice(ids), "channelId": _CHANNEL["id"], "guildId": "1"}
    mentions = [_user(rng.randrange(1, members + 1))] if rng.random() < 0.1 else []
    reactions = []
    for name, eid in rng.sample(_EMOJI, rng.choice((0, 0, 0, 0, 1, 1, 2))):
        users = [_user(uid) for uid in rng.sample(range(1, members + 1), rng.randint(1, 4))]
        reactions.append(
            {
                "emoji": {"id": eid, "name": name, "code": name, "isAnimated": False, "imageUrl": "https://x/e.png"},
                "count": len(users),
                "users": users,
            }
        )
    edited = (at + timedelta(seconds=rng.randint(5, 600))).isoformat(timespec="milliseconds") if i % 20 == 0 else None
    out = {
        "id": msg_id,
        "type": kind,
        "timestamp": at.isoformat(timespec="milliseconds"),
        "timestampEdited": edited,
        "callEndedTimestamp": None,
        "isPinned": i % 1000 == 0,
        "content": content,
        "author": author,
        "attachments": (
            [{"id": msg_id, "url": "https://cdn.discordapp.com/a.png", "fileName": "a.png", "fileSizeBytes": 1234}]
            if rng.random() < 0.05
            else []
        ),
        "embeds": [],
        "stickers": [],
        "reactions": reactions,
        "mentions": mentions,
        "inlineEmojis": [],
    }
    if reference is not None:
        out["reference"] = reference
    return out


def bench_sample(path: Path, n_messages: int) -> None:
    """Write an export of ``n_messages`` messages from about n/50 members to ``path``."""
    rng = random.Random(n_messages)
    members = max(10, n_messages // 50)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    recent: list[str] = []
    indent = orjson.OPT_INDENT_2
    with open(path, "wb") as out:
        head = {"guild": _GUILD, "channel": _CHANNEL, "dateRange": {"after": None, "before": None}}
        out.write(orjson.dumps(head, option=indent)[:-2] + b',\n  "exportedAt": "2025-01-01T00:00:00+00:00",')
        out.write(b'\n  "messages": [')
        for i in range(n_messages):
            at += timedelta(seconds=rng.expovariate(1 / 30))
            msg = _message(rng, i, at, recent, members)
            body = orjson.dumps(msg, option=indent).replace(b"\n", b"\n    ")
            out.write((b"," if i else b"") + b"\n    " + body)
            recent.append(msg["id"])
            if len(recent) > 50:
                recent.pop(0)
        out.write(b"\n  ],\n  " + f'"messageCount": {n_messages}'.encode() + b"\n}\n")
