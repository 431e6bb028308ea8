"""Write a storyline as a Telegram Desktop single-chat export (``result.json``).

The layout is Telegram Desktop's own pretty printer, byte for byte: one key per line,
one space more per nesting level, the chat's keys at four spaces (as in the 2022 exports
the importer's fast path reads), no trailing newline. Keys come in the order Telegram
writes them (``id, type, date, date_unixtime, edited…, from, from_id, reply_to_message_id,
media…, text, text_entities, reactions``). Messages are written one by one from the
storyline's stream; strings are escaped once per distinct text with orjson.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import orjson

from shequn.demo._calendar import N_DAYS, START, START_TS, hhmmss
from shequn.demo._people import GroupPlan, Person
from shequn.demo._script import MSG

__all__ = ["write_telegram"]

_SKIPPED = '"(File not included. Change data exporting settings to download.)"'
_FLUSH = 2_000  # messages per write


def _json(text: str) -> str:
    """A JSON string as Telegram writes it: raw UTF-8, with U+2028/U+2029 escaped."""
    return orjson.dumps(text).decode().replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Renderer:
    """Turns items into Telegram JSON text; caches what repeats (names, texts, dates)."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        # two days past the period, for edits and reactions just after its end
        self.days = [(START + timedelta(days=i)).isoformat() + "T" for i in range(N_DAYS + 2)]
        self.tod = hhmmss()
        self.senders: list[str | None] = [None] * len(people)
        self.reactors: list[str | None] = [None] * len(people)
        self._actor: dict[int, str] = {}
        self._member: dict[int, str] = {}
        self.texts: dict[str, str] = {}

    def date(self, ts: int) -> str:
        day, sod = divmod(ts - START_TS, 86_400)
        return self.days[day] + self.tod[sod]

    def sender(self, person: int) -> str:
        found = self.senders[person]
        if found is None:
            p = self.people[person]
            found = f'      "from": {_json(p.tg_name)},\n      "from_id": "user{p.tg_id}",\n'
            self.senders[person] = found
        return found

    def actor(self, person: int) -> str:
        found = self._actor.get(person)
        if found is None:
            p = self.people[person]
            found = f'      "actor": {_json(p.tg_name)},\n      "actor_id": "user{p.tg_id}",\n'
            self._actor[person] = found
        return found

    def member(self, person: int) -> str:
        found = self._member.get(person)
        if found is None:
            found = _json(self.people[person].tg_name)
            self._member[person] = found
        return found

    def text(self, text: str) -> str:
        found = self.texts.get(text)
        if found is None:
            if text:
                js = _json(text)
                found = (
                    f'      "text": {js},\n      "text_entities": [\n       {{\n        "type": "plain",\n'
                    f'        "text": {js}\n       }}\n      ]'
                )
            else:
                found = '      "text": "",\n      "text_entities": []'
            self.texts[text] = found
        return found

    def mention_text(self, mentioned: int, rest: str) -> str:
        """Text that starts with a mention: ``@username`` where there is one, else the name."""
        p = self.people[mentioned]
        if p.username:
            entity = f'{{\n        "type": "mention",\n        "text": {_json("@" + p.username)}\n       }}'
        else:
            entity = (
                f'{{\n        "type": "mention_name",\n        "text": {_json(p.tg_name)},\n'
                f'        "user_id": {p.tg_id}\n       }}'
            )
        js = _json(rest if rest[:1].isspace() else " " + rest)
        return (
            f'      "text": [\n       {entity},\n       {js}\n      ],\n'
            f'      "text_entities": [\n       {entity},\n       {{\n        "type": "plain",\n'
            f'        "text": {js}\n       }}\n      ]'
        )

    def media(self, kind: str, msg_id: int) -> str:
        size = 20_000 + msg_id * 7_919 % 400_000  # stable made-up file sizes
        if kind == "photo":
            width, height = ((1280, 960), (960, 1280), (1280, 720))[msg_id % 3]
            return (
                f'      "photo": {_SKIPPED},\n      "photo_file_size": {size},\n'
                f'      "width": {width},\n      "height": {height},\n'
            )
        if kind == "sticker":
            emoji = ("😂", "👍", "🙏", "🐶", "🎉")[msg_id % 5]
            return (
                f'      "file": {_SKIPPED},\n      "file_size": {size // 8},\n      "thumbnail": {_SKIPPED},\n'
                f'      "thumbnail_file_size": {size // 60},\n      "media_type": "sticker",\n'
                f'      "sticker_emoji": "{emoji}",\n      "width": 512,\n      "height": 512,\n'
            )
        return (
            f'      "file": {_SKIPPED},\n      "file_size": {size // 4},\n      "media_type": "voice_message",\n'
            f'      "mime_type": "audio/ogg",\n      "duration_seconds": {3 + msg_id % 50},\n'
        )

    def reactor(self, person: int) -> str:
        found = self.reactors[person]
        if found is None:
            p = self.people[person]
            found = f'           "from": {_json(p.tg_name)},\n           "from_id": "user{p.tg_id}",\n'
            self.reactors[person] = found
        return found

    def reactions(self, reactions: list) -> str:
        days, tod, reactors = self.days, self.tod, self.reactors
        blocks = []
        for kind, emoji, count, recent in reactions:
            which = f'"emoji": {_json(emoji)}' if kind == "emoji" else f'"document_id": {_json(emoji)}'
            block = f'        {{\n         "type": "{kind}",\n         "count": {count},\n         {which}'
            if recent:
                entries = []
                for p, ts in recent:
                    day, sod = divmod(ts - START_TS, 86_400)
                    who = reactors[p] or self.reactor(p)
                    entries.append(f'          {{\n{who}           "date": "{days[day]}{tod[sod]}"\n          }}')
                block += ',\n         "recent": [\n' + ",\n".join(entries) + "\n         ]"
            blocks.append(block + "\n        }")
        return ',\n      "reactions": [\n' + ",\n".join(blocks) + "\n       ]"


_SERVICE_ACTION = {
    "create": "create_group",
    "invite": "invite_members",
    "add": "invite_members",
    "link": "join_group_by_link",
    "leave": "remove_members",
    "remove": "remove_members",
    "rename": "edit_group_title",
}


def write_telegram(path: Path, plan: GroupPlan, people: list[Person], items: Iterable[tuple]) -> dict[str, int]:
    """Write ``items`` as ``path`` (a result.json); return what was written, counted by kind."""
    render = _Renderer(people)
    sender, text_block = render.sender, render.text
    days, tod, senders, text_blocks = render.days, render.tod, render.senders, render.texts
    counts = dict.fromkeys(("messages", "service", "joins", "leaves", "removals", "renames", "replies", "mentions",
                            "media", "edited", "reactions", "reactions_named", "reaction_events"), 0)  # fmt: skip
    messages = replies = 0
    chat_type = "private_supergroup" if len({m.person for m in plan.members}) > 200 else "private_group"
    parts = [
        f'{{\n    "name": {_json(plan.name)},\n    "type": "{chat_type}",\n    "id": {plan.chat_id},\n    "messages": ['
    ]
    sep = "\n     {\n"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for item in items:
            if item[1] == MSG:
                ts, _, msg_id, author, text, extra = item
                day, sod = divmod(ts - START_TS, 86_400)
                if extra is None:  # the plain text message: one lookup each for sender and text
                    parts.append(
                        f'{sep}      "id": {msg_id},\n      "type": "message",\n'
                        f'      "date": "{days[day]}{tod[sod]}",\n'
                        f'      "date_unixtime": "{ts}",\n{senders[author] or sender(author)}'
                        f"{text_blocks.get(text) or text_block(text)}\n     }}"
                    )
                elif (
                    extra[0] is not None
                    and extra[1] is None
                    and extra[2] is None
                    and extra[3] is None
                    and extra[4] is None
                ):
                    parts.append(  # a plain reply: the next most common message
                        f'{sep}      "id": {msg_id},\n      "type": "message",\n'
                        f'      "date": "{days[day]}{tod[sod]}",\n'
                        f'      "date_unixtime": "{ts}",\n{senders[author] or sender(author)}'
                        f'      "reply_to_message_id": {extra[0]},\n'
                        f"{text_blocks.get(text) or text_block(text)}\n     }}"
                    )
                    replies += 1
                else:
                    parts.append(sep + _rich_message(render, counts, ts, msg_id, author, text, extra))
                messages += 1
            else:
                parts.append(sep + _service(render, counts, item))
            sep = ",\n     {\n"
            if len(parts) >= _FLUSH:
                fh.write("".join(parts))
                parts.clear()
        parts.append("\n    ]\n   }")
        fh.write("".join(parts))
    counts["messages"] = messages
    counts["replies"] += replies
    return counts


def _rich_message(render: _Renderer, counts: dict[str, int], ts: int, msg_id: int, author: int, text: str,
                  extra: tuple) -> str:  # fmt: skip
    """A message with a reply, mention, media, edit or reactions, keys in Telegram's order."""
    reply_to, mention, reacts, edited, media = extra
    block = [f'      "id": {msg_id},\n      "type": "message",\n      "date": "{render.date(ts)}",\n'
             f'      "date_unixtime": "{ts}",\n']  # fmt: skip
    if edited is not None:
        block.append(f'      "edited": "{render.date(edited)}",\n      "edited_unixtime": "{edited}",\n')
        counts["edited"] += 1
    block.append(render.sender(author))
    if reply_to is not None:
        block.append(f'      "reply_to_message_id": {reply_to},\n')
        counts["replies"] += 1
    if media is not None:
        block.append(render.media(media, msg_id))
        counts["media"] += 1
    if mention is not None and text:
        block.append(render.mention_text(mention, text))
        counts["mentions"] += 1
    else:
        block.append(render.text(text))
    if reacts is not None:
        block.append(render.reactions(reacts))
        for _, _, count, recent in reacts:
            counts["reactions"] += count
            counts["reactions_named"] += len(recent)
            counts["reaction_events"] += len(recent) + (count > len(recent))  # the named, then the rest as one
    block.append("\n     }")
    return "".join(block)


def _service(render: _Renderer, counts: dict[str, int], item: tuple) -> str:
    """A service message (joins, leaves, removals, the group's title)."""
    ts, _, msg_id, actor, action, members, title = item
    block = [
        f'      "id": {msg_id},\n      "type": "service",\n      "date": "{render.date(ts)}",\n'
        f'      "date_unixtime": "{ts}",\n',
        render.actor(actor),
        f'      "action": "{_SERVICE_ACTION[action]}",\n',
    ]
    if title is not None:
        block.append(f'      "title": {_json(title)},\n')
    if action == "link":
        block.append('      "inviter": "Group",\n')
    elif members:
        names = ",\n".join("       " + render.member(p) for p in members)
        block.append(f'      "members": [\n{names}\n      ],\n')
    block.append('      "text": "",\n      "text_entities": []\n     }')
    counts["service"] += 1
    if action in {"create", "invite", "add", "link"}:
        counts["joins"] += len(members)
    elif action == "leave":
        counts["leaves"] += 1
    elif action == "remove":
        counts["removals"] += 1
    elif action == "rename":
        counts["renames"] += 1
    return "".join(block)
